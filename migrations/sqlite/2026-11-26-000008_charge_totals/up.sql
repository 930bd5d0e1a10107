-- Each charge keeps the exact total and line count of its grant's lines, computed once at
-- upload: showing an upload no longer reads every line it holds (ten views of a large upload
-- held every connection for half a minute). NULL for uploads made before: computed on read.
ALTER TABLE usage_charges ADD COLUMN exact_cost TEXT;
ALTER TABLE usage_charges ADD COLUMN line_count BIGINT;
