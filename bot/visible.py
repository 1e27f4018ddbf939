"""Whether a member's text shows anything: invisible characters alone make a blank post.

Zero-width spaces and joiners, direction marks, other format and control characters,
every kind of space, lone combining marks, and the characters that render as blank (the
Braille blank, the Hangul fillers) can be typed or pasted into any field. Text made only
of them would post an empty card, so every place members type asks `shown(text)` first.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import unicodedata

# Categories that draw nothing by themselves: format (Cf), control (Cc), unassigned and
# private use surrogates (Cn, Cs), separators (Zs, Zl, Zp) and combining marks (Mn, Me).
_INVISIBLE_CATEGORIES = frozenset({"Cf", "Cc", "Cn", "Cs", "Zs", "Zl", "Zp", "Mn", "Me"})
# Letters and symbols that fonts draw as empty space.
_BLANK_GLYPHS = frozenset("\u2800\u3164\u115f\u1160\uffa0\u180e\u034f\u17b4\u17b5")


def is_visible(char: str) -> bool:
    return char not in _BLANK_GLYPHS and unicodedata.category(char) not in _INVISIBLE_CATEGORIES


def shown(text: str | None) -> str:
    """The text trimmed, or "" when nothing in it would be seen."""
    text = (text or "").strip()
    return text if any(is_visible(c) for c in text) else ""


def shown_line(text: str | None) -> str:
    """`shown` for one-line fields: inner runs of whitespace become one space."""
    return shown(" ".join((text or "").split()))
