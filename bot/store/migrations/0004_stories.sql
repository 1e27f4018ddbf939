-- Schema for the stories feature (filled in by its issue).
SELECT 1;
