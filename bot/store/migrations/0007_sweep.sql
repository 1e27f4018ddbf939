-- Schema 7: Discord cleanup learns "sweep": take down a post whose message id was never
-- saved (the process died while Discord was taking it), found by looking for Kindred's
-- own messages in the channel that carry the item's marker. The CHECK grows a value, so
-- the table is rebuilt (SQLite can't change a CHECK constraint in place).
CREATE TABLE discord_cleanup_new (
    job_id           INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER NOT NULL DEFAULT 0,
    action           TEXT    NOT NULL
                     CHECK (action IN ('delete', 'replace', 'lock', 'rename', 'refresh',
                                       'sweep')),
    content          TEXT,
    anonymous        INTEGER NOT NULL DEFAULT 0 CHECK (anonymous IN (0, 1)),
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    last_error       TEXT,
    UNIQUE (channel_id, message_id, action)
);
INSERT INTO discord_cleanup_new
    SELECT job_id, guild_id, channel_id, message_id, action, content, anonymous,
           attempts, next_attempt_at, created_at, last_error FROM discord_cleanup;
DROP TABLE discord_cleanup;
ALTER TABLE discord_cleanup_new RENAME TO discord_cleanup;
CREATE INDEX discord_cleanup_due ON discord_cleanup(next_attempt_at);
