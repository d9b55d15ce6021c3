ALTER TABLE approval_stages DROP COLUMN director;
DROP TABLE payments;
DROP TABLE contracts;
