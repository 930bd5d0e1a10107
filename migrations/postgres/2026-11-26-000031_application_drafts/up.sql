-- Drafts a startup saves and edits before submitting ('draft', never shown to the funder), and a
-- funder's request for changes ('changes_requested', with its message, who and when) that the
-- startup answers by editing and resubmitting. Each submission keeps a numbered revision of the
-- content in `application_revisions`. One draft, submitted or changes-requested application per
-- startup and programme.
ALTER TABLE applications DROP CONSTRAINT applications_status_check;
ALTER TABLE applications ADD CONSTRAINT applications_status_check CHECK (status IN ('draft', 'submitted', 'changes_requested', 'offered', 'approved', 'declined', 'lapsed', 'rejected', 'withdrawn'));
ALTER TABLE applications ADD COLUMN change_request TEXT;
ALTER TABLE applications ADD COLUMN change_requested_by BIGINT REFERENCES users (id);
ALTER TABLE applications ADD COLUMN change_requested_at TIMESTAMP;
DROP INDEX applications_one_open_per_startup;
CREATE UNIQUE INDEX applications_one_open_per_startup ON applications (programme_id, startup_id) WHERE status IN ('draft', 'submitted', 'changes_requested');
CREATE TABLE application_revisions (
    id BIGSERIAL PRIMARY KEY,
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
CREATE TRIGGER page_state_application_revisions AFTER INSERT ON application_revisions FOR EACH STATEMENT EXECUTE FUNCTION page_state_bump();
-- The alert telling a startup that changes are requested.
ALTER TABLE notifications DROP CONSTRAINT notifications_kind_check;
ALTER TABLE notifications ADD CONSTRAINT notifications_kind_check CHECK (kind IN ('application-received', 'decision', 'credits-used', 'expiry-soon', 'funder-digest', 'grant-changed', 'offer', 'offer-reminder', 'changes-requested'));
