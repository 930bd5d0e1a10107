-- Credit notes (EN 16931 type 381) answer an approved or disputed invoice. On an approved
-- invoice they return credits to the grants (provider payable -> grant credits) and reduce what
-- the invoice's payment transfers; on a disputed one they are recorded as the provider's answer.

-- Whether a programme's credits cover invoices' net amounts or their amounts VAT included.
ALTER TABLE programmes ADD COLUMN credits_cover TEXT NOT NULL DEFAULT 'net' CHECK (credits_cover IN ('net', 'gross'));

-- What the invoice's grants held (the ledger amount it covers: net or VAT included, per
-- programme); earlier invoices were all net.
ALTER TABLE invoices ADD COLUMN ledger_total BIGINT NOT NULL DEFAULT 0 CHECK (ledger_total >= 0);
UPDATE invoices SET ledger_total = net_total;
-- What its credit notes returned to the grants, and their amounts due (subtracted from the payment).
ALTER TABLE invoices ADD COLUMN credited BIGINT NOT NULL DEFAULT 0 CHECK (credited >= 0);
ALTER TABLE invoices ADD COLUMN credited_payable BIGINT NOT NULL DEFAULT 0 CHECK (credited_payable >= 0);

CREATE TABLE credit_notes (
    id BIGSERIAL PRIMARY KEY,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    invoice_id BIGINT NOT NULL REFERENCES invoices (id),
    number TEXT NOT NULL,
    syntax TEXT NOT NULL CHECK (syntax IN ('ubl', 'cii', 'factur-x')),
    issue_date DATE NOT NULL,
    currency TEXT NOT NULL,
    -- The ledger amount credited over all its grants (net or VAT included, as the invoice held).
    amount BIGINT NOT NULL CHECK (amount > 0),
    net_total BIGINT NOT NULL CHECK (net_total >= 0),
    tax_total BIGINT NOT NULL CHECK (tax_total >= 0),
    payable BIGINT NOT NULL CHECK (payable >= 0),
    file_sha256 TEXT NOT NULL,
    -- posted: the credits went back to the grants; recorded: the answer to a disputed invoice.
    status TEXT NOT NULL CHECK (status IN ('posted', 'recorded')),
    uploaded_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    UNIQUE (provider_id, number)
);
CREATE INDEX credit_notes_invoice ON credit_notes (invoice_id);

CREATE TABLE credit_note_grants (
    credit_note_id BIGINT NOT NULL REFERENCES credit_notes (id),
    grant_id BIGINT NOT NULL REFERENCES grants (id),
    amount BIGINT NOT NULL CHECK (amount > 0),
    entry_id BIGINT REFERENCES ledger_entries (id),
    PRIMARY KEY (credit_note_id, grant_id)
);
CREATE INDEX credit_note_grants_grant ON credit_note_grants (grant_id);
