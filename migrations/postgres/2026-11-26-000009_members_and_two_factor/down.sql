DROP TABLE recovery_codes;
ALTER TABLE organisations DROP COLUMN require_two_factor;
ALTER TABLE users DROP COLUMN totp_last_step;
ALTER TABLE users DROP COLUMN totp_secret;
DROP TABLE invitations;
ALTER TABLE users DROP COLUMN removed_at;
ALTER TABLE users DROP CONSTRAINT users_role_check;
UPDATE users SET role = 'member' WHERE role <> 'owner';
ALTER TABLE users ADD CONSTRAINT users_role_check CHECK (role IN ('owner', 'member'));
