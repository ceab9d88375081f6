"""Print the coder's disagreements with real-text labels, for error analysis on the dev split only.

Usage: .venv/bin/python tools/realtext_errors.py [LABELS] [--quad] [--split dev]
The check split (a fixed third of ids, detente.evaluate.split_of) is never printed: it stays
a test of over-fitting. Texts are read from ../shared/realtext/ and never written anywhere.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from detente.evaluate import code_gold, primary_event, read_gold, read_quads, read_texts, split_of
from detente.ontology import quad_class

ROOT = Path(__file__).resolve().parents[1]
TEXTS = ROOT.parent / "shared" / "realtext" / "news-quad-dev.jsonl"


def show(ev) -> str:
    if ev is None:
        return "NONE"
    a = ",".join(x.code for x in ev.actor)
    r = ",".join(x.code for x in ev.recipient)
    flags = "".join(f for f, on in (("N", ev.negated), ("H", ev.hypothetical), ("F", ev.future)) if on)
    return f"{ev.event_type}/{ev.mode or '-'} [{a} -> {r}] '{ev.trigger}' {flags}"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("labels", nargs="?")
    ap.add_argument("--quad", action="store_true", help="compare with the given quad labels only")
    ap.add_argument("--split", default="dev", choices=["dev"])
    ap.add_argument("--all", action="store_true", help="print agreements too")
    args = ap.parse_args()
    texts = read_texts(TEXTS)
    records = read_quads(TEXTS) if args.quad or not args.labels else read_gold(args.labels, texts)
    records = [r for r in records if split_of(r.id) == args.split]
    preds = code_gold(records)
    for rec in records:
        evs = preds.get(rec.id, [])
        ev = primary_event(evs)
        if args.quad or not args.labels:
            p = ev.event_type if ev else None
            ok = (rec.quad == "neutral_statement" and p in (None, "REQUEST")) or (p == "REQUEST" and rec.quad == "verbal_conflict") \
                or (p is not None and quad_class(p) == rec.quad)
            gold = rec.quad
        else:
            ok = (ev.event_type if ev else None) == rec.event
            gold = f"{rec.event}/{rec.mode or '-'} [{','.join(rec.actor)} -> {','.join(rec.recipient)}]"
        if ok and not args.all:
            continue
        src = texts[rec.id]
        print(f"{rec.id} gold={gold} pred={show(ev)}" + (f" (+{len(evs) - 1} more)" if len(evs) > 1 else ""))
        print(f"   {rec.text}")
        if args.quad:
            print(f"   spans: src={src.get('source_spans')} tgt={src.get('target_spans')}")
    print(json.dumps({"records": len(records)}))


if __name__ == "__main__":
    main()
