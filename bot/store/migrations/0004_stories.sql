-- Schema 4: stories. Lived-experience stories from draft to published thread.
--
-- Anonymity: a story row never holds who wrote it. The author lives in story_authors,
-- which only author-facing paths read (is this your story? where do I send your DM?).
-- Instants are integer epoch seconds (UTC).

CREATE TABLE story_settings (
    guild_id          INTEGER PRIMARY KEY REFERENCES guilds(guild_id) ON DELETE CASCADE,
    channel_id        INTEGER,                       -- where stories are published
    review            INTEGER NOT NULL DEFAULT 0,    -- 1: moderators approve every story
    listener_role_id  INTEGER,                       -- the one role the nudge may mention
    nudge_hours       INTEGER NOT NULL DEFAULT 12    -- 0: no nudge
);

CREATE TABLE stories (
    story_id           INTEGER PRIMARY KEY,
    guild_id           INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    title              TEXT    NOT NULL,
    body               TEXT    NOT NULL,
    content_warning    TEXT,
    anonymous          INTEGER NOT NULL,
    consent            INTEGER NOT NULL DEFAULT 0,
    value_key          TEXT,
    -- draft | pending | publishing | published | deleted (by its author) | removed (by a moderator)
    status             TEXT    NOT NULL DEFAULT 'draft',
    held_for_care      INTEGER NOT NULL DEFAULT 0,
    created_at         INTEGER NOT NULL,
    updated_at         INTEGER NOT NULL,
    submitted_at       INTEGER,
    published_at       INTEGER,
    review_channel_id  INTEGER,
    review_message_id  INTEGER,
    post_channel_id    INTEGER,                      -- the channel holding the story message
    message_id         INTEGER,
    thread_id          INTEGER,
    replied            INTEGER NOT NULL DEFAULT 0,   -- someone other than the author answered
    nudged_at          INTEGER,
    locked             INTEGER NOT NULL DEFAULT 0,
    decline_reason     TEXT,
    reason_pending     INTEGER NOT NULL DEFAULT 0    -- the reason still has to reach the author
);

CREATE INDEX stories_guild_status ON stories(guild_id, status);
CREATE INDEX stories_thread ON stories(thread_id) WHERE thread_id IS NOT NULL;
-- Only stories still waiting for a first answer: the nudge scan costs what is due.
CREATE INDEX stories_unanswered ON stories(published_at)
    WHERE status = 'published' AND replied = 0 AND nudged_at IS NULL;

CREATE TABLE story_authors (
    story_id   INTEGER PRIMARY KEY REFERENCES stories(story_id) ON DELETE CASCADE,
    guild_id   INTEGER NOT NULL REFERENCES guilds(guild_id) ON DELETE CASCADE,
    author_id  INTEGER NOT NULL
);

CREATE INDEX story_authors_member ON story_authors(guild_id, author_id);

-- Messages the bot posted for an anonymous author ("Reply as author"): their words, on
-- Discord, which only Kindred can take down again when the member erases their data.
CREATE TABLE story_replies (
    message_id  INTEGER PRIMARY KEY,
    story_id    INTEGER NOT NULL REFERENCES stories(story_id) ON DELETE CASCADE,
    channel_id  INTEGER NOT NULL
);

CREATE INDEX story_replies_story ON story_replies(story_id);
