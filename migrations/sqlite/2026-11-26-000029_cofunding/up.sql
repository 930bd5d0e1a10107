-- Co-funding: funders other than the programme's own commit budget to it, each from its own
-- commitments account (the ledger holds the money; this says who was invited and how much each
-- has committed so far, for the programme's shares).
CREATE TABLE programme_cofunders (
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    funder_id BIGINT NOT NULL REFERENCES organisations (id),
    invited_by BIGINT NOT NULL REFERENCES users (id),
    invited_at TIMESTAMP NOT NULL,
    committed BIGINT NOT NULL DEFAULT 0 CHECK (committed >= 0),
    PRIMARY KEY (programme_id, funder_id)
);
CREATE INDEX programme_cofunders_funder ON programme_cofunders (funder_id);
