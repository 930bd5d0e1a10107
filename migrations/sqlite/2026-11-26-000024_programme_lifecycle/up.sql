-- Programme lifecycle (draft -> open -> closed -> archived) and eligibility rules. Programmes
-- that exist already were funded when created: they migrate as open.
ALTER TABLE programmes ADD COLUMN status TEXT NOT NULL DEFAULT 'open' CHECK (status IN ('draft', 'open', 'closed', 'archived'));
-- Eligibility rules, set while a draft; NULL means "no rule". Countries: 'EU/EEA' or ISO codes
-- separated by commas; categories and hardware kinds: values separated by commas.
ALTER TABLE programmes ADD COLUMN eligible_countries TEXT;
ALTER TABLE programmes ADD COLUMN eligible_categories TEXT;
ALTER TABLE programmes ADD COLUMN max_company_age_years INTEGER CHECK (max_company_age_years IS NULL OR max_company_age_years BETWEEN 1 AND 200);
ALTER TABLE programmes ADD COLUMN eligible_hardware TEXT;

-- What changed after opening, by whom and why: append-only.
CREATE TABLE programme_changes (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    kind TEXT NOT NULL CHECK (kind IN ('opened', 'closing-extended', 'budget-raised', 'closed', 'archived')),
    old_value TEXT NOT NULL,
    new_value TEXT NOT NULL,
    reason TEXT NOT NULL,
    changed_by BIGINT NOT NULL REFERENCES users (id),
    changed_at TIMESTAMP NOT NULL
);
CREATE INDEX programme_changes_programme ON programme_changes (programme_id, id);
CREATE TRIGGER programme_changes_no_update BEFORE UPDATE ON programme_changes BEGIN SELECT RAISE(ABORT, 'programme changes are append-only'); END;
CREATE TRIGGER programme_changes_no_delete BEFORE DELETE ON programme_changes BEGIN SELECT RAISE(ABORT, 'programme changes are append-only'); END;

-- An application's eligibility as evaluated at submission: NULL when every rule passed, else
-- one failing rule per line ("rule:value"); and the funder's recorded override.
ALTER TABLE applications ADD COLUMN ineligible_reasons TEXT;
ALTER TABLE applications ADD COLUMN override_reason TEXT;
ALTER TABLE applications ADD COLUMN overridden_by BIGINT REFERENCES users (id);
ALTER TABLE applications ADD COLUMN overridden_at TIMESTAMP;

-- When the company was founded (registered), for a programme's maximum company age.
ALTER TABLE company_profiles ADD COLUMN founded_on DATE;
