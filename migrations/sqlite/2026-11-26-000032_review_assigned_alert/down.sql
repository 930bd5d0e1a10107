-- The alert kinds a notification may have: 'review-assigned' (a reviewer told of an assignment)
-- added or removed. SQLite cannot change a CHECK in place: the table is rebuilt, keeping ids.
PRAGMA foreign_keys = OFF;
BEGIN;
DELETE FROM notification_opt_outs WHERE kind = 'review-assigned';
CREATE TABLE notifications_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('application-received', 'decision', 'credits-used', 'expiry-soon', 'funder-digest', 'grant-changed', 'offer', 'offer-reminder', 'changes-requested')),
    event_key TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    mail_status TEXT NOT NULL CHECK (mail_status IN ('pending', 'queued', 'not-wanted')),
    UNIQUE (user_id, event_key)
);
INSERT INTO notifications_new (id, user_id, kind, event_key, message, link, created_at, read_at, mail_status)
    SELECT id, user_id, kind, event_key, message, link, created_at, read_at, mail_status FROM notifications WHERE kind <> 'review-assigned';
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_of_user ON notifications (user_id, id);
CREATE INDEX notifications_to_mail ON notifications (mail_status, id);
COMMIT;
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
