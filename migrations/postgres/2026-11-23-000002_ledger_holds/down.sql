DROP INDEX ledger_entries_resolved_once;
ALTER TABLE ledger_entries DROP COLUMN expires_at;
ALTER TABLE ledger_entries DROP COLUMN resolves_entry_id;
ALTER TABLE ledger_entries DROP COLUMN phase;
