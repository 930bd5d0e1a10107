# Problems found in provider documents: FOCUS usage files and EN 16931 invoices.
