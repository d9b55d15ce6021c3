UPDATE audit_events SET resource_type = 'role' WHERE resource_type = 'roles';
UPDATE audit_events SET resource_type = 'account_team' WHERE resource_type = 'account_teams';
UPDATE audit_events SET resource_type = 'account' WHERE resource_type = 'accounts';
UPDATE audit_events SET resource_type = 'client' WHERE resource_type = 'clients';
UPDATE audit_events SET action = 'accounts.unassign' WHERE action = 'account_teams.unassign';
UPDATE audit_events SET action = 'accounts.assign' WHERE action = 'account_teams.assign';
