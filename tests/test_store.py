"""Store: idempotent ingest, replacement of changed documents, filters, exports (jsonl/json/csv/parquet, dyadic)."""

from __future__ import annotations

import csv
import datetime as dt
import json
from pathlib import Path

import pyarrow.parquet as pq
import pytest

from detente.errors import DetenteError
from detente.run.ingest import ingest_documents
from detente.store import EventFilter, open_store
from detente.store.export import CSV_COLUMNS, write_records

D = dt.date

TEXTS = {
    "s1": ("2024-03-14", "Russia imposed sanctions on Poland on Tuesday."),
    "s2": ("2024-03-20", "Poland accused Russia of spying.\n\nThe European Union imposed sanctions on Belarus."),
    "s3": ("2023-06-01", "Russia and China held talks in Beijing."),
    "s4": ("2024-05-01", "Russia did not attack Ukraine."),
    "s5": ("2024-01-10", "Japan sent humanitarian aid to Turkey."),
}
# What the coder makes of TEXTS: (doc_id, event type) of each event.
ALL = {("s1", "SANCTION"), ("s2", "ACCUSE"), ("s2", "SANCTION"), ("s3", "CONSULT"), ("s4", "ASSAULT"), ("s5", "AID")}


@pytest.fixture(scope="module")
def docs(make_doc) -> list:
    return [make_doc(text, doc_id, pub, title=f"title {doc_id}", source="Example Wire",
                     url=f"https://example.org/{doc_id}") for doc_id, (pub, text) in TEXTS.items()]


def tables(db: Path) -> tuple[list, list]:
    with open_store(db, read_only=True) as store:
        events = store.con.execute("SELECT * FROM events ORDER BY id").fetchall()
        documents = store.con.execute("SELECT * FROM documents ORDER BY doc_id").fetchall()
    return events, documents


def ingest(docs: list, db: Path) -> dict:
    return ingest_documents(list(docs), str(db), progress="none")


@pytest.fixture(scope="module")
def store_db(tmp_path_factory, docs) -> Path:
    db = tmp_path_factory.mktemp("store") / "events.duckdb"
    stats = ingest(docs, db)
    assert (stats["new"], stats["updated"], stats["skipped"]) == (len(docs), 0, 0)
    assert stats["events"] == len(ALL)
    return db


def keys(records) -> set[tuple[str, str]]:
    return {(r["doc_id"], r["event_type"]) for r in records}


def query(db: Path, **kw) -> list[dict]:
    with open_store(db, read_only=True) as store:
        return list(store.events(EventFilter(**kw)))


# -- ingest -------------------------------------------------------------------------------------


def test_stored_events_match_the_coder(store_db: Path, docs, code_docs) -> None:
    coded = {e.id: e for e in code_docs(docs)}
    stored = query(store_db)
    assert keys(stored) == ALL
    assert {r["id"] for r in stored} == set(coded)
    for r in stored:
        ev = coded[r["id"]]
        assert r["actor"] == [a.model_dump() for a in ev.actor]
        assert r["recipient"] == [a.model_dump() for a in ev.recipient]
        assert (r["event_type"], r["quad_class"], r["cameo_code"], r["plover_score"]) == \
            (ev.event_type, ev.quad_class, ev.cameo_code, ev.plover_score)
        assert r["date"] == (ev.date.isoformat() if ev.date else None)
        assert r["negated"] == ev.negated


def test_documents_table(store_db: Path) -> None:
    with open_store(store_db, read_only=True) as store:
        doc = store.document("s2")
        assert doc is not None
        assert (doc["title"], doc["source"], doc["url"]) == ("title s2", "Example Wire", "https://example.org/s2")
        assert doc["pub_date"] == D(2024, 3, 20)
        assert doc["n_events"] == 2
        assert store.document("nope") is None
        stats = store.stats()
        assert (stats["documents"], stats["events"]) == (len(TEXTS), len(ALL))


def test_second_ingest_writes_nothing(tmp_path: Path, docs) -> None:
    db = tmp_path / "twice.duckdb"
    ingest(docs, db)
    before = tables(db)
    stats = ingest(docs, db)
    assert (stats["new"], stats["updated"], stats["skipped"], stats["events"]) == (0, 0, len(docs), 0)
    assert tables(db) == before


def test_write_batch_is_idempotent(tmp_path: Path, docs, code_docs) -> None:
    batch = [(d, code_docs([d])) for d in docs]
    db = tmp_path / "batch.duckdb"
    sql = "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY doc_id"
    with open_store(db) as store:
        assert store.write_batch(batch) == (len(docs), len(ALL))
    first = tables(db)
    with open_store(db, read_only=True) as store:
        first_docs = store.con.execute(sql).fetchall()
    with open_store(db) as store:
        store.write_batch(batch)
    assert tables(db)[0] == first[0]
    with open_store(db, read_only=True) as store:
        assert store.con.execute(sql).fetchall() == first_docs  # only the ingest time is refreshed


def test_changed_text_replaces_the_documents_events(tmp_path: Path, docs, make_doc) -> None:
    db = tmp_path / "changed.duckdb"
    ingest(docs, db)
    old_rest = [r for r in query(db) if r["doc_id"] != "s1"]
    changed = make_doc("Russia attacked Poland on Tuesday.", "s1", "2024-03-14", title="title s1")
    stats = ingest([changed, *docs[1:]], db)
    assert (stats["new"], stats["updated"], stats["skipped"]) == (0, 1, len(docs) - 1)
    s1 = query(db, doc_id="s1")
    assert [(r["event_type"], [a["code"] for a in r["actor"]], [a["code"] for a in r["recipient"]]) for r in s1] == \
        [("ASSAULT", ["RUS"], ["POL"])]
    assert [r for r in query(db) if r["doc_id"] != "s1"] == old_rest
    with open_store(db, read_only=True) as store:
        assert store.document("s1")["content_hash"] == changed.content_hash
        assert store.count() == len(ALL)


# -- filters ------------------------------------------------------------------------------------


@pytest.mark.parametrize("kw, expected", [
    ({}, ALL),
    ({"actor": "RUS"}, {("s1", "SANCTION"), ("s3", "CONSULT"), ("s4", "ASSAULT")}),
    ({"actor": "rus"}, {("s1", "SANCTION"), ("s3", "CONSULT"), ("s4", "ASSAULT")}),
    ({"actor": "IGOEUR"}, {("s2", "SANCTION")}),
    ({"actor": "CHN"}, {("s3", "CONSULT")}),
    ({"recipient": "POL"}, {("s1", "SANCTION")}),
    ({"recipient": "RUS"}, {("s2", "ACCUSE")}),
    ({"recipient": "BLR"}, {("s2", "SANCTION")}),
    ({"dyad": ("RUS", "POL")}, {("s1", "SANCTION"), ("s2", "ACCUSE")}),
    ({"actor": "RUS", "event_type": ["SANCTION"]}, {("s1", "SANCTION")}),
    ({"event_type": ["SANCTION"]}, {("s1", "SANCTION"), ("s2", "SANCTION")}),
    ({"event_type": ["sanction", "aid"]}, {("s1", "SANCTION"), ("s2", "SANCTION"), ("s5", "AID")}),
    ({"quad_class": ["verbal_cooperation"]}, {("s3", "CONSULT")}),
    ({"quad_class": ["material_cooperation"]}, {("s5", "AID")}),
    ({"quad_class": ["verbal_conflict", "material_conflict"]},
     {("s1", "SANCTION"), ("s2", "ACCUSE"), ("s2", "SANCTION"), ("s4", "ASSAULT")}),
    # s1 happened on 2024-03-12 (Tuesday before its 2024-03-14 publication): the event date counts.
    ({"date_from": D(2024, 3, 13)}, {("s2", "ACCUSE"), ("s2", "SANCTION"), ("s4", "ASSAULT")}),
    ({"date_to": D(2024, 3, 12)}, {("s1", "SANCTION"), ("s3", "CONSULT"), ("s5", "AID")}),
    ({"date_from": D(2024, 1, 1), "date_to": D(2024, 3, 31)},
     {("s1", "SANCTION"), ("s2", "ACCUSE"), ("s2", "SANCTION"), ("s5", "AID")}),
    ({"doc_id": "s2"}, {("s2", "ACCUSE"), ("s2", "SANCTION")}),
    ({"text": "spying"}, {("s2", "ACCUSE")}),
    ({"text": "SANCTIONS"}, {("s1", "SANCTION"), ("s2", "SANCTION")}),
    ({"include_modal": False}, ALL - {("s4", "ASSAULT")}),
    ({"actor": "NOWHERE"}, set()),
], ids=lambda v: json.dumps(v, default=str) if isinstance(v, dict) else None)
def test_event_filters(store_db: Path, kw: dict, expected: set) -> None:
    records = query(store_db, **kw)
    assert keys(records) == expected
    assert len(records) == len(expected)
    with open_store(store_db, read_only=True) as store:
        assert store.count(EventFilter(**kw)) == len(expected)


def test_order_and_limit(store_db: Path) -> None:
    with open_store(store_db, read_only=True) as store:
        records = list(store.events(order="date"))
        days = [r["date"] or r["pub_date"] for r in records]
        assert days == sorted(days)
        assert [r["id"] for r in store.events(order="date", limit=2, offset=1)] == [r["id"] for r in records[1:3]]
        with pytest.raises(DetenteError):
            list(store.events(order="nonsense"))


def test_read_only_store_refuses_missing_file(tmp_path: Path) -> None:
    with pytest.raises(DetenteError, match="no such store"):
        open_store(tmp_path / "absent.duckdb", read_only=True)


# -- exports ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def records(store_db: Path) -> list[dict]:
    with open_store(store_db, read_only=True) as store:
        return list(store.events(order="doc"))


def normalized(rs: list[dict]) -> list[dict]:
    return json.loads(json.dumps(rs, default=str))


def test_export_jsonl(records: list[dict], tmp_path: Path) -> None:
    out = tmp_path / "events.jsonl"
    assert write_records(records, "jsonl", str(out)) == len(records)
    lines = out.read_text(encoding="utf-8").splitlines()
    assert [json.loads(ln) for ln in lines] == normalized(records)
    assert not list(tmp_path.glob("*.partial"))


def test_export_jsonl_to_stdout(records: list[dict], capsys) -> None:
    assert write_records(records, "jsonl", None) == len(records)
    lines = capsys.readouterr().out.splitlines()
    assert [json.loads(ln) for ln in lines] == normalized(records)


def test_export_json(records: list[dict], tmp_path: Path) -> None:
    out = tmp_path / "events.json"
    assert write_records(records, "json", str(out)) == len(records)
    assert json.loads(out.read_text(encoding="utf-8")) == normalized(records)
    empty = tmp_path / "empty.json"
    assert write_records([], "json", str(empty)) == 0
    assert json.loads(empty.read_text(encoding="utf-8")) == []


def test_export_csv(records: list[dict], tmp_path: Path) -> None:
    out = tmp_path / "events.csv"
    assert write_records(records, "csv", str(out)) == len(records)
    with out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == CSV_COLUMNS
        rows = list(reader)
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    by_id = {r["id"]: r for r in rows}
    for rec in records:
        row = by_id[rec["id"]]
        assert row["actor_codes"] == ";".join(a["code"] for a in rec["actor"])
        assert row["recipient_codes"] == ";".join(a["code"] for a in rec["recipient"])
        assert row["event_type"] == rec["event_type"]
        assert float(row["plover_score"]) == rec["plover_score"]
        assert row["sentence"] == rec["sentence"]
    consult = next(r for r in rows if r["event_type"] == "CONSULT")
    assert consult["actor_codes"] == "RUS;CHN"
    assert consult["actor_countries"] == "RUS;CHN"


def test_export_parquet(records: list[dict], tmp_path: Path) -> None:
    out = tmp_path / "events.parquet"
    assert write_records(records, "parquet", str(out)) == len(records)
    table = pq.read_table(out)
    assert table.num_rows == len(records)
    rows = table.to_pylist()
    assert [r["id"] for r in rows] == [r["id"] for r in records]
    for row, rec in zip(rows, records):
        assert json.loads(row["actor"]) == rec["actor"]
        assert json.loads(row["recipient"]) == rec["recipient"]
        assert row["event_type"] == rec["event_type"]
        assert row["date"] == rec["date"]


def test_export_errors(records: list[dict], tmp_path: Path) -> None:
    with pytest.raises(DetenteError, match="unknown format"):
        write_records(records, "xml", str(tmp_path / "x.xml"))
    with pytest.raises(DetenteError, match="parquet"):
        write_records(records, "parquet", None)


def test_dyadic_expansion(tmp_path: Path, code) -> None:
    events = code("Russia and China imposed sanctions on Japan.\n\n"
                  "Russia and China held talks in Beijing.\n\n"
                  "Japan sent humanitarian aid to Turkey.", pub_date="2024-03-14")
    recs = [e.model_dump(mode="json") for e in events]
    assert [r["event_type"] for r in recs] == ["SANCTION", "CONSULT", "AID"]
    out = tmp_path / "dyads.jsonl"
    n = write_records(recs, "jsonl", str(out), dyads=True)
    rows = [json.loads(ln) for ln in out.read_text(encoding="utf-8").splitlines()]
    assert n == len(rows) == 5
    pairs = [(r["event_type"], [a["code"] for a in r["actor"]], [a["code"] for a in r["recipient"]]) for r in rows]
    assert pairs == [
        ("SANCTION", ["RUS"], ["JPN"]), ("SANCTION", ["CHN"], ["JPN"]),  # compound actor: one row each
        ("CONSULT", ["RUS"], ["CHN"]), ("CONSULT", ["CHN"], ["RUS"]),  # reciprocal: both directions
        ("AID", ["JPN"], ["TUR"]),
    ]
    sanction, consult, aid = recs
    assert [r["id"] for r in rows] == [f"{sanction['id']}-0", f"{sanction['id']}-1", f"{consult['id']}-0",
                                       f"{consult['id']}-1", aid["id"]]
    assert [r["source_event_id"] for r in rows] == [sanction["id"]] * 2 + [consult["id"]] * 2 + [aid["id"]]
    csv_out = tmp_path / "dyads.csv"
    assert write_records(recs, "csv", str(csv_out), dyads=True) == 5
    with csv_out.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh)
        assert reader.fieldnames == [*CSV_COLUMNS, "source_event_id"]
        assert [r["actor_codes"] for r in reader] == ["RUS", "CHN", "RUS", "CHN", "JPN"]
    pq_out = tmp_path / "dyads.parquet"
    assert write_records(recs, "parquet", str(pq_out), dyads=True) == 5
    assert pq.read_table(pq_out).column("source_event_id").to_pylist() == [r["source_event_id"] for r in rows]


def test_a_file_that_is_not_a_store_is_refused_and_left_alone(tmp_path) -> None:
    import pytest

    from detente.errors import DetenteError
    from detente.store import open_store

    path = tmp_path / "articles.jsonl"
    path.write_text('{"id": "1", "text": "Russia met Pakistan."}\n')
    before = path.read_bytes()
    for read_only in (True, False):
        with pytest.raises(DetenteError, match="not a DuckDB store"):
            open_store(path, read_only=read_only)
    assert path.read_bytes() == before


# -- de-duplication around new events -------------------------------------------------------------

_WORDS = "army shelled border village town troops killed soldiers drones depot fuel ministers met talks trade".split()


def _dedup_row(rng, i: int, day: dt.date, doc: str) -> dict:
    etype = rng.choice(["ASSAULT", "CONSULT"])
    a, r = rng.choice([("RUS", "UKR"), ("UKR", "RUS"), ("RUS", "RUS")])
    return {"id": f"e{i:05d}", "doc_id": doc, "event_type": etype, "date": day, "pub_date": day,
            "date_precision": rng.choice(["day", "day", "day", "month"]), "sentence": " ".join(rng.sample(_WORDS, 5)),
            "trigger": rng.choice(["shelled", "met", "hit"]), "negated": False, "hypothetical": False, "mode": None,
            "actor": [{"code": a, "country": a}], "recipient": [{"code": r, "country": r}]}


def test_reclustering_around_changes_equals_a_full_recompute() -> None:
    """Seeded random stores: add and remove reports anywhere in time, re-cluster only around them,
    and get what clustering everything from scratch gives."""
    import random

    from detente.store import dedup

    def fetch_from(store: dict):
        def fetch(windows):
            return [{**r, "block": b} for b, lo, hi in windows for r in store.values()
                    if (dedup.pending_key(r) if lo is not None else dedup.block_id(r)) == b
                    and (lo is None or r["date"] >= lo) and (hi is None or r["date"] <= hi)]
        return fetch

    base = D(2024, 1, 1)
    for trial in range(300):
        rng = random.Random(trial)
        n = rng.randint(5, 120)
        span = rng.choice([5, 30, 200])
        store = {}
        for i in range(n):
            row = _dedup_row(rng, i, base + dt.timedelta(days=rng.randint(0, span)), f"d{rng.randint(0, n // 2)}")
            store[row["id"]] = row
        for i, (cid, count) in dedup.cluster_events(store.values()).items():
            store[i].update(event_cluster_id=cid, sources_count=count)
        pending: dict = {}
        removed = rng.sample(sorted(store), k=rng.randint(0, min(3, len(store))))
        dedup.merge_pending(pending, dedup.pending_blocks([store[i] for i in removed]))
        for i in removed:
            del store[i]
        added = [_dedup_row(rng, 1000 + j, base + dt.timedelta(days=rng.randint(0, span)), f"d{rng.randint(0, n)}")
                 for j in range(rng.randint(1, 6))]
        for row in added:
            store[row["id"]] = {**row, "event_cluster_id": row["id"], "sources_count": 1}
        dedup.merge_pending(pending, dedup.pending_blocks(added))
        changes, _ = dedup.recluster_pending([(b, *span) for b, span in pending.items()], fetch_from(store),
                                             horizon_days=rng.choice([0, 1, 5, 30]))
        for i, (cid, count) in changes.items():
            store[i].update(event_cluster_id=cid, sources_count=count)
        full = dedup.cluster_events(store.values())
        assert {i: (r["event_cluster_id"], r["sources_count"]) for i, r in store.items()} == full, trial


def test_a_new_report_recomputes_its_dates_not_the_history(tmp_path, make_doc) -> None:
    """Two years of daily reports of one kind of event, then one more: only the reports near it
    are read again (the whole history of the block was, before)."""
    from detente.models import Actor, Event
    from detente.store import Store

    rus = Actor(text="Russia", code="RUS", country="RUS")
    ukr = Actor(text="Ukraine", code="UKR", country="UKR")

    def report(doc_id: str, day: dt.date) -> tuple:
        sentence = f"Russian forces shelled Ukrainian positions near Kupiansk on {day:%B %d}."
        doc = make_doc(sentence, doc_id, day)
        ev = Event(id=Event.make_id(doc_id, 0, "ASSAULT", [rus], [ukr], "shelled"), doc_id=doc_id, sentence_index=0,
                   sentence=sentence, date=day, date_precision="day", pub_date=day, event_type="ASSAULT",
                   quad_class="material_conflict", plover_score=-9.0, cameo_code="190", actor=[rus], recipient=[ukr],
                   trigger="shelled", confidence=0.9, coder="test")
        return doc, [ev]

    db = tmp_path / "history.duckdb"
    start = D(2022, 1, 1)
    with Store(db) as store:
        history = [report(f"h{i}", start + dt.timedelta(days=i)) for i in range(730)]
        store.write_batch(history)
        assert store.update_clusters()["recomputed"] == 730
        store.write_batch([report("new", start + dt.timedelta(days=700))])
        stats = store.update_clusters()
        assert stats["recomputed"] <= 60, stats
        assert store.update_clusters(full=True)["changed"] == 0


# -- failures, writer lock and Parquet commits ------------------------------------------------------

def test_failures_are_recorded_and_cleared_in_both_store_kinds(tmp_path, docs) -> None:
    from detente.models import Failure
    from detente.run.ingest import open_sink

    bad = Failure(doc_id=docs[0].doc_id, path="in.jsonl", stage="code", error="RecursionError: deep",
                  content_hash=docs[0].content_hash)
    unreadable = Failure(path="in/empty.txt", stage="read", error="in/empty.txt: empty input", content_hash="e3b0")
    for target in (str(tmp_path / "s.duckdb"), str(tmp_path / "pq")):
        kw = {"output": target} if target.endswith("pq") else {}
        with open_sink(target, **kw) as sink:
            sink.write_batch([], [bad, unreadable])
            assert sink.failed([bad.key, unreadable.key, "other"]) == {bad.key: docs[0].content_hash,
                                                                       unreadable.key: "e3b0"}
            sink.write_batch([], [bad])  # failed again: one row, two attempts
        with open_store(target, read_only=True) as store:
            rows = {r["key"]: r for r in store.failures()}
        assert rows[bad.key]["attempts"] == 2 and rows[unreadable.key]["source"] == "in/empty.txt"
        with open_sink(target, **kw) as sink:
            sink.write_batch([(docs[0], [])])  # stored at last: its failure is gone
            assert sink.settle_failures(["in/empty.txt"], []) == 1  # read again, no longer failing
        with open_store(target, read_only=True) as store:
            assert store.failures() == []


def test_a_second_writer_is_refused_at_once_or_after_waiting(tmp_path) -> None:
    from detente.run.ingest import open_sink
    from detente.store.lock import StoreBusy

    for target, kw in ((str(tmp_path / "s.duckdb"), {}), (str(tmp_path / "pq"), {"output": str(tmp_path / "pq")})):
        with open_sink(target, **kw):
            with pytest.raises(StoreBusy, match="another ingest .pid"):
                open_sink(target, **kw)
            start = dt.datetime.now()
            with pytest.raises(StoreBusy):
                open_sink(target, wait=0.5, **kw)
            assert (dt.datetime.now() - start).total_seconds() >= 0.5
        open_sink(target, **kw).close()  # free again


def _parquet_store(tmp_path: Path, docs: list) -> Path:
    out = tmp_path / "pq"
    ingest_documents(list(docs[:3]), "unused.duckdb", output=str(out), progress="none")
    return out


def test_files_a_killed_parquet_writer_left_are_ignored_and_removed(tmp_path, docs) -> None:
    """A kill after a batch's events file and before its commit: readers never see those rows,
    and the next ingest works (it used to fail on such a file with ArrowTypeError) and removes it."""
    out = _parquet_store(tmp_path, docs)
    events_before = tables(out)[0]
    [some] = sorted((out / "events").rglob("*.parquet"))[:1]
    table = pq.read_table(some)
    orphan = table.set_column(table.schema.get_field_index("doc_id"), "doc_id",
                              pa_array(["never-committed"] * table.num_rows))
    left = some.parent / "part-99999999-killed.parquet"
    pq.write_table(orphan, left)
    assert tables(out)[0] == events_before
    stats = ingest_documents(list(docs), "unused.duckdb", output=str(out), progress="none")
    assert (stats["new"], stats["skipped"]) == (2, 3)
    assert not left.exists()
    assert keys(query(out)) == ALL


def test_a_parquet_store_from_before_manifests_is_adopted(tmp_path, docs) -> None:
    """Earlier versions kept no manifest: every file counted. Adopting such a store drops what a
    killed run left (events of a document never committed) and what two writers at once left
    (a batch stored twice: 7,131 rows for 4,424 event ids in the audit)."""
    import shutil

    out = _parquet_store(tmp_path, docs)
    (out / "_manifest.json").unlink()  # the layout of earlier versions: every file is live
    for f in sorted(out.rglob("part-*.parquet")):
        shutil.copy(f, f.parent / "part-zz-second-writer.parquet")
    assert len(tables(out)[0]) > len({row[0] for row in tables(out)[0]})  # duplicates, as the audit found
    [some] = sorted((out / "events").rglob("*.parquet"))[:1]
    table = pq.read_table(some)
    pq.write_table(table.set_column(table.schema.get_field_index("doc_id"), "doc_id",
                                    pa_array(["never-committed"] * table.num_rows)), some.parent / "part-orphan.parquet")
    stats = ingest_documents(list(docs), "unused.duckdb", output=str(out), progress="none")
    assert (stats["new"], stats["skipped"]) == (2, 3)
    assert (out / "_manifest.json").exists() and not (some.parent / "part-orphan.parquet").exists()
    clean = tmp_path / "clean.duckdb"
    ingest(docs, clean)
    assert tables(out)[0] == tables(clean)[0]


def pa_array(values: list):
    import pyarrow as pa

    return pa.array(values, pa.string())
