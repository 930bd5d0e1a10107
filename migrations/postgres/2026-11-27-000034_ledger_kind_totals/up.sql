-- Each account's posted movements by entry kind, kept by the ledger in the transaction that
-- posts them (as it keeps each account's four totals), so that a programme's or a grant's
-- figures (awarded, spent, clawed back, ...) are read from a few rows instead of summed over
-- every posting of its history. `verify` recomputes them from the postings.
CREATE TABLE ledger_kind_totals (
    account_id BIGINT NOT NULL REFERENCES ledger_accounts (id),
    kind TEXT NOT NULL,
    debits BIGINT NOT NULL DEFAULT 0 CHECK (debits >= 0),
    credits BIGINT NOT NULL DEFAULT 0 CHECK (credits >= 0),
    PRIMARY KEY (account_id, kind)
);

INSERT INTO ledger_kind_totals (account_id, kind, debits, credits)
SELECT p.account_id, e.kind,
       COALESCE(SUM(CASE WHEN p.direction = 'debit' THEN p.amount END), 0),
       COALESCE(SUM(CASE WHEN p.direction = 'credit' THEN p.amount END), 0)
FROM ledger_postings p JOIN ledger_entries e ON e.id = p.entry_id
WHERE e.phase IN ('posted', 'post_pending')
GROUP BY p.account_id, e.kind;
