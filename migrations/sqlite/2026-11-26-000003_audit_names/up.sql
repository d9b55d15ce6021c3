-- One form for audit events: resource types are collection names, and every action is
-- "<resource_type>.<verb>".
UPDATE audit_events SET action = 'account_teams.assign' WHERE action = 'accounts.assign';
UPDATE audit_events SET action = 'account_teams.unassign' WHERE action = 'accounts.unassign';
UPDATE audit_events SET resource_type = 'clients' WHERE resource_type = 'client';
UPDATE audit_events SET resource_type = 'accounts' WHERE resource_type = 'account';
UPDATE audit_events SET resource_type = 'account_teams' WHERE resource_type = 'account_team';
UPDATE audit_events SET resource_type = 'roles' WHERE resource_type = 'role';
