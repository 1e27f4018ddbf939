"""bot.safety: the crisis check, on the labelled corpus and on the cases named in the issue."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from bot.safety import NOTHING, Assessment, Grade, assess, needs_care, rules
from bot.safety.batches import CORPUS_DIR, read_batch

PHRASES = read_batch(CORPUS_DIR / "b00-phrases.jsonl")
MUST_MATCH = [e.text for e in PHRASES if e.label]
MUST_NOT_MATCH = [e.text for e in PHRASES if not e.label]


def test_the_phrase_batch_is_big_enough():
    assert len(MUST_MATCH) >= 150
    assert len(MUST_NOT_MATCH) >= 150


def test_the_rules_still_hold_on_the_phrases_they_were_tuned_on():
    """A regression test of the rules alone (not a result: they were tuned on these)."""

    def rule(text):
        return rules.rule_reason(rules.normalise(text))

    misses = [t for t in MUST_MATCH if not rule(t)]
    false_positives = [t for t in MUST_NOT_MATCH if rule(t)]
    assert not misses, misses
    assert not false_positives, false_positives


@pytest.mark.parametrize(
    "text",
    [
        "kms",
        "unalive myself",
        "don't want to be here anymore",
        "su1cide",
        "wanna die",
        "i wanna die",
        "i want to k1ll myself",
        "i want to diiie",
        "s u i c i d e is all i think about",
        "i don\u2019t want to live anymore",
        "i dont wanna be here anymore",
        "im gonna kms",
        "i wa\u200bnt to die",
        "I WANT TO DIE",
        "thinking of ending it",
        "going to hurt myself tonight",
        "cant go on",
        "no reason to live",
        "better off without me",
        "took too many pills just now",
        # a negation earlier in the message does not cancel a later wish
        "i'm not okay i want to die",
        "i'm not okay. i want to die",
        # recovery words present, but the risk is now
        "i want to die. 3 years clean and i still want to die",
        "i used to cut and now i want to do it again tonight",
        # obfuscation
        "i want to k*ll myself",
        "\u0456 want to k\u0456ll myself",  # Cyrillic i
        "\uff49 \uff57\uff41\uff4e\uff54 \uff54\uff4f \uff44\uff49\uff45",  # full-width
        "i want to end it once and for all",
    ],
)
def test_risk_is_found(text):
    result = assess(text)
    assert result.strong, text
    assert result.reason


@pytest.mark.parametrize(
    "text",
    [
        # recovery language about the past
        "I survived an overdose two years ago and I'm grateful",
        "used to cut, 400 days clean",
        "I used to cut, 400 days clean today",
        "back then i wanted to die every day. today i'm planting tomatoes",
        # third persons and news
        "my friend's brother died by suicide",
        "article about suicide rates",
        # supportive replies, awareness
        "if you ever feel like hurting yourself reach out",
        "if you ever feel like hurting yourself please reach out",
        "if you're thinking about suicide, please call 988",
        "september is suicide prevention month",
        # figures of speech
        "this traffic is killing me",
        "I'd die for pizza",
        "dying of laughter",
        "my feet are killing me",
        "this homework is killing me",
        "I died 5 times on that boss",
        # negations
        "i'm not suicidal, just tired and sad today",
        # near-miss words
        "ran 5 kms today!",
        "i'm going to cut back on caffeine",
    ],
)
def test_no_risk_is_not_flagged(text):
    assert assess(text).grade is Grade.NONE


# Known false signals of the model: the gentle "possible" line (nothing held, nobody told),
# never a strong one. Listed so that any change in them shows; the locked batch measures
# how often this happens (README, "Measured").
KNOWN_POSSIBLE = [
    "i don't want to die",
    "i'm not going to kms, i just need to vent",
    "she's been suicidal lately and i'm scared for her",
    "i'm going to end it with him tonight",
]


@pytest.mark.parametrize("text", KNOWN_POSSIBLE)
def test_known_false_signals_are_never_strong(text):
    assert assess(text).grade is not Grade.STRONG


def test_a_negation_the_text_contradicts_does_not_soften_the_signal():
    # the words say "not suicidal", the rest of the text says otherwise: the current clause
    # and the preparations decide, and the model's strong signal stands
    text = "i'm not suicidal but i have been giving my things away and writing letters to everyone"
    assert assess(text).strong
    assert assess("i don't want to die but i have my pills ready for tonight").strong


@pytest.mark.parametrize("text", ["w", "W", "x!", "@everyone" * 607, "a" * 4000, "ok"])
def test_a_letter_or_one_pasted_run_is_never_graded_by_the_model_alone(text):
    assert assess(text).grade is Grade.NONE


@pytest.mark.parametrize("text", ["kms", "su1cide", "unalive"])
def test_one_word_the_rules_know_is_still_strong(text):
    assert assess(text).strong


def test_negation_does_not_hide_a_death_wish():
    assert not assess("i don't want to die").strong
    assert needs_care("i don't want to be here anymore")
    assert needs_care("i don't want to live")


@given(st.text(max_size=400))
@settings(database=None, max_examples=300, deadline=None)
def test_assess_never_raises(text):
    result = assess(text)
    assert isinstance(result, Assessment)
    assert isinstance(result.needs_care, bool)
    assert isinstance(result.reason, str)


@given(
    st.lists(
        st.sampled_from(
            [
                "i",
                "want",
                "to",
                "die",
                "kill",
                "myself",
                "not",
                "kms",
                "\u2019",
                "'",
                '"',
                "su1cide",
                "\u200b",
                ".",
                ",",
                "and",
                "used to",
                "years ago",
                "\n",
                "!!!",
                "unalive",
                "don't",
                "be here",
                "anymore",
                "if you",
                "\U0001f62d",
                "0",
                "4",
            ]
        ),
        max_size=40,
    )
)
@settings(database=None, max_examples=300, deadline=None)
def test_assess_never_raises_on_word_salad(words):
    assert isinstance(assess(" ".join(words)).needs_care, bool)
    assert isinstance(assess("".join(words)).needs_care, bool)


def test_non_strings_are_not_flagged():
    assert assess("") == NOTHING
    assert assess("   \n\t ") == NOTHING
    assert assess(None) == NOTHING  # type: ignore[arg-type]


BENIGN_FILLER = (
    "Today I went to the market with my sister and we bought tomatoes, bread and a small "
    "plant for the kitchen window. The weather was grey but not cold, and we talked about "
    "her new job and the trip we might take in the spring. "
)


def test_risk_buried_in_a_long_message_is_found():
    head = BENIGN_FILLER * 10
    text = head[:1500] + " honestly i keep thinking about killing myself. " + head[:1500]
    assert len(text) >= 3000
    assert needs_care(text)


def test_long_benign_message_is_not_flagged():
    text = (BENIGN_FILLER * 30)[:4000]
    assert len(text) == 4000
    assert not needs_care(text)
