"""PLOVER and CAMEO tables as data: event types, modes, quad classes, scores."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import cache
from importlib import resources

EVENT_TYPES: tuple[str, ...] = (
    "AGREE", "CONSULT", "SUPPORT", "CONCEDE", "COOPERATE", "AID", "RETREAT", "REQUEST",
    "ACCUSE", "REJECT", "THREATEN", "PROTEST", "SANCTION", "MOBILIZE", "COERCE", "ASSAULT",
)
QUAD_CLASSES: tuple[str, ...] = (
    "verbal_cooperation", "material_cooperation", "verbal_conflict", "material_conflict",
)
# Older PLOVER drafts and gold files use these names.
LEGACY_NAMES: dict[str, str] = {
    "DEMAND": "REQUEST", "DISAPPROVE": "ACCUSE", "INVESTIGATE": "ACCUSE", "FIGHT": "ASSAULT",
    "YIELD": "CONCEDE", "EXHIBIT FORCE POSTURE": "MOBILIZE", "REDUCE RELATIONS": "SANCTION",
}


@dataclass(frozen=True)
class EventType:
    name: str
    quad_class: str
    score: float
    cameo: str
    requires_recipient: bool
    description: str


@dataclass(frozen=True)
class CameoCode:
    code: str
    name: str
    goldstein: float | None
    plover_event: str | None
    plover_mode: str | None


def _rows(name: str) -> list[dict[str, str]]:
    path = resources.files("detente.ontology") / "data" / name
    with path.open(encoding="utf-8") as fh:
        return list(csv.DictReader(fh, delimiter="\t"))


@cache
def event_types() -> dict[str, EventType]:
    return {
        r["event"]: EventType(
            r["event"], r["quad_class"], float(r["score"]), r["cameo"],
            r["requires_recipient"] == "yes", r["description"],
        )
        for r in _rows("plover.tsv")
    }


@cache
def modes() -> dict[tuple[str, str], tuple[float, str]]:
    """(event, mode) -> (PLOVER score, default CAMEO code)."""
    return {(r["event"], r["mode"]): (float(r["score"]), r["cameo"]) for r in _rows("modes.tsv")}


@cache
def cameo_codes() -> dict[str, CameoCode]:
    return {
        r["code"]: CameoCode(
            r["code"], r["name"], float(r["goldstein"]) if r["goldstein"] else None,
            r["plover_event"] or None, r["plover_mode"] or None,
        )
        for r in _rows("cameo.tsv")
    }


def normalize_event_type(name: str | None) -> str | None:
    """Map a gold or user event name (any case, legacy names) to a PLOVER type, or None."""
    if not name:
        return None
    key = str(name).strip().upper()
    if key in ("", "NONE", "NULL", "NO_EVENT", "NOEVENT"):
        return None
    key = LEGACY_NAMES.get(key, key)
    return key if key in EVENT_TYPES else None


def quad_class(event: str) -> str:
    return event_types()[event].quad_class


def plover_score(event: str, mode: str | None) -> float:
    if mode and (event, mode) in modes():
        return modes()[(event, mode)][0]
    return event_types()[event].score


def default_cameo(event: str, mode: str | None) -> str:
    if mode and (event, mode) in modes():
        return modes()[(event, mode)][1]
    return event_types()[event].cameo


def goldstein(cameo: str) -> float | None:
    code = cameo_codes().get(cameo)
    while code is None and len(cameo) > 2:
        cameo = cameo[:-1]
        code = cameo_codes().get(cameo)
    return code.goldstein if code else None


def cameo_quad_class(cameo: str) -> str:
    """GDELT convention: 01-05 verbal coop, 06-09 material coop, 10-14 verbal conflict, 15-20."""
    root = int(cameo[:2])
    if root <= 5:
        return QUAD_CLASSES[0]
    if root <= 9:
        return QUAD_CLASSES[1]
    if root <= 14:
        return QUAD_CLASSES[2]
    return QUAD_CLASSES[3]
