# Anomalies relevées dans les documents des fournisseurs : fichiers d'usage FOCUS et factures EN 16931.
