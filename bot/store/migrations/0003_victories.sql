-- Schema for the victories feature (filled in by its issue).
SELECT 1;
