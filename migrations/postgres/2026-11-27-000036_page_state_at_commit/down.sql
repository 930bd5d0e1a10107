-- Back to statement triggers that move `page_state` at once, at every statement.
CREATE OR REPLACE FUNCTION page_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE page_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
DROP TRIGGER page_state_application_revisions ON application_revisions;
CREATE TRIGGER page_state_application_revisions AFTER INSERT ON application_revisions FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_organisations ON organisations;
CREATE TRIGGER page_state_organisations AFTER INSERT OR UPDATE OR DELETE ON organisations FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_programmes ON programmes;
CREATE TRIGGER page_state_programmes AFTER INSERT OR UPDATE OR DELETE ON programmes FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_grants ON grants;
CREATE TRIGGER page_state_grants AFTER INSERT OR UPDATE OR DELETE ON grants FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_applications ON applications;
CREATE TRIGGER page_state_applications AFTER INSERT OR UPDATE OR DELETE ON applications FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_provider_offerings ON provider_offerings;
CREATE TRIGGER page_state_provider_offerings AFTER INSERT OR UPDATE OR DELETE ON provider_offerings FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_usage_uploads ON usage_uploads;
CREATE TRIGGER page_state_usage_uploads AFTER INSERT OR UPDATE OR DELETE ON usage_uploads FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_company_profiles ON company_profiles;
CREATE TRIGGER page_state_company_profiles AFTER INSERT OR UPDATE OR DELETE ON company_profiles FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_company_associates ON company_associates;
CREATE TRIGGER page_state_company_associates AFTER INSERT OR UPDATE OR DELETE ON company_associates FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_programme_changes ON programme_changes;
CREATE TRIGGER page_state_programme_changes AFTER INSERT OR UPDATE OR DELETE ON programme_changes FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_programme_cofunders ON programme_cofunders;
CREATE TRIGGER page_state_programme_cofunders AFTER INSERT OR UPDATE OR DELETE ON programme_cofunders FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_users_name ON users;
CREATE TRIGGER page_state_users_name AFTER UPDATE OF display_name ON users FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_credit_notes ON credit_notes;
CREATE TRIGGER page_state_credit_notes AFTER INSERT OR UPDATE OR DELETE ON credit_notes FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_credit_note_grants ON credit_note_grants;
CREATE TRIGGER page_state_credit_note_grants AFTER INSERT OR UPDATE OR DELETE ON credit_note_grants FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_grant_changes ON grant_changes;
CREATE TRIGGER page_state_grant_changes AFTER INSERT OR UPDATE OR DELETE ON grant_changes FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
