-- Drafts a startup saves and edits before submitting ('draft', never shown to the funder), and a
-- funder's request for changes ('changes_requested', with its message, who and when) that the
-- startup answers by editing and resubmitting. Each submission keeps a numbered revision of the
-- content in `application_revisions`. One draft, submitted or changes-requested application per
-- startup and programme. SQLite cannot widen a CHECK in place: the table is rebuilt (as in
-- 000027), keeping every id, and its indexes and page-state triggers are made again.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE applications_new (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    startup_id BIGINT NOT NULL REFERENCES organisations (id),
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    requested BIGINT NOT NULL CHECK (requested > 0),
    purpose TEXT NOT NULL,
    hardware TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('draft', 'submitted', 'changes_requested', 'offered', 'approved', 'declined', 'lapsed', 'rejected', 'withdrawn')),
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
    quota_category TEXT CHECK (quota_category IS NULL OR quota_category IN ('micro', 'small', 'medium', 'large')),
    change_request TEXT,
    change_requested_by BIGINT REFERENCES users (id),
    change_requested_at TIMESTAMP
);
INSERT INTO applications_new (id, programme_id, startup_id, provider_id, requested, purpose, hardware, status, approved_amount, decision_reason, decided_by, decided_at, submitted_by, created_at, ineligible_reasons, override_reason, overridden_by, overridden_at, offer_expires_at, offer_hold_id, responded_by, responded_at, quota_category)
    SELECT id, programme_id, startup_id, provider_id, requested, purpose, hardware, status, approved_amount, decision_reason, decided_by, decided_at, submitted_by, created_at, ineligible_reasons, override_reason, overridden_by, overridden_at, offer_expires_at, offer_hold_id, responded_by, responded_at, quota_category FROM applications;
DROP TABLE applications;
ALTER TABLE applications_new RENAME TO applications;
CREATE INDEX applications_programme ON applications (programme_id);
CREATE INDEX applications_startup ON applications (startup_id);
CREATE UNIQUE INDEX applications_one_open_per_startup ON applications (programme_id, startup_id) WHERE status IN ('draft', 'submitted', 'changes_requested');
CREATE INDEX applications_open_offers ON applications (offer_expires_at) WHERE status = 'offered';
CREATE TRIGGER page_state_applications_insert AFTER INSERT ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_applications_update AFTER UPDATE ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TRIGGER page_state_applications_delete AFTER DELETE ON applications BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
CREATE TABLE application_revisions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    number BIGINT NOT NULL CHECK (number > 0),
    submitted_by BIGINT NOT NULL REFERENCES users (id),
    submitted_at TIMESTAMP NOT NULL,
    requested BIGINT NOT NULL CHECK (requested > 0),
    purpose TEXT NOT NULL,
    hardware TEXT NOT NULL,
    provider_id BIGINT NOT NULL REFERENCES organisations (id),
    UNIQUE (application_id, number)
);
CREATE INDEX application_revisions_application ON application_revisions (application_id);
-- Applications submitted before revisions were kept: their current content is revision 1.
INSERT INTO application_revisions (application_id, number, submitted_by, submitted_at, requested, purpose, hardware, provider_id)
    SELECT id, 1, submitted_by, created_at, requested, purpose, hardware, provider_id FROM applications ORDER BY id;
CREATE TRIGGER page_state_application_revisions_insert AFTER INSERT ON application_revisions BEGIN UPDATE page_state SET version = version + 1 WHERE id = 1; END;
-- The alert telling a startup that changes are requested (kind 'changes-requested').
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
    SELECT id, user_id, kind, event_key, message, link, created_at, read_at, mail_status FROM notifications;
DROP TABLE notifications;
ALTER TABLE notifications_new RENAME TO notifications;
CREATE INDEX notifications_of_user ON notifications (user_id, id);
CREATE INDEX notifications_to_mail ON notifications (mail_status, id);
COMMIT;
PRAGMA foreign_key_check;
PRAGMA foreign_keys = ON;
