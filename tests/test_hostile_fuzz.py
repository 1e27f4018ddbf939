"""Hostile input: every text field members and moderators type, fuzzed through the real bot.

For each field, Hypothesis writes arbitrary unicode mixed with the things that break chat
bots (mentions, markdown, spoilers, zero-width and direction marks, emoji sequences) and
lengths around the field's limit, and a person types it through the kit. Whatever was
typed, the bot must:

- never crash: no "went wrong on our side" reply and nothing logged at ERROR;
- keep exactly what was accepted: the row read back equals the submitted text, after the
  field's one documented normalisation (trimmed; prompts also fold runs of spaces);
- refuse what is over the limit with one kind ephemeral sentence naming the limit, and
  store nothing;
- never let a request allow a mention, and never exceed one of Discord's length limits
  (`assert_within_discord_limits`, shared with tests/test_forged_ids.py).
"""

from __future__ import annotations

import itertools
import logging
import os
import unicodedata

import discord
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from bot.safety import assess
from bot.schedule import format_hhmm, parse_hhmm, parse_weekdays, zone_or_none
from bot.sendqueue import shared_queue
from bot.store.prompt_suggestions import normalised
from bot.store.stories import DRAFT, PENDING, PUBLISHED
from bot.text import spoiler
from cogs.prompts import admin as prompt_admin
from tests.kit import Kit, Outcome, Request
from tests.kit.fake_discord import walk_components

# ----- Discord's limits, checked on every request the bot makes -----------------------------
CONTENT_MAX = 2000
EMBEDS_MAX, EMBED_TOTAL_MAX = 10, 6000
EMBED_TITLE_MAX, EMBED_DESCRIPTION_MAX = 256, 4096
FIELDS_MAX, FIELD_NAME_MAX, FIELD_VALUE_MAX = 25, 256, 1024
FOOTER_MAX, AUTHOR_NAME_MAX = 2048, 256
MODAL_TITLE_MAX, LABEL_MAX, LABEL_DESCRIPTION_MAX = 45, 45, 100
TEXT_INPUT_MAX, PLACEHOLDER_MAX = 4000, 100
THREAD_NAME_MAX, BUTTON_LABEL_MAX, CUSTOM_ID_MAX = 100, 80, 100
OPTION_MAX, OPTIONS_MAX, SELECT_PLACEHOLDER_MAX = 100, 25, 150
TEXT_DISPLAY_MAX, ROW_WIDTH, ROWS_MAX, CHOICES_MAX = 4000, 5, 5, 25

MESSAGE_CALLBACKS = (4, 7)  # a new message, an update of the clicked one
MODAL_CALLBACK, AUTOCOMPLETE_CALLBACK = 9, 8


def _check(condition: bool, what: str, request: Request) -> None:
    assert condition, f"{what} in {request!r}"


def _check_text(value, limit: int, what: str, request: Request, *, required=False) -> None:
    if value is None:
        _check(not required, f"{what} is missing", request)
        return
    _check(isinstance(value, str), f"{what} is not text", request)
    _check(len(value) <= limit, f"{what} is {len(value)} characters (limit {limit})", request)
    if required:
        _check(len(value) > 0, f"{what} is empty", request)


def _check_embeds(embeds: list[dict], request: Request) -> None:
    _check(len(embeds) <= EMBEDS_MAX, f"{len(embeds)} embeds", request)
    total = 0
    for embed in embeds:
        title, description = embed.get("title"), embed.get("description")
        _check_text(title, EMBED_TITLE_MAX, "embed title", request)
        _check_text(description, EMBED_DESCRIPTION_MAX, "embed description", request)
        footer = (embed.get("footer") or {}).get("text")
        author = (embed.get("author") or {}).get("name")
        _check_text(footer, FOOTER_MAX, "embed footer", request)
        _check_text(author, AUTHOR_NAME_MAX, "embed author name", request)
        fields = embed.get("fields") or []
        _check(len(fields) <= FIELDS_MAX, f"{len(fields)} embed fields", request)
        for field in fields:
            _check_text(field.get("name"), FIELD_NAME_MAX, "field name", request, required=True)
            _check_text(field.get("value"), FIELD_VALUE_MAX, "field value", request, required=True)
            total += len(field["name"]) + len(field["value"])
        total += sum(len(part or "") for part in (title, description, footer, author))
    _check(total <= EMBED_TOTAL_MAX, f"embeds hold {total} characters", request)


def _check_components(components: list[dict], request: Request) -> None:
    rows = [c for c in components if c.get("type") == 1]
    _check(len(rows) <= ROWS_MAX, f"{len(rows)} action rows", request)
    for row in rows:
        width = len(row.get("components", []))
        _check(width <= ROW_WIDTH, f"an action row of {width}", request)
    for component in walk_components(components):
        kind = component.get("type")
        _check_text(component.get("custom_id"), CUSTOM_ID_MAX, "custom id", request)
        if kind == 2:
            _check_text(component.get("label"), BUTTON_LABEL_MAX, "button label", request)
        if kind == 3:
            options = component.get("options", [])
            _check(0 < len(options) <= OPTIONS_MAX, f"{len(options)} select options", request)
            placeholder = component.get("placeholder")
            _check_text(placeholder, SELECT_PLACEHOLDER_MAX, "select placeholder", request)
            for option in options:
                _check_text(option.get("label"), OPTION_MAX, "option label", request, required=True)
                _check_text(option.get("value"), OPTION_MAX, "option value", request, required=True)
                _check_text(option.get("description"), OPTION_MAX, "option description", request)
        if kind == 10:
            _check_text(component.get("content"), TEXT_DISPLAY_MAX, "text display", request)


def _check_message(message: dict, request: Request, *, new: bool) -> None:
    _check_text(message.get("content"), CONTENT_MAX, "content", request)
    _check_embeds(message.get("embeds") or [], request)
    _check_components(message.get("components") or [], request)
    if new:
        _check(
            bool(message.get("content") or message.get("embeds") or message.get("components"))
            or bool(request.files),
            "an empty message",
            request,
        )


def _check_modal(modal: dict, request: Request) -> None:
    _check_text(modal.get("title"), MODAL_TITLE_MAX, "modal title", request, required=True)
    _check_text(modal.get("custom_id"), CUSTOM_ID_MAX, "modal custom id", request, required=True)
    tops = modal.get("components") or []
    _check(0 < len(tops) <= 5, f"a modal of {len(tops)} components", request)
    for top in tops:
        if top.get("type") == 18:
            _check_text(top.get("label"), LABEL_MAX, "modal label", request, required=True)
            _check_text(top.get("description"), LABEL_DESCRIPTION_MAX, "label description", request)
    for component in walk_components(tops):
        _check_text(component.get("custom_id"), CUSTOM_ID_MAX, "custom id", request)
        if component.get("type") == 4:
            most = component.get("max_length", TEXT_INPUT_MAX)
            least = component.get("min_length", 0)
            _check(least <= most <= TEXT_INPUT_MAX, f"text input lengths {least}..{most}", request)
            _check_text(component.get("value"), most, "pre-filled text input", request)
            _check_text(component.get("placeholder"), PLACEHOLDER_MAX, "placeholder", request)
        if component.get("type") == 10:
            _check_text(component.get("content"), TEXT_DISPLAY_MAX, "text display", request)
        for option in component.get("options", []):
            _check_text(option.get("label"), OPTION_MAX, "option label", request, required=True)


def assert_within_discord_limits(request: Request) -> None:
    """Fail when Discord would answer this request with a 400 for a length or count."""
    body = request.body
    if not isinstance(body, dict):
        return
    if request.is_callback:
        data = body.get("data") or {}
        if request.callback_type in MESSAGE_CALLBACKS:
            _check_message(data, request, new=request.callback_type == 4)
        elif request.callback_type == MODAL_CALLBACK:
            _check_modal(data, request)
        elif request.callback_type == AUTOCOMPLETE_CALLBACK:
            choices = data.get("choices", [])
            _check(len(choices) <= CHOICES_MAX, f"{len(choices)} choices", request)
            for choice in choices:
                _check_text(choice.get("name"), OPTION_MAX, "choice name", request, required=True)
        return
    if request.route.endswith("/threads") and request.method == "POST":
        _check_text(body.get("name"), THREAD_NAME_MAX, "thread name", request, required=True)
        if "message" in body:
            _check_message(body["message"], request, new=True)
        return
    if request.route == "/channels/{channel_id}" and request.method == "PATCH":
        if "name" in body:
            _check_text(body["name"], THREAD_NAME_MAX, "thread name", request, required=True)
        return
    is_message = request.route.startswith("/webhooks/") or request.route.startswith(
        "/channels/{channel_id}/messages"
    )
    if is_message and request.method in ("POST", "PATCH"):
        _check_message(body, request, new=request.method == "POST")


def assert_pings_nobody(request: Request) -> None:
    """Whatever the text says, the request allows no mention (no user, role, @everyone)."""
    message = request.message
    if not isinstance(message, dict):
        return
    allowed = message.get("allowed_mentions")
    if message.get("content"):
        _check(allowed is not None, "content without allowed_mentions", request)
    if allowed is not None:
        _check(not allowed.get("parse"), f"allowed_mentions parses {allowed}", request)
        _check(not allowed.get("users"), f"allowed_mentions names users {allowed}", request)
        _check(not allowed.get("roles"), f"allowed_mentions names roles {allowed}", request)
        _check(not allowed.get("replied_user"), "allowed_mentions pings the replied user", request)


CRASHED = "went wrong on our side"


def is_care(request: Request) -> bool:
    """The crisis check's private line or card, which follows whatever the member was told."""
    return "kindred:care:resources" in request.custom_ids or (
        "You don't have to carry this alone" in request.text
    )


class Watch:
    """Everything one action (or one fuzz example) made the bot do, checked as a whole."""

    def __init__(self, kit: Kit, errors: list[logging.LogRecord]):
        self.kit, self.errors = kit, errors
        self.start = len(kit.discord.requests)
        errors.clear()

    @property
    def requests(self) -> list[Request]:
        return self.kit.discord.requests[self.start :]

    def replies(self) -> list[Request]:
        return [
            r
            for r in self.requests
            if (r.is_callback and r.callback_type in MESSAGE_CALLBACKS)
            or (r.route.startswith("/webhooks/") and r.method in ("POST", "PATCH"))
        ]

    def kept(self) -> None:
        """Accepted: checked as a whole, and counted in the statistics."""
        event("accepted")
        self.check()

    def check(self) -> None:
        """No crash, no ERROR log, no allowed mention, nothing over Discord's limits."""
        for request in self.requests:
            assert_within_discord_limits(request)
            assert_pings_nobody(request)
            assert CRASHED not in request.text, f"a crash reached the member: {request!r}"
            assert "can't save right now" not in request.text, request
        assert not self.errors, [record.getMessage() for record in self.errors]

    def refused(self, *words: str) -> Request:
        """The member was told no, privately, in a sentence holding `words`; nothing posted."""
        event(f"refused: {words[0]}")  # --hypothesis-show-statistics shows how often
        self.check()
        replies = [r for r in self.replies() if not is_care(r)]  # care may follow any answer
        assert replies, f"no answer at all: {self.requests}"
        answer = replies[-1]
        assert answer.ephemeral, answer
        for word in words:
            assert word in answer.text, (word, answer.text)
        changed = [
            r
            for r in self.requests
            if r.route.startswith("/channels/{channel_id}") and r.method != "GET"
        ]
        assert changed == [], f"a refusal still posted, edited or deleted: {changed}"
        return answer


@pytest.fixture
def error_logs():
    """Every record logged at ERROR or above while the test runs."""
    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    handler = Keep(level=logging.ERROR)
    root = logging.getLogger()
    root.addHandler(handler)
    yield records
    root.removeHandler(handler)


# ----- what hostile people type -------------------------------------------------------------------
PIECES = (
    "@everyone", "@here", "<@123>", "<@!123>", "<@&456>", "<#789>", "</share:1>", "||", "|",
    "`", "```", "```py\n", "**", "*", "_", "__", "~~", "> ", ">>> ", "# ", "-# ", "- ", "\\",
    "[link](https://example.invalid)", "<t:0:R>", "<:kindred:1>", ":)", "🌱", "👏🏽", "👨‍👩‍👧",
    "🏳️‍🌈", "🇩🇪", "\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u202e", "\u2028",
    "\n", "\r\n", "\t", " ", "\u3000", "\u00a0", "e\u0301", "漢字", "مرحبا", "𝕏", "\x00",
)  # fmt: skip
fragments = st.one_of(st.sampled_from(PIECES), st.text(max_size=8))


def hostile(max_parts: int = 10) -> st.SearchStrategy[str]:
    return st.lists(fragments, max_size=max_parts).map("".join)


def _exactly(seed: str, length: int) -> str:
    seed = seed or "x"
    return (seed * (length // len(seed) + 1))[:length]


def near(limit: int) -> st.SearchStrategy[str]:
    """Hostile text of exactly limit-1, limit, limit+1 or far more characters."""
    lengths = st.sampled_from([limit - 1, limit, limit + 1, limit * 2 + 7])
    return st.builds(_exactly, hostile(6), lengths)


def typed(limit: int) -> st.SearchStrategy[str]:
    return st.one_of(hostile(), near(limit))


# More examples locally: KINDRED_FUZZ_EXAMPLES=500 pytest tests/test_hostile_fuzz.py
EXAMPLES = int(os.environ.get("KINDRED_FUZZ_EXAMPLES", "40"))
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
_names = itertools.count(1)


def newcomer(kit: Kit, prefix: str = "member"):
    """A member who has done nothing yet (no cooldowns, no drafts, no pending suggestions)."""
    return kit.member(f"{prefix}{next(_names)}")


# What draws nothing, written apart from bot/visible.py: format, control, unassigned,
# separator and combining characters, and the letters fonts draw as blank (Braille blank,
# Hangul fillers). Private-use characters draw a glyph (or a box), so they count as seen.
BLANK_GLYPHS = "\u2800\u3164\u115f\u1160\uffa0\u180e\u034f\u17b4\u17b5"


def seen(text: str) -> bool:
    return any(
        unicodedata.category(c) not in ("Cf", "Cc", "Cn", "Cs")
        and unicodedata.category(c)[0] not in "ZM"
        and c not in BLANK_GLYPHS
        for c in text
    )


def trimmed(text: str) -> str:
    """What a field keeps: trimmed, and nothing at all when nothing in it is visible."""
    return text.strip() if seen(text) else ""


def folded(text: str) -> str:
    return trimmed(" ".join(text.split()))


async def rows(kit: Kit, sql: str, params=()) -> list[tuple]:
    return [tuple(r) for r in await kit.store.fetchall(sql, params)]


def posted(watch: Watch, route: str = "/channels/{channel_id}/messages") -> list[Request]:
    return [r for r in watch.requests if r.method == "POST" and r.route == route]


# ----- fixtures: one server set up once per test, shared by its examples --------------------------
@pytest.fixture(autouse=True)
def unpaced(kit):
    """The send queue keeps to Discord's pace in real time (proven in test_posting_queue.py);
    here it would only make hundreds of examples wait."""
    shared_queue(kit.bot).rate = 1_000_000


@pytest.fixture
async def mo(kit):
    """A moderator in a server with a moderator channel and a stories channel."""
    kit.add_channel("mods")
    kit.add_channel("stories")
    mo = kit.moderator("mo")
    await mo.slash("settings mod-channel", channel="mods")
    await mo.slash("stories channel", channel="stories")
    return mo


async def write_story(kit: Kit, person, **fields) -> Outcome:
    """/share, then the modal filled in with `fields` (consent ticked unless told)."""
    opened = await person.slash("share")
    assert opened.modal is not None, opened.requests
    return await person.submit_modal(**{"consent": True, **fields})


STORY = "The first winter after my diagnosis I stopped going out. A neighbour kept knocking."


async def publish(kit: Kit, person, **fields) -> int:
    """A story shared start to finish; its id."""
    await write_story(kit, person, story=STORY, title="Knocking", **fields)
    [(story_id,)] = await rows(
        kit, "SELECT story_id FROM story_authors WHERE author_id = ? ORDER BY story_id DESC LIMIT 1",
        (person.id,),
    )  # fmt: skip
    await person.select(f"kindred:story:value:{story_id}", ["hope"])
    await person.click(f"kindred:story:post:{story_id}")
    return story_id


# ----- victories ------------------------------------------------------------------------------------
@FUZZ
@given(victory=typed(1000), public=st.booleans())
async def test_any_victory_is_kept_exactly_or_refused_kindly(kit, error_logs, victory, public):
    alice = newcomer(kit)
    watch = Watch(kit, error_logs)
    await alice.slash("celebrate", victory=victory, visibility="public" if public else "just me")
    saved = await rows(
        kit, "SELECT victory_id, text FROM victories WHERE member_id = ?", (alice.id,)
    )
    text = trimmed(victory)
    if not text:
        watch.refused("a few words", "Nothing was saved")
        assert saved == []
        return
    if len(text) > 1000:
        watch.refused("up to 1000 characters", f"yours has {len(text)}", "Nothing was saved")
        assert saved == []
        return
    if "\x00" in text:  # SQLite's length() stops at a null character
        watch.refused("null character", "Nothing was saved")
        assert saved == []
        return
    watch.kept()
    [(victory_id, stored)] = saved
    assert stored == text
    cards = posted(watch)
    if public and assess(text).strong:  # heavy words are kept private, never posted for cheers
        assert cards == []
        assert f"kindred:victories:publish:{victory_id}" in watch.replies()[0].custom_ids
    elif public:
        [card] = cards
        assert card.embeds[0]["description"] == text
        assert card.custom_ids == [f"kindred:cheer:{victory_id}"]
    else:
        assert cards == []
    watch = Watch(kit, error_logs)  # the history shows it (quoted, clipped) within every limit
    out = await alice.slash("victories")
    watch.check()
    assert f"#{victory_id}" in out.reply.embeds[0]["description"]


# ----- prompts and suggestions ----------------------------------------------------------------------
async def rotation_texts(kit: Kit) -> set[str]:
    poster = kit.bot.get_cog("Prompts").poster
    return {
        normalised(item.prompt.text) for item in await prompt_admin.rotation(poster, kit.guild.id)
    }


@FUZZ
@given(text=typed(300))
async def test_any_prompt_a_moderator_adds_is_kept_exactly_or_refused(kit, mo, error_logs, text):
    known = await rotation_texts(kit)
    before = await rows(kit, "SELECT MAX(prompt_id) FROM guild_prompts")
    watch = Watch(kit, error_logs)
    await mo.slash("prompts add", text=text, value="hope")
    added = await rows(
        kit, "SELECT text, value_key FROM guild_prompts WHERE prompt_id > ?", (before[0][0] or 0,)
    )
    expected = folded(text)
    if not expected:
        watch.refused("empty", "Nothing was changed")
    elif len(expected) > 300:
        watch.refused("at most 300 characters", f"this one is {len(expected)}")
    elif normalised(expected) in known:
        watch.refused("already", "Nothing was changed")
    else:
        watch.kept()
        assert added == [(expected, "hope")]
        watch = Watch(kit, error_logs)  # the list pages it within every limit
        await mo.slash("prompts list")
        watch.check()
        return
    assert added == []


@FUZZ
@given(text=typed(300))
async def test_any_suggestion_is_kept_exactly_or_refused(kit, mo, error_logs, text):
    alice = newcomer(kit)
    known = await rotation_texts(kit)
    watch = Watch(kit, error_logs)
    await alice.slash("suggest", text=text, value="gratitude")
    saved = await rows(
        kit, "SELECT suggestion_id, text FROM prompt_suggestions WHERE member_id = ?", (alice.id,)
    )
    expected = folded(text)
    if not expected or len(expected) > 300 or normalised(expected) in known:
        words = (
            ("empty",)
            if not expected
            else ("at most 300 characters",)
            if len(expected) > 300
            else ("already in this server's rotation",)
        )
        watch.refused(*words)
        assert saved == []
        return
    watch.kept()
    [(suggestion_id, stored)] = saved
    assert stored == expected
    [card] = posted(watch)
    assert card.embeds[0]["description"] == expected
    assert card.custom_ids == [
        f"kindred:suggest:approve:{suggestion_id}",
        f"kindred:suggest:reject:{suggestion_id}",
    ]


# ----- stories ----------------------------------------------------------------------------------------
def fits_a_post(body: str, title: str, warning: str | None) -> bool:
    """What Post accepts, worked out independently of the code under test."""
    shown = len(body) + (body.count("|") + 4 if warning else 0)  # a spoiler adds || and ZWSPs
    return seen(body) and len(body.strip()) >= 20 and bool(title) and shown <= 4096


@FUZZ
@given(
    body=typed(4000),
    title=typed(100),
    warning=st.one_of(st.just(""), typed(100)),
    post_as=st.sampled_from(["named", "anonymous"]),
)
async def test_any_story_is_kept_exactly_or_refused(
    kit, mo, error_logs, body, title, warning, post_as
):
    alice = newcomer(kit)
    watch = Watch(kit, error_logs)
    await write_story(kit, alice, story=body, title=title, content_warning=warning, post_as=post_as)
    mine = await rows(
        kit,
        "SELECT s.story_id, s.title, s.body, s.content_warning, s.anonymous, s.status FROM "
        "stories s JOIN story_authors a USING (story_id) WHERE a.author_id = ?",
        (alice.id,),
    )
    title, warning = trimmed(title), trimmed(warning) or None
    if len(body) > 4000:
        watch.refused("up to 4000 characters", "Nothing was saved")
        assert mine == []
        return
    if len(title) > 100 or len(warning or "") > 100:
        watch.refused("up to 100 characters", "Nothing was saved")
        assert mine == []
        return
    watch.kept()
    [(story_id, *stored, status)] = mine
    assert stored == [title, body, warning, int(post_as == "anonymous")] and status == DRAFT

    watch = Watch(kit, error_logs)  # Edit shows exactly what was kept, within the modal's limits
    out = await alice.click(f"kindred:story:edit:{story_id}")
    watch.check()
    prefilled = {
        c["custom_id"]: c.get("value")
        for c in walk_components(out.modal["components"])
        if "custom_id" in c
    }
    assert (prefilled["story"] or "", prefilled["title"] or "") == (body, title)
    assert prefilled["content_warning"] == warning

    await alice.select(f"kindred:story:value:{story_id}", ["hope"])
    watch = Watch(kit, error_logs)
    await alice.click(f"kindred:story:post:{story_id}")
    [(status,)] = await rows(kit, "SELECT status FROM stories WHERE story_id = ?", (story_id,))
    if not fits_a_post(body, title, warning):
        watch.refused("your draft is saved")  # the preview listed what to change
        assert status == DRAFT
        return
    watch.check()
    if any(assess(text).strong for text in (title, body, warning) if text):
        event("held for care")  # only a strong signal holds a story
        assert status == PENDING
        return
    event("published")
    assert status == PUBLISHED
    post = next(r for r in posted(watch) if r.embeds and r.path.endswith(
        f"/{kit.channels['stories']['id']}/messages"
    ))  # fmt: skip
    assert post.embeds[0]["title"] == title
    assert post.embeds[0]["description"] == (spoiler(body) if warning else body)
    if warning:
        assert f"**Content warning:** {warning}" in post.content
    [thread] = posted(watch, "/channels/{channel_id}/messages/{message_id}/threads")
    assert thread.body["name"] == title


@pytest.fixture
async def anonymous_story(kit, mo):
    """(author, story id) of an anonymous story shared once for the whole test."""
    author = newcomer(kit, "author")
    return author, await publish(kit, author, post_as="anonymous")


@FUZZ
@given(reply=typed(4000))
async def test_any_reply_as_the_author_is_posted_exactly_or_refused(
    kit, anonymous_story, error_logs, reply
):
    author, story_id = anonymous_story
    [(thread_id,)] = await rows(
        kit, "SELECT thread_id FROM stories WHERE story_id = ?", (story_id,)
    )
    before = await rows(kit, "SELECT COUNT(*) FROM story_replies")
    await author.click(f"kindred:story:reply:{story_id}")
    watch = Watch(kit, error_logs)
    await author.submit_modal(reply=reply)
    after = await rows(kit, "SELECT COUNT(*) FROM story_replies")
    text = trimmed(reply)
    if not text or len(text) > 4000:
        watch.refused("empty" if not text else "up to 4000 characters", "nothing was posted")
        assert after == before
        return
    watch.kept()
    [post] = [r for r in posted(watch) if r.path == f"/channels/{thread_id}/messages"]
    assert post.embeds[0]["description"] == text
    assert post.embeds[0]["author"]["name"] == "Original poster"
    assert after[0][0] == before[0][0] + 1


# ----- reasons moderators write -----------------------------------------------------------------------
@pytest.fixture
async def reviewing(mo):
    """The moderator, with every story read by a moderator before it is shared."""
    await mo.slash("stories review", mode="on")
    return mo


@FUZZ
@given(reason=typed(1000))
async def test_any_decline_note_is_kept_exactly_or_refused(kit, reviewing, error_logs, reason):
    mo = reviewing
    alice = newcomer(kit)
    story_id = await publish(kit, alice)
    await mo.click(f"kindred:story:decline:{story_id}")
    watch = Watch(kit, error_logs)
    await mo.submit_modal(reason=reason)
    [(status, stored)] = await rows(
        kit, "SELECT status, decline_reason FROM stories WHERE story_id = ?", (story_id,)
    )
    note = trimmed(reason)
    if not note or len(note) > 1000:
        watch.refused("short note" if not note else "up to 1000 characters", "Nothing was changed")
        assert (status, stored) == (PENDING, None)
        return
    watch.kept()
    assert (status, stored) == (DRAFT, note)


@FUZZ
@given(reason=typed(1000))
async def test_any_rejection_note_is_kept_exactly_or_refused(kit, mo, error_logs, reason):
    alice = newcomer(kit)
    await alice.slash("suggest", text=f"What helped you today, {alice.name}?", value="hope")
    [(suggestion_id,)] = await rows(
        kit, "SELECT suggestion_id FROM prompt_suggestions WHERE member_id = ?", (alice.id,)
    )
    await mo.click(f"kindred:suggest:reject:{suggestion_id}")
    watch = Watch(kit, error_logs)
    await mo.submit_modal(reason=reason)
    [(state, stored)] = await rows(
        kit,
        "SELECT state, reason FROM prompt_suggestions WHERE suggestion_id = ?",
        (suggestion_id,),
    )
    note = trimmed(reason)
    if len(note) > 1000:
        watch.refused("up to 1000 characters", "Nothing was changed")
        assert (state, stored) == ("pending", None)
        return
    watch.kept()
    assert (state, stored) == ("rejected", note or None)
    [dm] = [r for r in posted(watch) if r.path == f"/channels/{alice.id + 7}/messages"]
    if note:
        assert f"Their note: {note}" in dm.content


@FUZZ
@given(reason=typed(300))
async def test_any_removal_reason_reaches_the_author_exactly_or_is_refused(
    kit, mo, error_logs, reason
):
    alice = newcomer(kit)
    await alice.slash("celebrate", victory="I went for a walk today")
    [(victory_id,)] = await rows(
        kit, "SELECT victory_id FROM victories WHERE member_id = ?", (alice.id,)
    )
    watch = Watch(kit, error_logs)
    await mo.slash("celebrations remove", victory_id=victory_id, reason=reason)
    left = await rows(kit, "SELECT victory_id FROM victories WHERE victory_id = ?", (victory_id,))
    note = trimmed(reason)
    if len(note) > 300:
        watch.refused("up to 300 characters", "Nothing was changed")
        assert left == [(victory_id,)]
        return
    watch.kept()
    assert left == []
    [dm] = [r for r in posted(watch) if r.path == f"/channels/{alice.id + 7}/messages"]
    if note:
        assert f"**Reason:** {note}\n" in dm.embeds[0]["description"]
    else:
        assert "Reason" not in dm.embeds[0]["description"]


# ----- crisis resources moderators list -------------------------------------------------------------
@FUZZ
@given(name=typed(80), contact=typed(200), region=st.none() | typed(40))
async def test_any_crisis_resource_reaches_members_exactly_or_is_refused(
    kit, mo, error_logs, name, contact, region
):
    await kit.store.execute("DELETE FROM care_resources")
    await mo.slash("care resources add", name="Samaritans", contact="116 123", region="UK")
    watch = Watch(kit, error_logs)
    options = {"name": name, "contact": contact} | ({"region": region} if region else {})
    await mo.slash("care resources add", **options)
    stored = await rows(
        kit, "SELECT name, contact, region FROM care_resources WHERE name != 'Samaritans'"
    )
    expected = (folded(name), folded(contact), folded(region or "") or None)
    limits = (("name", 80), ("contact", 200), ("region", 40))
    for (what, limit), text in zip(limits, expected, strict=True):
        if what != "region" and not text:
            watch.refused(f"The {what} can't be empty", "Nothing was changed")
            assert stored == []
            return
        if text and len(text) > limit:
            watch.refused(f"The {what} is {len(text)} characters", f"keep it to {limit}")
            assert stored == []
            return
    if (expected[0].lower(), (expected[2] or "").lower()) == ("samaritans", "uk"):
        watch.refused("already listed", "Nothing was changed")
        return
    watch.kept()
    assert stored == [expected]
    watch = Watch(kit, error_logs)  # a member in crisis reads it in full, within every limit
    await newcomer(kit).slash("celebrate", victory="I want to kill myself tonight")
    watch.check()
    [care] = [r for r in watch.replies() if "carry this alone" in r.text]
    assert care.ephemeral
    escape = discord.utils.escape_markdown
    assert escape(expected[1]) in care.embeds[0]["description"]
    assert f"**{escape(expected[0])}**" in care.embeds[0]["description"]


# ----- times, days and zones moderators type -------------------------------------------------------
ZONES = ("Europe/Berlin", " america/new_york ", "UTC", "localtime", "../etc/passwd", "America")
clock = "{}:{:02d}".format
times = st.one_of(
    typed(10),
    st.builds(clock, st.integers(0, 23), st.integers(0, 59)),
    st.builds(clock, st.integers(-2, 30), st.integers(0, 70)),
)
day_lists = st.lists(
    st.sampled_from(["mon", "Tue", "weds", "thursdays", "fri-mon", "weekdays", "and", ",", "-"]),
    max_size=6,
).map(" ".join)
zones = st.one_of(st.sampled_from(ZONES), typed(60))


def parsed_or_none(parse, text):
    try:
        return parse(text)
    except ValueError:
        return None


@FUZZ
@given(time=times, days=st.none() | day_lists | typed(40), zone=st.none() | zones)
async def test_any_schedule_is_kept_as_read_or_refused(kit, mo, error_logs, time, days, zone):
    kit.add_channel("daily")
    before = await kit.store.prompts.get_schedule(kit.guild.id)
    watch = Watch(kit, error_logs)
    options = {"channel": "daily", "time": time} | ({"days": days} if days else {})
    await mo.slash("prompts schedule", **options | ({"timezone": zone} if zone else {}))
    after = await kit.store.prompts.get_schedule(kit.guild.id)
    at = parsed_or_none(parse_hhmm, time)
    weekdays = parsed_or_none(parse_weekdays, days)
    known = zone_or_none(zone) if zone and zone.strip() else zone_or_none("UTC")
    if at is None or weekdays is None or known is None:
        watch.refused("Nothing was changed")
        assert after == before
        return
    watch.kept()
    assert (after.post_time, after.weekdays, after.timezone) == (
        format_hhmm(at), weekdays, known.key,
    )  # fmt: skip


@FUZZ
@given(zone=zones)
async def test_any_server_time_zone_is_kept_by_name_or_refused(kit, mo, error_logs, zone):
    await kit.store.guilds.set_timezone(kit.guild.id, "Asia/Tokyo")
    watch = Watch(kit, error_logs)
    await mo.slash("settings timezone", zone=zone)
    stored = (await kit.store.guilds.get(kit.guild.id)).timezone
    known = zone_or_none(zone)
    if known is None:
        watch.refused("don't know the time zone", "Nothing was changed")
        assert stored == "Asia/Tokyo"
        return
    watch.kept()
    assert stored == known.key


@FUZZ
@given(time=times)
async def test_any_digest_time_is_kept_as_read_or_refused(kit, mo, error_logs, time):
    before = await kit.store.victories.settings(kit.guild.id)
    watch = Watch(kit, error_logs)
    await mo.slash("celebrations digest", day="Friday", time=time)
    after = await kit.store.victories.settings(kit.guild.id)
    at = parsed_or_none(parse_hhmm, time) if len(time) <= 10 else None
    if at is None:
        watch.refused("HH:MM", "Nothing was changed")
        assert after == before
        return
    watch.kept()
    assert (after.digest_weekday, after.digest_time) == (4, format_hhmm(at))


# ----- what people type while Discord offers choices ---------------------------------------------
def autocompleted(bot) -> list[tuple[str, str, type]]:
    """(command, option, python type) for every option with autocomplete, from the tree."""
    found = []
    for command in bot.tree.walk_commands():
        if isinstance(command, discord.app_commands.Command):
            for param in command.parameters:
                if param.autocomplete:
                    kind = int if param.type is discord.AppCommandOptionType.integer else str
                    found.append((command.qualified_name, param.name, kind))
    return found


def test_the_autocomplete_fuzz_sees_every_autocomplete(kit):
    options = {(command, option) for command, option, _ in autocompleted(kit.bot)}
    assert {("settings timezone", "zone"), ("care resources remove", "resource_id")} <= options
    assert len(options) >= 10


@FUZZ
@given(data=st.data())
async def test_every_autocomplete_answers_any_typing_within_limits(kit, mo, error_logs, data):
    await mo.slash("care resources add", name="Samaritans", contact="116 123")
    for command, option, kind in autocompleted(kit.bot):
        digits = st.integers(-5, 10**20).map(str) | st.just("")
        text = data.draw(digits if kind is int else typed(100), label=f"{command} {option}")
        watch = Watch(kit, error_logs)
        choices = await mo.autocomplete(command, option, text)
        watch.check()
        assert isinstance(choices, list), (command, option)
        for choice in choices:
            if kind is str:
                assert 0 < len(choice["value"]) <= OPTION_MAX, (command, option, choice)


# ----- the checks themselves catch what Discord would refuse ------------------------------------------
def _request(body: dict, route: str = "/channels/{channel_id}/messages", method="POST") -> Request:
    return Request(method, route, route, body)


@pytest.mark.parametrize(
    "body",
    [
        {"content": "x" * 2001},
        {"content": "", "embeds": [{"description": "x" * 4097}]},
        {"embeds": [{"title": "x" * 257}]},
        {"embeds": [{"fields": [{"name": "a", "value": "x" * 1025}]}]},
        {"embeds": [{"fields": [{"name": "a", "value": ""}]}]},
        {"embeds": [{"footer": {"text": "x" * 2049}}]},
        {"embeds": [{"description": "x" * 4000}, {"description": "x" * 2001}]},
        {"embeds": [{"description": "x"}] * 11},
        {"components": [{"type": 1, "components": [{"type": 2, "label": "x" * 81}]}]},
        {"content": "", "embeds": []},
    ],
)
def test_the_limit_check_catches_what_discord_would_refuse(body):
    with pytest.raises(AssertionError):
        assert_within_discord_limits(_request(body))


def test_the_limit_check_covers_modals_and_thread_names():
    modal = {"type": 9, "data": {"title": "x" * 46, "custom_id": "m", "components": []}}
    callback = "/interactions/{webhook_id}/{webhook_token}/callback"
    with pytest.raises(AssertionError):
        assert_within_discord_limits(_request(modal, callback))
    label = {"type": 18, "label": "x" * 46, "component": {"type": 4, "custom_id": "a"}}
    modal = {"type": 9, "data": {"title": "Hi", "custom_id": "m", "components": [label]}}
    with pytest.raises(AssertionError):
        assert_within_discord_limits(_request(modal, callback))
    with pytest.raises(AssertionError):
        assert_within_discord_limits(
            _request({"name": "x" * 101}, "/channels/{channel_id}/threads")
        )
    assert_within_discord_limits(_request({"content": "fine", "embeds": [{"description": "ok"}]}))


@pytest.mark.parametrize(
    "allowed",
    [None, {"parse": ["users"]}, {"parse": [], "roles": ["456"]}, {"parse": ["everyone"]}],
)
def test_the_mention_check_catches_any_allowed_ping(allowed):
    body = {"content": "<@123> @everyone"}
    if allowed is not None:
        body["allowed_mentions"] = allowed
    with pytest.raises(AssertionError):
        assert_pings_nobody(_request(body))
    assert_pings_nobody(_request({"content": "<@123>", "allowed_mentions": {"parse": []}}))
