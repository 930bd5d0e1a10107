-- Usage is now submitted (held), then approved or disputed through an invoice. Uploads posted
-- directly before holds existed were, in effect, approved.
ALTER TABLE usage_uploads ADD COLUMN new_status TEXT NOT NULL DEFAULT 'pending' CHECK (new_status IN ('pending', 'submitted', 'approved', 'disputed'));
UPDATE usage_uploads SET new_status = CASE status WHEN 'posted' THEN 'approved' ELSE status END;
ALTER TABLE usage_uploads DROP COLUMN status;
ALTER TABLE usage_uploads RENAME COLUMN new_status TO status;

-- Provider invoices (EN 16931) against submitted usage: the funder approves or disputes them.
CREATE TABLE invoices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    funder_id BIGINT NOT NULL REFERENCES organisations (id),
    upload_id BIGINT NOT NULL REFERENCES usage_uploads (id),
    number TEXT NOT NULL,
    syntax TEXT NOT NULL CHECK (syntax IN ('ubl', 'cii', 'factur-x')),
    issue_date DATE NOT NULL,
    currency TEXT NOT NULL,
    net_total BIGINT NOT NULL CHECK (net_total >= 0),
    tax_total BIGINT NOT NULL CHECK (tax_total >= 0),
    payable BIGINT NOT NULL,
    file_sha256 TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('awaiting-approval', 'approved', 'disputed')),
    dispute_reason TEXT,
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    UNIQUE (provider_id, number)
);
CREATE INDEX invoices_funder ON invoices (funder_id, status);
CREATE INDEX invoices_upload ON invoices (upload_id);

-- Each grant's charge of a submitted upload is held in the ledger until an invoice for it is
-- approved (the hold is posted) or disputed (voided); a charge is invoiced once.
ALTER TABLE usage_charges ADD COLUMN hold_entry_id BIGINT REFERENCES ledger_entries (id);
ALTER TABLE usage_charges ADD COLUMN invoice_id BIGINT REFERENCES invoices (id);
