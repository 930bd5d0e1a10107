DROP TABLE audit_events;
DROP FUNCTION IF EXISTS audit_events_append_only();
