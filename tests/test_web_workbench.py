"""The analyst's workbench through the API and pages: actors by name, facets and filters, the
events/reports switch, series of any filter, dyads overlaid, click-through links and exports."""

from __future__ import annotations

import csv
import io
import json
import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

import pytest

pytest.importorskip("fastapi")
pytest.importorskip("httpx")

from fastapi.testclient import TestClient  # noqa: E402

from conftest_web import build_store  # noqa: E402
from detente.web.app import create_app  # noqa: E402


@pytest.fixture(scope="module")
def client(tmp_path_factory: pytest.TempPathFactory) -> TestClient:
    db = build_store(tmp_path_factory.mktemp("bench") / "w.duckdb")
    with TestClient(create_app(str(db))) as c:
        yield c


def _total(client: TestClient, **params: object) -> int:
    resp = client.get("/api/events", params=params)
    assert resp.status_code == 200, resp.text
    return resp.json()["total"]


# -- actors by name ------------------------------------------------------------------------------

@pytest.mark.parametrize("q,code,kind", [
    ("Russia", "RUS", "state"), ("russ", "RUS", "state"), ("Russian", "RUS", "state"), ("Moscow", "RUS", "state"),
    ("Kremlin", "RUSGOV", "state"), ("Putin", "RUSGOV", "person"), ("Hamas", "HAMAS", "group"),
    ("Sinwar", "HAMAS", "group"), ("NATO", "IGONATO", "igo"), ("Côte d'Ivoire", "CIV", "state"),
    ("cote divoire", "CIV", "state"), ("PAK", "PAK", "state"),
])
def test_actor_search(client: TestClient, q: str, code: str, kind: str) -> None:
    matches = client.get("/api/actors", params={"q": q}).json()["matches"]
    assert matches and matches[0]["code"] == code and matches[0]["kind"] == kind, matches[:3]


def test_actor_search_ranks_by_presence_and_says_who(client: TestClient) -> None:
    putin = client.get("/api/actors", params={"q": "Putin"}).json()["matches"][0]
    assert putin["name"] == "Vladimir Putin" and "Russia" in putin["note"]
    pak = client.get("/api/actors", params={"q": "Pak"}).json()["matches"]
    assert pak[0]["code"] == "PAK" and pak[0]["events"] > 0
    top = client.get("/api/actors").json()["matches"]  # no q: the most active actors
    assert [m["code"] for m in top[:2]] == ["RUS", "PAK"] or [m["code"] for m in top[:2]] == ["PAK", "RUS"]
    assert client.get("/api/actors", params={"q": "zzzz"}).json()["matches"] == []
    assert client.get("/api/actors", params={"limit": 0}).status_code == 400


@pytest.mark.parametrize("q,location", [
    ("Russia", "/actor/RUS"), ("Putin", "/actor/RUSGOV"), ("Hamas", "/actor/HAMAS"),
    ("Pakistan (PAK)", "/actor/PAK"), ("RUS", "/actor/RUS"),
])
def test_actor_names_lead_to_their_page(client: TestClient, q: str, location: str) -> None:
    resp = client.get("/actors", params={"q": q}, follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"] == location


def test_actor_names_that_lead_nowhere_list_candidates(client: TestClient) -> None:
    page = client.get("/actors", params={"q": "Pak"})
    assert page.status_code == 200 and 'href="/actor/PAK"' in page.text
    assert "No actor matches" in client.get("/actors", params={"q": "zzzz"}).text


def test_actor_profile(client: TestClient) -> None:
    rus = client.get("/api/actor/RUS").json()
    assert rus["name"] == "Russia" and rus["party"] == "RUS" and rus["sector"] is None
    assert rus["actor"]["events"] == _total(client, actor="RUS")
    assert rus["recipient"]["events"] == _total(client, recipient="RUS")
    assert rus["events"] == _total(client, party="RUS")
    assert {d["dyad"] for d in rus["partners"]} == {"PAK-RUS"}
    assert [c["label"] for c in rus["changes"]] == ["detente"]
    assert sum(p["n_events"] for p in rus["series"]) > 10
    assert {t["event_type"] for t in rus["actor"]["types"]} >= {"AID", "ACCUSE"}
    assert "Moscow" in rus["aliases"]
    page = client.get("/actor/RUS").text
    assert 'href="/dyad/RUS/PAK"' in page and 'id="actor-chart"' in page and "/static/plotly.min.js" in page
    gov = client.get("/api/actor/RUSGOV").json()
    assert gov["party"] == "RUS" and gov["sector"] == "GOV" and gov["name"] == "Russia: government"
    nobody = client.get("/actor/HAMAS")
    assert nobody.status_code == 200 and "No events with Hamas" in nobody.text
    assert client.get("/api/actor/R$S").status_code == 400


# -- filters, facets and counts ------------------------------------------------------------------

def test_filters_narrow(client: TestClient) -> None:
    total = _total(client)
    assert _total(client, party="RUS") == _total(client, actor="RUS") + _total(client, recipient="RUS") - \
        _total(client, actor="RUS", recipient="RUS")
    assert 0 < _total(client, dyad="RUS-PAK") == _total(client, dyad="PAK-RUS") < total
    assert 0 < _total(client, cameo="11") < total and _total(client, cameo=["11", "12"]) > _total(client, cameo="11")
    low = client.get("/api/events", params={"goldstein_max": -2, "page_size": 200}).json()
    assert low["total"] and all(e["goldstein"] <= -2 for e in low["events"])
    mid = client.get("/api/events", params={"score_min": 0, "score_max": 5, "page_size": 200}).json()
    assert mid["total"] and all(0 <= e["plover_score"] <= 5 for e in mid["events"])
    sure = client.get("/api/events", params={"confidence_min": 0.8, "page_size": 200}).json()
    assert all(e["confidence"] >= 0.8 for e in sure["events"]) and sure["total"] < total
    dated = client.get("/api/events", params={"precision": "day", "page_size": 200}).json()
    assert dated["total"] and {e["date_precision"] for e in dated["events"]} == {"day"}
    caucasus = client.get("/api/events", params={"source": "Caucasus Daily", "page_size": 200}).json()
    assert caucasus["total"] and {e["doc_id"] for e in caucasus["events"]} == {"aa-1"}
    military = client.get("/api/events", params={"actor_sector": "MIL", "page_size": 200}).json()
    assert military["total"] and all(any(a["sector"] == "MIL" for a in e["actor"]) for e in military["events"])


@pytest.mark.parametrize("params,needle", [
    ({"goldstein_min": 3, "goldstein_max": 1}, "goldstein_min"), ({"cameo": "21"}, "unknown CAMEO root"),
    ({"precision": "hour"}, "unknown date precision"), ({"actor_sector": "GOVT"}, "invalid sector"),
    ({"dyad": "RUS"}, "RUS-PAK"), ({"dyad": "RUS-RUS"}, "two different"), ({"count": "docs"}, "count"),
    ({"source": "x" * 201}, "source"), ({"type": ",".join(["AID"] * 51)}, "at most"),
])
def test_bad_filters(client: TestClient, params: dict, needle: str) -> None:
    resp = client.get("/api/events", params=params)
    assert resp.status_code == 400 and needle in resp.json()["error"], resp.text


def test_facets_count_what_the_list_shows(client: TestClient) -> None:
    for params in ({}, {"party": "RUS"}, {"quad": "verbal_conflict"}, {"count": "reports"}):
        body = client.get("/api/facets", params=params).json()
        total = _total(client, **params)
        assert body["total"] == total
        for name in ("type", "quad", "cameo", "precision"):
            assert sum(v["n"] for v in body["facets"][name]) == total, (params, name)
        for v in body["facets"]["type"]:
            assert _total(client, **params, type=v["value"]) == v["n"]
        for v in body["facets"]["actor"]:
            assert v["n"] <= total
    sources = {v["value"] for v in client.get("/api/facets").json()["facets"]["source"]}
    assert sources == {"Test Wire", "Caucasus Daily", "Andes Post"}


def test_facet_links_toggle(client: TestClient) -> None:
    html = client.get("/events", params={"type": "ACCUSE"}).text
    aside = html.split('<aside class="facets"')[1]
    assert 'class="selected"><a href="/events"' in aside  # the selected value removes itself
    assert "/events?type=ACCUSE&amp;quad=verbal_conflict" in aside


def test_events_and_reports(client: TestClient, tmp_path: Path) -> None:
    from detente.store import open_store

    events, reports = _total(client), _total(client, count="reports")
    assert reports >= events
    stats = client.get("/api/stats").json()
    assert stats["events"] == events and stats["reports"] == reports
    page = client.get("/api/events", params={"page_size": 200}).json()
    assert all(e["sources_count"] >= 1 for e in page["events"])
    assert len({e["event_cluster_id"] or e["id"] for e in page["events"]}) == len(page["events"])
    # the same check on a store where one event was reported twice
    db = tmp_path / "dup.duckdb"
    from conftest_web import documents
    from detente.run.ingest import ingest_documents

    twice = [d for d in documents() if d.doc_id == "rp-5"]
    again = twice[0].model_copy(update={"doc_id": "rp-5-copy", "source": "Another Wire"})
    ingest_documents([twice[0], again], str(db), progress="none")
    with TestClient(create_app(str(db))) as dup:
        ev, rep = _total(dup), _total(dup, count="reports")
        assert rep == 2 * ev
        shown = dup.get("/api/events").json()["events"]
        assert shown and all(e["sources_count"] == 2 for e in shown)
        assert dup.get("/api/facets").json()["total"] == ev
        assert sum(r["n_events"] for r in dup.get("/api/series").json()["series"]) == ev
        assert sum(r["n_events"] for r in dup.get("/api/series", params={"count": "reports"}).json()["series"]) == rep
        html = dup.get("/events").text
        assert f"of <strong>{ev}</strong> events" in html and "count=reports" in html
    with open_store(str(db), read_only=True) as store:
        assert store.count() == rep


@pytest.mark.parametrize("sort", ["type", "-type", "sources", "-sources", "date", "-date"])
def test_every_sort_has_both_directions(client: TestClient, sort: str) -> None:
    events = client.get("/api/events", params={"sort": sort, "page_size": 200}).json()["events"]
    key = {"type": lambda e: e["event_type"], "sources": lambda e: e["sources_count"],
           "date": lambda e: e["date"] or e["pub_date"]}[sort.lstrip("-")]
    values = [key(e) for e in events]
    assert values == sorted(values, reverse=sort.startswith("-"))
    assert client.get("/events", params={"sort": sort}).status_code == 200


# -- series, overlays, clicks --------------------------------------------------------------------

def test_series_of_a_filter(client: TestClient) -> None:
    body = client.get("/api/series", params={"actor": "RUS", "type": "AID", "freq": "quarter"}).json()
    assert body["freq"] == "quarter" and body["filters"] == {"actor": "RUS", "type": "AID"}
    rows = body["series"]
    assert rows and all(r["period"].count("-Q") == 1 for r in rows)
    assert sum(r["n_events"] for r in rows) == _total(client, actor="RUS", type="AID")
    assert sum(r["material_cooperation"] for r in rows) == sum(r["n_events"] for r in rows)
    assert client.get("/api/series", params={"q": "nothing like this"}).json()["series"] == []
    page = client.get("/series", params={"actor": "RUS", "type": "AID"}).text
    assert 'id="filter-chart"' in page and 'name="actor" value="RUS"' in page


def _figure(html: str, target: str) -> dict:
    match = re.search(rf'<script type="application/json" class="chart-data" data-target="{target}">(.*?)</script>',
                      html, re.S)
    assert match, target
    return json.loads(match.group(1))


def _links(fig: dict) -> list[str]:
    return [d[1] for trace in fig["data"] for d in trace.get("customdata") or [] if isinstance(d, list) and d[1]]


def test_clicks_open_the_events_of_their_period(client: TestClient) -> None:
    fig = _figure(client.get("/series", params={"actor": "RUS", "from": "2024-05-20"}).text, "filter-chart")
    links = _links(fig)
    assert links
    for link in links:
        url = urlsplit(link)
        params = dict(parse_qsl(url.query))
        assert url.path == "/events" and params["actor"] == "RUS" and params["from"] >= "2024-05-20"
        assert params["from"] <= params["to"]
    counts = [sum(t["y"][i] for t in fig["data"] if t["type"] == "bar") for i in range(len(fig["data"][0]["x"]))]
    for link, n in zip(_links({"data": [fig["data"][0]]}), counts):  # a bar's events are as many as the bar says
        assert _total(client, **dict(parse_qsl(urlsplit(link).query))) == n
    dyad = _figure(client.get("/dyad/RUS/PAK").text, "series-chart")
    # a relations series counts no negated, hypothetical or background events; its links open the same
    assert all(link.startswith("/events?dyad=RUS-PAK&modal=exclude&background=exclude&from=") for link in _links(dyad))
    for link, n in zip(_links({"data": [dyad["data"][0]]}), dyad["data"][0]["y"]):
        assert _total(client, **dict(parse_qsl(urlsplit(link).query))) == n
    overview = _figure(client.get("/").text, "timeline")
    assert _links(overview) and all(link.startswith("/events?background=exclude&from=") for link in _links(overview))


def test_one_period_axis_is_days_wide(client: TestClient) -> None:
    fig = _figure(client.get("/dyad/CHN/PHL").text, "series-chart")
    import datetime as dt

    axis = fig["layout"]["xaxis"]
    (start,), (low, high) = axis["tickvals"], axis["range"]
    assert low < start < high and axis["ticktext"] == [start[:7]]
    assert (dt.date.fromisoformat(high) - dt.date.fromisoformat(low)).days == 32  # a month of days, not an instant


def test_compare_dyads(client: TestClient) -> None:
    body = client.get("/api/compare", params=[("dyad", "RUS-PAK"), ("dyad", "ARM-AZE"), ("dyad", "rus-pak")]).json()
    assert [d["dyad"] for d in body["dyads"]] == ["RUS-PAK", "ARM-AZE"]
    assert all(d["series"] for d in body["dyads"])
    html = client.get("/compare", params=[("dyad", "RUS-PAK"), ("dyad", "ARM-AZE")]).text
    fig = _figure(html, "compare-chart")
    assert [t["name"] for t in fig["data"]] == ["RUS-PAK", "ARM-AZE"]
    assert all("dyad=ARM-AZE" in link for link in _links({"data": [fig["data"][1]]}))
    assert client.get("/compare").status_code == 200
    assert client.get("/api/compare", params=[("dyad", f"A{i:02d}-B{i:02d}") for i in range(9)]).status_code == 400
    assert client.get("/api/compare", params={"dyad": "RUS"}).status_code == 400


# -- exports -------------------------------------------------------------------------------------

def test_series_csv(client: TestClient) -> None:
    dyad = client.get("/api/dyad/RUS/PAK/series.csv")
    assert dyad.status_code == 200 and dyad.headers["content-type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(dyad.text)))
    assert [r["period"] for r in rows] == [r["period"] for r in client.get("/api/dyad/RUS/PAK").json()["series"]]
    assert {"n_events", "index", "index_low", "index_high"} <= set(rows[0])
    assert "RUS-PAK-month.csv" in dyad.headers["content-disposition"]
    flt = list(csv.DictReader(io.StringIO(client.get("/api/series.csv", params={"party": "RUS"}).text)))
    assert sum(int(r["n_events"]) for r in flt) == sum(
        r["n_events"] for r in client.get("/api/series", params={"party": "RUS"}).json()["series"])
    both = list(csv.DictReader(io.StringIO(client.get("/api/compare.csv", params=[("dyad", "RUS-PAK"),
                                                                                  ("dyad", "ARM-AZE")]).text)))
    assert {r["dyad"] for r in both} == {"RUS-PAK", "ARM-AZE"}


def test_network_graphml_and_json(client: TestClient) -> None:
    import networkx as nx

    net = client.get("/api/network").json()
    resp = client.get("/api/network.graphml")
    assert resp.status_code == 200 and "graphml" in resp.headers["content-type"]
    g = nx.parse_graphml(resp.text)
    assert set(g.nodes) == {n["id"] for n in net["nodes"]}
    assert g.number_of_edges() == len(net["edges"])
    edge = g.edges["RUS", "PAK"]
    original = next(e for e in net["edges"] if {e["source"], e["target"]} == {"RUS", "PAK"})
    assert edge["n_events"] == original["n_events"] and edge["sign"] == original["sign"]
    later = nx.parse_graphml(client.get("/api/network.graphml", params={"from": "2025-01-01"}).text)
    assert later.graph["date_from"] == "2025-01-01"
    page = client.get("/network").text
    assert 'href="/api/network.graphml"' in page and 'href="/api/network" download' in page


def test_document_list_as_json(client: TestClient) -> None:
    body = client.get("/api/documents", params={"q": "Moscow", "page_size": 2}).json()
    assert body["total"] == 11 and body["pages"] == 6 and len(body["documents"]) == 2
    assert {"doc_id", "title", "source", "pub_date", "n_events"} <= set(body["documents"][0])
    assert 'href="/api/documents?q=Moscow"' in client.get("/documents", params={"q": "Moscow"}).text
