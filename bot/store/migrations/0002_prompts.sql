-- Schema 2: daily values prompts. Instants are integer epoch seconds (UTC); local dates
-- are ISO 'YYYY-MM-DD' text in the schedule's own time zone.

-- One schedule per server. next_post_at is the UTC instant of the next post, so finding
-- what is due is one range scan on an index that only holds running schedules.
CREATE TABLE prompt_schedules (
    guild_id         INTEGER PRIMARY KEY REFERENCES guilds(guild_id) ON DELETE CASCADE,
    channel_id       INTEGER NOT NULL,
    post_time        TEXT    NOT NULL,              -- local wall time, 'HH:MM'
    timezone         TEXT    NOT NULL,              -- IANA name
    weekdays         INTEGER NOT NULL DEFAULT 127,  -- bit 0 = Monday ... bit 6 = Sunday
    next_post_at     INTEGER NOT NULL,
    next_local_date  TEXT    NOT NULL,              -- the local date that post belongs to
    paused           INTEGER NOT NULL DEFAULT 0,
    pause_reason     TEXT,
    updated_at       INTEGER NOT NULL
);
CREATE INDEX prompt_schedules_due ON prompt_schedules(next_post_at) WHERE paused = 0;

-- One row per server and local date, claimed before anything is sent: the UNIQUE
-- constraint is what makes a post happen at most once, whatever crashes in between.
CREATE TABLE prompt_posts (
    post_id       INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    local_date    TEXT    NOT NULL,
    state         TEXT    NOT NULL
                  CHECK (state IN ('claimed', 'sent', 'missed', 'failed', 'skipped')),
    prompt_id     TEXT,             -- 'empathy-03' (library) or 'own-12' (this server's)
    value_key     TEXT,
    prompt_text   TEXT,             -- what was posted, kept for history
    cycle         INTEGER NOT NULL DEFAULT 1,   -- rotation round: no repeats within one
    channel_id    INTEGER,
    message_id    INTEGER,
    thread_id     INTEGER,
    link          TEXT,             -- where members can read it
    nonce         TEXT,             -- Discord dedupes a re-send with the same nonce
    attempts      INTEGER NOT NULL DEFAULT 0,   -- sends started; > 0 means "maybe sent"
    scheduled_at  INTEGER,
    claimed_at    INTEGER NOT NULL,
    finished_at   INTEGER,
    note          TEXT,             -- why it was missed, failed or skipped
    UNIQUE (guild_id, local_date)
);
CREATE INDEX prompt_posts_cycle ON prompt_posts(guild_id, cycle);

-- A server's own prompts (added by moderators or approved suggestions).
CREATE TABLE guild_prompts (
    prompt_id     INTEGER PRIMARY KEY,
    guild_id      INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    value_key     TEXT    NOT NULL,
    text          TEXT    NOT NULL,
    normalised    TEXT    NOT NULL,   -- case and spacing folded, for duplicate checks
    added_by      INTEGER,            -- the moderator who added or approved it
    suggested_by  INTEGER,            -- the member who suggested it, if any
    created_at    INTEGER NOT NULL,
    UNIQUE (guild_id, normalised)
);

-- Library prompts a server removed from its rotation.
CREATE TABLE guild_prompt_exclusions (
    guild_id    INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    prompt_id   TEXT    NOT NULL,
    removed_at  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, prompt_id)
);

-- Members' suggestions, reviewed by moderators with Approve / Reject buttons.
CREATE TABLE prompt_suggestions (
    suggestion_id      INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    member_id          INTEGER NOT NULL,
    value_key          TEXT    NOT NULL,
    text               TEXT    NOT NULL,
    state              TEXT    NOT NULL DEFAULT 'pending'
                       CHECK (state IN ('pending', 'approved', 'rejected')),
    created_at         INTEGER NOT NULL,
    review_channel_id  INTEGER,
    review_message_id  INTEGER,
    decided_by         INTEGER,
    decided_at         INTEGER,
    reason             TEXT,
    prompt_id          INTEGER REFERENCES guild_prompts(prompt_id) ON DELETE SET NULL,
    notice_pending     INTEGER NOT NULL DEFAULT 0  -- 1: the member has not been told yet
);
CREATE INDEX prompt_suggestions_member ON prompt_suggestions(guild_id, member_id, state);
