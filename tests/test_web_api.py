"""The web dashboard and JSON API (detente.web) through FastAPI's TestClient."""

from __future__ import annotations

import csv
import io
import json
import re
import shutil
from pathlib import Path
from urllib.parse import quote

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from conftest_web import (  # noqa: E402
    HOSTILE_ID,
    IMG,
    N_DOCUMENTS,
    ODD_ID,
    SCRIPT,
    build_store,
    post_upload,
    upload_token,
    wait_job,
)
from detente.errors import DetenteError  # noqa: E402
from detente.web.app import create_app  # noqa: E402

PAGES = ["/", "/events", "/documents", "/dyads", "/dyad/RUS/PAK", "/changes", "/network", "/docs",
         f"/doc/{HOSTILE_ID}"]


@pytest.fixture(scope="module")
def store_path(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_store(tmp_path_factory.mktemp("web") / "w.duckdb")


@pytest.fixture(scope="module")
def client(store_path: Path) -> TestClient:
    with TestClient(create_app(str(store_path))) as c:
        yield c


def _error(resp, status: int) -> str:
    assert resp.status_code == status, resp.text
    body = resp.json()
    assert body["status"] == status and body["error"]
    return body["error"]


# -- stats and events ----------------------------------------------------------------------------

def test_stats(client: TestClient) -> None:
    stats = client.get("/api/stats").json()
    assert stats["documents"] == N_DOCUMENTS
    assert stats["events"] > 30 and stats["reports"] >= stats["events"]
    assert stats["first_pub_date"] == "2023-02-10" and stats["last_pub_date"] == "2025-04-03"
    assert set(stats["quad_classes"]) <= {"verbal_cooperation", "material_cooperation", "verbal_conflict",
                                          "material_conflict"}
    assert sum(stats["event_types"].values()) == stats["events"]


def test_events_paging(client: TestClient) -> None:
    first = client.get("/api/events", params={"page_size": 5}).json()
    assert set(first) >= {"total", "page", "page_size", "events"}
    assert first["page"] == 1 and first["page_size"] == 5 and len(first["events"]) == 5
    second = client.get("/api/events", params={"page_size": 5, "page": 2}).json()
    assert not {e["id"] for e in first["events"]} & {e["id"] for e in second["events"]}
    everything = client.get("/api/events", params={"page_size": 200}).json()
    assert len(everything["events"]) == everything["total"] == first["total"]
    assert "past the last page" in _error(client.get("/api/events", params={"page": 99}), 404)


def test_events_filters(client: TestClient) -> None:
    total = client.get("/api/events").json()["total"]
    accuse = client.get("/api/events", params={"type": "ACCUSE", "page_size": 200}).json()
    assert 0 < accuse["total"] < total
    assert {e["event_type"] for e in accuse["events"]} == {"ACCUSE"}
    both = client.get("/api/events", params=[("type", "accuse"), ("type", "AID")]).json()
    comma = client.get("/api/events", params={"type": "ACCUSE,AID"}).json()
    assert both["total"] == comma["total"] > accuse["total"]
    rus_pak = client.get("/api/events", params={"actor": "rus", "recipient": "PAK", "page_size": 200}).json()
    assert rus_pak["total"] > 5
    assert all(any(a["code"].startswith("RUS") for a in e["actor"]) for e in rus_pak["events"])
    quad = client.get("/api/events", params={"quad": "material_conflict", "page_size": 200}).json()
    assert quad["total"] and {e["quad_class"] for e in quad["events"]} == {"material_conflict"}
    span = client.get("/api/events", params={"from": "2024-01-01", "to": "2024-12-31", "page_size": 200}).json()
    assert span["total"] and all("2024-01-01" <= (e["date"] or e["pub_date"]) <= "2024-12-31" for e in span["events"])
    text = client.get("/api/events", params={"q": "helicopters"}).json()
    assert text["total"] == 1 and "helicopters" in text["events"][0]["sentence"]
    doc = client.get("/api/events", params={"doc": HOSTILE_ID}).json()
    assert doc["total"] >= 1 and {e["doc_id"] for e in doc["events"]} == {HOSTILE_ID}


def test_events_modal_filter(client: TestClient) -> None:
    everything = client.get("/api/events", params={"page_size": 200}).json()
    negated = [e for e in everything["events"] if e["negated"] or e["hypothetical"]]
    assert negated, "the corpus has a negated event ('did not sign')"
    plain = client.get("/api/events", params={"modal": "exclude", "page_size": 200}).json()
    assert plain["total"] == everything["total"] - len(negated)
    assert not any(e["negated"] or e["hypothetical"] for e in plain["events"])


@pytest.mark.parametrize("sort,key,reverse", [
    ("date", lambda e: e["date"] or e["pub_date"], False), ("-date", lambda e: e["date"] or e["pub_date"], True),
    ("score", lambda e: e["plover_score"], False), ("-score", lambda e: e["plover_score"], True),
    ("-confidence", lambda e: e["confidence"], True), ("type", lambda e: e["event_type"], False),
])
def test_events_sort(client: TestClient, sort: str, key, reverse: bool) -> None:
    events = client.get("/api/events", params={"sort": sort, "page_size": 200}).json()["events"]
    values = [key(e) for e in events]
    assert values == sorted(values, reverse=reverse)


@pytest.mark.parametrize("params,needle", [
    ({"page": 0}, "page"), ({"page": -3}, "page"), ({"page": "abc"}, "page"),
    ({"page_size": 201}, "page_size"), ({"page_size": 0}, "page_size"), ({"page_size": "x"}, "page_size"),
    ({"from": "2024-02-30"}, "from"), ({"to": "yesterday"}, "to"), ({"from": "2025-01-01", "to": "2024-01-01"}, "after"),
    ({"type": "FOO"}, "unknown event type"), ({"quad": "friendly"}, "unknown quad class"),
    ({"sort": "random()"}, "unknown order"), ({"modal": "maybe"}, "modal"),
    ({"actor": "RUS'; DROP TABLE events; --"}, "invalid actor code"), ({"recipient": "<b>"}, "invalid actor code"),
])
def test_events_bad_parameters(client: TestClient, params: dict, needle: str) -> None:
    message = _error(client.get("/api/events", params=params), 400)
    assert needle in message


def test_search_text_is_a_parameter_not_sql(client: TestClient) -> None:
    total = client.get("/api/stats").json()["events"]
    resp = client.get("/api/events", params={"q": "'; DROP TABLE events; --"})
    assert resp.status_code == 200 and resp.json()["total"] == 0
    assert client.get("/api/events", params={"q": "%"}).json()["total"] <= total
    assert client.get("/api/stats").json()["events"] == total


# -- downloads -----------------------------------------------------------------------------------

def test_csv_download(client: TestClient) -> None:
    resp = client.get("/api/events.csv", params={"type": "ACCUSE"})
    assert resp.status_code == 200
    assert resp.headers["content-type"].startswith("text/csv")
    assert "attachment" in resp.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.text)))
    assert len(rows) == client.get("/api/events", params={"type": "ACCUSE"}).json()["total"]
    assert {r["event_type"] for r in rows} == {"ACCUSE"}
    assert "actor_codes" in rows[0] and "sentence" in rows[0]
    limited = list(csv.DictReader(io.StringIO(client.get("/api/events.csv", params={"limit": 2}).text)))
    assert len(limited) == 2


def test_jsonl_download(client: TestClient) -> None:
    resp = client.get("/api/events.jsonl", params={"actor": "RUS", "recipient": "PAK", "sort": "date"})
    assert resp.status_code == 200 and "ndjson" in resp.headers["content-type"]
    records = [json.loads(line) for line in resp.text.splitlines() if line]
    assert len(records) == client.get("/api/events", params={"actor": "RUS", "recipient": "PAK"}).json()["total"]
    assert [r["date"] for r in records] == sorted(r["date"] for r in records)
    dyadic = [json.loads(line) for line in client.get("/api/events.jsonl", params={"dyadic": "true"}).text.splitlines()]
    assert all("source_event_id" in r for r in dyadic)


def test_downloads_reject_bad_parameters(client: TestClient) -> None:
    _error(client.get("/api/events.csv", params={"from": "2024-13-01"}), 400)
    _error(client.get("/api/events.jsonl", params={"type": "NOPE"}), 400)
    _error(client.get("/api/events.csv", params={"limit": 0}), 400)


# -- single records ------------------------------------------------------------------------------

def test_event_by_id(client: TestClient) -> None:
    ev = client.get("/api/events", params={"page_size": 1}).json()["events"][0]
    got = client.get(f"/api/event/{ev['id']}").json()
    assert got == ev
    assert "no event" in _error(client.get("/api/event/doesnotexist"), 404)


def test_document(client: TestClient) -> None:
    doc = client.get(f"/api/doc/{HOSTILE_ID}").json()
    assert doc["doc_id"] == HOSTILE_ID and SCRIPT in doc["text"] and IMG in doc["text"]
    assert doc["pub_date"] == "2025-03-07"
    assert doc["events"] and all(e["doc_id"] == HOSTILE_ID for e in doc["events"])
    odd = client.get(f"/api/doc/{quote(ODD_ID, safe='')}")
    assert odd.status_code == 200 and odd.json()["doc_id"] == ODD_ID
    assert "no document" in _error(client.get("/api/doc/nope"), 404)


# -- relations -----------------------------------------------------------------------------------

def test_dyad(client: TestClient) -> None:
    body = client.get("/api/dyad/rus/pak").json()
    assert body["a"] == "RUS" and body["b"] == "PAK" and body["freq"] == "month"
    assert body["series"] and {"period", "n_events", "index", "index_low", "index_high"} <= set(body["series"][0])
    assert sum(p["n_events"] for p in body["series"]) > 10
    assert [c["label"] for c in body["changes"]] == ["detente"]
    assert body["changes"][0]["evidence"]
    quarterly = client.get("/api/dyad/RUS/PAK", params={"freq": "quarter"}).json()
    assert len(quarterly["series"]) < len(body["series"])
    empty = client.get("/api/dyad/FRA/JPN").json()
    assert empty["series"] == [] and empty["changes"] == []


@pytest.mark.parametrize("url,needle", [
    ("/api/dyad/RUS/PAK?freq=decade", "freq"), ("/api/dyad/RUS/RUS", "two different"),
    ("/api/dyad/R$S/PAK", "invalid actor code"),
])
def test_dyad_bad_parameters(client: TestClient, url: str, needle: str) -> None:
    assert needle in _error(client.get(url), 400)


def test_changes(client: TestClient) -> None:
    body = client.get("/api/changes").json()
    assert body["total"] == len(body["changes"]) >= 1
    change = body["changes"][0]
    assert {"a", "b", "label", "start", "end", "before", "after", "evidence"} <= set(change)
    assert {change["a"], change["b"]} == {"RUS", "PAK"}
    assert client.get("/api/changes", params={"limit": 1}).json()["changes"] == body["changes"][:1]
    _error(client.get("/api/changes", params={"limit": 0}), 400)


def test_network(client: TestClient) -> None:
    net = client.get("/api/network").json()
    ids = {n["id"] for n in net["nodes"]}
    assert {"RUS", "PAK"} <= ids
    edge = next(e for e in net["edges"] if {e["source"], e["target"]} == {"RUS", "PAK"})
    assert edge["sign"] in (-1, 0, 1) and edge["n_events"] > 10
    assert isinstance(net["blocs"], list) and "n_triads" in net["balance"]
    later = client.get("/api/network", params={"from": "2025-01-01", "to": "2025-12-31"}).json()
    assert later["from"] == "2025-01-01" and later["to"] == "2025-12-31"
    later_edge = next(e for e in later["edges"] if {e["source"], e["target"]} == {"RUS", "PAK"})
    assert later_edge["n_events"] < edge["n_events"]
    assert "from" in _error(client.get("/api/network", params={"from": "01/02/2024"}), 400)
    _error(client.get("/api/network", params={"from": "2025-01-01", "to": "2024-01-01"}), 400)


def test_dyads(client: TestClient) -> None:
    dyads = client.get("/api/dyads", params={"n": 3}).json()["dyads"]
    assert len(dyads) <= 3 and {dyads[0]["a"], dyads[0]["b"]} == {"PAK", "RUS"}
    _error(client.get("/api/dyads", params={"n": 0}), 400)
    _error(client.get("/api/dyads", params={"n": 501}), 400)


def test_analysis_missing_is_reported(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    from detente.web import bridge
    from detente.web.access import WebError

    def missing(name: str):
        raise WebError(501, f"relations analysis is not available (detente.analysis.{name} is not installed)")

    monkeypatch.setattr(bridge, "_module", missing)
    bridge.clear_cache()
    assert "not available" in _error(client.get("/api/dyads"), 501)
    page = client.get("/dyad/RUS/PAK")
    assert page.status_code == 200 and "not available" in page.text
    assert client.get("/").status_code == 200 and client.get("/network").status_code == 200


# -- docs and errors -----------------------------------------------------------------------------

def test_openapi_and_docs(client: TestClient) -> None:
    spec = client.get("/openapi.json").json()
    for path in ("/api/stats", "/api/events", "/api/events.csv", "/api/events.jsonl", "/api/event/{event_id}",
                 "/api/doc/{doc_id}", "/api/dyad/{a}/{b}", "/api/changes", "/api/network", "/api/dyads"):
        assert path in spec["paths"], path
    assert not any(p.startswith("/dyad") or p == "/" for p in spec["paths"])
    docs = client.get("/docs")
    assert docs.status_code == 200 and "/api/events.jsonl" in docs.text and "page_size" in docs.text


def test_unknown_paths(client: TestClient) -> None:
    assert "no such page" in _error(client.get("/api/nothing"), 404)
    page = client.get("/nothing")
    assert page.status_code == 404 and "text/html" in page.headers["content-type"] and "no such page" in page.text


@pytest.mark.parametrize("url,status,needle", [
    ("/events?page=0", 400, "page: Input should be greater than or equal to 1"), ("/events?page_size=1000", 400, "page_size"),
    ("/events?from=2024-99-01", 400, "invalid date"), ("/events?type=BOGUS", 400, "unknown event type"),
    ("/events?page=50", 404, "past the last page"), ("/doc/nope", 404, "no document with id"),
    ("/dyad/RUS/RUS", 400, "two different"), ("/network?to=tomorrow", 400, "invalid date"),
    ("/changes?label=happy", 400, "label"), ("/dyad?a=RUS&b=", 400, "two actor codes"),
])
def test_html_errors(client: TestClient, url: str, status: int, needle: str) -> None:
    resp = client.get(url)
    assert resp.status_code == status
    assert resp.headers["content-type"].startswith("text/html")
    assert needle in resp.text and '<nav aria-label="main">' in resp.text


def test_missing_store_fails_early(tmp_path: Path) -> None:
    with pytest.raises(DetenteError, match="no such store"):
        create_app(str(tmp_path / "missing.duckdb"))


# -- pages ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("url", PAGES)
def test_pages_render(client: TestClient, url: str) -> None:
    resp = client.get(url)
    assert resp.status_code == 200, resp.text
    html = resp.text
    for link in ('href="/"', 'href="/events"', 'href="/dyads"', 'href="/network"', 'href="/docs"'):
        assert link in html
    assert "Ingest" not in html  # read-only server: no upload link
    # offline: no CDN or any other remote script, style or font
    assert not re.search(r'(src|href)="(https?:)?//', html.replace('href="https://example', ""))


def test_overview(client: TestClient) -> None:
    html = client.get("/").text
    assert f">{N_DOCUMENTS}<" in html and "2023-02-10" in html
    assert 'href="/dyad/PAK/RUS"' in html and "detente" in html
    assert 'class="chart-data"' in html and "/static/plotly.min.js" in html


def test_events_page(client: TestClient) -> None:
    html = client.get("/events", params={"actor": "RUS", "type": "AID", "page_size": 25}).text
    assert 'value="RUS"' in html and 'value="AID" checked' in html
    assert '<mark class="trg">delivered</mark>' in html
    assert 'href="/dyad/RUS/PAK"' in html and 'href="/doc/rp-5#ev-' in html
    # the downloads and sort links keep the filters
    assert "/api/events.csv?actor=RUS&amp;type=AID" in html
    assert "sort=score" in html or "sort=-score" in html
    few = client.get("/events", params={"page_size": 5}).text
    assert 'rel="next"' in few and "page=2" in few
    none = client.get("/events", params={"q": "nothing like this"}).text
    assert "No events match" in none


def test_dyad_page(client: TestClient) -> None:
    html = client.get("/dyad/RUS/PAK").text
    assert 'id="series-chart"' in html and 'data-target="series-chart"' in html
    assert "detente" in html and "events behind this detente" in html
    assert "Series as a table" in html
    empty = client.get("/dyad/FRA/JPN").text
    assert "No events between FRA and JPN" in empty and "series-chart" not in empty
    assert client.get("/dyad", params={"a": "rus", "b": "pak"}, follow_redirects=False).headers["location"] == "/dyad/RUS/PAK"


def test_doc_page_marks_events(client: TestClient) -> None:
    html = client.get("/doc/rp-4").text
    assert html.count('class="ev-sent') == 2
    assert '<mark class="trg">lifted' in html and 'class="ev-tag q-' in html
    assert "RETREAT: Russia" in html  # tooltip: type and actors
    odd = client.get(f"/doc/{quote(ODD_ID, safe='')}")
    assert odd.status_code == 200 and "A document with an odd id" in odd.text
    assert quote(ODD_ID, safe="") in client.get("/documents").text


def test_hostile_document_is_escaped(client: TestClient) -> None:
    for url in (f"/doc/{HOSTILE_ID}", f"/events?doc={HOSTILE_ID}", "/events?q=alert", "/documents", "/"):
        html = client.get(url).text
        assert SCRIPT not in html and "<img src=x" not in html, url
    doc = client.get(f"/doc/{HOSTILE_ID}").text
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in doc
    assert "&#34;&gt;&lt;img src=x onerror=alert(1)&gt;" in doc
    # no chart on a document page, and nothing injected: only the site's own script files
    assert re.findall(r"<script(?! src=\"/static/[a-z]+\.js\" defer></script>)", doc) == []


def test_security_headers(client: TestClient) -> None:
    headers = client.get("/").headers
    assert "script-src 'self'" in headers["content-security-policy"]
    assert headers["x-content-type-options"] == "nosniff"
    assert client.get("/api/stats").headers["x-frame-options"] == "DENY"


def test_static_assets(client: TestClient) -> None:
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and "javascript" in js.headers["content-type"] and len(js.content) > 1_000_000
    assert client.get("/static/charts.js").status_code == 200
    assert client.get("/static/style.css").status_code == 200
    assert client.get("/static/nope.js").status_code == 404


def test_ingest_off_by_default(client: TestClient) -> None:
    assert "read-only" in client.get("/ingest").text
    assert client.get("/ingest").status_code == 404
    assert client.post("/ingest", files={"file": ("a.txt", b"Russia praised Pakistan.")}).status_code == 404


# -- ingest --------------------------------------------------------------------------------------

@pytest.fixture()
def writable(store_path: Path, tmp_path: Path) -> TestClient:
    db = tmp_path / "copy.duckdb"
    shutil.copy(store_path, db)
    with TestClient(create_app(str(db), allow_ingest=True, max_upload_bytes=2000)) as c:
        yield c


def test_ingest_upload(writable: TestClient) -> None:
    before = writable.get("/api/stats").json()
    pairs_before = {d["dyad"]: d["n_events"] for d in writable.get("/api/dyads").json()["dyads"]}
    form = writable.get("/ingest")
    assert form.status_code == 200 and 'enctype="multipart/form-data"' in form.text
    assert 'href="/ingest"' in writable.get("/").text
    text = b"Russia praised Pakistan for its leadership on Monday.\n\nChina accused Japan of provocations."
    resp = post_upload(writable, "new-article.txt", text, upload_token(writable), date="2025-05-05")
    assert resp.status_code == 303, resp.text
    assert "1 new" in wait_job(writable, resp.headers["location"])
    after = writable.get("/api/stats").json()
    assert after["documents"] == before["documents"] + 1 and after["events"] > before["events"]
    pairs_after = {d["dyad"]: d["n_events"] for d in writable.get("/api/dyads").json()["dyads"]}
    assert pairs_after["PAK-RUS"] > pairs_before["PAK-RUS"]  # cached analysis results follow the store
    again = post_upload(writable, "new-article.txt", text, upload_token(writable), date="2025-05-05")
    assert "1 unchanged" in wait_job(writable, again.headers["location"])
    assert writable.get("/api/stats").json() == after


def test_ingest_too_large(writable: TestClient) -> None:
    token = upload_token(writable)
    resp = post_upload(writable, "big.txt", b"Russia praised Pakistan. " * 200, token)
    assert resp.status_code == 413 and "upload too large" in resp.text and "MB" in resp.text
    huge = post_upload(writable, "huge.txt", b"x" * 100_000, token)
    assert huge.status_code == 413


@pytest.mark.parametrize("file,date,needle", [
    (None, "2025-01-01", "choose a file"),
    (b"Russia praised Pakistan.", "May 5", "invalid date"),
    (b"   ", None, "empty"),
])
def test_ingest_bad_uploads(writable: TestClient, file: bytes | None, date: str | None, needle: str) -> None:
    fields = {"csrf": upload_token(writable), **({"date": date} if date else {})}
    headers = {"origin": "http://testserver"}
    if file is None:
        resp = writable.post("/ingest", data=fields, headers=headers)
    else:
        resp = writable.post("/ingest", files={"file": ("a.txt", file, "text/plain")}, data=fields, headers=headers)
    assert resp.status_code == 400 and needle in resp.text
    assert 'name="csrf"' in resp.text  # the form again, ready for another try


def test_ingest_refuses_cross_site_posts(writable: TestClient) -> None:
    resp = post_upload(writable, "a.txt", b"Russia praised Pakistan.", upload_token(writable),
                       origin="https://evil.example")
    assert resp.status_code == 403 and "cross-site" in resp.text


def test_ingest_hostile_upload_is_escaped(writable: TestClient) -> None:
    payload = f"Russia praised Pakistan {SCRIPT} on Monday.\n\nIt said {IMG} too.".encode()
    resp = post_upload(writable, "x<b>.txt", payload, upload_token(writable))
    page = wait_job(writable, resp.headers["location"])
    assert "<b>" not in page and SCRIPT not in page and "x&lt;b&gt;.txt" in page
    doc_id = re.search(r'href="/doc/([^"#]+)"', page.split("<h2>Documents</h2>")[1]).group(1)
    doc = writable.get(f"/doc/{doc_id}").text
    assert SCRIPT not in doc and "&lt;script&gt;" in doc


# -- command line --------------------------------------------------------------------------------

def test_serve_command_registered() -> None:
    import typer
    from typer.testing import CliRunner

    from detente.web.cli import register

    app = typer.Typer()

    @app.callback()
    def main() -> None:
        """detente"""

    register(app)
    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0
    for option in ("--db", "--host", "--port", "--allow-ingest", "--max-upload-mb"):
        assert option in result.output
    assert "127.0.0.1" in result.output
    bad = CliRunner().invoke(app, ["serve", "--db", "x.duckdb", "--port", "0"])
    assert bad.exit_code != 0 and "--port" in str(bad.exception)
