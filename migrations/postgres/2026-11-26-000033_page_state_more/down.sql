DROP TRIGGER IF EXISTS page_state_programme_changes ON programme_changes;
DROP TRIGGER IF EXISTS page_state_programme_cofunders ON programme_cofunders;
DROP TRIGGER IF EXISTS page_state_users_name ON users;
DROP TRIGGER IF EXISTS page_state_credit_notes ON credit_notes;
DROP TRIGGER IF EXISTS page_state_credit_note_grants ON credit_note_grants;
DROP TRIGGER IF EXISTS page_state_grant_changes ON grant_changes;
