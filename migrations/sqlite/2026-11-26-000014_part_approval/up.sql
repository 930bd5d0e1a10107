-- What the funder approved of an invoice's net amount when less than all (the rest released).
ALTER TABLE invoices ADD COLUMN approved_net BIGINT;
