"""The labelled crisis corpus: batches of messages, each with its role in the split.

`corpus/MANIFEST.toml` names every batch, who it was written by and for, and its role:
`train` (the model learns from it), `dev` (regularisation and thresholds are chosen on
it), `locked` (only ever scored, by `python -m bench`; nothing is tuned on it, and its
SHA-256 is recorded so that an edit shows) or `spent` (a locked batch that has since been
used to decide something, so it is still scored but no longer a clean result). Ambiguous texts sit in their own files,
reported but never scored.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import hashlib
import json
import tomllib
from dataclasses import dataclass, field
from pathlib import Path

CORPUS_DIR = Path(__file__).with_name("corpus")
ROLES = ("train", "dev", "locked", "spent")
SEALED = ("locked", "spent")  # never read by the trainer; their sha256 is in the manifest


@dataclass(frozen=True)
class Example:
    text: str
    label: int  # 1: must get care; 0: must not
    kind: str
    style: tuple[str, ...] = field(default=())


def manifest(corpus_dir: Path | None = None) -> dict:
    return tomllib.loads(((corpus_dir or CORPUS_DIR) / "MANIFEST.toml").read_text("utf-8"))


def read_batch(path: Path) -> list[Example]:
    examples = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.strip():
            row = json.loads(line)
            examples.append(
                Example(row["text"], int(row["label"]), row["kind"], tuple(row.get("style", ())))
            )
    return examples


def batches_with_role(role: str, corpus_dir: Path | None = None) -> dict[str, list[Example]]:
    """Every batch of one role, by name (the locked one only for scoring)."""
    assert role in ROLES, role
    corpus_dir = corpus_dir or CORPUS_DIR
    return {
        name: read_batch(corpus_dir / f"{name}.jsonl")
        for name, batch in sorted(manifest(corpus_dir)["batches"].items())
        if batch["role"] == role
    }


def ambiguous(corpus_dir: Path | None = None) -> list[str]:
    """The texts kept apart because the labelling rule doesn't settle them."""
    corpus_dir = corpus_dir or CORPUS_DIR
    texts = []
    for path in sorted(corpus_dir.glob("*.ambiguous.jsonl")):
        texts += [json.loads(line)["text"] for line in path.read_text("utf-8").splitlines() if line]
    return texts


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()
