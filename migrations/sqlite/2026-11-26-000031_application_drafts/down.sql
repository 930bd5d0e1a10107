PRAGMA foreign_keys = OFF;
BEGIN;
DROP TABLE application_revisions;
-- Drafts are dropped; applications waiting for changes go back to waiting for a decision.
DELETE FROM applications WHERE status = 'draft';
UPDATE applications SET status = 'submitted' WHERE status = 'changes_requested';
CREATE TABLE applications_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    startup_id BIGINT NOT NULL REFERENCES organisations (id),
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    requested BIGINT NOT NULL CHECK (requested > 0),
    purpose TEXT NOT NULL,
    hardware TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('submitted', 'offered', 'approved', 'declined', 'lapsed', 'rejected', 'withdrawn')),
    approved_amount BIGINT CHECK (approved_amount > 0),
    decision_reason TEXT,
    decided_by BIGINT REFERENCES users (id),
    decided_at TIMESTAMP,
    submitted_by BIGINT NOT NULL REFERENCES users (id),
    created_at TIMESTAMP NOT NULL,
    ineligible_reasons TEXT,
    override_reason TEXT,
    overridden_by BIGINT REFERENCES users (id),
    overridden_at TIMESTAMP,
    offer_expires_at TIMESTAMP,
    offer_hold_id BIGINT REFERENCES ledger_entries (id),
    responded_by BIGINT REFERENCES users (id),
    responded_at TIMESTAMP,
    quota_category TEXT CHECK (quota_category IS NULL OR quota_category IN ('micro', 'small', 'medium', 'large'))
);
INSERT INTO applications_old (id, programme_id, startup_id, provider_id, requested, purpose, hardware, status, approved_amount, decision_reason, decided_by, decided_at, submitted_by, created_at, ineligible_reasons, override_reason, overridden_by, overridden_at, offer_expires_at, offer_hold_id, responded_by, responded_at, quota_category)
    SELECT id, programme_id, startup_id, provider_id, requested, purpose, hardware, status, approved_amount, decision_reason, decided_by, decided_at, submitted_by, created_at, ineligible_reasons, override_reason, overridden_by, overridden_at, offer_expires_at, offer_hold_id, responded_by, responded_at, quota_category FROM applications;
DROP TABLE applications;
ALTER TABLE applications_old RENAME TO applications;
CREATE INDEX applications_programme ON applications (programme_id);
CREATE INDEX applications_startup ON applications (startup_id);
CREATE UNIQUE INDEX applications_one_open_per_startup ON applications (programme_id, startup_id) WHERE status = 'submitted';
CREATE INDEX applications_open_offers ON applications (offer_expires_at) WHERE status = 'offered';
CREATE TRIGGER page_state_applications_insert AFTER INSERT ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_applications_update AFTER UPDATE ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_applications_delete AFTER DELETE ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
DELETE FROM notifications WHERE kind = 'changes-requested';
CREATE TABLE notifications_old (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('application-received', 'decision', 'credits-used', 'expiry-soon', 'funder-digest', 'grant-changed', 'offer', 'offer-reminder')),
    event_key TEXT NOT NULL,
    message TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    mail_status TEXT NOT NULL CHECK (mail_status IN ('pending', 'queued', 'not-wanted')),
    UNIQUE (user_id, event_key)
);
INSERT INTO notifications_old (id, user_id, kind, event_key, message, link, created_at, read_at, mail_status)
    SELECT id, user_id, kind, event_key, message, link, created_at, read_at, mail_status FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_old RENAME TO notifications;
CREATE INDEX notifications_of_user ON notifications (user_id, id);
CREATE INDEX notifications_to_mail ON notifications (mail_status, id);
COMMIT;
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
