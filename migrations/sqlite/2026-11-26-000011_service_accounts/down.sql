DROP TABLE service_credentials;
ALTER TABLE staff DROP COLUMN kind;
