-- The reserved quota for small structures: the share of a programme's budget, in basis points
-- (10000 = 100 %), that only micro and small enterprises draw on; 0 means no quota. A share, not
-- an amount, so that it follows budget top-ups and co-funding.
ALTER TABLE programmes ADD COLUMN reserved_share_bp INTEGER NOT NULL DEFAULT 0 CHECK (reserved_share_bp BETWEEN 0 AND 10000);
-- The SME category an approval was decided with ('micro', 'small', 'medium', 'large'); NULL when
-- it could not be told (no profile, or decided before this column): such awards draw on the rest.
-- Kept so that a later profile edit does not move a past award from one pot to the other.
ALTER TABLE applications ADD COLUMN quota_category TEXT CHECK (quota_category IS NULL OR quota_category IN ('micro', 'small', 'medium', 'large'));
