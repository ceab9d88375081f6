"""`detente evaluate`: accuracy against a gold file."""

from __future__ import annotations

import json
from typing import Annotated, Optional

import typer
from rich.console import Console
from rich.table import Table

# The project's own gold the shipped classifier learns from; test and holdout are for reporting. The
# confidence model learns from the sets written apart from the coder (the older dev sets were tuned on,
# so the coder is right on them far more often than on new text).
CONFIDENCE_FILES = ("train1", "train2", "train3", "train4", "cameo1", "cameo2")
TRAINING_FILES = ("dev", "dev2", "dev3", "dev4", "dev5", "dev6", "dev7", "dev8", "dev9", "train1", "train2", "train3",
                  "train4", "cameo1", "cameo2")


def register(app: typer.Typer) -> None:
    @app.command()
    def evaluate(
        gold: Annotated[Optional[str], typer.Argument(
            help="Gold records: JSON list or JSON Lines (PLOVER gold style); with --text, labels keyed by id.")] = None,
        text: Annotated[Optional[str], typer.Option(
            "--text", help="JSON Lines of {id, text[, quad]}: the texts the labels in GOLD refer to. Without GOLD, "
                           "score the sentence-level quad labels of this file only.")] = None,
        split: Annotated[str, typer.Option(
            "--split", help="all, dev, or check (a fixed third of the ids by hash, kept apart from error reading).")] = "all",
        as_json: Annotated[bool, typer.Option("--json", help="Print the scores as JSON.")] = False,
        errors: Annotated[Optional[str], typer.Option("--errors", help="Write mis-coded records (JSONL) here.")] = None,
        actors: Annotated[Optional[str], typer.Option("--actors", help="Extra actor table (TSV).")] = None,
        method: Annotated[str, typer.Option("--method", help="lexicon, model or combined.")] = "combined",
    ) -> None:
        """Score the coder on gold records: per-type P/R/F1, type, quad, actor and recipient accuracy."""
        from detente.errors import InputError
        from detente.evaluate import code_gold, in_split, quad_scores, read_gold, read_quads, read_texts, score

        if gold is None and text is None:
            raise InputError("give a GOLD file, or --text FILE with quad labels")
        if gold is None:
            records = read_quads(text)
        else:
            records = read_gold(gold, read_texts(text) if text else None)
        records = [r for r in records if in_split(r.id, split)]
        if not records:
            raise InputError(f"no records in split {split!r}")
        predictions = code_gold(records, actors, method)
        scores = score(records, predictions)
        result = scores.as_dict() if gold is not None else {"records": len(records)}
        result["gold"] = gold
        result["text"] = text
        result["split"] = split
        result["method"] = method
        result["given_quad"] = quad_scores(records, predictions)
        if errors:
            with open(errors, "w", encoding="utf-8") as fh:
                for e in scores.errors:
                    fh.write(json.dumps(e, ensure_ascii=False) + "\n")
        if as_json:
            print(json.dumps(result, indent=2))
            return
        con = Console()
        given = result["given_quad"]
        if given:
            table = Table(title=f"sentence-level quad labels ({given['records']} records)")
            table.add_column("metric")
            table.add_column("value", justify="right")
            table.add_row("quad accuracy", f"{given['accuracy']:.3f}")
            for q, v in given["per_quad"].items():
                table.add_row(f"  {q} ({v['n']})", f"{v['accuracy']:.3f}")
            share = given["neutral_coded_as_other_event_share"]
            table.add_row("neutral statements coded as an event other than REQUEST", "-" if share is None else f"{share:.3f}")
            con.print(table)
        if gold is None:
            return
        summary = Table(title=f"detente evaluate {gold} ({result['records']} records)")
        summary.add_column("metric")
        summary.add_column("value", justify="right")
        for key in ("event_type_accuracy", "quad_class_accuracy", "actor_country_accuracy",
                    "recipient_country_accuracy", "all_three_accuracy", "macro_f1", "no_event_share",
                    "missed_event_share", "no_event_coded_share"):
            value = result[key]
            summary.add_row(key, "-" if value is None else f"{value:.3f}")
        con.print(summary)
        per = Table(title="per type")
        for col in ("type", "precision", "recall", "F1", "support"):
            per.add_column(col, justify="right" if col != "type" else "left")
        for t, v in result["per_type"].items():
            per.add_row(t, *("-" if v[k] is None else f"{v[k]:.2f}" for k in ("precision", "recall", "f1")),
                        str(v["support"]))
        con.print(per)
        confusion = Table(title="confusion (gold -> predicted, off-diagonal)")
        confusion.add_column("gold -> predicted")
        confusion.add_column("n", justify="right")
        off = [(k, n) for k, n in result["confusion"].items() if k.split("->")[0] != k.split("->")[1]]
        for k, n in sorted(off, key=lambda x: -x[1])[:25]:
            confusion.add_row(k, str(n))
        con.print(confusion)

    @app.command()
    def train(
        gold: Annotated[Optional[list[str]], typer.Argument(help="Gold files to learn from (default: the project's gold files the shipped model uses, TRAINING_FILES).")] = None,
        output: Annotated[str, typer.Option("--output", "-o", help="Where to write the classifier JSON.")] = "",
        confidence_only: Annotated[bool, typer.Option("--confidence-only", help="Keep the classifier; refit the confidence model only.")] = False,
        calibrate: Annotated[Optional[str], typer.Option(
            "--calibrate", help="Labels (keyed by id) on other text to calibrate confidence on, e.g. "
                                "data/realtext/news-quad-dev.labels.jsonl; needs --text.")] = None,
        text: Annotated[Optional[str], typer.Option("--text", help="The texts the --calibrate labels refer to.")] = None,
        split: Annotated[str, typer.Option("--split", help="Split of the --calibrate labels to use (dev keeps check apart).")] = "dev",
    ) -> None:
        """Rebuild the learned event classifier and the confidence model from the project's own gold (deterministic)."""
        from importlib import resources
        from pathlib import Path

        from detente.errors import InputError
        from detente.evaluate import in_split, read_gold, read_texts, train_confidence, train_model
        from detente.events.classifier import load_classifier

        # test and holdout stay out (reporting only); the threshold is chosen on real text.
        paths = gold or [f"data/gold/{name}.jsonl" for name in TRAINING_FILES]
        for p in paths:
            if not Path(p).is_file():
                raise InputError(f"{p}: no such gold file")
        if calibrate and not text:
            raise InputError("--calibrate needs --text (the texts its labels refer to)")
        data = resources.files("detente.events") / "data"
        err = Console(stderr=True)
        if not confidence_only:
            info = train_model(paths, output or str(data / "event_classifier.json"))
            err.print(f"classifier: {info['records']} records, {info['features']} features, "
                      f"{info['classes']} classes -> {info['output']}")
            load_classifier.cache_clear()
        calibration = None
        if calibrate:
            calibration = [r for r in read_gold(calibrate, read_texts(text)) if in_split(r.id, split)]
        fresh = [p for p in paths if Path(p).stem in CONFIDENCE_FILES] or paths
        info = train_confidence(fresh, str(data / "confidence.json"), calibration)
        err.print(f"confidence: {info['records']} records, calibrated on {info['calibration']} "
                  f"(Platt {info['platt'][0]:.3f}, {info['platt'][1]:.3f}) -> {info['output']}")
