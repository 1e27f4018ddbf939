"""Repository for the stories feature (filled in by its issue)."""

from __future__ import annotations

from bot.store.base import Repository


class StoryRepository(Repository):
    pass
