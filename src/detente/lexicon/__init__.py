"""The coder's own dictionaries: trigger words and phrases, context keywords, modality cues."""

from __future__ import annotations

import csv
from collections import defaultdict
from dataclasses import dataclass
from functools import cache
from importlib import resources

from detente.ontology import EVENT_TYPES


@dataclass(frozen=True)
class TriggerRule:
    """One lexicon row: a predicate (and optional particle and object words) -> PLOVER/CAMEO."""

    lemma: str
    particle: str | None
    pos: str  # VERB or NOUN
    event: str | None  # None for reporting and light verbs with no meaning of their own
    mode: str | None
    cameo: str | None
    objects: frozenset[str] | None
    preps: tuple[str, ...]
    flags: frozenset[str]
    context: str | None

    @property
    def specificity(self) -> int:
        return (2 if self.objects else 0) + (1 if self.particle else 0)


def _rows(name: str) -> list[dict[str, str]]:
    path = resources.files("detente.lexicon") / name
    with path.open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if ln.strip() and not ln.startswith("#")]
    return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(lines, delimiter="\t")]


@cache
def triggers() -> dict[tuple[str, str], tuple[TriggerRule, ...]]:
    """(pos, head lemma) -> rules, most specific first."""
    table: dict[tuple[str, str], list[TriggerRule]] = defaultdict(list)
    for r in _rows("triggers.tsv"):
        words = r["lemma"].split()
        pos = {"V": "VERB", "N": "NOUN", "A": "ADJ"}[r["pos"].upper()[:1]]
        particle = " ".join(words[1:]) if pos != "NOUN" and len(words) > 1 else None
        lemma = words[0] if pos != "NOUN" else words[-1]
        objects = frozenset(w for o in r["objects"].split("|") if o.strip() for w in _expand(o.strip())) or None
        if pos == "NOUN" and len(words) > 1:
            objects = (objects or frozenset()) | {" ".join(words[:-1])}
        event = r["event"] or None
        if event is not None and event not in EVENT_TYPES:
            raise ValueError(f"triggers.tsv: unknown event type {event!r} for {r['lemma']!r}")
        table[(pos, lemma)].append(TriggerRule(
            lemma=lemma, particle=particle, pos=pos, event=event, mode=r["mode"] or None,
            cameo=r["cameo"] or None, objects=objects,
            preps=tuple(p for p in r["preps"].split("|") if p), flags=frozenset(f for f in r["flags"].split(",") if f),
            context=r.get("context") or None,
        ))
    return {k: tuple(sorted(v, key=lambda t: -t.specificity)) for k, v in table.items()}


def _expand(entry: str) -> set[str]:
    """One objects entry: a word, an @class of cues.tsv, or words joined by '+' that must all occur."""
    if "+" in entry:
        parts = [sorted(_expand(p)) for p in entry.split("+")]
        combos = [""]
        for options in parts:
            combos = [f"{c}+{o}" if c else o for c in combos for o in options]
        return set(combos)
    return set(cue_words()[entry[1:]]) if entry.startswith("@") else {entry}


@cache
def context_keywords() -> dict[str, str]:
    """Lower-case lemma or phrase -> PLOVER context."""
    return {r["keyword"].lower(): r["context"] for r in _rows("contexts.tsv")}


@cache
def cue_words() -> dict[str, frozenset[str]]:
    """Modality cue sets by name (negation, hypothetical, future, hedge, historical)."""
    cues: dict[str, set[str]] = defaultdict(set)
    for r in _rows("cues.tsv"):
        cues[r["cue"]].add(r["word"].lower())
    return {k: frozenset(v) for k, v in cues.items()}
