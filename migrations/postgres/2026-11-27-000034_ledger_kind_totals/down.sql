DROP TABLE ledger_kind_totals;
