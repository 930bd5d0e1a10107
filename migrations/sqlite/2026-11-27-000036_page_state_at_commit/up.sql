-- PostgreSQL moves `page_state` at commit from now on, so that it is the last lock a writer takes
-- (see migrations/postgres). SQLite runs one writer at a time: its triggers stay as they are.
SELECT 1;
