-- Schema 5: care and privacy.
-- Crisis resources per server, when each member was last shown them, anonymous authors'
-- offers to reveal themselves to moderators, and Discord-side cleanup still to do after
-- a member erased their data.

CREATE TABLE care_resources (
    resource_id  INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    contact      TEXT    NOT NULL,
    region       TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX care_resources_guild ON care_resources(guild_id);
-- The same helpline twice in one region is a mistake, whatever the capitals.
CREATE UNIQUE INDEX care_resources_unique
    ON care_resources(guild_id, lower(name), lower(ifnull(region, '')));

-- Only the time, never the words: rows older than a day are forgotten by the care loop.
CREATE TABLE crisis_notices (
    guild_id     INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL,
    shown_at     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);
CREATE INDEX crisis_notices_shown_at ON crisis_notices(shown_at);

-- An anonymous author may let moderators see who they are; only they can say yes.
-- `link` is a jump URL to what they wrote, never its text.
CREATE TABLE care_reveals (
    reveal_id    INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL,
    link         TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    revealed_at  INTEGER
);
CREATE INDEX care_reveals_member ON care_reveals(guild_id, member_id);
CREATE INDEX care_reveals_created ON care_reveals(created_at);

-- Discord changes owed after an erase; no member id is kept here on purpose.
-- message_id 0 means "the channel itself" (action 'lock').
CREATE TABLE discord_cleanup (
    job_id           INTEGER PRIMARY KEY,
    guild_id         INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    channel_id       INTEGER NOT NULL,
    message_id       INTEGER NOT NULL DEFAULT 0,
    action           TEXT    NOT NULL CHECK (action IN ('delete', 'replace', 'lock')),
    content          TEXT,
    attempts         INTEGER NOT NULL DEFAULT 0,
    next_attempt_at  INTEGER NOT NULL,
    created_at       INTEGER NOT NULL,
    last_error       TEXT,
    UNIQUE (channel_id, message_id, action)
);
CREATE INDEX discord_cleanup_due ON discord_cleanup(next_attempt_at);
