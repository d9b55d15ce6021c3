-- `?q=` (name contains) has no index fit for a substring search on SQLite: it scans the
-- table (PostgreSQL has trigram indexes for it, migration of the same name).
SELECT 1;
