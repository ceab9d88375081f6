"""Actors by name: every name and alias of the actor tables (states, capitals, metonyms, IGOs,
groups, office holders), so that "Russia", "Kremlin", "Putin" or "Hamas" lead to the code the
coder gives them (RUS, RUSGOV, RUSGOV, HAMAS)."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import cache

KIND_ORDER = {"state": 0, "igo": 1, "group": 2, "person": 3, "code": 4}
SECTOR_NAMES = {
    "GOV": "government", "MIL": "military", "REB": "rebels", "OPP": "opposition", "CVL": "civilians",
    "COP": "police", "JUD": "judiciary", "LEG": "legislature", "SPY": "intelligence", "BUS": "business",
    "LAB": "labour", "REL": "religious", "CRM": "criminals", "JRN": "media", "EDU": "education", "MED": "medical",
    "AGR": "agriculture", "REF": "refugees", "PTY": "parties", "ELI": "elites", "UAF": "unidentified armed forces",
    "SOC": "society", "PRM": "paramilitary",
}
_CODE = re.compile(r"[A-Z][A-Z0-9_]{1,31}")
_SUFFIX = re.compile(r"\(([A-Za-z][A-Za-z0-9_]{1,31})\)\s*$")


def fold(text: str) -> str:
    """Lower case, no accents, no punctuation: "Côte d'Ivoire" -> 'cote divoire'."""
    text = unicodedata.normalize("NFKD", text)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = text.replace(".", "").replace("'", "").replace("\u2019", "")  # U.S. -> us, d'Ivoire -> divoire
    return " ".join(re.sub(r"[^\w]+", " ", text).split())


@dataclass(frozen=True)
class Name:
    """One name that leads to a code."""

    key: str  # folded
    text: str  # as written in the table
    code: str
    display: str  # what the result is called: the actor's name, or the person
    kind: str
    note: str | None = None


@cache
def names() -> tuple[Name, ...]:
    from detente.actors import tables

    countries = tables.country_names()
    out: list[Name] = []
    for e in tables.country_entries():
        if e.form == "metonym" and e.sector:  # the Kremlin, the Duma: the state's government, legislature ...
            note = f"{SECTOR_NAMES.get(e.sector, e.sector)} of {e.name}"
            out.append(Name(fold(e.pattern), e.pattern, e.code + e.sector, f"{e.pattern} ({note})", "state", note))
        else:
            out.append(Name(fold(e.pattern), e.pattern, e.code, e.name, "state"))
    for e in tables.igo_entries():
        out.append(Name(fold(e.pattern), e.pattern, e.code, e.name, "igo"))
    for e in tables.group_entries():
        note = " · ".join(x for x in (countries.get(e.country or "", ""), SECTOR_NAMES.get(e.sector or "", "")) if x)
        out.append(Name(fold(e.pattern), e.pattern, e.code, e.name, "group", note or None))
    terms: dict[tuple[str, str], list] = {}
    for e in tables.leader_entries():
        terms.setdefault((e.name, e.code), []).append(e)
    for (person, code), entries in terms.items():
        latest = max(entries, key=lambda e: (e.end is None, e.end or e.start, e.start))
        place = countries.get(code) or tables.code_names().get(code, code)
        role = (latest.role or "office").replace("_", " ")
        since = f"{latest.start.year}" if latest.start else ""
        note = f"{role} of {place}" + (f", {since}–{latest.end.year if latest.end else ''}" if since else "")
        target = code + "GOV" if code in countries else code
        for pattern in {e.pattern for e in entries}:
            out.append(Name(fold(pattern), pattern, target, person, "person", note))
    return tuple(n for n in out if n.key)


def describe(code: str) -> dict[str, str | None]:
    """What a code stands for: its party (the country, IGO or group its dyads belong to), sector,
    name and kind."""
    from detente.actors import tables

    countries = tables.country_names()
    known = tables.code_names()
    if code in countries:
        return {"code": code, "party": code, "sector": None, "name": countries[code], "kind": "state"}
    if code in known:
        kind = "igo" if code.startswith("IGO") else "group"
        return {"code": code, "party": code, "sector": None, "name": known[code], "kind": kind}
    head, tail = code[:3], code[3:]
    if head in countries and tail in SECTOR_NAMES:
        return {"code": code, "party": head, "sector": tail,
                "name": f"{countries[head]}: {SECTOR_NAMES[tail]}", "kind": "state"}
    return {"code": code, "party": code, "sector": None, "name": code, "kind": "code"}


def aliases(code: str, limit: int = 12) -> list[str]:
    """Other names of a code, as the tables write them."""
    seen: dict[str, None] = {}
    for n in names():
        if n.code == code and n.kind != "person" and n.text != describe(code)["name"]:
            seen.setdefault(n.text, None)
    return list(seen)[:limit]


def search(q: str, counts: dict[str, int], limit: int = 10) -> list[dict[str, object]]:
    """Actors whose name or alias matches `q`: exact names first, then names starting with it, then
    words starting with it, then names containing it; among equals, those with more events here."""
    key = fold(q)
    if not key:
        return []
    best: dict[tuple[str, str], tuple[int, Name]] = {}
    for n in names():
        if n.key == key:
            rank = 0
        elif n.key.startswith(key):
            rank = 1
        elif f" {key}" in f" {n.key}":
            rank = 2
        elif len(key) >= 3 and key in n.key:
            rank = 3
        else:
            continue
        slot = (n.code, n.display)
        if slot not in best or (rank, len(n.text)) < (best[slot][0], len(best[slot][1].text)):
            best[slot] = (rank, n)
    code = q.strip().upper()
    if _CODE.fullmatch(code) and code in counts and not any(c == code for c, _ in best):
        info = describe(code)
        best[(code, str(info["name"]))] = (0, Name(key, code, code, str(info["name"]), str(info["kind"])))
    ranked = sorted(best.values(), key=lambda rn: (rn[0], -counts.get(rn[1].code, 0), KIND_ORDER.get(rn[1].kind, 9),
                                                   len(rn[1].display), rn[1].display))
    return [{"code": n.code, "name": n.display, "kind": n.kind, "matched": n.text, "note": n.note,
             "events": counts.get(n.code, 0)} for _, n in ranked[:limit]]


def resolve(q: str, counts: dict[str, int]) -> str | None:
    """The one code a query names: 'Name (CODE)' as the suggestions write it, a code in use, or a
    name or alias that leads to a single code."""
    text = q.strip()
    suffix = _SUFFIX.search(text)
    if suffix:
        return suffix.group(1).upper()
    if _CODE.fullmatch(text.upper()) and text.upper() in counts and text == text.upper():
        return text.upper()
    key = fold(text)
    exact = {n.code for n in names() if n.key == key}
    return exact.pop() if len(exact) == 1 else None


def top(counts: dict[str, int], limit: int = 40) -> list[dict[str, object]]:
    """The actors (countries, IGOs, groups) with most events in the store."""
    from detente.actors import tables

    parties = set(tables.country_names()) | set(tables.code_names())
    ranked = sorted(((n, c) for c, n in counts.items() if c in parties), key=lambda x: (-x[0], x[1]))[:limit]
    return [{"code": c, "name": describe(c)["name"], "kind": describe(c)["kind"], "matched": c, "note": None,
             "events": n} for n, c in ranked]
