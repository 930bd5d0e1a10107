-- The programme's page is kept between requests too (see `spending::SpendCache`): its change
-- log (with who made each change), its co-funders and their commitments move the page state.
CREATE TRIGGER page_state_programme_changes_insert AFTER INSERT ON programme_changes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_programme_changes_update AFTER UPDATE ON programme_changes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_programme_changes_delete AFTER DELETE ON programme_changes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_programme_cofunders_insert AFTER INSERT ON programme_cofunders BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_programme_cofunders_update AFTER UPDATE ON programme_cofunders BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_programme_cofunders_delete AFTER DELETE ON programme_cofunders BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
-- The change log names who made each change.
CREATE TRIGGER page_state_users_name AFTER UPDATE OF display_name ON users BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
-- A grant's page shows its credit notes (issued or posted) and its changes (extension, revocation, expiry).
CREATE TRIGGER page_state_credit_notes_insert AFTER INSERT ON credit_notes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_credit_notes_update AFTER UPDATE ON credit_notes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_credit_notes_delete AFTER DELETE ON credit_notes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_credit_note_grants_insert AFTER INSERT ON credit_note_grants BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_credit_note_grants_update AFTER UPDATE ON credit_note_grants BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_credit_note_grants_delete AFTER DELETE ON credit_note_grants BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_grant_changes_insert AFTER INSERT ON grant_changes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_grant_changes_update AFTER UPDATE ON grant_changes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_grant_changes_delete AFTER DELETE ON grant_changes BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
