-- Where a programme's unused credit goes when a grant expires or is revoked: back to the
-- programme's available budget while its window has not ended, else to its expired account
-- ('budget_while_open', the default); or always to its expired account ('expired').
ALTER TABLE programmes ADD COLUMN unused_credit TEXT NOT NULL DEFAULT 'budget_while_open'
    CHECK (unused_credit IN ('budget_while_open', 'expired'));
-- What happened to a grant after its award: extended (new end date), revoked or expired, by
-- whom (none: the scheduler or the command line), when and why (the startup reads the reason),
-- and what was clawed back at that moment.
CREATE TABLE grant_changes (
    id BIGSERIAL PRIMARY KEY,
    grant_id BIGINT NOT NULL REFERENCES grants (id),
    kind TEXT NOT NULL CHECK (kind IN ('extended', 'revoked', 'expired')),
    reason TEXT,
    previous_until DATE NOT NULL,
    new_until DATE,
    clawed_back BIGINT NOT NULL CHECK (clawed_back >= 0),
    changed_by BIGINT REFERENCES users (id),
    changed_at TIMESTAMP NOT NULL,
    CHECK ((kind = 'extended') = (new_until IS NOT NULL)),
    CHECK (kind = 'expired' OR reason IS NOT NULL)
);
CREATE INDEX grant_changes_grant ON grant_changes (grant_id, id);
-- What clawbacks took from a programme's grants, read by its report and the grant pages
-- (what was spent leaves it out).
CREATE INDEX ledger_entries_kind_programme ON ledger_entries (kind, programme_id, grant_id);
-- A grant ends once.
CREATE UNIQUE INDEX grant_changes_one_end ON grant_changes (grant_id) WHERE kind <> 'extended';
