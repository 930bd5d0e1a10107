ALTER TABLE applications DROP COLUMN quota_category;
ALTER TABLE programmes DROP COLUMN reserved_share_bp;
