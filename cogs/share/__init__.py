"""/share: lived-experience stories, from a draft to review, a post with its reply thread and
values guide, replies, and the nudge when a story goes unanswered.

cog.py             /share, /mystories, /stories ...; the nudge and recovery loops
flow.py            ShareFlow: every step below, and the answer to the /share forms
  base.py          what every step shares: the store, the publisher, lookups, kind sentences
  drafting.py      the form, the draft and its preview, Post
  review.py        the moderators' queue: approve, decline with a note
  replies.py       the author's anonymous replies, replies noticed, the nudge
  mystories.py     /mystories: delete and lock; a moderator's remove
  resume.py        what a restart finishes
publish.py         StoryPublisher: the post, its thread and guide, each step recorded
  publish_base.py  channels, the claim book, where a post is, taking one down
  publish_notes.py the review card, the care note, the values guide
  publish_resume.py finishing or giving back a story a crash left half posted
buttons.py         the story buttons and the value menu: a press goes to its step
forms.py           the compose, reply and decline modals
messages.py        the post, preview, review card, guide and /mystories pages, drawn
story_rules.py     limits, cooldown, nudge timing, the words we use (pure)
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from cogs.share.cog import Share

if TYPE_CHECKING:
    from bot.client import KindredBot


async def setup(bot: KindredBot) -> None:
    await bot.add_cog(Share(bot))
