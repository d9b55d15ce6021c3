DROP TABLE briefs;
