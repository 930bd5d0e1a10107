-- What happened that a person should know (credits running low, a grant about to end, work
-- awaiting a funder...): listed in the app, and mailed unless the person chose otherwise. One
-- row per person and event, so an alert raised again (a retried job, two servers) is kept once.
CREATE TABLE notifications (
    id BIGSERIAL PRIMARY KEY,
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL CHECK (kind IN ('application-received', 'decision', 'credits-used', 'expiry-soon', 'funder-digest', 'grant-changed', 'offer', 'offer-reminder')),
    event_key TEXT NOT NULL,
    -- The message as its catalogue key and typed arguments (JSON), worded when read.
    message TEXT NOT NULL,
    link TEXT NOT NULL,
    created_at TIMESTAMP NOT NULL,
    read_at TIMESTAMP,
    -- 'pending' until the mail worker has queued it (or found the person does not want it).
    mail_status TEXT NOT NULL CHECK (mail_status IN ('pending', 'queued', 'not-wanted')),
    UNIQUE (user_id, event_key)
);
CREATE INDEX notifications_of_user ON notifications (user_id, id);
CREATE INDEX notifications_to_mail ON notifications (mail_status, id);

-- The kinds of notification a person does not want by mail (they still see them in the app).
CREATE TABLE notification_opt_outs (
    user_id BIGINT NOT NULL REFERENCES users (id),
    kind TEXT NOT NULL,
    PRIMARY KEY (user_id, kind)
);
