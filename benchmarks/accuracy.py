"""Score the coder on the project's gold sets and write benchmarks/accuracy.md.

Usage: .venv/bin/python benchmarks/accuracy.py
Runs the same scoring as `detente evaluate` on test (lexicon, classifier, combined) and on
the dev files and the holdout, and records the numbers with the commands that reproduce them.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from detente import __version__
from detente.evaluate import code_gold, read_gold, score

ROOT = Path(__file__).resolve().parents[1]
GOLD = ROOT / "data" / "gold"
OUT = ROOT / "benchmarks" / "accuracy.md"
METRICS = [
    ("event_type_accuracy", "event type accuracy", "0.80"),
    ("quad_class_accuracy", "quad class accuracy", "0.88"),
    ("actor_country_accuracy", "actor country accuracy", "0.85"),
    ("recipient_country_accuracy", "recipient country accuracy", "0.85"),
    ("all_three_accuracy", "type, actor and recipient all right", ""),
    ("macro_f1", "macro F1 over types", ""),
    ("no_event_share", "records with no event coded", ""),
    ("missed_event_share", "gold events missed", ""),
    ("no_event_coded_share", "no-event sentences coded as events", "at most 0.15"),
]


def run(name: str, method: str) -> dict[str, Any]:
    records = read_gold(GOLD / name)
    return score(records, code_gold(records, method=method)).as_dict()


def fmt(x: float | None) -> str:
    return "-" if x is None else f"{x:.3f}"


def main() -> None:
    test = {m: run("test.jsonl", m) for m in ("lexicon", "model", "combined")}
    dev_files = ("dev.jsonl", "dev2.jsonl", "dev3.jsonl", "dev4.jsonl", "dev5.jsonl", "dev6.jsonl", "dev7.jsonl",
                 "dev8.jsonl", "dev9.jsonl")
    dev = {(f, m): run(f, m) for f in dev_files for m in ("lexicon", "combined")}
    holdout = {m: run("holdout.jsonl", m) for m in ("lexicon", "model", "combined")}
    rows_holdout = "\n".join(f"| {label} | {fmt(holdout['lexicon'][k])} | {fmt(holdout['model'][k])} "
                             f"| **{fmt(holdout['combined'][k])}** | {target} |" for k, label, target in METRICS)
    dev_header = " | ".join(f"{f.split('.')[0]} {m}" for f, m in dev)
    rows = "\n".join(f"| {label} | {fmt(test['lexicon'][k])} | {fmt(test['model'][k])} | **{fmt(test['combined'][k])}** "
                     f"| {target} |" for k, label, target in METRICS)
    rows_dev = "\n".join(f"| {label} | " + " | ".join(fmt(dev[key][k]) for key in dev) + " |" for k, label, _ in METRICS)
    per_type = "\n".join(f"| {t} | {fmt(v['precision'])} | {fmt(v['recall'])} | {fmt(v['f1'])} | {v['support']} |"
                         for t, v in test["combined"]["per_type"].items())
    confusions = sorted(((k, n) for k, n in test["combined"]["confusion"].items()
                         if k.split("->")[0] != k.split("->")[1]), key=lambda kv: -kv[1])[:12]
    confusion_rows = "\n".join(f"| {k} | {n} |" for k, n in confusions)
    met = [label for k, label, target in METRICS if target and (
        test["combined"][k] <= 0.15 if k == "no_event_coded_share" else test["combined"][k] >= float(target))]
    missed = [label for k, label, target in METRICS if target and label not in met]
    text = TEMPLATE.format(
        date=dt.date.today().isoformat(), version=__version__, n_dev=dev[("dev.jsonl", "lexicon")]["records"],
        n_dev2=dev[("dev2.jsonl", "lexicon")]["records"], n_dev3=dev[("dev3.jsonl", "lexicon")]["records"],
        n_dev4=dev[("dev4.jsonl", "lexicon")]["records"], n_dev5=dev[("dev5.jsonl", "lexicon")]["records"],
        n_dev6=dev[("dev6.jsonl", "lexicon")]["records"], n_dev7=dev[("dev7.jsonl", "lexicon")]["records"],
        n_dev8=dev[("dev8.jsonl", "lexicon")]["records"], n_dev9=dev[("dev9.jsonl", "lexicon")]["records"],
        n_holdout=holdout["lexicon"]["records"],
        rows_holdout=rows_holdout,
        ho_type_gain=100 * (holdout["combined"]["event_type_accuracy"] - holdout["lexicon"]["event_type_accuracy"]),
        ho_none_gain=100 * (holdout["combined"]["no_event_coded_share"] - holdout["lexicon"]["no_event_coded_share"]), dev_header=dev_header, dev_rule=" | ".join("---:" for _ in dev),
        n_test=test["lexicon"]["records"], rows=rows,
        rows_dev=rows_dev, per_type=per_type, confusions=confusion_rows, met=", ".join(met) or "none",
        missed=", ".join(missed) or "none",
    )
    OUT.write_text(text, encoding="utf-8")
    print(f"-> {OUT}")


TEMPLATE = """# Coding accuracy

Measured by `.venv/bin/python benchmarks/accuracy.py` ({date}, detente {version}) on the
project's own gold sets: sentences written for the project in news style, with gold PLOVER
type, mode, actor and recipient codes (`data/gold/`, JSON Lines in the gold format of
ARCHITECTURE.md). The same numbers come from `detente evaluate FILE --method M --json`.

| file | records | use |
| --- | ---: | --- |
| `dev.jsonl` | {n_dev} | tuning the lexicon and rules; training the classifier |
| `dev2.jsonl` | {n_dev2} | a second dev set in older wire style (1995-2026), written later; tuning and training |
| `dev3.jsonl` | {n_dev3} | analysis and long-feature style, a third without events; only lightly tuned on; chooses the classifier threshold |
| `dev4.jsonl` | {n_dev4} | news with a deliberately wide vocabulary, written apart from the coder; tuned on after a first score |
| `dev5.jsonl` | {n_dev5} | 150 sentences without an event (commentary, background, statistics, quotes) and 50 controls; for precision |
| `dev6.jsonl` | {n_dev6} | news in the most common phrasings, written apart from the coder; tuned on after a first score |
| `dev7.jsonl` | {n_dev7} | wire news at real-world type frequencies (a third assaults), domestic politics in every region; written apart, tuned on after a first score |
| `dev8.jsonl` | {n_dev8} | long analysis and commentary sentences, 60 without an event; written apart, tuned on after a first score |
| `dev9.jsonl` | {n_dev9} | a mix of short wire leads, long sentences, hard cases (negation, reciprocity, IGOs) and 40 without an event, small countries included; written apart, tuned on after a first score |
| `test.jsonl` | {n_test} | reporting only |
| `holdout.jsonl` | {n_holdout} | written last, apart from the coder; its sentences never read, never tuned on |

`dev.jsonl` and `test.jsonl` were split from the same sentences by a hash of the record id
(`python tools/split_gold.py data/gold/part1.jsonl data/gold/part2.jsonl`). Mis-coded records
were only ever read on the dev files; on test only aggregate numbers were looked at (to watch
for over-fitting), never its sentences.

## Test split

| metric | lexicon | classifier alone | lexicon + classifier | target |
| --- | ---: | ---: | ---: | --- |
{rows}

The default coder is the combination: the trigger lexicon with its dependency rules, and the
learned classifier (`detente train`: logistic regression on sentence features, trained on dev,
dev2, dev4 and dev6, weights in JSON) only for sentences where the lexicon finds nothing and it is at least
30% sure (a threshold chosen on dev3-dev5 while it was trained on dev and dev2 only). The classifier
alone is far weaker; together they beat the lexicon alone on event type and quad class.

Targets met: {met}. Not met: {missed}.

## Holdout (never tuned on)

| metric | lexicon | classifier alone | lexicon + classifier | target |
| --- | ---: | ---: | ---: | --- |
{rows_holdout}

`holdout.jsonl` was written by a separate author working apart from the coder and the other
gold files, and first scored once, at the commit that added it: event type 0.832, quad class
0.865, actor 0.871, recipient 0.826, all three 0.678, with 18.8% of its no-event sentences
coded. Its sentences and errors were never read. Knowing only that aggregate, precision rules
were then written against `dev3.jsonl` and a new no-event-heavy `dev5.jsonl`, and further
rules against two more fresh dev sets; the table above is the holdout scored again, by this
script only, with the final coder. On it the classifier fallback changes event type accuracy by
{ho_type_gain:+.1f} points and the share of no-event sentences coded by {ho_none_gain:+.1f} points.

## Dev files (tuned on, so optimistic)

| metric | {dev_header} |
| --- | {dev_rule} |
{rows_dev}

The classifier is trained on dev, dev2, dev4 and dev6, so their combined numbers are in-sample. Before any
tuning on them, with the coder of the time: `dev2.jsonl` scored 0.758 event type accuracy,
`dev3.jsonl` (analysis prose) 0.751 with 17.6% of its no-event sentences coded, and
`dev4.jsonl` (wide vocabulary) 0.818 type, 0.849 quad, 0.867 actor and 0.747 recipient
accuracy with 7.1% of its no-event sentences coded, `dev5.jsonl` 14.7% of its no-event
sentences coded, `dev6.jsonl` (common phrasings) 0.850 type, 0.875 quad, 0.918 actor and
0.828 recipient accuracy, `dev7.jsonl` (wire news at real frequencies) 0.906 type, 0.958 quad,
0.929 actor and 0.891 recipient with 11.5% of its no-event sentences coded, and `dev8.jsonl`
(analysis prose, scored after the dev7 work) 0.864 type, 0.936 quad, 0.912 actor and 0.813
recipient with 13.3% coded, and `dev9.jsonl` (mixed, scored after the dev7 and dev8 work) 0.867
type, 0.894 quad, 0.919 actor and 0.862 recipient with 10.0% coded. Retraining the classifier with dev7 and dev8 added was tried and
not kept: it left test unchanged and raised the holdout's coded no-event share from 9.4% to 12.5%. Fresh text is harder than the sets the rules were written against; the
holdout above is the number to quote for text the coder has not seen.

## Per type (test, combined)

| type | precision | recall | F1 | support |
| --- | ---: | ---: | ---: | ---: |
{per_type}

Most frequent confusions (test, gold -> predicted):

| gold -> predicted | n |
| --- | ---: |
{confusions}

## How the scores are computed

- One gold record is one sentence (or a short text); the coder's first (primary) event for it
  is compared: the main-clause predicate before subordinate ones, verbs before nouns.
- Actor and recipient accuracy: over records whose gold event has actors (recipients); the
  predicted and gold entity sets must match exactly, comparing the ISO3 country, or the IGO or
  group code (`RUSGOV` matches `RUS`).
- "No-event sentences coded as events" counts only events that are not negated or
  hypothetical.

## Known weaknesses (open)

- Recipients: where the syntax names none, the coder infers one (both sides of "between", the
  party a threat's condition is about, the nearest other party for types that nearly always
  have a target, the country where domestic repression or a protest happens). The gold sets
  are not consistent about domestic concessions (a lifted curfew has the country as recipient
  in some records and none in others), and the inference cannot read a person's nationality
  from context ("a French academic held in Tehran" is Iran's detainee).
- Analysis and commentary prose is the weakest style (dev3 0.867 event type against 0.93-0.98
  on wire dev sets): nominal events inside judgements ("Kazakhstan's January unrest remains
  poorly understood") are still coded sometimes, and the main event of a long sentence is not
  always the one the gold picks.
- The small spaCy model misparses some long wire sentences (a past tense taken for a
  participle, a sentence left with a noun as its root, "shot" tagged as a noun); the rules
  recover the common shapes of these, not every one.
- Retraining the classifier with dev7 and dev8 did not help on held-out text and was not kept.
"""

if __name__ == "__main__":
    main()
