"""The command line, run as users run it (a subprocess of the installed `detente` script)."""

from __future__ import annotations

import csv
import datetime as dt
import json
import shutil
from pathlib import Path

import pytest

from detente import __version__
from detente.ingest import iter_documents
from detente.models import event_json_schema
from detente.store import EventFilter, open_store
from detente.store.export import CSV_COLUMNS


def one_error_line(res) -> str:
    assert res.returncode != 0, res.stdout + res.stderr
    assert "Traceback" not in res.stdout + res.stderr
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, res.stderr
    assert lines[0].startswith("error:"), lines[0]
    return lines[0]


def test_code_to_csv(tmp_path: Path, cli, code_docs) -> None:
    source = tmp_path / "sanctions.txt"
    source.write_text("Russia imposed sanctions on Poland on Tuesday.\n\nPoland accused Russia of spying.\n",
                      encoding="utf-8")
    out = tmp_path / "out.csv"
    res = cli("code", source, "--date", "2024-03-14", "--format", "csv", "-o", out)
    assert res.returncode == 0, res.stderr
    assert res.stdout == ""
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == CSV_COLUMNS
        rows = list(reader)
    assert "2 events from 1 documents" in res.stderr
    assert [(r["event_type"], r["actor_codes"], r["recipient_codes"]) for r in rows] == [
        ("SANCTION", "RUS", "POL"), ("ACCUSE", "POL", "RUS")]
    assert (rows[0]["date"], rows[0]["date_precision"], rows[0]["pub_date"]) == ("2024-03-12", "day", "2024-03-14")
    assert rows[0]["negated"] == "False"
    expected = code_docs(iter_documents([str(source)], pub_date=dt.date(2024, 3, 14)))
    assert [r["id"] for r in rows] == [e.id for e in expected]
    assert not list(tmp_path.glob("*.partial"))


def test_code_jsonl_to_stdout_matches_api(fixtures_dir: Path, cli, code_docs) -> None:
    res = cli("code", fixtures_dir / "docs.jsonl", fixtures_dir / "feed.atom")
    assert res.returncode == 0, res.stderr
    records = [json.loads(ln) for ln in res.stdout.splitlines()]
    docs = list(iter_documents([str(fixtures_dir / "docs.jsonl"), str(fixtures_dir / "feed.atom")]))
    expected = [e.model_dump(mode="json") for e in code_docs(docs)]
    assert records == expected
    assert {r["doc_id"] for r in records} >= {"wire-001", "urn:example:atom-desk:0702"}


@pytest.fixture(scope="module")
def ingested(tmp_path_factory, fixtures_dir: Path, cli) -> tuple[Path, Path]:
    root = tmp_path_factory.mktemp("cli")
    corpus = root / "corpus"
    (corpus / "nested").mkdir(parents=True)
    shutil.copy(fixtures_dir / "docs.jsonl", corpus / "docs.jsonl")
    shutil.copy(fixtures_dir / "article.txt", corpus / "article.txt")
    shutil.copy(fixtures_dir / "feed.atom", corpus / "nested" / "feed.atom")
    (corpus / "nested" / "latvia.txt").write_text(
        "Russia imposed sanctions on Latvia on Monday.\n\nLatvia expelled two Russian diplomats.\n", encoding="utf-8")
    db = root / "store.duckdb"
    res = cli("ingest", corpus, "--db", db, "--date", "2024-03-14")
    assert res.returncode == 0, res.stderr
    assert res.stderr.startswith("7 new, 0 updated, 0 unchanged documents"), res.stderr
    return corpus, db


def test_ingest_directory(ingested: tuple[Path, Path]) -> None:
    _, db = ingested
    with open_store(db, read_only=True) as store:
        docs = {r["doc_id"]: r for r in store.query("SELECT doc_id, pub_date, title FROM documents")}
        assert len(docs) == 7
        assert {"wire-001", "wire-002", "wire-003", "urn:example:atom-desk:0702"} <= set(docs)
        assert str(docs["wire-001"]["pub_date"]) == "2024-03-14"
        assert str(docs["wire-003"]["pub_date"]) == "2024-03-14"  # from --date
        assert str(docs["urn:example:atom-desk:0702"]["pub_date"]) == "2024-07-02"  # the feed's own date
        assert store.count() > 0


def test_ingest_again_is_a_no_op(ingested: tuple[Path, Path], cli) -> None:
    corpus, db = ingested
    with open_store(db, read_only=True) as store:
        before = store.con.execute("SELECT * FROM events ORDER BY id").fetchall()
    res = cli("ingest", corpus, "--db", db, "--date", "2024-03-14")
    assert res.returncode == 0, res.stderr
    assert res.stderr.startswith("0 new, 0 updated, 7 unchanged documents; 0 events written"), res.stderr
    with open_store(db, read_only=True) as store:
        assert store.con.execute("SELECT * FROM events ORDER BY id").fetchall() == before


def test_events_query(ingested: tuple[Path, Path], cli) -> None:
    _, db = ingested
    res = cli("events", "--db", db, "--actor", "RUS", "--type", "SANCTION")
    assert res.returncode == 0, res.stderr
    records = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert records
    for r in records:
        assert r["event_type"] == "SANCTION"
        assert "RUS" in {a["country"] for a in r["actor"]}
    assert [[a["code"] for a in r["recipient"]] for r in records] == [["LVA"]]
    with open_store(db, read_only=True) as store:
        expected = list(store.events(EventFilter(actor="RUS", event_type=["SANCTION"])))
    assert records == json.loads(json.dumps(expected, default=str))


def test_events_filters_and_formats(ingested: tuple[Path, Path], cli, tmp_path: Path) -> None:
    _, db = ingested
    res = cli("events", "--db", db, "--doc", "wire-001", "--format", "csv")
    assert res.returncode == 0, res.stderr
    rows = list(csv.DictReader(res.stdout.splitlines()))
    assert rows and {r["doc_id"] for r in rows} == {"wire-001"}
    out = tmp_path / "recent.json"
    res = cli("events", "--db", db, "--from", "2024-07-01", "--to", "2024-07-31", "--format", "json", "-o", out)
    assert res.returncode == 0, res.stderr
    records = json.loads(out.read_text(encoding="utf-8"))
    assert records
    assert all("2024-07-01" <= (r["date"] or r["pub_date"]) <= "2024-07-31" for r in records)
    res = cli("events", "--db", db, "--quad", "material_conflict", "--limit", "1")
    assert res.returncode == 0, res.stderr
    [one] = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert one["quad_class"] == "material_conflict"


def test_events_dyadic_parquet(ingested: tuple[Path, Path], cli, tmp_path: Path) -> None:
    import pyarrow.parquet as pq

    _, db = ingested
    out = tmp_path / "dyads.parquet"
    res = cli("events", "--db", db, "--dyadic", "--format", "parquet", "-o", out)
    assert res.returncode == 0, res.stderr
    table = pq.read_table(out)
    assert table.num_rows > 0
    assert "source_event_id" in table.column_names


@pytest.mark.parametrize("args, words", [
    (["events", "--type", "FOO"], ["unknown event type", "FOO"]),
    (["events", "--quad", "warm"], ["unknown quad class"]),
    (["events", "--from", "March"], ["--from", "March"]),
    (["events", "--format", "xml"], ["unknown format"]),
    (["events", "--format", "parquet"], ["parquet"]),
])
def test_events_usage_errors(args: list[str], words: list[str], ingested: tuple[Path, Path], cli) -> None:
    _, db = ingested
    line = one_error_line(cli(*args, "--db", db))
    for w in words:
        assert w in line


def test_events_on_missing_store(tmp_path: Path, cli) -> None:
    line = one_error_line(cli("events", "--db", tmp_path / "absent.duckdb"))
    assert "absent.duckdb" in line
    not_a_store = tmp_path / "text.duckdb"
    not_a_store.write_text("hello\n", encoding="utf-8")
    assert "text.duckdb" in one_error_line(cli("events", "--db", not_a_store))


def test_output_to_a_directory_is_a_clean_error(fixtures_dir: Path, tmp_path: Path, cli) -> None:
    target = tmp_path / "outdir"
    target.mkdir()
    res = cli("code", fixtures_dir / "article.txt", "-o", target)
    line = one_error_line(res)
    assert "outdir" in line
    assert not list(tmp_path.glob("*.partial"))


def test_schema(cli, tmp_path: Path) -> None:
    res = cli("schema")
    assert res.returncode == 0, res.stderr
    schema = json.loads(res.stdout)
    assert schema == event_json_schema()
    assert schema["title"] == "Event"
    for field in ("id", "doc_id", "event_type", "quad_class", "actor", "recipient", "negated", "hypothetical",
                  "future", "historical", "date_precision", "cameo_code", "goldstein", "plover_score"):
        assert field in schema["properties"], field
    out = tmp_path / "schema.json"
    assert cli("schema", "-o", out).returncode == 0
    assert json.loads(out.read_text(encoding="utf-8")) == schema


def test_version(cli) -> None:
    res = cli("version")
    assert res.returncode == 0
    assert res.stdout.strip() == f"detente {__version__}"
