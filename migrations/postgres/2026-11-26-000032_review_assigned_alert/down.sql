DELETE FROM notifications WHERE kind = 'review-assigned';
DELETE FROM notification_opt_outs WHERE kind = 'review-assigned';
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('application-received', 'decision', 'credits-used', 'expiry-soon', 'funder-digest', 'grant-changed', 'offer', 'offer-reminder', 'changes-requested'));
