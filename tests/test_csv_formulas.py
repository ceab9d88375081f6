"""CSV exports never start a cell with a spreadsheet formula (=, +, -, @, tab, CR); numbers stay numbers."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from detente.store.export import safe_cell, write_records

HOSTILE = ["=HYPERLINK(\"http://evil.example\",\"x\")", "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"]


def _record(sentence: str) -> dict:
    actor = {"text": sentence, "code": "RUS", "country": "RUS", "sector": None, "name": "Russia", "kind": "state"}
    return {"id": "e1", "doc_id": sentence, "sentence_index": 0, "sentence": sentence, "date": "2024-01-01",
            "date_precision": "day", "pub_date": "2024-01-01", "event_type": "ACCUSE", "mode": None,
            "contexts": [], "quad_class": "verbal_conflict", "plover_score": -4.0, "cameo_code": "112",
            "goldstein": -2.0, "actor": [actor], "recipient": [], "trigger": sentence, "negated": False,
            "hypothetical": False, "future": False, "historical": False, "confidence": 0.5, "coder": "test"}


@pytest.mark.parametrize("text", HOSTILE)
def test_cli_csv_export_neutralises_formulas(text: str, tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    write_records([_record(text)], "csv", str(out))
    with out.open(encoding="utf-8", newline="") as fh:
        row = next(csv.DictReader(fh))
    for key in ("sentence", "doc_id", "trigger", "actor_text"):
        assert row[key] == "'" + text, key
    assert row["plover_score"] == "-4.0" and row["goldstein"] == "-2.0"  # numbers are not text


def test_safe_cell_leaves_plain_values() -> None:
    assert safe_cell("Russia praised Pakistan.") == "Russia praised Pakistan."
    assert safe_cell(-4.0) == -4.0 and safe_cell(None) is None and safe_cell("") == ""


def test_frames_keep_text_as_stored(tmp_path: Path) -> None:
    """Only CSV cells are made safe: a DataFrame for a notebook holds the text as coded."""
    from conftest_web import FORMULA_ID, build_store
    from detente.analysis.frames import events_frame
    from detente.store import EventFilter, open_store

    with open_store(str(build_store(tmp_path / "w.duckdb")), read_only=True) as store:
        frame = events_frame(store, EventFilter(doc_id=FORMULA_ID))
    assert len(frame) and frame["sentence"].iloc[0].startswith("@SUM")
    assert frame["actor_text"].iloc[0].startswith("+")
