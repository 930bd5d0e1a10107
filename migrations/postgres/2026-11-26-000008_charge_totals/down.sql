ALTER TABLE usage_charges DROP COLUMN line_count;
ALTER TABLE usage_charges DROP COLUMN exact_cost;
