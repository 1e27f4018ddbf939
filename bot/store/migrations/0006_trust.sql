-- Schema 6: trust.
-- Discord cleanup after an erase learns two actions: "rename" (a thread whose name held the
-- member's words, left open for the peers who answered in it) and "refresh" (a card of
-- Kindred's own, such as a victory's cheer count or a weekly digest, drawn again from the
-- database once the member's rows are gone). Jobs for an anonymous story are marked, so
-- that moderators hear about them on their own, never beside the member's named items.
-- SQLite can't change a CHECK constraint in place: the table is rebuilt.
CREATE TABLE discord_cleanup_new (
    job_id           INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER NOT NULL DEFAULT 0,
    action           TEXT    NOT NULL
                     CHECK (action IN ('delete', 'replace', 'lock', 'rename', 'refresh')),
    content          TEXT,
    anonymous        INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    last_error       TEXT,
    UNIQUE (channel_id, message_id, action)
);
INSERT INTO discord_cleanup_new (job_id, guild_id, channel_id, message_id, action, content,
                                 attempts, next_attempt_at, created_at, last_error)
    SELECT job_id, guild_id, channel_id, message_id, action, content,
           attempts, next_attempt_at, created_at, last_error FROM discord_cleanup;
DROP TABLE discord_cleanup;
ALTER TABLE discord_cleanup_new RENAME TO discord_cleanup;
CREATE INDEX discord_cleanup_due ON discord_cleanup(next_attempt_at);

-- What an author posted as "Original poster", kept so that /mydata export can give it
-- back (erase deletes it with the story). Older replies have no copy: NULL.
ALTER TABLE story_replies ADD COLUMN body TEXT;
ALTER TABLE story_replies ADD COLUMN created_at INTEGER;
