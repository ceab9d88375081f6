"""One count everywhere: a dyad's events are the same number on every view (CLI, report, web
pages and API), events by default and reports on request, on the sample corpus coded for real."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from detente.analysis.series import count_events, dyad_events, top_dyads
from detente.store import EventFilter, open_store

SAMPLES = Path(__file__).resolve().parents[1] / "samples"


@pytest.fixture(scope="module")
def sample_db(tmp_path_factory: pytest.TempPathFactory) -> str:
    from detente.ingest import iter_documents
    from detente.run.ingest import ingest_documents

    db = str(tmp_path_factory.mktemp("counts") / "samples.duckdb")
    ingest_documents(list(iter_documents([str(SAMPLES)])), db, progress="none")
    return db


def test_the_store_has_what_makes_counts_disagree(sample_db: str) -> None:
    """Duplicate reports, negated or hypothetical events and background: what the views used to
    count differently (75 events on the overview, 87 on the dyad page)."""
    with open_store(sample_db, read_only=True) as store:
        pak_rus = EventFilter(dyad=("PAK", "RUS"))
        assert store.count(pak_rus) > count_events(store, ("PAK", "RUS"))
        assert store.count(EventFilter(count="clusters")) < store.count(EventFilter())


@pytest.mark.parametrize("count", ["clusters", "reports"])
def test_analysis_totals_agree(sample_db: str, count: str) -> None:
    with open_store(sample_db, read_only=True) as store:
        rows = top_dyads(store, 40, count=count)
        assert rows
        for r in rows:
            total, events = dyad_events(store, r["a"], r["b"], count)
            assert r["n_events"] == count_events(store, (r["a"], r["b"]), count) == total == len(events), r["dyad"]
            if count == "clusters":
                assert len({e["event_cluster_id"] or e["id"] for e in events}) == total


def test_cli_and_report_totals_agree(sample_db: str, tmp_path: Path) -> None:
    from test_analysis import run  # the CLI app, in process

    for count in ("clusters", "reports"):
        result = run("dyads", "--db", sample_db, "--top", "5", "--json", "--count", count)
        assert result.exit_code == 0, result.output
        for d in json.loads(result.output)[:3]:
            one = json.loads(run("dyad", d["a"], d["b"], "--db", sample_db, "--json", "--count", count).output)
            assert one["n_events"] == d["n_events"], (count, d["dyad"])
    out = tmp_path / "report.html"
    assert run("report", "--db", sample_db, "-o", str(out)).exit_code == 0
    html = out.read_text(encoding="utf-8")
    top = json.loads(run("dyads", "--db", sample_db, "--top", "1", "--json").output)[0]
    n = top["n_events"]
    row = re.search(rf"<td><b>{top['dyad']}</b></td><td>[^<]*</td><td class=\"num\">(\d+)</td>", html)
    assert row and int(row.group(1)) == n  # the top dyads table
    assert f"of {n} events</summary>" in html or f"· {n} events</summary>" in html  # the event table


def test_web_totals_agree_with_a_visible_switch(sample_db: str) -> None:
    pytest.importorskip("fastapi")
    pytest.importorskip("httpx")
    from fastapi.testclient import TestClient

    from detente.web.app import create_app

    with TestClient(create_app(sample_db)) as client:
        for count, word in (("clusters", "events"), ("reports", "reports")):
            query = "" if count == "clusters" else "?count=reports"
            dyads = client.get(f"/api/dyads{query}").json()["dyads"]
            overview = client.get(f"/{query}").text
            listing = client.get(f"/dyads{query}").text
            for d in dyads[:3]:
                n = d["n_events"]
                assert client.get(f"/api/dyad/{d['a']}/{d['b']}{query}").json()["n_events"] == n
                page = client.get(f"/dyad/{d['a']}/{d['b']}{query}").text
                assert re.search(rf"of <strong>{n:,}</strong> {word}, either direction", page), (count, d["dyad"])
                link = rf"{d['a']}–{d['b']}</a>.*?<td class=\"c-num\">{n:,}</td>"
                assert re.search(link, overview, re.S) and re.search(link, listing, re.S), (count, d["dyad"])
            # the switch is on the page, and leads to the other count
            other = "count every report" if count == "clusters" else "count each event once"
            assert other in overview and other in listing
        with open_store(sample_db, read_only=True) as store:
            events = store.count(EventFilter(count="clusters"))
            reports = store.count(EventFilter())
        assert events < reports
        assert client.get("/api/stats").json()["events"] == events
        assert client.get("/api/stats?count=reports").json()["events"] == reports
        assert client.get("/api/events?page_size=1").json()["total"] == events
        assert client.get("/api/events?page_size=1&count=reports").json()["total"] == reports
        assert re.search(rf"of <strong>{events:,}</strong> events", client.get("/events").text)
        assert client.get("/api/dyads?count=docs").status_code == 400
