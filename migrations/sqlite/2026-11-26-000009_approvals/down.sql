DROP TABLE creative_rounds;
ALTER TABLE briefs DROP COLUMN approval_id;
ALTER TABLE briefs DROP COLUMN submitted_version;
DROP TABLE brief_versions;
DROP TABLE approval_decisions;
DROP TABLE approval_deciders;
DROP TABLE approval_stages;
DROP TABLE approvals;
DROP TABLE approval_policies;
