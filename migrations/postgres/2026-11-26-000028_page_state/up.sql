-- What the cached public pages and reports show besides ledger figures (names, countries,
-- programme terms, grants' and applications' details) changes in these tables. Every change to
-- them moves `page_state.version`, so a server keeps a rendered page only while both this
-- version and the ledger head's entry count stand still: one row read per request decides,
-- and several servers over one database each stay correct.
CREATE TABLE page_state (
    id BIGINT PRIMARY KEY CHECK (id = 1),
    version BIGINT NOT NULL
);
INSERT INTO page_state (id, version) VALUES (1, 0);
CREATE FUNCTION page_state_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE page_state SET version = version + 1 WHERE id = 1;
    RETURN NULL;
END;
$$;
CREATE TRIGGER page_state_organisations AFTER INSERT OR UPDATE OR DELETE ON organisations FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
CREATE TRIGGER page_state_programmes AFTER INSERT OR UPDATE OR DELETE ON programmes FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
CREATE TRIGGER page_state_grants AFTER INSERT OR UPDATE OR DELETE ON grants FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
CREATE TRIGGER page_state_applications AFTER INSERT OR UPDATE OR DELETE ON applications FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
CREATE TRIGGER page_state_provider_offerings AFTER INSERT OR UPDATE OR DELETE ON provider_offerings FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
-- A usage file submitted, approved, disputed or expired changes what a grant's usage pages count.
CREATE TRIGGER page_state_usage_uploads AFTER INSERT OR UPDATE OR DELETE ON usage_uploads FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
-- Company profiles and their partner and linked enterprises decide the SME categories reports count.
CREATE TRIGGER page_state_company_profiles AFTER INSERT OR UPDATE OR DELETE ON company_profiles FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
CREATE TRIGGER page_state_company_associates AFTER INSERT OR UPDATE OR DELETE ON company_associates FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
