-- `page_state` was moved by statement triggers the moment a write touched one of its tables, so
-- a transaction held that one row's lock from its first such write to its commit, and took row
-- locks after it: a bare write that locked a row first (an application withdrawn) and then met
-- `page_state` in its trigger waited for such a transaction while it waited for that row, and
-- PostgreSQL ended one of them as a deadlock (the soak saw it). The triggers now run at commit
-- (deferred constraint triggers), once per transaction: `page_state` is the last lock any
-- transaction takes and is held only while it commits, so no transaction holding it ever waits
-- for another, and writers no longer queue behind each other on it for their whole length.
CREATE OR REPLACE FUNCTION page_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    -- Row triggers fire once per changed row; one move per transaction is what readers compare.
    IF current_setting('computegrants.page_state_moved', true) IS DISTINCT FROM 'yes' THEN
        UPDATE page_state SET version = version + 1 WHERE id = 1;
        PERFORM set_config('computegrants.page_state_moved', 'yes', true);
    END IF;
    RETURN NULL;
END;
$$;
DROP TRIGGER page_state_application_revisions ON application_revisions;
CREATE CONSTRAINT TRIGGER page_state_application_revisions AFTER INSERT ON application_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_organisations ON organisations;
CREATE CONSTRAINT TRIGGER page_state_organisations AFTER INSERT OR UPDATE OR DELETE ON organisations DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_programmes ON programmes;
CREATE CONSTRAINT TRIGGER page_state_programmes AFTER INSERT OR UPDATE OR DELETE ON programmes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_grants ON grants;
CREATE CONSTRAINT TRIGGER page_state_grants AFTER INSERT OR UPDATE OR DELETE ON grants DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_applications ON applications;
CREATE CONSTRAINT TRIGGER page_state_applications AFTER INSERT OR UPDATE OR DELETE ON applications DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_provider_offerings ON provider_offerings;
CREATE CONSTRAINT TRIGGER page_state_provider_offerings AFTER INSERT OR UPDATE OR DELETE ON provider_offerings DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_usage_uploads ON usage_uploads;
CREATE CONSTRAINT TRIGGER page_state_usage_uploads AFTER INSERT OR UPDATE OR DELETE ON usage_uploads DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_company_profiles ON company_profiles;
CREATE CONSTRAINT TRIGGER page_state_company_profiles AFTER INSERT OR UPDATE OR DELETE ON company_profiles DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_company_associates ON company_associates;
CREATE CONSTRAINT TRIGGER page_state_company_associates AFTER INSERT OR UPDATE OR DELETE ON company_associates DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_programme_changes ON programme_changes;
CREATE CONSTRAINT TRIGGER page_state_programme_changes AFTER INSERT OR UPDATE OR DELETE ON programme_changes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_programme_cofunders ON programme_cofunders;
CREATE CONSTRAINT TRIGGER page_state_programme_cofunders AFTER INSERT OR UPDATE OR DELETE ON programme_cofunders DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_users_name ON users;
CREATE CONSTRAINT TRIGGER page_state_users_name AFTER UPDATE OF display_name ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_credit_notes ON credit_notes;
CREATE CONSTRAINT TRIGGER page_state_credit_notes AFTER INSERT OR UPDATE OR DELETE ON credit_notes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_credit_note_grants ON credit_note_grants;
CREATE CONSTRAINT TRIGGER page_state_credit_note_grants AFTER INSERT OR UPDATE OR DELETE ON credit_note_grants DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_grant_changes ON grant_changes;
CREATE CONSTRAINT TRIGGER page_state_grant_changes AFTER INSERT OR UPDATE OR DELETE ON grant_changes DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
