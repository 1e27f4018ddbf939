"""A refused interaction's log line names what was used and why, never what was typed."""

from __future__ import annotations

import logging

TYPED_VICTORY = "Walked to the bakery zq7731"  # crisis-free: no care step joins in
TYPED_VALUE = "Patience-but-misspelt-xk4402"


def refusals(caplog) -> list[str]:
    return [
        record.getMessage()
        for record in caplog.records
        if record.name == "kindred.errors" and " refused: " in record.getMessage()
    ]


async def test_a_refused_celebrate_logs_the_command_and_the_reason_not_the_words(kit, caplog):
    alice = kit.member("alice")
    with caplog.at_level(logging.DEBUG):
        out = await alice.slash("celebrate", victory=TYPED_VICTORY, value=TYPED_VALUE)
    assert out.reply.ephemeral and "I don't know the value" in out.reply.text
    [line] = refusals(caplog)
    assert "/celebrate" in line and line.endswith("refused: Refusal"), line
    assert line.startswith(f"interaction {out.callbacks[0].path.split('/')[2]} ")
    everything = caplog.text + "".join(record.getMessage() for record in caplog.records)
    for typed in (TYPED_VICTORY, TYPED_VALUE, "zq7731", "xk4402"):
        assert typed not in everything


async def test_a_too_long_victory_is_refused_without_its_text_in_the_log(kit, caplog):
    words = "Tidied one shelf ab9917 " * 60  # over the 1,000 characters a victory holds
    with caplog.at_level(logging.DEBUG):
        out = await kit.member("alice").slash("celebrate", victory=words)
    assert "up to 1000 characters" in out.reply.text
    [line] = refusals(caplog)
    assert "/celebrate refused: Refusal" in line
    assert "ab9917" not in caplog.text


async def test_a_refused_button_is_named_by_its_custom_id_up_to_the_numbers(kit, caplog):
    alice = kit.member("alice")
    await alice.slash("celebrate", victory="Drank water")
    with caplog.at_level(logging.INFO, logger="kindred.errors"):
        out = await alice.click("kindred:cheer:1")  # one's own victory: a kind "no"
    assert out.reply.ephemeral and "your own victory" in out.reply.text
    [line] = refusals(caplog)
    assert " kindred:cheer refused: Refusal" in line and "kindred:cheer:1" not in line
