DROP INDEX email_tokens_user;
DELETE FROM email_tokens WHERE purpose = 'reset-password';
ALTER TABLE email_tokens DROP CONSTRAINT email_tokens_purpose_check;
ALTER TABLE email_tokens ADD CONSTRAINT email_tokens_purpose_check CHECK (purpose IN ('verify-email'));
