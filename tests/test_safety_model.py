"""The crisis model and its corpus: the shipped file is exactly what the trainer makes, the
split is by batch, the locked batch is untouched and never read by the trainer, and the
pure-Python scorer reads texts exactly as the trainer did."""

from __future__ import annotations

import json
import math
import unicodedata

import pytest

from bot.safety import Grade, assess, batches, features, forget_words, model, needs_care, rules
from bot.safety.batches import CORPUS_DIR, SEALED, manifest, read_batch, sha256

POSITIVE_KINDS = {
    "wish_to_die", "passive_wish", "plan_means_date", "preparations", "self_harm_now",
    "overdose_attempt_now", "unsafe_tonight", "hopeless_living", "past_turns_present",
}  # fmt: skip
NEGATIVE_KINDS = {
    "past_resolved", "milestone_anniversary", "about_someone_else", "news_awareness_education",
    "clinical_talk", "media_games", "figure_of_speech", "other_word_sense",
    "harm_reduction_medication", "support_offered", "safety_plan_future", "hard_day_no_risk",
    "explicit_not_in_danger", "everyday",
}  # fmt: skip
BATCHES = manifest()["batches"]


def folded(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


def test_every_batch_file_is_in_the_manifest_with_a_role():
    on_disk = {p.name.removesuffix(".jsonl") for p in CORPUS_DIR.glob("*.jsonl")}
    on_disk = {name for name in on_disk if not name.endswith(".ambiguous")}
    assert on_disk == set(BATCHES)
    roles = [b["role"] for b in BATCHES.values()]
    assert {"train", "dev", "locked"} <= set(roles) <= {"train", "dev", *SEALED}


@pytest.mark.parametrize("name", sorted(BATCHES))
def test_each_batch_is_well_formed(name):
    examples = read_batch(CORPUS_DIR / f"{name}.jsonl")
    assert examples and {e.label for e in examples} == {0, 1}
    if name != "b00-phrases":  # the first phrases predate the kinds
        for e in examples:
            assert e.kind in (POSITIVE_KINDS if e.label else NEGATIVE_KINDS), (e.kind, e.text)
    texts = [folded(e.text) for e in examples]
    assert len(texts) == len(set(texts)), "a text appears twice in one batch"


def test_the_corpus_written_for_the_model_holds_at_least_1500_messages():
    written = [
        e for name in BATCHES if name != "b00-phrases"
        for e in read_batch(CORPUS_DIR / f"{name}.jsonl")
    ]  # fmt: skip
    assert len(written) >= 1500
    assert sum(e.label for e in written) >= 500 and sum(1 - e.label for e in written) >= 500


SEALED_BATCHES = sorted(n for n, b in BATCHES.items() if b["role"] in SEALED)


@pytest.mark.parametrize("name", SEALED_BATCHES)
def test_a_sealed_batch_is_exactly_as_it_was_sealed(name):
    assert sha256(CORPUS_DIR / f"{name}.jsonl") == BATCHES[name]["sha256"]


@pytest.mark.parametrize("name", SEALED_BATCHES)
def test_no_sealed_text_is_in_a_batch_the_model_learns_or_is_tuned_on(name):
    sealed = {folded(e.text) for e in read_batch(CORPUS_DIR / f"{name}.jsonl")}
    for other, batch in BATCHES.items():
        if batch["role"] not in SEALED:
            seen = {folded(e.text) for e in read_batch(CORPUS_DIR / f"{other}.jsonl")}
            overlap = len(sealed & seen)  # counted, never printed: nobody reads sealed texts
            assert overlap == 0, f"{other} holds {overlap} texts of {name}"


def test_the_shipped_model_is_what_the_trainer_makes_and_it_never_reads_the_locked_batch(
    monkeypatch,
):
    pytest.importorskip("sklearn", reason="the trainer needs `pip install -e '.[train]'`")
    from bot.safety import train

    read: list[str] = []
    real = batches.read_batch

    def recording(path):
        read.append(path.name)
        return real(path)

    monkeypatch.setattr(batches, "read_batch", recording)
    made = train.dumps(train.train())
    assert read and not {f"{name}.jsonl" for name in SEALED_BATCHES} & set(read)
    assert made == model.MODEL_PATH.read_text(encoding="utf-8"), (
        "model.json is not what `python -m bot.safety.train` makes from the corpus: retrain"
    )
    shipped = json.loads(made)
    assert shipped["batches"]["dev"] == [n for n, b in BATCHES.items() if b["role"] == "dev"]
    assert shipped["thresholds"]["possible"] <= shipped["thresholds"]["strong"]


def test_the_scorer_reads_a_text_exactly_as_the_trainer_did():
    shipped = model.shipped()
    for example in read_batch(CORPUS_DIR / "b01-recovery.jsonl")[:200]:
        norm = rules.normalise(example.text)
        counted = features.features(norm)
        if not counted or len(norm.split(" ")) > model.WINDOW_WORDS:
            continue
        by_hand = shipped.bias + sum(shipped.weight(f) * n for f, n in counted.items()) / math.sqrt(
            sum(counted.values())
        )
        assert shipped.score(norm) == pytest.approx(by_hand, abs=1e-9)


def test_a_heavy_sentence_in_a_long_share_still_counts():
    shipped = model.shipped()
    filler = "We planted tomatoes and talked about the weekend and her new job. " * 60
    heavy = "i have been saving my pills and i am going to take them all tonight. "
    assert shipped.score(rules.normalise(filler + heavy + filler)) > shipped.score(
        rules.normalise(filler + filler)
    )


def test_grades_follow_the_thresholds_beside_the_model(monkeypatch):
    made_up = model.Model(bias=0.0, weights={}, possible=-1.0, strong=1.0)
    monkeypatch.setattr(model, "shipped", lambda: made_up)
    assert assess("an ordinary sentence").grade is Grade.POSSIBLE  # log-odds 0: in between
    assert needs_care("an ordinary sentence")
    made_up = model.Model(bias=0.0, weights={}, possible=0.5, strong=1.0)
    monkeypatch.setattr(model, "shipped", lambda: made_up)
    assert assess("an ordinary sentence").grade is Grade.NONE
    assert assess("i want to kill myself").grade is Grade.STRONG  # a rule, whatever the score


def test_the_letter_cache_stays_bounded():
    shipped = model.shipped()
    for i in range(model.LETTER_CACHE + 10):
        shipped.score(f"word{i}")
    assert len(shipped._letters) <= model.LETTER_CACHE


def test_forgetting_every_word_cache_changes_no_answer():
    """The per-word caches only save time: a long text, with every cache warm or emptied,
    gets the same grade, reason and score to the last bit."""
    texts = [e.text for e in read_batch(CORPUS_DIR / "b09-long.jsonl")[:40]]
    long_text = "\n".join(texts)[:4000]
    warm = [assess(text) for text in [*texts, long_text]]
    again = [assess(text) for text in [*texts, long_text]]
    cold = []
    for text in [*texts, long_text]:
        forget_words()
        cold.append(assess(text))
    assert warm == again == cold


def test_leaving_a_batch_out_scores_every_text_of_it_and_never_reads_a_sealed_one(tmp_path):
    pytest.importorskip("sklearn", reason="the trainer needs `pip install -e '.[train]'`")
    from bot.safety import train

    lines = {
        "a": [("i want to die tonight", 1), ("had a lovely walk", 0), ("no point living", 1)],
        "b": [("i have my pills ready", 1), ("cutting sugar this week", 0), ("tea time", 0)],
        "c": [("goodbye everyone for good", 1), ("see you next week all", 0)],
        "d": [("i'm going to end it", 1), ("dyed my hair blue", 0)],
    }
    manifest = ""
    for name, rows in lines.items():
        role = "dev" if name == "d" else "train"
        manifest += f'[batches.{name}]\nrole = "{role}"\n'
        texts = [json.dumps({"text": t, "label": y, "kind": "x"}) for t, y in rows]
        (tmp_path / f"{name}.jsonl").write_text("\n".join(texts) + "\n", encoding="utf-8")
    manifest += '[batches.sealed]\nrole = "locked"\nsha256 = "0"\n'
    (tmp_path / "sealed.jsonl").write_text("not json: opening it would fail\n")
    (tmp_path / "MANIFEST.toml").write_text(manifest, encoding="utf-8")

    counts = train.leave_out(["a", "b"], tmp_path)

    for name in ("a", "b"):
        tp, fp, fn = counts[name]
        crises = sum(label for _, label in lines[name])
        assert tp + fn == crises and 0 <= fp <= len(lines[name]) - crises
    with pytest.raises(SystemExit):
        train.leave_out(["d"], tmp_path)  # the dev batch is never left out of choosing


def test_a_full_word_cache_forgets_its_older_half_and_scores_the_same():
    text = "Had a long week caring for Dad, but the new respite carer starts Monday."
    before = assess(text)
    shipped = model.shipped()
    forget_words()  # start from an empty cache
    try:
        for i in range(model.LETTER_CACHE + 1):
            shipped._learn(f"zq{i}xw")
        assert len(shipped._letters) == model.LETTER_CACHE // 2 + 1
        assert f"zq{model.LETTER_CACHE}xw" in shipped._letters  # the newest stay
        assert "zq0xw" not in shipped._letters  # the first learnt went
        assert assess(text) == before
    finally:
        forget_words()
