"""Alert rules: which turns in relations, and which spikes of events, deserve an alert.

Rules live in a small TOML file (`load_rules`); `evaluate` checks them on the dyads a watch
cycle touched and returns alert candidates, each with a stable id and its evidence events;
`fresh_alerts` keeps those not fired before, so an alert fires once per change.

- A change rule fires when a dyad's latest change point (`dyad_changes`: the turn the dyad is
  in now) has one of the rule's labels and at least its strength. The same change seen again
  in a later cycle, its start moved by up to SAME_CHANGE_DAYS as more reports came in, is the
  same alert.
- A spike rule fires when the events of one quad class in a dyad's latest period reach
  `min_events` and `factor` times their mean over the `baseline` periods before it; once per
  period.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from detente.analysis.changes import LABELS, dyad_changes
from detente.analysis.series import FREQS, check_code, dyad_name, dyad_series, pairs_sql
from detente.errors import DetenteError
from detente.ontology import QUAD_CLASSES
from detente.store import EventFilter, Store

TURNS = ("detente", "deterioration", "escalation")
SAME_CHANGE_DAYS = 92  # a change whose start moved by up to this is the one already alerted
N_EVIDENCE = 5
_RULE_KEYS = {"name", "dyads", "actors", "labels", "min_strength", "spike", "freq", "baseline", "factor", "min_events"}


@dataclass(frozen=True)
class Rule:
    name: str
    dyads: tuple[tuple[str, str], ...] = ()  # none and no actors: every dyad
    actors: tuple[str, ...] = ()
    labels: tuple[str, ...] = TURNS  # change rules
    min_strength: float = 0.0
    spike: str | None = None  # a quad class: this is a spike rule
    freq: str = "month"
    baseline: int = 6  # periods before the latest one
    factor: float = 3.0
    min_events: int = 3

    def matches(self, a: str, b: str) -> bool:
        if not self.dyads and not self.actors:
            return True
        return (a, b) in self.dyads or (b, a) in self.dyads or a in self.actors or b in self.actors


@dataclass(frozen=True)
class Rules:
    rules: tuple[Rule, ...] = (Rule(name="turns"),)
    webhook: str | None = None
    path: str | None = None


DEFAULT_RULES = Rules()


def load_rules(path: str | Path) -> Rules:
    """Rules from a TOML file; DetenteError (one line) for anything it cannot use."""
    name = str(path)
    try:
        data = tomllib.loads(Path(path).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise DetenteError(f"{name}: no such file") from None
    except (OSError, UnicodeDecodeError) as exc:
        raise DetenteError(f"{name}: cannot read ({exc})") from None
    except tomllib.TOMLDecodeError as exc:
        raise DetenteError(f"{name}: invalid TOML ({exc})") from None
    unknown = sorted(set(data) - {"webhook", "rule"})
    if unknown:
        raise DetenteError(f"{name}: unknown setting {unknown[0]!r} (use webhook and [[rule]] tables)")
    webhook = data.get("webhook")
    if webhook is not None and (not isinstance(webhook, str) or not webhook.startswith(("http://", "https://"))):
        raise DetenteError(f"{name}: webhook must be an http(s) URL")
    tables = data.get("rule", [])
    if not isinstance(tables, list) or not tables:
        raise DetenteError(f"{name}: no rules (add [[rule]] tables)")
    rules = [_rule(name, i, t) for i, t in enumerate(tables, start=1)]
    names = [r.name for r in rules]
    if len(set(names)) != len(names):
        raise DetenteError(f"{name}: two rules are named {next(n for n in names if names.count(n) > 1)!r}")
    return Rules(tuple(rules), webhook, name)


def _rule(path: str, number: int, table: Any) -> Rule:
    where = f"{path}: rule {number}"
    if not isinstance(table, dict):
        raise DetenteError(f"{where}: not a table")
    unknown = sorted(set(table) - _RULE_KEYS)
    if unknown:
        raise DetenteError(f"{where}: unknown key {unknown[0]!r} (use {', '.join(sorted(_RULE_KEYS))})")
    name = table.get("name", f"rule {number}")
    if not isinstance(name, str) or not name.strip():
        raise DetenteError(f"{where}: name must be text")
    where = f"{path}: rule {name!r}"

    def strings(key: str) -> list[str]:
        value = table.get(key, [])
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise DetenteError(f"{where}: {key} must be a list of text")
        return value

    try:
        dyads = []
        for text in strings("dyads"):
            parts = text.replace(" ", "").split("-")
            if len(parts) != 2:
                raise DetenteError(f"dyad {text!r}: write two actors as A-B (RUS-PAK)")
            a, b = check_code(parts[0]), check_code(parts[1])
            if a == b:
                raise DetenteError(f"dyad {text!r} needs two different actors")
            dyads.append((a, b))
        actors = tuple(check_code(c) for c in strings("actors"))
    except DetenteError as exc:
        raise DetenteError(f"{where}: {exc}") from None
    labels = tuple(strings("labels")) or TURNS
    for label in labels:
        if label not in LABELS:
            raise DetenteError(f"{where}: unknown label {label!r}; use {', '.join(LABELS)}")
    spike = table.get("spike")
    if spike is not None and spike not in QUAD_CLASSES:
        raise DetenteError(f"{where}: spike must be a quad class ({', '.join(QUAD_CLASSES)})")
    if spike is not None and "labels" in table:
        raise DetenteError(f"{where}: a rule has labels (a change) or spike (a quad class), not both")
    freq = table.get("freq", "week" if spike else "month")
    if freq not in FREQS:
        raise DetenteError(f"{where}: freq must be one of {', '.join(FREQS)}")

    def number_of(key: str, default: float, kind: type, low: float) -> Any:
        value = table.get(key, default)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or (kind is int and not isinstance(value, int)):
            raise DetenteError(f"{where}: {key} must be {'a whole number' if kind is int else 'a number'}")
        if value < low:
            raise DetenteError(f"{where}: {key} must be at least {low:g}")
        return kind(value)

    return Rule(name=name.strip(), dyads=tuple(dyads), actors=actors, labels=labels,
                min_strength=number_of("min_strength", 0.0, float, 0.0), spike=spike, freq=freq,
                baseline=number_of("baseline", 6 if freq != "week" else 8, int, 1),
                factor=number_of("factor", 3.0, float, 0.0), min_events=number_of("min_events", 3, int, 1))


# -- evaluation ------------------------------------------------------------------------------------

def ingest_mark(store: Store) -> str:
    """When the store's newest document was stored (ISO), '' for none: the point from which the
    next evaluation looks for touched dyads."""
    last = store.con.execute("SELECT max(ingested_at) FROM documents").fetchone()[0]
    return last.isoformat() if last is not None else ""


def touched_dyads(store: Store, since: str) -> list[tuple[str, str]]:
    """The dyads of the events of documents stored after `since` (ISO time; '' for all)."""
    where, params = "", []
    if since:
        where, params = " WHERE doc_id IN (SELECT doc_id FROM documents WHERE ingested_at > ?)", [
            dt.datetime.fromisoformat(since)]
    rows = store.con.execute(f"SELECT DISTINCT a, b FROM ({pairs_sql('reports', where)}) ORDER BY a, b",
                             params).fetchall()
    return [(str(a), str(b)) for a, b in rows]


def _id(*parts: Any) -> str:
    return hashlib.sha1("|".join(str(p) for p in parts).encode("utf-8")).hexdigest()[:20]


def _num(value: Any) -> float | None:
    return None if value is None else round(float(value), 4)


def evaluate(store: Store, rules: Rules, dyads: list[tuple[str, str]]) -> list[dict[str, Any]]:
    """Alert candidates (rows of the alerts table, without times) for `dyads`, in rule and dyad order."""
    found: list[dict[str, Any]] = []
    changes: dict[tuple[str, str, str], list[dict[str, Any]]] = {}
    for rule in rules.rules:
        for a, b in dyads:
            if not rule.matches(a, b):
                continue
            if rule.spike:
                row = _spike(store, rule, a, b)
            else:
                key = (a, b, rule.freq)
                if key not in changes:
                    changes[key] = dyad_changes(store, a, b, rule.freq, n_evidence=N_EVIDENCE)
                row = _change(rule, changes[key])
            if row is not None:
                found.append({**row, "webhook": rules.webhook})
    return found


def _change(rule: Rule, changes: list[dict[str, Any]]) -> dict[str, Any] | None:
    if not changes:
        return None
    c = changes[-1]  # the turn the dyad is in now; earlier ones are its history
    if c.get("opening") or c["label"] not in rule.labels or c["strength"] < rule.min_strength:
        # a series that opens with a crisis was in it when the watch began: no turn was seen
        return None
    message = (f"{c['label']} {c['dyad']} from {c['start_period']}: index {c['before']:+.2f} -> {c['after']:+.2f}, "
               f"strength {c['strength']:.2f}, {c['events_after']} events since")
    return {"id": _id("change", rule.name, c["dyad"], c["label"], c["start"]), "rule": rule.name, "kind": "change",
            "dyad": c["dyad"], "a": c["a"], "b": c["b"], "label": c["label"], "period": c["start_period"],
            "start": dt.date.fromisoformat(c["start"]), "before": _num(c["before"]), "after": _num(c["after"]),
            "strength": _num(c["strength"]), "n_events": int(c["events_after"]), "baseline": None,
            "message": message, "evidence": json.dumps(c["evidence"], ensure_ascii=False, default=str)}


def _spike(store: Store, rule: Rule, a: str, b: str) -> dict[str, Any] | None:
    series = dyad_series(store, a, b, rule.freq)
    if series.empty:
        return None
    quad = rule.spike or ""
    last = series.iloc[-1]
    n = int(last[quad])
    before = series.iloc[max(0, len(series) - 1 - rule.baseline):-1][quad]
    # The baseline counts the quiet periods as 0; a dyad with no history has a baseline of 0.
    mean = float(before.sum()) / rule.baseline
    if n < rule.min_events or n < rule.factor * mean:
        return None
    start, end = last["start"], last["end"]
    flt = EventFilter.counted(dyad=(a, b))
    flt.quad_class, flt.date_from, flt.date_to = [quad], start, end
    evidence = [{k: e[k] for k in ("id", "date", "event_type", "plover_score", "quad_class", "trigger", "sentence",
                                   "doc_id")} | {"actor": [x["code"] for x in e["actor"]],
                                                 "recipient": [x["code"] for x in e["recipient"]]}
                for e in store.events(flt, limit=N_EVIDENCE, order="strongest")]
    dyad = dyad_name(a, b)
    message = (f"{quad.replace('_', ' ')} spike {dyad} in {last['label']}: {n} events against {mean:.1f} per "
               f"{rule.freq} in the {rule.baseline} before")
    return {"id": _id("spike", rule.name, dyad, quad, last["label"]), "rule": rule.name, "kind": "spike",
            "dyad": dyad, "a": a, "b": b, "label": quad, "period": str(last["label"]), "start": start,
            "before": None, "after": None, "strength": None, "n_events": n, "baseline": round(mean, 4),
            "message": message, "evidence": json.dumps(evidence, ensure_ascii=False, default=str)}


def fresh_alerts(candidates: list[dict[str, Any]], fired: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The candidates that are not alerts fired before: not the same id, and for a change not the
    same rule, dyad and label with a start at most SAME_CHANGE_DAYS away."""
    ids = {f["id"] for f in fired}
    changes = [f for f in fired if f.get("kind") == "change"]
    out: list[dict[str, Any]] = []
    for c in candidates:
        if c["id"] in ids:
            continue
        if c["kind"] == "change" and any(
                f["rule"] == c["rule"] and f["dyad"] == c["dyad"] and f["label"] == c["label"]
                and f["start"] is not None and abs((f["start"] - c["start"]).days) <= SAME_CHANGE_DAYS
                for f in changes + [o for o in out if o["kind"] == "change"]):
            continue
        ids.add(c["id"])
        out.append(c)
    return out


def alert_record(row: dict[str, Any]) -> dict[str, Any]:
    """A stored alert as JSON-ready data (the webhook payload, `detente alerts --json`, /api/alerts)."""
    out: dict[str, Any] = {}
    for key, value in row.items():
        if key == "evidence":
            value = json.loads(value) if isinstance(value, str) else (value or [])
        elif isinstance(value, (dt.date, dt.datetime)):
            value = value.isoformat()
        out[key] = value
    return out
