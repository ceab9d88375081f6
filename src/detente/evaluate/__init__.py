"""Score the coder against gold records (PLOVER gold-standard style)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from detente.actors.tables import group_entries, igo_entries
from detente.errors import InputError
from detente.models import Document, Event
from detente.ontology import EVENT_TYPES, normalize_event_type, quad_class

NONE = "NONE"


@dataclass
class GoldRecord:
    id: str
    text: str
    event: str | None
    actor: list[str]
    recipient: list[str]
    date: dt.date | None = None
    mode: str | None = None
    negated: bool = False
    hypothetical: bool = False
    quad: str | None = None  # a sentence-level quad label given with the text (CAMEO convention)


SPLITS = ("all", "dev", "check")


def split_of(record_id: str) -> str:
    """'check' for a fixed third of the ids (by hash), kept apart from error reading; else 'dev'."""
    return "check" if int(hashlib.sha1(record_id.encode("utf-8")).hexdigest(), 16) % 3 == 0 else "dev"


def in_split(record_id: str, split: str) -> bool:
    if split not in SPLITS:
        raise InputError(f"unknown split {split!r}; use one of {', '.join(SPLITS)}")
    return split == "all" or split_of(record_id) == split


def _entity_keys(items: Any) -> list[str]:
    """Gold entity list -> comparable keys: ISO3 country, IGO code or group code."""
    if not items:
        return []
    if isinstance(items, (str, dict)):
        items = [items]
    keys: list[str] = []
    for item in items:
        code = item.get("code") if isinstance(item, dict) else item
        if not code:
            continue
        keys.append(_key(str(code)))
    return keys


_ORG_CODES: set[str] = set()


def _key(code: str) -> str:
    code = code.strip().upper()
    if not _ORG_CODES:
        _ORG_CODES.update(e.code for e in igo_entries() + group_entries())
    if code in _ORG_CODES or code.startswith("IGO"):
        return code
    return code[:3]


def _read_json_items(path: Path, what: str) -> list[tuple[str, Any]]:
    """(location, value) of every item in a JSON list, JSON Lines, or records one after another."""
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(f"{path}: cannot read {what} ({exc.strerror or exc})") from None
    except UnicodeDecodeError:
        raise InputError(f"{path}: {what} is not UTF-8") from None
    items: list[tuple[str, Any]] = []
    decoder = json.JSONDecoder()
    pos = 0
    while True:
        while pos < len(raw) and raw[pos] in " \t\r\n,":
            pos += 1
        if pos >= len(raw):
            break
        line = raw.count("\n", 0, pos) + 1
        try:
            value, pos = decoder.raw_decode(raw, pos)
        except json.JSONDecodeError as exc:
            raise InputError(f"{path}:{line}: malformed JSON ({exc.msg})") from None
        except RecursionError:
            raise InputError(f"{path}:{line}: JSON nested too deeply") from None
        if isinstance(value, dict) and "text" not in value and "sentence" not in value and "id" not in value:
            value = next((v for v in value.values() if isinstance(v, list)), value)
        if isinstance(value, list):
            items += [(f"{path}:{line} item {i + 1}", x) for i, x in enumerate(value)]
        else:
            items.append((f"{path}:{line}", value))
    return items


def read_texts(path: str | Path) -> dict[str, dict[str, Any]]:
    """id -> record of a text file (JSON Lines with `id` and `text`, optional `quad`)."""
    path = Path(path)
    texts: dict[str, dict[str, Any]] = {}
    for where, obj in _read_json_items(path, "text file"):
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str) or "id" not in obj:
            raise InputError(f"{where}: text record needs an 'id' and a 'text' string")
        texts[str(obj["id"])] = obj
    if not texts:
        raise InputError(f"{path}: no text records")
    return texts


def read_gold(path: str | Path, texts: dict[str, dict[str, Any]] | None = None) -> list[GoldRecord]:
    """Read a JSON list or JSON Lines of gold records.

    With `texts` (from read_texts), records are labels keyed by `id` and take their text (and
    any sentence-level `quad` label) from there: the labels can live apart from text that may
    not be copied.
    """
    path = Path(path)
    records = []
    for where, obj in _read_json_items(path, "gold file"):
        if texts is not None and isinstance(obj, dict):
            joined = texts.get(str(obj.get("id")))
            if joined is None:
                raise InputError(f"{where}: no text with id {obj.get('id')!r} in the text file")
            obj = {"quad": joined.get("quad"), **obj, "text": joined["text"]}
        if isinstance(obj, dict) and not isinstance(obj.get("text"), str) and isinstance(obj.get("sentence"), str):
            obj = {**obj, "text": obj["sentence"]}
        if not isinstance(obj, dict) or not isinstance(obj.get("text"), str):
            raise InputError(f"{where}: gold record needs a 'text' string (or give --text FILE to join texts by id)")
        event = obj.get("event", obj.get("event_type"))
        if isinstance(event, list):
            event = event[0] if event else None
        raw_date = obj.get("date") or obj.get("pub_date")
        try:
            day = dt.date.fromisoformat(str(raw_date)[:10]) if raw_date else None
        except ValueError:
            day = None
        records.append(GoldRecord(
            id=str(obj.get("id", len(records))), text=obj["text"], event=normalize_event_type(event),
            actor=_entity_keys(obj.get("actor", obj.get("source"))),
            recipient=_entity_keys(obj.get("recipient", obj.get("target"))),
            date=day, mode=obj.get("mode"), negated=bool(obj.get("negated")),
            hypothetical=bool(obj.get("hypothetical")), quad=obj.get("quad"),
        ))
    if not records:
        raise InputError(f"{path}: no gold records")
    return records


def read_quads(path: str | Path) -> list[GoldRecord]:
    """Records of a text file that carries sentence-level quad labels only (no PLOVER labels)."""
    texts = read_texts(path)
    records = [GoldRecord(id=i, text=t["text"], event=None, actor=[], recipient=[], quad=t.get("quad"))
               for i, t in texts.items()]
    if not any(r.quad for r in records):
        raise InputError(f"{path}: no 'quad' labels to score")
    return records


def _pred_keys(actors: list[Any]) -> list[list[str]]:
    """Each predicted actor as the keys it may match: code, country, code prefix."""
    out = []
    for a in actors:
        keys = {a.code.upper(), a.code[:3].upper()}
        if a.country:
            keys.add(a.country)
        out.append(sorted(keys))
    return out


def _match(gold: list[str], pred: list[list[str]]) -> bool:
    """Set match: every gold entity found among the predicted ones and nothing extra."""
    if len(set(gold)) != len(pred):
        return False
    remaining = list(pred)
    for g in dict.fromkeys(gold):
        hit = next((p for p in remaining if g in p), None)
        if hit is None:
            return False
        remaining.remove(hit)
    return True


@dataclass
class Scores:
    n: int = 0
    counts: dict[str, Counter] = field(default_factory=lambda: defaultdict(Counter))
    confusion: Counter = field(default_factory=Counter)
    typed: int = 0
    type_ok: int = 0
    quad_ok: int = 0
    actor_n: int = 0
    actor_ok: int = 0
    recipient_n: int = 0
    recipient_ok: int = 0
    all_ok: int = 0
    no_event_pred: int = 0
    gold_none: int = 0
    none_coded: int = 0
    missed: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        def ratio(a: int, b: int) -> float | None:
            return round(a / b, 4) if b else None

        per_type = {}
        for t in EVENT_TYPES:
            c = self.counts[t]
            p = ratio(c["tp"], c["tp"] + c["fp"])
            r = ratio(c["tp"], c["tp"] + c["fn"])
            f = round(2 * p * r / (p + r), 4) if p and r else 0.0
            per_type[t] = {"precision": p, "recall": r, "f1": f, "support": c["tp"] + c["fn"]}
        return {
            "records": self.n,
            "event_type_accuracy": ratio(self.type_ok, self.typed),
            "quad_class_accuracy": ratio(self.quad_ok, self.typed),
            "actor_country_accuracy": ratio(self.actor_ok, self.actor_n),
            "recipient_country_accuracy": ratio(self.recipient_ok, self.recipient_n),
            "all_three_accuracy": ratio(self.all_ok, self.typed),
            "no_event_share": ratio(self.no_event_pred, self.n),
            "missed_event_share": ratio(self.missed, self.typed),
            "no_event_coded_share": ratio(self.none_coded, self.gold_none),
            "macro_f1": round(sum(v["f1"] for v in per_type.values() if v["support"]) /
                              max(1, sum(1 for v in per_type.values() if v["support"])), 4),
            "per_type": per_type,
            "confusion": {f"{g}->{p}": n for (g, p), n in sorted(self.confusion.items())},
        }


def primary_event(events: list[Event]) -> Event | None:
    """The event a sentence-level gold record is compared with: the coder's first (primary) one."""
    return events[0] if events else None


def score(records: list[GoldRecord], predictions: dict[str, list[Event]]) -> Scores:
    s = Scores()
    for rec in records:
        s.n += 1
        pred = primary_event(predictions.get(rec.id, []))
        p_type = pred.event_type if pred else None
        s.confusion[(rec.event or NONE, p_type or NONE)] += 1
        if pred is None:
            s.no_event_pred += 1
        if rec.event is None:
            s.gold_none += 1
            if pred is not None and not (pred.negated or pred.hypothetical or pred.historical):
                s.none_coded += 1
                s.counts[p_type]["fp"] += 1
                s.errors.append({"id": rec.id, "gold": NONE, "pred": p_type, "text": rec.text})
            continue
        s.typed += 1
        if pred is None:
            s.missed += 1
            s.counts[rec.event]["fn"] += 1
            s.errors.append({"id": rec.id, "gold": rec.event, "pred": NONE, "text": rec.text})
            continue
        type_ok = p_type == rec.event
        if type_ok:
            s.type_ok += 1
            s.counts[rec.event]["tp"] += 1
        else:
            s.counts[rec.event]["fn"] += 1
            s.counts[p_type]["fp"] += 1
            s.errors.append({"id": rec.id, "gold": rec.event, "pred": p_type, "text": rec.text})
        if quad_class(p_type) == quad_class(rec.event):
            s.quad_ok += 1
        actor_ok = _match(rec.actor, _pred_keys(pred.actor)) if rec.actor else not pred.actor
        recipient_ok = _match(rec.recipient, _pred_keys(pred.recipient)) if rec.recipient else not pred.recipient
        if rec.actor:
            s.actor_n += 1
            s.actor_ok += actor_ok
        if rec.recipient:
            s.recipient_n += 1
            s.recipient_ok += recipient_ok
        s.all_ok += type_ok and actor_ok and recipient_ok
    return s


NEUTRAL = "neutral_statement"


def quad_scores(records: list[GoldRecord], predictions: dict[str, list[Event]]) -> dict[str, Any] | None:
    """Accuracy against sentence-level quad labels in the CAMEO convention.

    No event is right for `neutral_statement` (CAMEO 01 statements); REQUEST is right for
    `neutral_statement` (CAMEO 02 appeals) and for `verbal_conflict` (CAMEO 10 demands). Also
    the share of neutral statements coded as an event other than REQUEST (the coder turning
    plain talk into action).
    """
    labelled = [r for r in records if r.quad]
    if not labelled:
        return None
    right = 0
    per: dict[str, Counter] = defaultdict(Counter)
    neutral_events = 0
    for rec in labelled:
        pred = primary_event(predictions.get(rec.id, []))
        p_type = pred.event_type if pred else None
        if p_type is None:
            ok = rec.quad == NEUTRAL
        elif p_type == "REQUEST":
            ok = rec.quad in (NEUTRAL, "verbal_conflict")
        else:
            ok = quad_class(p_type) == rec.quad
        right += ok
        per[rec.quad]["n"] += 1
        per[rec.quad]["ok"] += ok
        if rec.quad == NEUTRAL and p_type not in (None, "REQUEST") and not (pred.negated or pred.hypothetical or pred.historical):
            neutral_events += 1
    n_neutral = per[NEUTRAL]["n"]
    return {
        "records": len(labelled),
        "accuracy": round(right / len(labelled), 4),
        "per_quad": {q: {"n": c["n"], "accuracy": round(c["ok"] / c["n"], 4)} for q, c in sorted(per.items())},
        "neutral_coded_as_other_event_share": round(neutral_events / n_neutral, 4) if n_neutral else None,
    }


def code_gold(records: Iterable[GoldRecord], actor_table: str | None = None,
              method: str = "combined", calibrate: bool = True) -> dict[str, list[Event]]:
    """Code each gold text with one coding method: lexicon, model or combined (`calibrate`: see code_doc)."""
    from detente.actors.recognize import DocumentActors
    from detente.events.code import CODERS, code_docs, code_steps
    from detente.nlp import parse
    from detente.run.pipeline import CODER, actor_matcher

    if method not in CODERS:
        raise InputError(f"unknown coding method {method!r}; use one of {', '.join(CODERS)}")
    docs = [Document(doc_id=r.id, text=r.text, pub_date=r.date, content_hash=Document.hash_text(r.text))
            for r in records]
    matcher = actor_matcher(actor_table)
    out: dict[str, list[Event]] = {}
    pairs = list(zip(docs, parse(d.text for d in docs)))
    for start in range(0, len(pairs), 32):  # 32 texts at a time: their classifier sentences in one batch
        group = pairs[start:start + 32]
        jobs = [code_steps(parsed, doc, DocumentActors(parsed, matcher, doc.pub_date), CODER, method, calibrate)
                for doc, parsed in group]
        for (doc, _), outcome in zip(group, code_docs(jobs)):
            if isinstance(outcome, Exception):
                raise outcome
            out[doc.doc_id] = outcome
    return out


def train_model(gold_paths: list[str | Path], out: str | Path) -> dict[str, Any]:
    """Train the learned classifier on gold records and write its JSON weights."""
    from detente.events.classifier import NONE as NONE_LABEL
    from detente.events.classifier import sentence_features, train
    from detente.events.encoder import load_encoder
    from detente.nlp import parse
    from detente.run.progress import progress_bar

    records = [r for p in gold_paths for r in read_gold(p)]
    examples = []
    encoder = load_encoder()
    with progress_bar("embedding", len(records)) as bar:
        for start in range(0, len(records), 64):
            chunk = records[start:start + 64]
            vectors = encoder.encode([r.text for r in chunk])
            for rec, parsed, enc in zip(chunk, parse(r.text for r in chunk), vectors):
                feats = sorted({f for sent in parsed.sents for f in sentence_features(sent)})
                examples.append((feats, enc.vector, rec.event or NONE_LABEL))
            bar.advance(len(chunk))
    model = train(examples)
    model.save(out)
    return {"records": len(examples), "features": len(model.sparse) + model.dense.shape[0],
            "classes": len(model.classes), "output": str(out)}


def confidence_examples(records: list[GoldRecord], predictions: dict[str, list[Event]]
                        ) -> list[tuple[dict[str, float], bool]]:
    """(features, right) for the primary event of each labelled sentence coded with raw confidence:
    right when its type is the gold type (an event in a no-event sentence is wrong)."""
    from detente.events.confidence import confidence_features

    out = []
    for rec in records:
        events = predictions.get(rec.id, [])
        pred = primary_event(events)
        if pred is None:
            continue
        n = sum(1 for e in events if e.sentence_index == pred.sentence_index)
        out.append((confidence_features(pred, pred.confidence, n), pred.event_type == rec.event))
    return out


def train_confidence(gold_paths: list[str | Path], out: str | Path,
                     calibration: list[GoldRecord] | None = None) -> dict[str, Any]:
    """Fit the confidence model on gold records (raw coder scores), Platt-scaled on `calibration`."""
    from detente.events.confidence import fit, fit_platt

    records = [r for p in gold_paths for r in read_gold(p)]
    model = fit(confidence_examples(records, code_gold(records, calibrate=False)))
    if calibration:
        model.platt = fit_platt(model, confidence_examples(calibration, code_gold(calibration, calibrate=False)))
    model.save(out)
    return {"records": len(records), "calibration": len(calibration or []), "platt": model.platt, "output": str(out)}


def evaluate(path: str | Path, actor_table: str | None = None) -> dict[str, Any]:
    records = read_gold(path)
    result = score(records, code_gold(records, actor_table)).as_dict()
    result["gold"] = str(path)
    return result
