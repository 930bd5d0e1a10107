DROP INDEX ledger_entries_kind_programme;
DROP INDEX grant_changes_one_end;
DROP INDEX grant_changes_grant;
DROP TABLE grant_changes;
ALTER TABLE programmes DROP COLUMN unused_credit;
