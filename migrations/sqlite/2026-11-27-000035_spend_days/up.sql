-- What providers were paid from grants (spend), per programme, hardware kind, provider payable
-- account and ledger day: the postings of usage, credit notes and their reversals on providers'
-- payable accounts, for entries of a grant that moved posted totals. Kept by the ledger in the
-- transaction that posts them, so that spending by month, by provider and hardware kind, the
-- sovereignty report and the public page read a few hundred rows instead of summing every
-- usage posting of their history. `verify` recomputes them from the postings.
CREATE TABLE spend_days (
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    account_id BIGINT NOT NULL REFERENCES ledger_accounts (id),
    hardware_kind TEXT NOT NULL,
    day DATE NOT NULL,
    debits BIGINT NOT NULL DEFAULT 0 CHECK (debits >= 0),
    credits BIGINT NOT NULL DEFAULT 0 CHECK (credits >= 0),
    PRIMARY KEY (programme_id, account_id, hardware_kind, day)
);

INSERT INTO spend_days (programme_id, account_id, hardware_kind, day, debits, credits)
SELECT g.programme_id, p.account_id, a.hardware, e.effective_on,
       COALESCE(SUM(CASE WHEN p.direction = 'debit' THEN p.amount END), 0),
       COALESCE(SUM(CASE WHEN p.direction = 'credit' THEN p.amount END), 0)
FROM ledger_postings p
JOIN ledger_entries e ON e.id = p.entry_id
JOIN ledger_accounts acc ON acc.id = p.account_id
JOIN grants g ON g.id = e.grant_id
JOIN applications a ON a.id = g.application_id
WHERE acc.owner_kind = 'provider' AND acc.purpose = 'payable'
  AND e.phase IN ('posted', 'post_pending')
  AND e.kind IN ('usage', 'credit-note', 'reversal')
GROUP BY g.programme_id, p.account_id, a.hardware, e.effective_on;
