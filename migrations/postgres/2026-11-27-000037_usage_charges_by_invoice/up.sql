-- An invoice's charges are read when it is shown, approved, disputed, credited and settled: by
-- index, not by a scan of every charge ever billed (1,250,000 at national scale, 80 ms a scan).
CREATE INDEX usage_charges_invoice ON usage_charges (invoice_id);
