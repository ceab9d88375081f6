"""Event confidence: the probability that an event is real and of the right type.

The coder's raw score (how specific the matching rule was, whether the predicate is a noun or
deep in the sentence, whether arguments were found, the classifier's probability for learned
events) is combined with the event's type, its arguments and flags in a small logistic model
fitted on the project's own fresh gold (`detente train`), then calibrated on real news text by
Platt scaling (two numbers fitted on the real-text dev split, `detente train --calibrate`), so
that `--min-confidence 0.7` keeps events of which about 70% are right
(benchmarks/accuracy.md has the reliability table on the check split).
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from detente.models import Event

MODEL_FILE = "confidence.json"
FORMAT = "detente-confidence/1"


def confidence_features(ev: Event, raw: float, n_events: int) -> dict[str, float]:
    """Features of one finished event; `raw` is the coder's heuristic score, `n_events` the
    events coded in its sentence."""
    feats = {"raw": raw, f"type={ev.event_type}": 1.0, f"events={min(n_events, 3)}": 1.0,
             f"trigger_words={min(len(ev.trigger.split()), 3)}": 1.0}
    for flag in ("negated", "hypothetical", "future", "historical"):
        if getattr(ev, flag):
            feats[flag] = 1.0
    if not ev.actor:
        feats["no_actor"] = 1.0
    if not ev.recipient:
        feats["no_recipient"] = 1.0
    if any(a.kind == "role" for a in ev.actor):
        feats["role_actor"] = 1.0
    return feats


def _sigmoid(x: float) -> float:
    return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, x))))


@dataclass
class ConfidenceModel:
    weights: dict[str, float]
    bias: float
    platt: tuple[float, float] = (1.0, 0.0)  # a, b: calibrated = sigmoid(a * logit + b)

    def logit(self, feats: dict[str, float]) -> float:
        return self.bias + sum(self.weights.get(f, 0.0) * v for f, v in feats.items())

    def probability(self, feats: dict[str, float]) -> float:
        a, b = self.platt
        return _sigmoid(a * self.logit(feats) + b)

    def save(self, path: str | Path) -> None:
        data = {"format": FORMAT, "bias": round(self.bias, 5), "platt": [round(x, 5) for x in self.platt],
                "weights": {f: round(w, 5) for f, w in sorted(self.weights.items())}}
        Path(path).write_text(json.dumps(data, indent=1, sort_keys=True) + "\n", encoding="utf-8")

    @classmethod
    def load(cls, path: str | Path) -> ConfidenceModel:
        data = json.loads(Path(path).read_text(encoding="utf-8"))
        if data.get("format") != FORMAT:
            raise ValueError(f"{path}: not a {FORMAT} file")
        return cls(data["weights"], data["bias"], tuple(data["platt"]))


def _fit_logistic(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    from scipy.optimize import minimize

    n, d = x.shape
    penalised = np.ones(d)
    penalised[-1] = 0.0

    def loss(w: np.ndarray) -> tuple[float, np.ndarray]:
        z = np.clip(x @ w, -30, 30)
        p = 1.0 / (1.0 + np.exp(-z))
        value = -float(np.mean(y * np.log(p + 1e-12) + (1 - y) * np.log(1 - p + 1e-12))) + \
            0.5 * l2 / n * float(np.sum(penalised * w * w))
        return value, x.T @ (p - y) / n + l2 / n * penalised * w

    return minimize(loss, np.zeros(d), jac=True, method="L-BFGS-B").x


def fit(examples: list[tuple[dict[str, float], bool]], l2: float = 1.0) -> ConfidenceModel:
    """Fit the model on (features, event right) pairs; deterministic."""
    names = sorted({f for feats, _ in examples for f in feats})
    index = {f: i for i, f in enumerate(names)}
    x = np.zeros((len(examples), len(names) + 1))
    for row, (feats, _) in enumerate(examples):
        for f, v in feats.items():
            x[row, index[f]] = v
    x[:, -1] = 1.0
    w = _fit_logistic(x, np.array([float(ok) for _, ok in examples]), l2)
    return ConfidenceModel({f: float(w[i]) for f, i in index.items()}, float(w[-1]))


def fit_platt(model: ConfidenceModel, examples: list[tuple[dict[str, float], bool]]) -> tuple[float, float]:
    """Two numbers that map the model's logit to calibrated probabilities on other text."""
    x = np.array([[model.logit(feats), 1.0] for feats, _ in examples])
    y = np.array([float(ok) for _, ok in examples])
    a, b = _fit_logistic(x, y, l2=1e-6)
    return float(a), float(b)


@cache
def load_confidence() -> ConfidenceModel | None:
    path = resources.files("detente.events") / "data" / MODEL_FILE
    return ConfidenceModel.load(str(path)) if path.is_file() else None
