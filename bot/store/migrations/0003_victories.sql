-- Schema 3: victories. Members' celebrated wins, the cheers on them, who may be quoted, and
-- the weekly digest: per-server settings plus one claim row per server and week, so a digest
-- is claimed before it is sent and never goes out twice. Instants are epoch seconds (UTC).

CREATE TABLE victories (
    victory_id   INTEGER PRIMARY KEY,
    guild_id     INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    member_id    INTEGER NOT NULL,
    author_name  TEXT    NOT NULL,             -- display name when celebrated, shown as text
    text         TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    value_key    TEXT,                         -- a key of the values library, or NULL
    public       INTEGER NOT NULL CHECK (public IN (0, 1)),
    channel_id   INTEGER,                      -- where the public post is
    message_id   INTEGER,
    created_at   INTEGER NOT NULL
);
-- A member's history, newest first, and the public part of it (paged with LIMIT/OFFSET).
CREATE INDEX victories_member ON victories(guild_id, member_id, victory_id);
CREATE INDEX victories_member_public ON victories(guild_id, member_id, victory_id)
    WHERE public = 1;
-- The week the digest sums up.
CREATE INDEX victories_week ON victories(guild_id, created_at) WHERE public = 1;

-- One row per cheer: the primary key makes a toggle exact under concurrent presses.
CREATE TABLE cheers (
    victory_id  INTEGER NOT NULL REFERENCES victories(victory_id) ON DELETE CASCADE,
    member_id   INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (victory_id, member_id)
) WITHOUT ROWID;
CREATE INDEX cheers_member ON cheers(member_id);

-- Members who chose whether the weekly digest may quote their public victories.
CREATE TABLE victory_quote_prefs (
    guild_id   INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    member_id  INTEGER NOT NULL,
    allow      INTEGER NOT NULL CHECK (allow IN (0, 1)),
    PRIMARY KEY (guild_id, member_id)
) WITHOUT ROWID;

CREATE TABLE celebration_settings (
    guild_id        INTEGER PRIMARY KEY REFERENCES guilds(guild_id) ON DELETE CASCADE,
    channel_id      INTEGER,                   -- NULL: post where /celebrate is used
    digest_enabled  INTEGER NOT NULL DEFAULT 1 CHECK (digest_enabled IN (0, 1)),
    digest_weekday  INTEGER NOT NULL DEFAULT 6 CHECK (digest_weekday BETWEEN 0 AND 6),
    digest_time     TEXT    NOT NULL DEFAULT '18:00',
    next_at         INTEGER NOT NULL DEFAULT 0, -- next digest instant; 0 = not yet scheduled
    next_date       TEXT,                      -- its local date (YYYY-MM-DD)
    next_zone       TEXT                       -- the time zone it was computed in
);
CREATE INDEX celebration_settings_due ON celebration_settings(next_at) WHERE digest_enabled = 1;

CREATE TABLE victory_digests (
    digest_id     INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    week_start    TEXT    NOT NULL,            -- local Monday of the digest's week: the claim key
    scheduled_at  INTEGER NOT NULL,
    period_start  INTEGER NOT NULL,            -- victories in [period_start, period_end)
    period_end    INTEGER NOT NULL,
    status        TEXT    NOT NULL DEFAULT 'claimed'
                  CHECK (status IN ('claimed', 'sent', 'failed', 'missed', 'skipped')),
    attempts      INTEGER NOT NULL DEFAULT 0,  -- sends started: after a crash, >0 means look first
    nonce         TEXT,                        -- Discord returns the first message for a re-send
    claimed_at    INTEGER NOT NULL,
    channel_id    INTEGER,
    message_id    INTEGER,
    note          TEXT,                        -- why it failed, was missed or skipped
    UNIQUE (guild_id, week_start)
);
CREATE INDEX victory_digests_pending ON victory_digests(scheduled_at) WHERE status = 'claimed';
