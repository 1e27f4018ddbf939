"""Train the crisis model from the corpus and write `model.json`: `python -m bot.safety.train`.

Needs the training extra (`pip install -e ".[train]"`: a pinned scikit-learn). The split
is by batch, never at random (`corpus/MANIFEST.toml`): the model learns from the `train`
batches, its regularisation and both thresholds are chosen on the `dev` batch, and the
`locked` batch is never read here at all. The same corpus and trainer always give the
same file, byte for byte (a test checks the shipped one).

`python -m bot.safety.train --leave-out b12-chat b13-world ...` instead trains without each
named train batch in turn and scores it: how a setting such as DEV_RECALL is chosen
without a locked batch (the README quotes the figures).
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path

from bot.safety import rules
from bot.safety.batches import Example, batches_with_role
from bot.safety.features import features
from bot.safety.model import MODEL_PATH, from_dict

SEED = 0
C_GRID = (1.0, 4.0, 16.0, 64.0)
# The possible threshold is the highest that still finds this share of dev's crises. Chosen
# at stop 14 by leaving each of six train batches out in turn (trained on the rest,
# thresholds on dev, scored on the one left out; never the locked batch): 0.96 gave
# 91.1 % recall / 92.8 % precision pooled, 0.975 gave 95.0 / 90.0, 0.985 gave 97.7 / 85.3.
DEV_RECALL = 0.975
STRONG_PRECISION = (
    0.99  # a strong model signal (held story, moderator note) must be this sure on dev
)
MIN_DOCUMENTS = 2  # a feature must occur in this many training texts to be kept
MIN_WEIGHT = 5e-4  # smaller weights are dropped from the file: they can't move a score
NB_ALPHA = 1.0  # smoothing of the naive-Bayes feature ratios


def _documents(examples: list[Example]) -> tuple[list[Counter[str]], list[int]]:
    """Each text's features (the whole text: the corpus's longest are about one window)."""
    docs, labels = [], []
    for example in examples:
        norm = rules.normalise(example.text)
        if norm:
            docs.append(features(norm))
            labels.append(example.label)
    return docs, labels


def _matrix(docs: list[Counter[str]], vocabulary: dict[str, int]):
    from scipy.sparse import csr_matrix

    rows, cols, values = [], [], []
    for row, found in enumerate(docs):
        if not found:
            continue
        scale = 1.0 / sum(found.values()) ** 0.5  # the scorer divides by every feature's count
        for feature in sorted(found):
            col = vocabulary.get(feature)
            if col is not None:
                rows.append(row)
                cols.append(col)
                values.append(found[feature] * scale)
    return csr_matrix((values, (rows, cols)), shape=(len(docs), len(vocabulary)))


def _fit(docs: list[Counter[str]], labels: list[int], c: float) -> dict:
    """Logistic regression over naive-Bayes-scaled features (NBSVM, Wang & Manning 2012):
    each feature is weighted by how much more often it occurs in one class, which suits
    short texts and little data. The scaling folds into the weights the file ships."""
    import numpy as np
    from scipy.sparse import diags
    from sklearn.linear_model import LogisticRegression

    counts: dict[str, int] = {}
    for found in docs:
        for feature in found:
            counts[feature] = counts.get(feature, 0) + 1
    kept = sorted(f for f, n in counts.items() if n >= MIN_DOCUMENTS)
    vocabulary = {f: i for i, f in enumerate(kept)}
    matrix = _matrix(docs, vocabulary)
    y = np.array(labels)
    present = (matrix > 0).astype(float)
    ones = NB_ALPHA + np.asarray(present[y == 1].sum(axis=0)).ravel()
    zeros = NB_ALPHA + np.asarray(present[y == 0].sum(axis=0)).ravel()
    ratio = np.log((ones / ones.sum()) / (zeros / zeros.sum()))
    classifier = LogisticRegression(
        C=c, solver="liblinear", class_weight="balanced", random_state=SEED, max_iter=2000
    )
    classifier.fit(matrix @ diags(ratio), y)
    weights = {
        f: round(float(w), 4)
        for f, w in zip(kept, classifier.coef_[0] * ratio, strict=True)
        if abs(w) >= MIN_WEIGHT
    }
    return {"bias": round(float(classifier.intercept_[0]), 4), "weights": weights}


def _graded(examples: list[Example], fitted: dict) -> list[tuple[int, bool, float]]:
    """(label, a rule matched, model score) for each dev example."""
    model = from_dict({**fitted, "thresholds": {"possible": 0.0, "strong": 0.0}})
    out = []
    for example in examples:
        norm = rules.normalise(example.text)
        out.append((example.label, bool(rules.rule_reason(norm)), model.score(norm)))
    return out


def _recall_precision(graded, threshold: float) -> tuple[float, float]:
    tp = sum(1 for label, rule, s in graded if label and (rule or s >= threshold))
    fp = sum(1 for label, rule, s in graded if not label and (rule or s >= threshold))
    positives = sum(1 for label, _, _ in graded if label)
    return tp / positives, (tp / (tp + fp) if tp + fp else 1.0)


def _thresholds(graded) -> dict:
    """`possible`: the highest score that still finds DEV_RECALL of dev's crises with the
    rules; `strong`: the lowest score from which the model alone is STRONG_PRECISION sure."""
    scores = sorted({round(s, 4) for _, _, s in graded}, reverse=True)
    possible = scores[-1]
    for threshold in scores:
        if _recall_precision(graded, threshold)[0] >= DEV_RECALL:
            possible = threshold
            break
    strong = scores[0]
    for threshold in reversed(scores):  # lowest first
        above = [label for label, _, s in graded if s >= threshold]
        if above and sum(above) / len(above) >= STRONG_PRECISION:
            strong = threshold
            break
    return {"possible": possible, "strong": max(strong, possible)}


def train(corpus_dir: Path | None = None) -> dict:
    """The model file's content, from the corpus's train and dev batches."""
    train_set = batches_with_role("train", corpus_dir)
    dev_set = batches_with_role("dev", corpus_dir)
    return _trained(train_set, dev_set)


def leave_out(names: list[str], corpus_dir: Path | None = None) -> dict[str, tuple[int, int, int]]:
    """How the settings generalise, never asking a locked batch: for each named train
    batch, train on the others (thresholds on dev as always), then count on the one left
    out (true positives, false positives, missed crises) with the rules and the model."""
    train_set = batches_with_role("train", corpus_dir)
    dev_set = batches_with_role("dev", corpus_dir)
    counts = {}
    for name in names:
        if name not in train_set:
            raise SystemExit(f"{name} is not a train batch")
        rest = {other: batch for other, batch in train_set.items() if other != name}
        model = from_dict(_trained(rest, dev_set))
        tp = fp = fn = 0
        for example in train_set[name]:
            norm = rules.normalise(example.text)
            flagged = bool(norm) and (
                bool(rules.rule_reason(norm)) or model.score(norm) >= model.possible
            )
            tp += flagged and example.label
            fp += flagged and not example.label
            fn += example.label and not flagged
        counts[name] = (tp, fp, fn)
    return counts


def _rates(tp: int, fp: int, fn: int) -> str:
    recall = tp / (tp + fn) if tp + fn else 1.0
    precision = tp / (tp + fp) if tp + fp else 1.0
    return f"recall {recall:.1%} precision {precision:.1%}"


def _trained(train_set: dict, dev_set: dict) -> dict:
    docs, labels = _documents([e for batch in train_set.values() for e in batch])
    dev = [e for batch in dev_set.values() for e in batch]
    best = None
    for c in C_GRID:
        fitted = _fit(docs, labels, c)
        graded = _graded(dev, fitted)
        thresholds = _thresholds(graded)
        recall, precision = _recall_precision(graded, thresholds["possible"])
        if best is None or (precision, recall) > best[0]:
            best = ((precision, recall), c, fitted, thresholds)
    (precision, recall), c, fitted, thresholds = best
    import sklearn

    return {
        "format": 1,
        "trainer": {"scikit-learn": sklearn.__version__, "C": c, "seed": SEED},
        "batches": {"train": sorted(train_set), "dev": sorted(dev_set)},
        "dev": {"recall": round(recall, 4), "precision": round(precision, 4)},
        "thresholds": thresholds,
        **fitted,
    }


def dumps(model: dict) -> str:
    return json.dumps(model, sort_keys=True, ensure_ascii=False, separators=(",", ":")) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--out", type=Path, default=MODEL_PATH)
    parser.add_argument(
        "--leave-out",
        nargs="+",
        metavar="BATCH",
        help="instead: train without each of these train batches in turn and score it",
    )
    args = parser.parse_args(argv)
    if args.leave_out:
        counts = leave_out(args.leave_out)
        for name, (tp, fp, fn) in counts.items():
            print(f"{name}: {_rates(tp, fp, fn)}")
        print("pooled:", _rates(*(sum(c[i] for c in counts.values()) for i in range(3))))
        return 0
    model = train()
    args.out.write_text(dumps(model), encoding="utf-8")
    print(
        f"{args.out.name}: {len(model['weights'])} weights, C={model['trainer']['C']}, "
        f"thresholds {model['thresholds']}, dev recall {model['dev']['recall']:.1%} "
        f"precision {model['dev']['precision']:.1%}",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
