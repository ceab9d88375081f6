"""The learned event classifier: sentence embeddings plus lemma features -> PLOVER type or none.

Multinomial logistic regression over two kinds of input: the all-MiniLM-L6-v2 sentence
vector (detente.events.encoder, 384 numbers) and sparse lemma features of the sentence (the
root predicate and its object, content lemmas, negation and modal cues). It is trained only on
the project's own gold (`detente train`), deterministically (L-BFGS from zero weights over a
fixed feature order), and saved as JSON (no pickles) under events/data/.

The coder uses it where the trigger lexicon finds nothing in a sentence that names an actor:
a sentence the lexicon cannot read may still be about an event, and the embedding carries
paraphrases the lexicon has never seen. Measured on real text, re-ranking the lexicon's own
candidates with it gained nothing (benchmarks/accuracy.md), so the lexicon's choice stands.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np
from spacy.tokens import Span

NONE = "NONE"
MODEL_FILE = "event_classifier.json"
FORMAT = "detente-event-classifier/2"
CONTENT_POS = {"VERB", "NOUN", "ADJ", "PROPN"}


def sentence_features(sent: Span) -> list[str]:
    """Sparse features of one sentence."""
    feats: set[str] = set()
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
class EventClassifier:
    classes: list[str]
    sparse: dict[str, np.ndarray]  # feature -> weight per class
    dense: np.ndarray  # (embedding dim, classes)
    bias: np.ndarray  # (classes,)

    def probabilities(self, feats: Iterable[str], vector: np.ndarray) -> dict[str, float]:
        scores = self.bias + vector @ self.dense
        for f in feats:
            w = self.sparse.get(f)
            if w is not None:
                scores = scores + w
        scores = scores - scores.max()
        exp = np.exp(scores)
        return dict(zip(self.classes, (exp / exp.sum()).tolist()))

    def predict(self, feats: Iterable[str], vector: np.ndarray) -> tuple[str, float]:
        probs = self.probabilities(feats, vector)
        label = max(probs, key=probs.get)
        return label, probs[label]

    def save(self, path: str | Path) -> None:
        data = {"format": FORMAT, "classes": self.classes,
                "bias": [round(float(x), 5) for x in self.bias],
                "dense": [[round(float(x), 5) for x in row] for row in self.dense],
                "sparse": {f: [round(float(x), 4) for x in w] for f, w in sorted(self.sparse.items())}}
        Path(path).write_text(json.dumps(data, separators=(",", ":"), sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> EventClassifier:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file")
        return cls(data["classes"], {f: np.array(w) for f, w in data["sparse"].items()},
                   np.array(data["dense"]), np.array(data["bias"]))


def train(examples: list[tuple[list[str], np.ndarray, str]], l2: float = 1.0, min_count: int = 2,
          max_iter: int = 400) -> EventClassifier:
    """Fit on (sparse features, sentence vector, label) triples; deterministic for the same input."""
    from scipy import sparse
    from scipy.optimize import minimize

    counts: dict[str, int] = {}
    for feats, _, _ in examples:
        for f in feats:
            counts[f] = counts.get(f, 0) + 1
    vocab = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: i for i, f in enumerate(vocab)}
    classes = sorted({label for _, _, label in examples})
    cls_index = {c: i for i, c in enumerate(classes)}
    rows = [i for i, (feats, _, _) in enumerate(examples) for f in feats if f in index]
    cols = [index[f] for feats, _, _ in examples for f in feats if f in index]
    x_sparse = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(len(examples), len(vocab)))
    dense = np.array([vec for _, vec, _ in examples], dtype=np.float64)
    x = sparse.hstack([x_sparse, sparse.csr_matrix(dense), sparse.csr_matrix(np.ones((len(examples), 1)))]).tocsr()
    n, d = x.shape
    k = len(classes)
    y = np.zeros((n, k))
    y[np.arange(n), [cls_index[label] for _, _, label in examples]] = 1.0
    penalised = np.ones((d, 1))
    penalised[-1] = 0.0  # the bias is not shrunk

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        w = w.reshape(d, k)
        s = x @ w
        s -= s.max(axis=1, keepdims=True)
        p = np.exp(s)
        p /= p.sum(axis=1, keepdims=True)
        value = -float(np.sum(y * np.log(p + 1e-12))) / n + 0.5 * l2 / n * float(np.sum(penalised * w ** 2))
        grad = x.T @ (p - y) / n + l2 / n * penalised * w
        return value, np.asarray(grad).ravel()

    result = minimize(loss, np.zeros(d * k), jac=True, method="L-BFGS-B", options={"maxiter": max_iter})
    w = result.x.reshape(d, k)
    n_sparse = len(vocab)
    sparse_weights = {f: w[i] for f, i in index.items() if np.abs(w[i]).max() > 1e-3}
    return EventClassifier(classes, sparse_weights, w[n_sparse:n_sparse + dense.shape[1]], w[-1])


@cache
def load_classifier() -> EventClassifier | None:
    path = resources.files("detente.events") / "data" / MODEL_FILE
    if not path.is_file():
        return None
    return EventClassifier.load(str(path))
