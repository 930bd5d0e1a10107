DROP INDEX usage_lines_resource;
ALTER TABLE usage_lines DROP COLUMN sku_id;
ALTER TABLE usage_lines DROP COLUMN resource_id;
