-- Kindred schema 1: servers and the bot's own bookkeeping.
-- Every guild-scoped table references guilds(guild_id) ON DELETE CASCADE, so purging a
-- server is one DELETE. Instants are integer epoch seconds (UTC).

CREATE TABLE guilds (
    guild_id        INTEGER PRIMARY KEY,
    timezone        TEXT    NOT NULL DEFAULT 'UTC',
    mod_channel_id  INTEGER,
    joined_at       INTEGER,
    left_at         INTEGER
);

CREATE INDEX guilds_left_at ON guilds(left_at) WHERE left_at IS NOT NULL;

CREATE TABLE meta (
    key    TEXT PRIMARY KEY,
    value  TEXT NOT NULL
);
