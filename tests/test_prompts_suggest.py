"""/suggest and the moderators' Approve / Reject buttons, through the kit."""

from __future__ import annotations

from bot.errors import NOT_MODERATOR
from tests.test_prompts_support import channel_of, set_mod_channel

IDEA = "What's a small kindness you noticed today, given or received?"
APPROVE = "kindred:suggest:approve:{}"
REJECT = "kindred:suggest:reject:{}"


async def suggest(person, text=IDEA, value="gratitude"):
    return await person.slash("suggest", text=text, value=value)


def dms_to(out, person) -> list:
    return [r for r in out.posts if channel_of(r) == person.id + 7]


async def test_a_suggestion_goes_to_the_moderators_with_buttons(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    mods = await set_mod_channel(kit, mo)
    out = await suggest(alice)
    assert out.reply.ephemeral and "Thank you" in out.reply.text
    review = [r for r in out.posts if channel_of(r) == mods]
    assert len(review) == 1
    assert review[0].custom_ids == [APPROVE.format(1), REJECT.format(1)]
    assert IDEA in review[0].text and f"<@{alice.id}>" in review[0].text
    assert review[0].allowed_mentions == {"parse": []}
    stored = await kit.store.prompts.get_suggestion(1)
    assert (stored.member_id, stored.value_key, stored.text, stored.state) == (
        alice.id,
        "gratitude",
        IDEA,
        "pending",
    )


async def test_suggestions_need_a_moderator_channel(kit):
    alice = kit.member("alice")
    out = await suggest(alice)
    assert out.reply.ephemeral and "/settings mod-channel" in out.reply.text
    assert out.posts == [] and await kit.store.prompts.get_suggestion(1) is None


async def test_bad_suggestions_are_refused_and_nothing_is_sent(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    await set_mod_channel(kit, mo)
    for options, message in [
        ({"value": "sparkles"}, "I don't know the value 'sparkles'"),
        ({"text": "y" * 301}, "at most 300 characters, and this one is 301"),
        ({"text": kit.bot.library.prompts[0].text}, "already in this server's rotation"),
    ]:
        out = await suggest(alice, **options)
        assert out.reply.ephemeral and message in out.reply.text
        assert out.posts == []
    assert await kit.store.prompts.pending_count(kit.guild.id, alice.id) == 0


async def test_at_most_three_suggestions_wait_per_member(kit):
    mo, alice, bob = kit.moderator("mo"), kit.member("alice"), kit.member("bob")
    await set_mod_channel(kit, mo)
    for n in range(3):
        out = await suggest(alice, text=f"{IDEA} ({n})")
        assert "Thank you" in out.reply.text
    out = await suggest(alice, text=f"{IDEA} (4)")
    assert out.reply.ephemeral and "already have 3 suggestions waiting" in out.reply.text
    assert out.posts == []
    assert await kit.store.prompts.pending_count(kit.guild.id, alice.id) == 3
    out = await suggest(bob, text=f"{IDEA} (bob)")  # the limit is per member
    assert "Thank you" in out.reply.text
    await mo.click(APPROVE.format(1))  # once one is decided, alice may suggest again
    out = await suggest(alice, text=f"{IDEA} (5)")
    assert "Thank you" in out.reply.text


async def test_approve_works_after_a_restart_and_adds_the_prompt(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    await set_mod_channel(kit, mo)
    await suggest(alice)
    await kit.restart()
    stale = kit.discord.message_with(APPROVE.format(1))  # as a second moderator still sees it
    out = await mo.click(APPROVE.format(1))
    edit = [r for r in out.callbacks if r.callback_type == 7]
    assert len(edit) == 1 and edit[0].components == []
    assert "Approved by" in edit[0].text and "own-1" in edit[0].text
    followups = [r for r in out.replies if r.ephemeral]
    assert followups and "added as `own-1`" in followups[-1].text
    assert "by DM" in followups[-1].text
    dm = dms_to(out, alice)
    assert len(dm) == 1 and "approved" in dm[0].text and IDEA in dm[0].text
    own = await kit.store.prompts.own_prompts(kit.guild.id)
    assert [(p.text, p.value_key, p.suggested_by, p.added_by) for p in own] == [
        (IDEA, "gratitude", alice.id, mo.id)
    ]
    out = await mo.slash("prompts list", value="gratitude")
    assert "own-1" in out.reply.text

    out = await mo.click(APPROVE.format(1), message=stale)
    assert out.reply.ephemeral and "already approved" in out.reply.text


async def test_members_cannot_approve_or_reject(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    await set_mod_channel(kit, mo)
    await suggest(alice)
    for custom_id in (APPROVE.format(1), REJECT.format(1)):
        out = await alice.click(custom_id)
        assert out.reply.ephemeral and out.reply.content == NOT_MODERATOR
        assert out.modal is None
    assert (await kit.store.prompts.get_suggestion(1)).state == "pending"
    assert await kit.store.prompts.own_prompts(kit.guild.id) == []


async def test_reject_asks_for_an_optional_reason_and_dms_it(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    mods = await set_mod_channel(kit, mo)
    await suggest(alice)
    await kit.restart()
    out = await mo.click(REJECT.format(1))
    assert out.modal is not None and len(out.modal["title"]) <= 45
    out = await mo.submit_modal(reason="Lovely! We have a very similar one already.")
    assert out.reply.ephemeral and "Rejected" in out.reply.text and "by DM" in out.reply.text
    dm = dms_to(out, alice)
    assert len(dm) == 1
    assert "decided not to add" in dm[0].text and "very similar one" in dm[0].text
    edits = out.to("/channels/{channel_id}/messages/{message_id}", "PATCH")
    assert len(edits) == 1 and channel_of(edits[0]) == mods
    assert edits[0].body["components"] == [] and "Rejected by" in edits[0].text
    stored = await kit.store.prompts.get_suggestion(1)
    assert stored.state == "rejected" and not stored.notice_pending
    assert await kit.store.prompts.own_prompts(kit.guild.id) == []


async def test_a_reason_for_closed_dms_waits_for_the_next_suggest(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    await set_mod_channel(kit, mo)
    await suggest(alice)
    kit.discord.closed_dms.add(alice.id + 7)
    await mo.click(REJECT.format(1))
    out = await mo.submit_modal(reason="Please make it a question about your own experience.")
    assert "DMs are closed" in out.reply.text
    assert (await kit.store.prompts.get_suggestion(1)).notice_pending

    out = await suggest(alice, text="When did gratitude change your day?")
    assert out.reply.ephemeral
    assert "Thank you" in out.reply.text and "own experience" in out.reply.text
    out = await suggest(alice, text="Who would you like to thank today?")
    assert "own experience" not in out.reply.text  # shown once


async def test_a_reject_without_a_reason_still_lets_the_member_know(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    await set_mod_channel(kit, mo)
    await suggest(alice)
    await mo.click(REJECT.format(1))
    out = await mo.submit_modal()
    dm = dms_to(out, alice)
    assert len(dm) == 1 and "Their note" not in dm[0].text
    assert (await kit.store.prompts.get_suggestion(1)).reason is None


async def test_heavy_words_get_care_and_a_quiet_moderator_alert(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    mods = await set_mod_channel(kit, mo)
    out = await suggest(alice, text="When did you feel like i wanna die and someone stayed?")
    replies = [r for r in out.replies if r.ephemeral]
    assert any("You don't have to carry this alone" in r.text for r in replies)
    alerts = [r for r in out.posts if channel_of(r) == mods and "may need care" in r.text]
    assert len(alerts) == 1 and alerts[0].allowed_mentions == {"parse": []}
    out = await suggest(alice)  # ordinary words: no care, no alert
    assert not any("carry this alone" in r.text for r in out.replies)
    assert not [r for r in out.posts if "may need care" in r.text]


async def test_a_review_that_cannot_be_posted_is_not_kept(kit):
    mo, alice = kit.moderator("mo"), kit.member("alice")
    mods = await set_mod_channel(kit, mo)
    kit.discord.fail("POST", rf"/channels/{mods}/messages$", 403, 50013)
    out = await suggest(alice)
    assert out.reply.ephemeral and "couldn't reach the moderators" in out.reply.text
    assert await kit.store.prompts.get_suggestion(1) is None


async def test_suggest_value_autocompletes(kit):
    alice = kit.member("alice")
    choices = await alice.autocomplete("suggest", "value", "gra", text="x")
    assert choices[0]["value"] == "gratitude"


async def test_the_rotation_check_ignores_case_and_spacing_and_follows_the_server(kit):
    """Library texts are indexed once; a removed library prompt may be suggested again."""
    mo, alice = kit.moderator("mo"), kit.member("alice")
    await set_mod_channel(kit, mo)
    library_prompt = kit.bot.library.prompts_for("hope")[0]
    spaced = "  " + "   ".join(library_prompt.text.upper().split()) + " "
    out = await suggest(alice, text=spaced, value="hope")
    assert "already in this server's rotation" in out.reply.text and out.posts == []

    await mo.slash("prompts add", text="What does rest look like for you?", value="hope")
    out = await suggest(alice, text="what does REST look like   for you?", value="gratitude")
    assert "already in this server's rotation" in out.reply.text and out.posts == []

    await mo.slash("prompts remove", prompt_id=library_prompt.id)
    out = await suggest(alice, text=spaced, value="hope")
    assert "Thank you" in out.reply.text
    assert (await kit.store.prompts.get_suggestion(1)).text == " ".join(spaced.split())
