"""Repository for the prompts feature (filled in by its issue)."""

from __future__ import annotations

from bot.store.base import Repository


class PromptRepository(Repository):
    pass
