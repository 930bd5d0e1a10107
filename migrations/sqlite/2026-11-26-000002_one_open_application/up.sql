-- One application awaiting a decision per startup and programme: thirty in a few seconds were
-- accepted before. Decided or withdrawn applications do not count.
CREATE UNIQUE INDEX applications_one_open_per_startup ON applications (programme_id, startup_id) WHERE status = 'submitted';
