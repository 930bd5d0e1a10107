-- Lines billed before are found by charge period and resource. With the period first, a usage
-- file (which providers write in time order) adds to the end of the index instead of all over
-- it: storing a million lines on SQLite went from 17 s to 8 s (benches/usage_import.rs).
DROP INDEX usage_lines_resource;
CREATE INDEX usage_lines_period_resource ON usage_lines (charge_period_start, resource_id);

-- A usage line's upload and grant were checked by a trigger per line (PostgreSQL's foreign
-- keys): 9 of the 20 s it took to store a million lines. The lines are only ever written with
-- their upload, in its transaction, for grants just looked up, and that transaction checks the
-- references once for the whole file (domain::usage::upload). Uploads and grants are never
-- deleted (the ledger links them); deleting one is refused here, as the foreign keys did.
ALTER TABLE usage_lines DROP CONSTRAINT usage_lines_upload_id_fkey;
ALTER TABLE usage_lines DROP CONSTRAINT usage_lines_grant_id_fkey;
CREATE FUNCTION usage_refuse_delete() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION '% rows are never deleted: usage lines and the ledger refer to them', TG_TABLE_NAME;
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER usage_uploads_never_deleted BEFORE DELETE ON usage_uploads FOR EACH STATEMENT EXECUTE FUNCTION usage_refuse_delete();
CREATE TRIGGER grants_never_deleted BEFORE DELETE ON grants FOR EACH STATEMENT EXECUTE FUNCTION usage_refuse_delete();
