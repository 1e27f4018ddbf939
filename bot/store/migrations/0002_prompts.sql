-- Schema for the prompts feature (filled in by its issue).
SELECT 1;
