-- Reviews of applications: a programme's criteria (with weights) and its score scale, the
-- reviewers a programme manager assigns to an application, each reviewer's declaration of
-- conflicts of interest, and their scores with a comment per criterion.

-- The score scale common to all of a programme's criteria.
CREATE TABLE review_scales (
    programme_id BIGINT NOT NULL PRIMARY KEY REFERENCES programmes (id),
    scale_min BIGINT NOT NULL CHECK (scale_min >= 0),
    scale_max BIGINT NOT NULL,
    CHECK (scale_max > scale_min)
);

CREATE TABLE review_criteria (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    programme_id BIGINT NOT NULL REFERENCES programmes (id),
    position BIGINT NOT NULL,
    name TEXT NOT NULL,
    weight BIGINT NOT NULL CHECK (weight > 0),
    UNIQUE (programme_id, position)
);

-- One reviewer on one application: 'assigned' until they declare, then 'cleared' (no conflict)
-- or 'conflicted'; 'submitted' once their scores are in (frozen).
CREATE TABLE review_assignments (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    application_id BIGINT NOT NULL REFERENCES applications (id),
    reviewer_id BIGINT NOT NULL REFERENCES users (id),
    assigned_by BIGINT NOT NULL REFERENCES users (id),
    assigned_at TIMESTAMP NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('assigned', 'cleared', 'conflicted', 'submitted')),
    conflict_note TEXT,
    declared_at TIMESTAMP,
    submitted_at TIMESTAMP,
    -- When the manager assigned another reviewer in place of a conflicted one.
    replaced_at TIMESTAMP,
    UNIQUE (application_id, reviewer_id)
);
CREATE INDEX review_assignments_of_reviewer ON review_assignments (reviewer_id, id);

CREATE TABLE review_scores (
    assignment_id BIGINT NOT NULL REFERENCES review_assignments (id),
    criterion_id BIGINT NOT NULL REFERENCES review_criteria (id),
    score BIGINT NOT NULL,
    comment TEXT NOT NULL,
    PRIMARY KEY (assignment_id, criterion_id)
);
