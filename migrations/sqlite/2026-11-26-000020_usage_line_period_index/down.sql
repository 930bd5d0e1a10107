DROP INDEX usage_lines_period_resource;
CREATE INDEX usage_lines_resource ON usage_lines (resource_id, charge_period_start);
