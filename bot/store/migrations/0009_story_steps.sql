-- Schema 9: the last steps of a story, recorded so that a stopped process leaves none undone.
-- claimed_at: when the story was claimed for posting (its first try that Discord never
-- confirmed, if any): a post whose id was never saved is newer, so erase sweeps from there.
-- care_note_due: a story held for care owes the moderators their quiet note until it is
-- sent; the note is owed once its review card is recorded, and sent once.
-- reply_claimed_at: an anonymous author's reply ("Original poster") is being sent: until its
-- message is recorded in story_replies, erase sweeps the thread for it from this instant.
-- nudge_due: the unanswered-story nudge is claimed (nudged_at) and not yet known to be sent:
-- the next round looks for it in the thread and sends it only if it isn't there.
-- guide_due: a story was shared but Discord refused its values guide (for an anonymous story
-- it carries the author's Reply button): the recovery loop posts it once Discord takes it.
ALTER TABLE stories ADD COLUMN claimed_at INTEGER;
ALTER TABLE stories ADD COLUMN care_note_due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN reply_claimed_at INTEGER;
ALTER TABLE stories ADD COLUMN nudge_due INTEGER NOT NULL DEFAULT 0;
ALTER TABLE stories ADD COLUMN guide_due INTEGER NOT NULL DEFAULT 0;
-- Each start (and each nudge round) reads what is owed: these keep that as small as it is.
CREATE INDEX stories_care_note_due ON stories(story_id) WHERE care_note_due = 1;
CREATE INDEX stories_nudge_due ON stories(story_id) WHERE nudge_due = 1;
CREATE INDEX stories_guide_due ON stories(story_id) WHERE guide_due = 1;
