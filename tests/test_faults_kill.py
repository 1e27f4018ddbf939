"""kill -9 in the middle of writing: every committed row survives, the file stays intact."""

from __future__ import annotations

import os
import random
import signal
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

WRITER = textwrap.dedent(
    """
    import asyncio, sys
    from bot.store import Store

    def write(db, n):
        db.execute("INSERT INTO meta (key, value) VALUES (?, ?)", (f"k{n}", "x" * 200))
        db.execute("INSERT INTO guilds (guild_id) VALUES (?)", (n,))

    async def main(path):
        store = await Store.open(path)
        n = 0
        while True:
            n += 1
            await store.atomic(write, n)
            print(n, flush=True)

    asyncio.run(main(sys.argv[1]))
    """
)


def test_kill_9_during_writes_loses_no_committed_row(tmp_path):
    path = tmp_path / "kindred.db"
    rng = random.Random(20261125)
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    acknowledged: set[int] = set()
    for _ in range(5):
        process = subprocess.Popen(
            [sys.executable, "-c", WRITER, str(path)], stdout=subprocess.PIPE, text=True, env=env
        )
        first = process.stdout.readline()
        assert first.strip().isdigit()
        time.sleep(rng.uniform(0.05, 0.4))
        os.kill(process.pid, signal.SIGKILL)
        out, _ = process.communicate(timeout=30)
        acknowledged |= {int(line) for line in [first, *out.splitlines()] if line.strip().isdigit()}
        with sqlite3.connect(path) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
            keys = {int(k[1:]) for (k,) in conn.execute("SELECT key FROM meta WHERE key LIKE 'k%'")}
            guilds = {g for (g,) in conn.execute("SELECT guild_id FROM guilds")}
        assert acknowledged <= keys, f"lost committed rows: {sorted(acknowledged - keys)[:5]}"
        assert keys == guilds, "a transaction was half applied"
        with sqlite3.connect(path) as conn:  # the next run starts counting again: clear
            conn.execute("DELETE FROM meta WHERE key LIKE 'k%'")
            conn.execute("DELETE FROM guilds")
        acknowledged.clear()
