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
-- Every table whose changes move the page state, on any insert, update or delete; two more below.
DO $$
DECLARE
    moved TEXT;
BEGIN
    FOREACH moved IN ARRAY ARRAY[
        'organisations',
        'programmes',
        'grants',
        'applications',
        'provider_offerings',
        'usage_uploads',
        'company_profiles',
        'company_associates',
        'programme_changes',
        'programme_cofunders',
        'credit_notes',
        'credit_note_grants',
        'grant_changes'
    ] LOOP
        EXECUTE format('DROP TRIGGER page_state_%1$s ON %1$s', moved);
        EXECUTE format('CREATE CONSTRAINT TRIGGER page_state_%1$s AFTER INSERT OR UPDATE OR DELETE ON %1$s DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump()', moved);
    END LOOP;
END;
$$;
-- A new revision of an application (its earlier ones never change).
DROP TRIGGER page_state_application_revisions ON application_revisions;
CREATE CONSTRAINT TRIGGER page_state_application_revisions AFTER INSERT ON application_revisions DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
-- A person's name, which the change logs show.
DROP TRIGGER page_state_users_name ON users;
CREATE CONSTRAINT TRIGGER page_state_users_name AFTER UPDATE OF display_name ON users DEFERRABLE INITIALLY DEFERRED FOR EACH ROW EXECUTE FUNCTION page_state_bump();
