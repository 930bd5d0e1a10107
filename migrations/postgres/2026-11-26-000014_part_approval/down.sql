ALTER TABLE invoices DROP COLUMN approved_net;
