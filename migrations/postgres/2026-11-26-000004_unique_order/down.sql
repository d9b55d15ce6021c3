-- The order of the checks is not part of the schema: nothing to undo.
SELECT 1;
