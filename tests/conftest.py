"""Shared fixtures: a store on a temp file, and the kit (a real bot with Discord captured)."""

from __future__ import annotations

import pytest

from bot.store import Store
from tests.kit import FakeClock, Kit


@pytest.fixture
async def store(tmp_path):
    store = await Store.open(tmp_path / "kindred.db")
    yield store
    await store.close()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
async def kit(tmp_path, monkeypatch, clock):
    kit = await Kit.start(tmp_path, monkeypatch, clock=clock)
    yield kit
    await kit.close()
