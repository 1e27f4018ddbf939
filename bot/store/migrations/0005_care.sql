-- Schema 5: care. Crisis resources per server and when each member was last shown them.

CREATE TABLE care_resources (
    resource_id  INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    name         TEXT    NOT NULL,
    contact      TEXT    NOT NULL,
    region       TEXT,
    created_at   INTEGER NOT NULL
);
CREATE INDEX care_resources_guild ON care_resources(guild_id);

CREATE TABLE crisis_notices (
    guild_id     INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL,
    shown_at     INTEGER NOT NULL,
    PRIMARY KEY (guild_id, member_id)
);
