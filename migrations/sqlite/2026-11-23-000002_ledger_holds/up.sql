-- Two-phase transfers. A hold is an entry in phase 'pending' whose postings count in the
-- accounts' pending totals; it is resolved exactly once by a later entry that names it
-- (post_pending, void_pending or expire_pending). Nothing is updated: the resolution is a row.
ALTER TABLE ledger_entries ADD COLUMN phase TEXT NOT NULL DEFAULT 'posted'
    CHECK (phase IN ('posted', 'pending', 'post_pending', 'void_pending', 'expire_pending'));
ALTER TABLE ledger_entries ADD COLUMN resolves_entry_id BIGINT REFERENCES ledger_entries (id);
ALTER TABLE ledger_entries ADD COLUMN expires_at TIMESTAMP;
CREATE UNIQUE INDEX ledger_entries_resolved_once ON ledger_entries (resolves_entry_id);
