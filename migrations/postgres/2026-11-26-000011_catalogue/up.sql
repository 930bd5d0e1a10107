-- The catalogue usage is checked against: each offering's SKU, service, region and country, an
-- exact unit price (sub-cent prices exist), and the dates it is valid. A price change closes
-- one row and opens the next, so that earlier usage is still checked against its own price.
ALTER TABLE provider_offerings ADD COLUMN sku_id TEXT;
ALTER TABLE provider_offerings ADD COLUMN service_name TEXT NOT NULL DEFAULT '';
ALTER TABLE provider_offerings ADD COLUMN region TEXT;
ALTER TABLE provider_offerings ADD COLUMN country TEXT;
ALTER TABLE provider_offerings ADD COLUMN price TEXT NOT NULL DEFAULT '0';
ALTER TABLE provider_offerings ADD COLUMN valid_from DATE NOT NULL DEFAULT '2000-01-01';
ALTER TABLE provider_offerings ADD COLUMN valid_until DATE;
UPDATE provider_offerings SET service_name = name, price = (unit_price / 100)::text || '.' || lpad((unit_price % 100)::text, 2, '0');
ALTER TABLE provider_offerings DROP COLUMN unit_price;
CREATE INDEX provider_offerings_provider ON provider_offerings (provider_id, valid_from);

-- How far above its catalogue price a usage line may be billed, per programme.
ALTER TABLE programmes ADD COLUMN price_tolerance_percent INTEGER NOT NULL DEFAULT 5 CHECK (price_tolerance_percent BETWEEN 0 AND 100);
