"""Actor tables as data: countries, IGOs, non-state groups, office holders and role words.

Every table is a versioned TSV file under actors/data, loaded once. Users can add their own
table in the same shape as `custom.tsv` (see `load_custom`).
"""

from __future__ import annotations

import csv
import datetime as dt
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import Path

from detente.errors import InputError


@dataclass(frozen=True)
class ActorEntry:
    """One surface form that names an actor."""

    pattern: str
    code: str  # ISO3 for states and people, IGO code, or group code
    country: str | None
    sector: str | None
    name: str
    kind: str  # state | igo | group | person
    form: str = "name"  # name | adjective | capital | metonym | alias
    role: str | None = None
    start: dt.date | None = None
    end: dt.date | None = None

    def valid_on(self, day: dt.date | None) -> bool:
        if day is None:
            return True
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


def _rows(name: str) -> list[dict[str, str]]:
    path = resources.files("detente.actors") / "data" / name
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as fh:
        lines = [ln for ln in fh if not ln.startswith("#")]
    return [{k: (v or "").strip() for k, v in r.items()} for r in csv.DictReader(lines, delimiter="\t")]


def _split(value: str) -> list[str]:
    return [v.strip() for v in value.split("|") if v.strip()]


def _date(value: str) -> dt.date | None:
    return dt.date.fromisoformat(value) if value else None


def _clean(pattern: str) -> str:
    # "the Kremlin" and "Kremlin" are one pattern: the article is not part of the name.
    return pattern[4:] if pattern.lower().startswith("the ") else pattern


@cache
def country_entries() -> tuple[ActorEntry, ...]:
    out: list[ActorEntry] = []
    for r in _rows("countries.tsv"):
        iso, name = r["iso3"], r["name"]
        out.append(ActorEntry(name, iso, iso, None, name, "state"))
        out += [ActorEntry(_clean(a), iso, iso, None, name, "state", "alias") for a in _split(r["aliases"])]
        out += [ActorEntry(a, iso, iso, None, name, "state", "adjective") for a in _split(r["adjectives"])]
        out += [ActorEntry(a, iso, iso, "GOV", name, "state", "capital") for a in _split(r["capitals"])]
        for m in _split(r["metonyms"]):
            text, _, sector = m.partition(":")
            out.append(ActorEntry(_clean(text), iso, iso, sector or "GOV", name, "state", "metonym"))
    return tuple(out)


@cache
def country_names() -> dict[str, str]:
    return {r["iso3"]: r["name"] for r in _rows("countries.tsv")}


@cache
def country_regions() -> dict[str, str]:
    return {r["iso3"]: r["region"] for r in _rows("countries.tsv")}


@cache
def igo_entries() -> tuple[ActorEntry, ...]:
    out: list[ActorEntry] = []
    for r in _rows("igos.tsv"):
        sector = r.get("sector") or None
        for p in [r["name"], *_split(r["aliases"])]:
            out.append(ActorEntry(_clean(p), r["code"], None, sector, r["name"], "igo"))
    return tuple(out)


@cache
def igo_members() -> dict[str, frozenset[str]]:
    return {r["code"]: frozenset(_split(r["members"])) for r in _rows("igos.tsv")}


@cache
def group_entries() -> tuple[ActorEntry, ...]:
    out: list[ActorEntry] = []
    for r in _rows("groups.tsv"):
        for p in [r["name"], *_split(r["aliases"])]:
            out.append(ActorEntry(
                _clean(p), r["code"], r["country"] or None, r["sector"] or None, r["name"], "group",
                start=_date(r.get("start", "")), end=_date(r.get("end", "")),
            ))
    return tuple(out)


@cache
def halves() -> dict[str, tuple[str, str]]:
    """Halves of a divided country: word ("North") -> (country, the whole's name, "Korea")."""
    return {r["word"]: (r["country"], r["whole"]) for r in _rows("halves.tsv")}


@cache
def divided_countries() -> dict[str, tuple[str, ...]]:
    """The divided countries' names and their halves: "Korea" -> ("PRK", "KOR")."""
    out: dict[str, tuple[str, ...]] = {}
    for country, whole in halves().values():
        out[whole] = (*out.get(whole, ()), country)
    return out


@cache
def surname_first() -> frozenset[str]:
    """Countries whose people are named family name first ("Moon Jae-in" is Mr Moon)."""
    return frozenset(r["iso3"] for r in _rows("surname_first.tsv"))


def surnames(name: str, country: str | None) -> tuple[str, ...]:
    """What a person's name may shrink to later in a text: the last word, and the first too
    where names put the family first (some such names are written the Western way: "Lawrence
    Wong")."""
    words = name.split()
    if len(words) < 2:
        return ()
    return (words[-1], words[0]) if country in surname_first() else (words[-1],)


@cache
def leader_entries() -> tuple[ActorEntry, ...]:
    out: list[ActorEntry] = []
    for r in _rows("leaders.tsv"):
        country = r["country"]
        code, iso = (country, None) if country.startswith("IGO") else (country, country)
        for p in [r["name"], *_split(r["aliases"])]:
            out.append(ActorEntry(
                p, code, iso, "GOV", r["name"], "person", role=r["role"],
                start=_date(r["start"]), end=_date(r["end"]),
            ))
    return tuple(out)


@cache
def hyphenated_given_names() -> frozenset[str]:
    """Given names joined by a hyphen in the leaders table ("Jae-in", "Geun-hye", "Jong-un"): one
    token each, or the parser reads "Moon Jae - in and Xi Jinping" as a prepositional phrase."""
    return frozenset(w for e in leader_entries() for w in e.pattern.split()
                     if re.fullmatch(r"[A-Z][a-z]+-[a-z]+", w))


@cache
def place_entries() -> tuple[ActorEntry, ...]:
    """Cities and regions: where something happens, which places a role word in a country."""
    news = _rows("news_places.tsv")
    named = {r["place"] for r in news}
    rows = [r for r in _rows("places.tsv") if r["place"] not in named] + news
    return tuple(ActorEntry(r["place"], r["country"], r["country"] or None, None, r["place"], "place", "place")
                 for r in rows)


@cache
def sector_words() -> dict[str, str]:
    """Lower-case role word or phrase -> PLOVER sector code."""
    return {r["phrase"].lower(): r["sector"] for r in _rows("sectors.tsv")}


@cache
def code_names() -> dict[str, str]:
    """Any actor code (ISO3, IGO, group) -> canonical name."""
    names = dict(country_names())
    for e in igo_entries() + group_entries():
        names.setdefault(e.code, e.name)
    return names


def load_custom(path: str | Path) -> tuple[ActorEntry, ...]:
    """A user table: TSV with columns text, code, country, sector, name, kind[, start, end]."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8") as fh:
            rows = list(csv.DictReader(fh, delimiter="\t"))
    except OSError as exc:
        raise InputError(f"{path}: cannot read actor table ({exc.strerror or exc})") from None
    if not rows or not {"text", "code"} <= set(rows[0]):
        raise InputError(f"{path}: actor table needs a header with at least 'text' and 'code' columns")
    out = []
    for n, r in enumerate(rows, start=2):
        r = {k: (v or "").strip() for k, v in r.items() if k}
        if not r.get("text") or not r.get("code"):
            raise InputError(f"{path}:{n}: empty 'text' or 'code'")
        try:
            start, end = _date(r.get("start", "")), _date(r.get("end", ""))
        except ValueError:
            raise InputError(f"{path}:{n}: invalid start or end date (use YYYY-MM-DD)") from None
        out.append(ActorEntry(
            _clean(r["text"]), r["code"], r.get("country") or None, r.get("sector") or None,
            r.get("name") or r["text"], r.get("kind") or "group", start=start, end=end,
        ))
    return tuple(out)
