"""Scale: worker processes, the Dask engine, Parquet stores, resumable ingest, de-duplication.

Every comparison is between real runs of the coder: n workers against one, Dask against
local, a killed-and-resumed ingest against a clean one.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from detente.ingest import iter_documents
from detente.models import Document
from detente.run.ingest import ingest_documents
from detente.run.pipeline import iter_coded
from detente.store import open_store
from detente.store.dedup import cluster_events

ROOT = Path(__file__).resolve().parents[1]
SAMPLES = ROOT / "samples" / "news.jsonl"
DETENTE = [sys.executable, "-c", "from detente.cli import main; main()"]

EVENTS_SQL = "SELECT * FROM events ORDER BY id"
DOCS_SQL = "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY doc_id"


def _samples(n: int) -> list[Document]:
    return list(iter_documents([str(SAMPLES)]))[:n]


def _write_corpus(path: Path, docs: list[Document]) -> Path:
    with path.open("w", encoding="utf-8") as fh:
        for d in docs:
            fh.write(json.dumps({"id": d.doc_id, "date": d.pub_date.isoformat() if d.pub_date else None,
                                 "title": d.title, "source": d.source, "url": d.url, "text": d.text}) + "\n")
    return path


def _rows(store: str | Path, sql: str) -> list[tuple]:
    with open_store(str(store), read_only=True) as s:
        return s.con.execute(sql).fetchall()


def _types(store: str | Path, table: str) -> list[tuple[str, str]]:
    with open_store(str(store), read_only=True) as s:
        return [(r[0], r[1]) for r in s.con.execute(f"DESCRIBE {table}").fetchall()]


def _run(args: list[str], **kw) -> subprocess.CompletedProcess:
    return subprocess.run([*DETENTE, *args], capture_output=True, text=True, timeout=300, **kw)


@pytest.fixture(scope="module")
def dask_cluster():
    distributed = pytest.importorskip("distributed")
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  dashboard_address=":0") as cluster:
        yield cluster


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> tuple[list[Document], Path]:
    path = _write_corpus(tmp_path_factory.mktemp("corpus") / "news.jsonl", _samples(24))
    return list(iter_documents([str(path)])), path


# -- local worker processes ----------------------------------------------------------------------

def test_two_workers_equal_one(corpus) -> None:
    docs, _ = corpus
    one = [(d.doc_id, [e.model_dump() for e in evs]) for d, evs in iter_coded(docs, n_process=1)]
    two = [(d.doc_id, [e.model_dump() for e in evs]) for d, evs in iter_coded(docs, n_process=2)]
    assert [d for d, _ in one] == [d.doc_id for d in docs]
    assert sum(len(evs) for _, evs in one) > 50
    assert two == one


# -- Dask engine, Parquet store ------------------------------------------------------------------

def test_dask_cluster_equals_local(corpus, dask_cluster, tmp_path) -> None:
    docs, path = corpus
    local = tmp_path / "local.duckdb"
    ingest_documents(docs, str(local), n_process=1, progress="none")
    out = tmp_path / "parquet"
    proc = _run(["ingest", str(path), "--output", str(out), "--scheduler", dask_cluster.scheduler_address,
                 "--batch-size", "10"])
    assert proc.returncode == 0, proc.stderr
    months = sorted(p.name for p in (out / "events").iterdir())
    assert months and all(m.startswith("pub_month=") and len(m) == len("pub_month=2023-01") for m in months)
    assert (out / "documents").is_dir()
    # The Parquet store reads like the DuckDB store: same columns, types and rows.
    assert _types(out, "events") == _types(local, "events")
    assert _types(out, "documents") == _types(local, "documents")
    assert _rows(out, EVENTS_SQL) == _rows(local, EVENTS_SQL)
    assert _rows(out, DOCS_SQL) == _rows(local, DOCS_SQL)
    from detente.store import ParquetSink

    with ParquetSink(out) as sink:  # the clusters written batch by batch equal a full recompute
        assert sink.update_clusters(full=True)["changed"] == 0
    # Any command reads it with --db.
    listed = _run(["events", "--db", str(out), "--limit", "3"])
    assert listed.returncode == 0 and len(listed.stdout.splitlines()) == 3


def test_dask_engine_into_duckdb_equals_local(corpus, dask_cluster, tmp_path) -> None:
    docs, _ = corpus
    from distributed import Client

    local, remote = tmp_path / "local.duckdb", tmp_path / "dask.duckdb"
    ingest_documents(docs, str(local), n_process=2, progress="none")
    with Client(dask_cluster) as client:
        stats = ingest_documents(docs, str(remote), engine="dask", client=client, progress="none")
    assert stats["new"] == len(docs)
    assert _rows(remote, EVENTS_SQL) == _rows(local, EVENTS_SQL)


def test_dask_engine_isolates_a_failing_document(corpus, dask_cluster) -> None:
    import datetime as dt

    from distributed import Client

    from detente.models import Failure
    from detente.run.cluster import iter_coded_dask

    text = "Russia will meet China tomorrow."
    bad = Document(doc_id="bad-year", text=text, pub_date=dt.date(9999, 12, 31), content_hash=Document.hash_text(text))
    docs = corpus[0][:5] + [bad] + corpus[0][5:8]
    with Client(dask_cluster) as client:
        out = list(iter_coded_dask(docs, client, partition_size=3))
    local = list(iter_coded(docs, n_process=1))
    assert [d.doc_id for d, _ in out] == [d.doc_id for d in docs]
    assert isinstance(out[5][1], Failure) and "OverflowError" in out[5][1].error
    assert [(d.doc_id, o) for d, o in out] == [(d.doc_id, o) for d, o in local]


def test_parquet_store_at_fsspec_url(corpus) -> None:
    docs, _ = corpus
    url = "memory://detente-test-scale/store"
    stats = ingest_documents(docs[:6], "unused.duckdb", output=url, progress="none")
    assert stats["new"] == 6 and stats["events"] > 0
    again = ingest_documents(docs[:6], "unused.duckdb", output=url, progress="none")
    assert again["skipped"] == 6 and again["events"] == 0
    assert len(_rows(url, EVENTS_SQL)) == stats["events"]
    assert not Path("unused.duckdb").exists()


# -- kill and resume -----------------------------------------------------------------------------

def _ingest_and_kill(args: list[str], batch: int) -> None:
    """Start `detente ingest`, wait for its first committed batch, SIGKILL it."""
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    proc = subprocess.Popen([*DETENTE, "ingest", *args, "--batch-size", str(batch), "--progress", "lines"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        deadline = time.monotonic() + 240
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            if line.startswith("ingesting: "):
                proc.send_signal(signal.SIGKILL)
                break
        proc.wait(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.stderr.close()
    assert proc.returncode == -signal.SIGKILL, "ingest finished before it could be killed"


@pytest.mark.parametrize("sink", ["duckdb", "parquet"])
def test_killed_ingest_resumes_to_clean_state(sink, tmp_path) -> None:
    path = _write_corpus(tmp_path / "news.jsonl", _samples(40))
    docs = list(iter_documents([str(path)]))
    store = tmp_path / ("resumed.duckdb" if sink == "duckdb" else "resumed")
    target = ["--db", str(store)] if sink == "duckdb" else ["--output", str(store)]
    _ingest_and_kill([str(path), *target, "--workers", "1"], batch=4)
    partial = len(_rows(store, "SELECT doc_id FROM documents"))
    assert 4 <= partial < len(docs)
    proc = _run(["ingest", str(path), *target, "--workers", "2", "--batch-size", "4"])
    assert proc.returncode == 0, proc.stderr
    assert f"{partial} unchanged" in proc.stderr
    clean = tmp_path / "clean.duckdb"
    ingest_documents(docs, str(clean), n_process=1, batch_size=64, progress="none")
    assert _rows(store, EVENTS_SQL) == _rows(clean, EVENTS_SQL)
    assert _rows(store, DOCS_SQL) == _rows(clean, DOCS_SQL)


# -- de-duplication ------------------------------------------------------------------------------

DUPLICATES = [
    ("astana-a", "2024-07-04", "Russian President Vladimir Putin met Pakistani Prime Minister Shehbaz Sharif in Astana "
                               "on Wednesday to discuss energy deals."),
    ("astana-b", "2024-07-04", "Pakistan's prime minister Shehbaz Sharif held talks with Putin in the Kazakh capital "
                               "Astana, focusing on energy cooperation."),
    ("expel", "2024-07-05", "Russia expelled two Pakistani diplomats on Friday."),
    ("moscow", "2024-07-25", "Putin met Sharif again in Moscow to sign a nuclear power deal."),
]


def _doc(doc_id: str, day: str, text: str) -> Document:
    import datetime as dt

    return Document(doc_id=doc_id, text=text, pub_date=dt.date.fromisoformat(day), content_hash=Document.hash_text(text))


def test_duplicate_reports_share_a_cluster(tmp_path) -> None:
    db = str(tmp_path / "dedup.duckdb")
    docs = [_doc(*d) for d in DUPLICATES]
    ingest_documents(docs[:1], db, progress="none")
    stats = ingest_documents(docs[1:], db, progress="none")  # clusters follow every ingest
    rows = {r[0]: r for r in _rows(db, "SELECT doc_id, event_cluster_id, sources_count FROM events "
                                       "WHERE event_type = 'CONSULT' AND len(recipient_codes) > 0")}
    a, b = rows["astana-a"], rows["astana-b"]
    assert a[1] == b[1] and a[2] == b[2] == 2
    others = _rows(db, "SELECT event_cluster_id, sources_count FROM events WHERE doc_id IN ('expel', 'moscow')")
    assert others and all(cid != a[1] and n == 1 for cid, n in others)
    assert stats["duplicates"] >= 1
    # One row per cluster: id = event_cluster_id.
    n_clusters = _rows(db, "SELECT count(DISTINCT event_cluster_id), count(*) FILTER (WHERE id = event_cluster_id) "
                           "FROM events")[0]
    assert n_clusters[0] == n_clusters[1] == stats["clusters"]
    # A changed report leaves the cluster, and incremental updates equal a full recompute.
    changed = _doc("astana-b", "2024-07-04", "Pakistan's prime minister Shehbaz Sharif flew to Baku.")
    assert ingest_documents([changed], db, progress="none")["updated"] == 1
    left = _rows(db, "SELECT id, event_cluster_id, sources_count FROM events WHERE doc_id = 'astana-a' "
                     "AND event_type = 'CONSULT' AND len(recipient_codes) > 0")
    assert [(cid, n) for _, cid, n in left] == [(left[0][0], 1)]
    with open_store(db) as store:
        assert store.update_clusters(full=True)["changed"] == 0


def test_block_ids_agree_in_python_and_sql(corpus, tmp_path) -> None:
    from detente.store.dedup import block_id, block_sql, pending_key, pending_key_sql

    docs, _ = corpus
    db = str(tmp_path / "blocks.duckdb")
    ingest_documents(docs[:12], db, progress="none")
    with open_store(db, read_only=True) as store:
        rows = store.query(f"SELECT *, {block_sql()} AS sql_block, {pending_key_sql()} AS sql_key FROM events")
    assert rows and all(r["sql_block"] == block_id(r) for r in rows)
    assert all(r["sql_key"] == pending_key(r) for r in rows)
    assert any("#" in r["sql_key"] for r in rows)  # month- or year-precise reports are kept apart


def _row(i: str, doc: str, day: str, sentence: str, etype: str = "ASSAULT", actor: str = "AZE",
         recipient: str = "ARM", trigger: str = "shelled", **kw) -> dict:
    return {"id": i, "doc_id": doc, "event_type": etype, "date": day, "pub_date": day, "date_precision": "day",
            "sentence": sentence, "trigger": trigger, "negated": False, "hypothetical": False, "mode": None,
            "actor": [{"code": actor + "MIL", "country": actor}], "recipient": [{"code": recipient, "country": recipient}],
            **kw}


def test_cluster_events_rules() -> None:
    s = "Azerbaijani troops shelled Armenian positions near Jermuk, killing three soldiers"
    rows = [
        _row("e1", "d1", "2025-03-26", s),
        _row("e2", "d2", "2025-03-27", "Three Armenian soldiers died as Azerbaijani troops shelled positions near Jermuk"),
        _row("e3", "d3", "2025-03-26", s, actor="ARM", recipient="AZE"),  # other direction
        _row("e4", "d4", "2025-04-10", s),  # too late
        _row("e5", "d5", "2025-03-26", "Azerbaijan accused Armenia of provocations", etype="ACCUSE", trigger="accused"),
        _row("e6", "d6", "2025-03-26", "Azerbaijani drones hit a fuel depot in Vardenis overnight", trigger="hit"),
        _row("e7", "d7", "2025-03-26", s, negated=True),
        _row("e0", "d8", None, s, pub_date=None),
    ]
    out = cluster_events(rows)
    assert out["e1"] == out["e2"] == ("e1", 2)
    assert all(out[i] == (i, 1) for i in ("e3", "e4", "e5", "e6", "e7", "e0"))
    assert cluster_events(list(reversed(rows))) == out
    # Reciprocal types ignore direction; clusters never span more than the window.
    meet = [_row(f"m{i}", f"d{i}", f"2025-01-{1 + 2 * i:02d}", "Russian and Pakistani ministers met in Moscow for talks",
                 etype="CONSULT", actor="RUS" if i % 2 else "PAK", recipient="PAK" if i % 2 else "RUS", trigger="met")
            for i in range(6)]
    clusters = cluster_events(meet)
    assert clusters["m0"] == clusters["m1"] == ("m0", 2)
    assert len({c for c, _ in clusters.values()}) == 3


# -- kills, second writers and readers at any moment ------------------------------------------------

def _target(sink: str, store: Path) -> list[str]:
    return ["--db", str(store)] if sink == "duckdb" else ["--output", str(store)]


def _assert_like_clean(store: Path, docs: list[Document], tmp_path: Path) -> None:
    clean = tmp_path / "clean.duckdb"
    if not clean.exists():
        ingest_documents(docs, str(clean), n_process=1, batch_size=64, progress="none")
    assert _rows(store, EVENTS_SQL) == _rows(clean, EVENTS_SQL)
    assert _rows(store, DOCS_SQL) == _rows(clean, DOCS_SQL)
    assert _rows(store, "SELECT count(*) - count(DISTINCT id) FROM events") == [(0,)]


@pytest.mark.parametrize("sink", ["duckdb", "parquet"])
def test_kill_at_any_moment_then_rerun_equals_clean(sink, tmp_path) -> None:
    import random

    path = _write_corpus(tmp_path / "news.jsonl", _samples(16))
    docs = list(iter_documents([str(path)]))
    store = tmp_path / ("s.duckdb" if sink == "duckdb" else "s")
    rng = random.Random(14)
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    for _ in range(3):  # killed at seeded random moments: starting, coding, committing, re-clustering
        proc = subprocess.Popen([*DETENTE, "ingest", str(path), *_target(sink, store), "--workers", "2",
                                 "--batch-size", "2", "--progress", "none"],
                                stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
        time.sleep(rng.uniform(1.0, 9.0))
        proc.send_signal(signal.SIGKILL)
        _, rest = proc.communicate(timeout=60)  # ends once the workers are gone too: they die with it
        assert "Traceback" not in rest and "BrokenPipe" not in rest, rest
        if store.exists():  # readable after every kill
            _rows(store, "SELECT count(*) FROM events")
    proc = _run(["ingest", str(path), *_target(sink, store), "--workers", "2", "--batch-size", "2"])
    assert proc.returncode == 0, proc.stderr
    _assert_like_clean(store, docs, tmp_path)


@pytest.mark.parametrize("sink", ["duckdb", "parquet"])
def test_a_second_writer_waits_or_stops_with_a_clear_error(sink, tmp_path) -> None:
    path = _write_corpus(tmp_path / "news.jsonl", _samples(24))
    docs = list(iter_documents([str(path)]))
    store = tmp_path / ("s.duckdb" if sink == "duckdb" else "s")
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    first = subprocess.Popen([*DETENTE, "ingest", str(path), *_target(sink, store), "--workers", "1",
                              "--batch-size", "1", "--progress", "lines"],
                             stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True, env=env)
    try:
        assert first.stderr.readline().startswith("ingesting: ")  # it holds the store now
        refused = _run(["ingest", str(path), *_target(sink, store)])
        waiting = subprocess.Popen([*DETENTE, "ingest", str(path), *_target(sink, store), "--wait", "300"],
                                   stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        first_err = first.stderr.read()
        assert first.wait(timeout=300) == 0, first_err
        _, waited_err = waiting.communicate(timeout=300)
    finally:
        for p in (first,):
            if p.poll() is None:
                p.kill()
    assert refused.returncode == 1, refused.stderr
    lines = refused.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error:") and "another ingest (pid" in lines[0]
    assert "--wait" in lines[0]
    assert waiting.returncode == 0, waited_err
    assert "24 unchanged" in waited_err
    _assert_like_clean(store, docs, tmp_path)


def test_readers_answer_while_an_ingest_runs(tmp_path) -> None:
    from fastapi.testclient import TestClient

    from detente.store.database import connect
    from detente.web.app import create_app

    path = _write_corpus(tmp_path / "news.jsonl", _samples(40))
    db = tmp_path / "s.duckdb"
    ingest_documents(list(iter_documents([str(path)]))[:2], str(db), progress="none")
    web = TestClient(create_app(str(db)))
    env = {**os.environ, "PYTHONUNBUFFERED": "1"}
    writer = subprocess.Popen([*DETENTE, "ingest", str(path), "--db", str(db), "--workers", "1", "--batch-size", "1",
                               "--progress", "lines"], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              env=env)
    rounds = 0
    try:
        assert writer.stderr.readline().startswith("ingesting: ")
        # A reader that keeps the file open a while: the writer waits for it, it does not fail.
        held = connect(str(db), read_only=True, wait=60)  # waits out the writer's own short step
        time.sleep(2)
        held.close()
        while writer.poll() is None and rounds < 4:
            events = _run(["events", "--db", str(db), "--limit", "5"])
            assert events.returncode == 0 and events.stdout.count("\n") == 5, events.stderr
            with open_store(str(db), read_only=True) as store:  # the API's readers too
                assert store.count() > 0
            for url in ("/", "/events", "/api/stats", "/api/dyads"):
                assert web.get(url).status_code == 200, url
            rounds += 1
        rest = writer.stderr.read()
        assert writer.wait(timeout=300) == 0, rest
    finally:
        if writer.poll() is None:
            writer.kill()
    assert rounds >= 2, "the ingest ended before the readers could run beside it"
    assert _rows(db, "SELECT count(*) FROM documents") == [(40,)]
