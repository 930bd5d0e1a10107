-- Mailed links may now also reset a password.
ALTER TABLE email_tokens DROP CONSTRAINT email_tokens_purpose_check;
ALTER TABLE email_tokens ADD CONSTRAINT email_tokens_purpose_check CHECK (purpose IN ('verify-email', 'reset-password'));
CREATE INDEX email_tokens_user ON email_tokens (user_id);
