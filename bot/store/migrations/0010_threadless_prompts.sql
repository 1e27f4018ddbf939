-- Schema 10: a daily prompt whose reply thread Discord didn't open (an outage right after
-- the post landed) is owed one; the scheduler looks for those on every tick, so they are
-- indexed on their own (there are none, or a handful, among years of posts).
CREATE INDEX prompt_posts_threadless ON prompt_posts(finished_at)
    WHERE state = 'sent' AND thread_id IS NULL AND message_id IS NOT NULL;
