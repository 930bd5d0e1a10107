-- Back to statement triggers that move `page_state` at once, at every statement.
CREATE OR REPLACE FUNCTION page_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE page_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
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
        EXECUTE format('CREATE TRIGGER page_state_%1$s AFTER INSERT OR UPDATE OR DELETE ON %1$s FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump()', moved);
    END LOOP;
END;
$$;
DROP TRIGGER page_state_application_revisions ON application_revisions;
CREATE TRIGGER page_state_application_revisions AFTER INSERT ON application_revisions FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
DROP TRIGGER page_state_users_name ON users;
CREATE TRIGGER page_state_users_name AFTER UPDATE OF display_name ON users FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
