DROP TABLE audit_events;
DROP TABLE clients;
DROP TABLE staff;
DROP TABLE role_permissions;
DROP TABLE roles;
