-- The programme's page is kept between requests too (see `spending::SpendCache`): its change
-- log (with who made each change), its co-funders and their commitments move the page state.
CREATE TRIGGER page_state_programme_changes AFTER INSERT OR UPDATE OR DELETE ON programme_changes FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
CREATE TRIGGER page_state_programme_cofunders AFTER INSERT OR UPDATE OR DELETE ON programme_cofunders FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
-- The change log names who made each change.
CREATE TRIGGER page_state_users_name AFTER UPDATE OF display_name ON users FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
-- A grant's page shows its credit notes (issued or posted) and its changes (extension, revocation, expiry).
CREATE TRIGGER page_state_credit_notes AFTER INSERT OR UPDATE OR DELETE ON credit_notes FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
CREATE TRIGGER page_state_credit_note_grants AFTER INSERT OR UPDATE OR DELETE ON credit_note_grants FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
CREATE TRIGGER page_state_grant_changes AFTER INSERT OR UPDATE OR DELETE ON grant_changes FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
