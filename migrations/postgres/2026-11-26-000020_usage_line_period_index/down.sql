DROP INDEX usage_lines_period_resource;
CREATE INDEX usage_lines_resource ON usage_lines (resource_id, charge_period_start);
DROP TRIGGER grants_never_deleted ON grants;
DROP TRIGGER usage_uploads_never_deleted ON usage_uploads;
DROP FUNCTION usage_refuse_delete();
ALTER TABLE usage_lines ADD CONSTRAINT usage_lines_upload_id_fkey FOREIGN KEY (upload_id) REFERENCES usage_uploads (id);
ALTER TABLE usage_lines ADD CONSTRAINT usage_lines_grant_id_fkey FOREIGN KEY (grant_id) REFERENCES grants (id);
