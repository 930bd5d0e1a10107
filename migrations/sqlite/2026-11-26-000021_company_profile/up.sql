-- A startup's company profile (issue 10): the last closed accounts and the partner and linked
-- enterprises that Commission Recommendation 2003/361/EC counts towards its SME category, the
-- de minimis aid it declares having received elsewhere, and what a central register needs of
-- each award made here (Regulation (EU) 2023/2831). Money in euro cents; headcounts and
-- shares are exact decimals kept as text, as prices are.
CREATE TABLE company_profiles (
    organisation_id BIGINT NOT NULL PRIMARY KEY REFERENCES organisations (id),
    accounts_year_end DATE NOT NULL,
    staff_awu TEXT NOT NULL,
    turnover BIGINT NOT NULL CHECK (turnover >= 0),
    balance_sheet BIGINT NOT NULL CHECK (balance_sheet >= 0),
    public_body_control BOOLEAN NOT NULL DEFAULT FALSE,
    vat_number TEXT,
    updated_by BIGINT REFERENCES users (id),
    updated_at TIMESTAMP NOT NULL
);

CREATE TABLE company_associates (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    relation TEXT NOT NULL CHECK (relation IN ('partner', 'linked')),
    name TEXT NOT NULL,
    country TEXT NOT NULL,
    registration_number TEXT NOT NULL,
    capital_share TEXT NOT NULL,
    voting_share TEXT NOT NULL,
    staff_awu TEXT NOT NULL,
    turnover BIGINT NOT NULL CHECK (turnover >= 0),
    balance_sheet BIGINT NOT NULL CHECK (balance_sheet >= 0),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX company_associates_organisation ON company_associates (organisation_id, id);
CREATE INDEX company_associates_registration ON company_associates (registration_number);

-- De minimis aid received from other granting bodies, as the startup declares it.
CREATE TABLE declared_aid (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    organisation_id BIGINT NOT NULL REFERENCES organisations (id),
    granted_on DATE NOT NULL,
    amount BIGINT NOT NULL CHECK (amount > 0),
    granting_body TEXT NOT NULL,
    created_by BIGINT REFERENCES users (id),
    created_at TIMESTAMP NOT NULL
);
CREATE INDEX declared_aid_organisation ON declared_aid (organisation_id, granted_on);

-- Each award as granted, for the national register: written with the grant, never changed.
CREATE TABLE de_minimis_awards (
    grant_id BIGINT NOT NULL PRIMARY KEY REFERENCES grants (id),
    aid_id TEXT NOT NULL UNIQUE,
    beneficiary_id BIGINT NOT NULL REFERENCES organisations (id),
    beneficiary_name TEXT NOT NULL,
    beneficiary_identifier TEXT NOT NULL,
    beneficiary_country TEXT NOT NULL,
    sme_category TEXT,
    amount BIGINT NOT NULL CHECK (amount > 0),
    currency TEXT NOT NULL,
    granted_on DATE NOT NULL,
    granting_authority_id BIGINT NOT NULL REFERENCES organisations (id),
    granting_authority TEXT NOT NULL,
    regulation TEXT NOT NULL,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    recorded_at TIMESTAMP NOT NULL
);
CREATE INDEX de_minimis_awards_authority ON de_minimis_awards (granting_authority_id, grant_id);
CREATE INDEX de_minimis_awards_beneficiary ON de_minimis_awards (beneficiary_id, granted_on);

-- Awards made before this migration, so that the register lists every award: the beneficiary
-- and the granting authority as registered now, no SME category (none was declared).
INSERT INTO de_minimis_awards (grant_id, aid_id, beneficiary_id, beneficiary_name, beneficiary_identifier, beneficiary_country, sme_category, amount, currency, granted_on, granting_authority_id, granting_authority, regulation, programme_id, recorded_at)
SELECT g.id, g.code, s.id, COALESCE(s.legal_name, s.name), COALESCE(s.registration_number, ''), COALESCE(s.country, ''), NULL, g.amount, g.currency, g.valid_from, f.id, COALESCE(f.legal_name, f.name), '2023/2831', g.programme_id, CURRENT_TIMESTAMP
FROM grants g
JOIN organisations s ON s.id = g.startup_id
JOIN programmes p ON p.id = g.programme_id
JOIN organisations f ON f.id = p.funder_id
WHERE g.amount > 0;
