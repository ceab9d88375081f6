"""A small learned event-type classifier, trained only on the project's own gold sentences.

Multinomial logistic regression over sparse sentence features (content lemmas, the root
predicate and its object, negation and modality cues). Training is full-batch gradient
descent from zero weights in a fixed feature order, so `detente train` is deterministic. The
artifact is a JSON file of weights (no pickles), versioned under events/data/.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.tokens import Span

NONE = "NONE"
MODEL_FILE = "event_model.json"
CONTENT_POS = {"VERB", "NOUN", "ADJ", "PROPN"}


def features(sent: Span) -> list[str]:
    """Sparse features of one sentence."""
    feats: set[str] = {"bias"}
    root = sent.root
    feats.add(f"root={root.lemma_.lower()}")
    for c in root.children:
        if c.dep_ in ("dobj", "attr", "xcomp", "ccomp", "prt", "neg", "aux"):
            feats.add(f"root_{c.dep_}={c.lemma_.lower()}")
            if c.dep_ == "dobj":
                feats.add(f"pair={root.lemma_.lower()}_{c.lemma_.lower()}")
    for tok in sent:
        if tok.pos_ in CONTENT_POS and not tok.ent_type_ and tok.is_alpha:
            feats.add(f"w={tok.lemma_.lower()}")
        if tok.dep_ == "neg":
            feats.add("negated")
        if tok.lower_ in ("will", "would", "pledged", "promised", "plans"):
            feats.add(f"modal={tok.lower_}")
    return sorted(feats)


@dataclass
class EventModel:
    classes: list[str]
    weights: dict[str, list[float]]

    def probabilities(self, feats: Iterable[str]) -> dict[str, float]:
        scores = np.zeros(len(self.classes))
        for f in feats:
            w = self.weights.get(f)
            if w is not None:
                scores += w
        scores -= scores.max()
        exp = np.exp(scores)
        probs = exp / exp.sum()
        return dict(zip(self.classes, probs.tolist()))

    def predict(self, sent: Span) -> tuple[str, float]:
        probs = self.probabilities(features(sent))
        label = max(probs, key=probs.get)
        return label, probs[label]

    def save(self, path: str | Path) -> None:
        data = {"format": "detente-event-model/1", "classes": self.classes,
                "weights": {f: [round(x, 4) for x in w] for f, w in sorted(self.weights.items())}}
        Path(path).write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")


def train(examples: list[tuple[list[str], str]], epochs: int = 1500, rate: float = 2.0, l2: float = 1e-3,
          min_count: int = 2) -> EventModel:
    """Fit the classifier on (features, label) pairs; deterministic for the same input."""
    counts: dict[str, int] = {}
    for feats, _ in examples:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, n in counts.items() if n >= min_count or f == "bias")
    index = {f: i for i, f in enumerate(vocab)}
    classes = sorted({label for _, label in examples})
    cls_index = {c: i for i, c in enumerate(classes)}
    x = np.zeros((len(examples), len(vocab)))
    y = np.zeros((len(examples), len(classes)))
    for row, (feats, label) in enumerate(examples):
        for f in feats:
            if f in index:
                x[row, index[f]] = 1.0
        y[row, cls_index[label]] = 1.0
    w = np.zeros((len(vocab), len(classes)))
    n = len(examples)
    for _ in range(epochs):
        scores = x @ w
        scores -= scores.max(axis=1, keepdims=True)
        p = np.exp(scores)
        p /= p.sum(axis=1, keepdims=True)
        grad = x.T @ (p - y) / n + l2 * w
        w -= rate * grad
    weights = {f: w[i].tolist() for f, i in index.items() if np.abs(w[i]).max() > 1e-3}
    return EventModel(classes, weights)


@cache
def load_model() -> EventModel | None:
    path = resources.files("detente.events") / "data" / MODEL_FILE
    if not path.is_file():
        return None
    data = json.loads(path.read_text(encoding="utf-8"))
    return EventModel(data["classes"], data["weights"])


def entropy(probs: dict[str, float]) -> float:
    return -sum(p * math.log(p) for p in probs.values() if p > 0)
