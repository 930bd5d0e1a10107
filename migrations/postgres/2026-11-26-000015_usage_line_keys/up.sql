-- What identifies a usage line across files: providers resend overlapping periods, and a
-- resource's SKU over the same charge period is billed once.
ALTER TABLE usage_lines ADD COLUMN resource_id TEXT;
ALTER TABLE usage_lines ADD COLUMN sku_id TEXT;
CREATE INDEX usage_lines_resource ON usage_lines (resource_id, charge_period_start);
