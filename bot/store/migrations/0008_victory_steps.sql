-- Schema 8: a victory's card is posted in recorded steps. A public victory is saved with the
-- channel its card goes to, and its message id once the card is up; one public, with a
-- channel and no message id, is a card on its way or one a stopped process left behind.
-- Kindred looks for those on every start: this index keeps that look as small as they are.
CREATE INDEX victories_card_unposted ON victories(victory_id)
    WHERE public = 1 AND message_id IS NULL AND channel_id IS NOT NULL;
