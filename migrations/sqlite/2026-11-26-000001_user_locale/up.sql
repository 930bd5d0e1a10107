-- The language a person chose; NULL until they choose (the browser's language is used then).
ALTER TABLE users ADD COLUMN locale TEXT CHECK (locale IN ('en', 'fr'));
