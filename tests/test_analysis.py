"""Relations analysis on synthetic stores with known answers: series, changes, network, summary, CLI."""

from __future__ import annotations

import datetime as dt
import json
import math
from pathlib import Path

import networkx as nx
import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from detente.analysis.changes import all_changes, dyad_changes, label_change, reactions
from detente.analysis.network import bloc_shift, blocs, parse_period, signed_network, structural_balance
from detente.analysis.series import dyad_series, relation_index, top_dyads
from detente.analysis.summary import find_claims, split_sentences, summarize_events
from detente.errors import DetenteError
from detente.models import Actor, Document, Event
from detente.ontology import event_types
from detente.store import Store, open_store

IGOS = {"IGOEUR", "IGONATO", "IGOUNO"}


def actor(code: str) -> Actor:
    """RUS, RUSGOV (country RUS + sector) or an IGO code."""
    if code in IGOS:
        return Actor(text=code, code=code, country=None, kind="igo")
    return Actor(text=code, code=code, country=code[:3], sector=code[3:] or None, kind="state")


class Builder:
    """Synthetic documents and events for a store."""

    def __init__(self) -> None:
        self.docs: dict[str, tuple[Document, list[Event]]] = {}

    def add(self, day: str, etype: str, actors: list[str], recipients: list[str], *, score: float | None = None,
            doc: str | None = None, sentence: str | None = None, trigger: str = "did", negated: bool = False,
            hypothetical: bool = False, historical: bool = False, precision: str = "day",
            published: str | None = None, text: str | None = None) -> Event:
        date = dt.date.fromisoformat(day)
        doc_id = doc or f"doc-{day}-{'-'.join(actors)}"
        if doc_id not in self.docs:
            pub = dt.date.fromisoformat(published) if published else date
            self.docs[doc_id] = (Document(doc_id=doc_id, text=text or f"Article {doc_id}.", pub_date=pub), [])
        document, events = self.docs[doc_id]
        et = event_types()[etype]
        index = len(events)
        acts, recs = [actor(a) for a in actors], [actor(r) for r in recipients]
        sentence = sentence or f"{' and '.join(actors)} {trigger} {' and '.join(recipients) or 'together'} ({index})."
        ev = Event(
            id=Event.make_id(doc_id, index, etype, acts, recs, trigger), doc_id=doc_id, sentence_index=index,
            sentence=sentence, date=date, date_precision=precision, pub_date=document.pub_date, event_type=etype,
            quad_class=et.quad_class, plover_score=et.score if score is None else score, cameo_code=et.cameo,
            actor=acts, recipient=recs, trigger=trigger, negated=negated, hypothetical=hypothetical,
            historical=historical, confidence=0.9, coder="test")
        events.append(ev)
        return ev

    def store(self, path: Path) -> Store:
        store = open_store(path)
        store.write_batch(list(self.docs.values()))
        return store


def months(start: str, n: int) -> list[str]:
    y, m = int(start[:4]), int(start[5:7])
    out = []
    for _ in range(n):
        out.append(f"{y:04d}-{m:02d}-15")
        y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    return out


@pytest.fixture
def series_store(tmp_path: Path) -> Store:
    b = Builder()
    b.add("2024-01-10", "AGREE", ["RUSGOV"], ["PAK"])                 # +2.5
    b.add("2024-01-20", "ACCUSE", ["PAK"], ["RUS"])                   # -3.0, other direction
    b.add("2024-01-21", "ACCUSE", ["PAK"], ["RUS"], negated=True)     # modal: left out by default
    b.add("2024-01-22", "THREATEN", ["RUS"], ["PAK"], hypothetical=True)
    b.add("2024-01-23", "ASSAULT", ["RUS"], ["PAK"], historical=True)  # retrospective: left out
    b.add("2024-03-05", "SUPPORT", ["RUS", "PAK"], [])                # reciprocal: +5.0
    b.add("2024-03-06", "COOPERATE", ["PAK"], ["RUSGOV"])             # +9.5
    b.add("2024-03-07", "COOPERATE", ["PAK"], ["RUSGOV"], doc="dup")  # a second report of the same event
    b.add("2024-03-08", "CONSULT", ["RUS"], ["IND"])                  # another dyad
    b.add("2024-03-09", "CONSULT", ["RUS", "CHN", "PAK"], ["IGOUNO"])  # recipient present: no RUS-PAK pair
    store = b.store(tmp_path / "series.duckdb")
    ids = [ev.id for ev in b.docs["doc-2024-03-06-PAK"][1] + b.docs["dup"][1]]
    store.con.execute("UPDATE events SET event_cluster_id = ? WHERE id IN (?, ?)", [ids[0], *ids])
    return store


def test_dyad_series_counts_and_index(series_store: Store) -> None:
    s = dyad_series(series_store, "RUS", "PAK")
    assert list(s["label"]) == ["2024-01", "2024-02", "2024-03"]  # the empty month is kept
    assert list(s["n_events"]) == [2, 0, 2]  # modal and historical left out, duplicate counted once
    jan, feb, mar = s.iloc[0], s.iloc[1], s.iloc[2]
    assert jan["verbal_cooperation"] == 1 and jan["verbal_conflict"] == 1
    assert jan["index"] == pytest.approx((2.5 - 3.0) / 5.5)
    assert jan["score_sum"] == pytest.approx(-0.5) and jan["score_mean"] == pytest.approx(-0.25)
    assert mar["index"] == pytest.approx(1.0) and mar["material_cooperation"] == 1
    assert math.isnan(feb["index"]) and feb["index_smoothed"] == 0.0
    # the interval holds the smoothed index, is narrower with events, and shrinks towards 0
    for r in s.itertuples():
        assert -1 <= r.index_low <= r.index_smoothed <= r.index_high <= 1
    assert (mar["index_high"] - mar["index_low"]) < (feb["index_high"] - feb["index_low"])
    assert 0 < mar["index_smoothed"] < 1
    # same dyad, either order; GOV codes match their country
    assert list(dyad_series(series_store, "pak", "rus")["n_events"]) == [2, 0, 2]


def test_dyad_series_options(series_store: Store) -> None:
    assert list(dyad_series(series_store, "RUS", "PAK", count="reports")["n_events"]) == [2, 0, 3]
    assert list(dyad_series(series_store, "RUS", "PAK", include_modal=True)["n_events"]) == [4, 0, 2]
    assert list(dyad_series(series_store, "RUS", "PAK", include_historical=True)["n_events"]) == [3, 0, 2]
    q = dyad_series(series_store, "RUS", "PAK", freq="quarter")
    assert list(q["label"]) == ["2024-Q1"] and q.iloc[0]["n_events"] == 4
    w = dyad_series(series_store, "RUS", "PAK", freq="week")
    assert w.iloc[0]["label"] == "2024-W02" and w["n_events"].sum() == 4
    assert dyad_series(series_store, "RUS", "BRA").empty
    for bad in ({"freq": "year"}, {"count": "docs"}):
        with pytest.raises(DetenteError):
            dyad_series(series_store, "RUS", "PAK", **bad)
    with pytest.raises(DetenteError):
        dyad_series(series_store, "RUS", "R-S")
    with pytest.raises(DetenteError):
        dyad_series(series_store, "RUS", "RUS")


def test_relation_index_uncertainty_narrows() -> None:
    widths = []
    for n in (1, 5, 50):
        index, smoothed, low, high = relation_index([n * 5.0], [0.0], unit=5.0)
        assert index[0] == 1.0 and 0 < smoothed[0] < 1
        widths.append(high[0] - low[0])
    assert widths[0] > widths[1] > widths[2]
    index, smoothed, low, high = relation_index([0.0], [0.0])
    assert math.isnan(index[0]) and smoothed[0] == 0 and low[0] == pytest.approx(-0.9)


def test_top_dyads(series_store: Store) -> None:
    rows = top_dyads(series_store, n=10)
    by = {r["dyad"]: r for r in rows}
    assert rows[0]["dyad"] == "PAK-RUS" and rows[0]["n_events"] == 4
    assert by["PAK-RUS"]["mean_score"] == pytest.approx((2.5 - 3.0 + 5.0 + 9.5) / 4)
    assert by["IND-RUS"]["n_events"] == 1 and by["IND-RUS"]["index"] == 1.0
    assert {"CHN-IGOUNO", "IGOUNO-PAK", "IGOUNO-RUS"} <= set(by)  # country-less IGO as a party
    assert all(r["a"] < r["b"] for r in rows)
    assert len(top_dyads(series_store, n=1)) == 1


def test_an_armed_group_is_a_party_of_its_own(tmp_path: Path) -> None:
    """al-Shabaab attacking a base in Kenya, Kenyan troops fighting it in Somalia: Kenya and the
    group are at war, Kenya and Somalia are not; a group that governs acts for its country."""
    b = Builder()
    shabaab = Actor(text="al-Shabaab", code="ALSHABAAB", country="SOM", sector="REB", kind="group")
    taliban = Actor(text="the Taliban", code="TALIBAN", country="AFG", sector="GOV", kind="group")
    b.add("2024-01-10", "ASSAULT", ["KENMIL"], ["SOM"])
    b.add("2024-02-10", "AGREE", ["KEN"], ["SOM"])
    for day, (acts, recs) in {"2024-01-05": ([shabaab], [actor("KENMIL")]), "2024-01-06": ([actor("KENMIL")], [shabaab]),
                              "2024-01-07": ([taliban], [actor("PAK")])}.items():
        ev = b.add(day, "ASSAULT", ["X"], ["Y"])
        ev.actor, ev.recipient = acts, recs
    store = b.store(tmp_path / "groups.duckdb")
    by = {r["dyad"]: r for r in top_dyads(store, n=10)}
    assert by["ALSHABAAB-KEN"]["n_events"] == 2 and by["KEN-SOM"]["n_events"] == 2
    assert by["AFG-PAK"]["n_events"] == 1
    assert list(dyad_series(store, "KEN", "SOM")["n_events"]) == [1, 1]
    assert int(dyad_series(store, "KEN", "ALSHABAAB")["n_events"].sum()) == 2


# -- changes ------------------------------------------------------------------------------------

@pytest.fixture
def change_store(tmp_path: Path) -> Store:
    b = Builder()
    # PAK-RUS: cool for a year, cooperative from 2024-01.
    for i, day in enumerate(months("2023-01", 12)):
        b.add(day, "REJECT", ["RUS"], ["PAK"], trigger="declined")
        b.add(day, "ACCUSE", ["PAK"], ["RUS"], trigger="complained")
        if i % 4 == 0:
            b.add(day, "CONSULT", ["RUS"], ["PAK"], trigger="met")
    for i, day in enumerate(months("2024-01", 12)):
        b.add(day, "SUPPORT", ["RUS"], ["PAK"], trigger="praised")
        b.add(day, "COOPERATE" if i % 2 else "AGREE", ["PAK"], ["RUS"], trigger="signed")
        if i == 5:
            b.add(day, "ACCUSE", ["RUS"], ["PAK"], trigger="criticised")
    # ARM-AZE: talks for 18 months, then shelling and mobilisation from 2024-07.
    for day in months("2023-01", 18):
        b.add(day, "CONSULT", ["ARM"], ["AZE"], trigger="talks")
        b.add(day, "AGREE", ["AZE"], ["ARM"], trigger="agreed")
    for i, day in enumerate(months("2024-07", 9)):
        b.add(day, "ASSAULT", ["AZE"], ["ARM"], trigger="shelled")
        b.add(day, "MOBILIZE" if i % 2 else "THREATEN", ["ARM"], ["AZE"], trigger="mobilised")
    # FRA-DEU: steady cooperation, no change.
    for day in months("2023-01", 24):
        b.add(day, "CONSULT", ["FRA"], ["DEU"], trigger="met")
    # GBR-USA: cooperative, then accusations only (words, no force) from 2024-04.
    for day in months("2023-06", 10):
        b.add(day, "SUPPORT", ["GBR"], ["USA"], trigger="backed")
        b.add(day, "AGREE", ["USA"], ["GBR"], trigger="agreed")
    for day in months("2024-04", 8):
        b.add(day, "ACCUSE", ["GBR"], ["USA"], trigger="criticised")
        b.add(day, "REJECT", ["USA"], ["GBR"], trigger="rejected")
    # IND comments on the detente in the same articles.
    b.add("2024-03-15", "ACCUSE", ["IND"], [], doc="doc-2024-03-15-RUS", trigger="expressed concern",
          sentence="India expressed concern.")
    b.add("2024-03-15", "SUPPORT", ["CHN"], ["PAK"], doc="doc-2024-03-15-RUS", trigger="welcomed")
    return b.store(tmp_path / "changes.duckdb")


def test_detente_found_with_evidence(change_store: Store) -> None:
    changes = dyad_changes(change_store, "RUS", "PAK")
    assert len(changes) == 1
    c = changes[0]
    assert c["label"] == "detente"
    start = dt.date.fromisoformat(c["start"])
    assert abs((start.year * 12 + start.month) - (2024 * 12 + 1)) <= 1
    assert c["before"] < -0.3 and c["after"] > 0.6 and c["magnitude"] > 1
    assert c["evidence"] and all(e["date"] >= "2023-12-01" for e in c["evidence"])
    assert c["evidence"][0]["score"] > 0  # the events that drove a detente are cooperative
    assert {"id", "date", "event_type", "sentence", "trigger"} <= set(c["evidence"][0])


def test_escalation_and_deterioration(change_store: Store) -> None:
    (esc,) = dyad_changes(change_store, "ARM", "AZE")
    assert esc["label"] == "escalation"
    start = dt.date.fromisoformat(esc["start"])
    assert abs((start.year * 12 + start.month) - (2024 * 12 + 7)) <= 1
    assert esc["material_conflict_after"] > esc["material_conflict_before"]
    assert esc["evidence"][0]["event_type"] == "ASSAULT"
    (det,) = dyad_changes(change_store, "GBR", "USA")
    assert det["label"] == "deterioration" and det["start_period"] in ("2024-03", "2024-04", "2024-05")
    assert dyad_changes(change_store, "FRA", "DEU") == []
    quarterly = dyad_changes(change_store, "ARM", "AZE", freq="quarter")
    assert [c["label"] for c in quarterly] == ["escalation"] and quarterly[0]["start_period"] == "2024-Q3"


def test_all_changes_strongest_first(change_store: Store) -> None:
    found = all_changes(change_store, min_events=10)
    assert {(c["dyad"], c["label"]) for c in found} == {
        ("PAK-RUS", "detente"), ("ARM-AZE", "escalation"), ("GBR-USA", "deterioration")}
    strengths = [c["strength"] for c in found]
    assert strengths == sorted(strengths, reverse=True)
    assert all(c["before_end"] < c["start_period"] for c in found)
    assert all(c["evidence"] for c in found)
    assert all_changes(change_store, min_events=1000) == []


def test_label_rules() -> None:
    assert label_change(-0.6, 0.7) == "detente"
    assert label_change(0.0, 0.3) == "detente"
    assert label_change(-0.9, -0.5) == "stable"  # easing, still hostile
    assert label_change(0.8, 0.2) == "deterioration"
    assert label_change(0.5, -0.8, 0.0, 0.6) == "escalation"
    assert label_change(0.5, -0.8, 0.0, 0.0) == "deterioration"  # hostile words, no force
    assert label_change(0.5, 0.6) == "stable"


def test_reactions_find_the_annoyed(change_store: Store) -> None:
    found = {r["party"]: r for r in reactions(change_store, "RUS", "PAK", "2024-01-01")}
    assert found["IND"]["stance"] == "annoyed" and found["IND"]["n_critical"] == 1
    assert found["CHN"]["stance"] == "supportive"
    assert "India expressed concern." in found["IND"]["evidence"][0]["sentence"]


# -- network ------------------------------------------------------------------------------------

def signed(edges: list[tuple[str, str, int]]) -> nx.Graph:
    g = nx.Graph()
    for u, v, s in edges:
        g.add_edge(u, v, sign=s, weight=1.0)
    return g


def test_structural_balance_scores_triads() -> None:
    g = signed([
        ("A", "B", 1), ("B", "C", 1), ("A", "C", 1),      # +++ balanced
        ("D", "E", 1), ("D", "F", -1), ("E", "F", -1),    # +-- balanced
        ("G", "H", 1), ("H", "I", 1), ("G", "I", -1),     # ++- unbalanced
        ("J", "K", -1), ("K", "L", -1), ("J", "L", -1),   # --- unbalanced
        ("M", "N", 1), ("N", "O", 1), ("M", "O", 0),      # an unsigned edge: not counted
    ])
    result = structural_balance(g)
    assert result["n_triads"] == 4 and result["n_balanced"] == 2 and result["balance"] == 0.5
    unbalanced = {tuple(t["nodes"]): t for t in result["unbalanced"]}
    assert set(unbalanced) == {("G", "H", "I"), ("J", "K", "L")}
    assert unbalanced[("G", "H", "I")]["signs"] == {"G-H": "+", "G-I": "-", "H-I": "+"}
    assert unbalanced[("G", "H", "I")]["pattern"] == "++-"
    assert [t["nodes"] for t in result["axes"]] == [["A", "B", "C"]]
    assert structural_balance(signed([("A", "B", 1)]))["balance"] is None


def test_blocs_recover_planted_blocs() -> None:
    planted = [["A1", "A2", "A3", "A4", "A5"], ["B1", "B2", "B3", "B4"], ["C1", "C2", "C3"]]
    edges = []
    for i, bloc in enumerate(planted):
        for j, u in enumerate(bloc):
            for v in bloc[j + 1:]:
                if (u, v) != ("A1", "A5"):  # one missing edge inside a bloc
                    edges.append((u, v, 1))
            for other in planted[i + 1:]:
                for v in other:
                    if hash((u, v)) % 3:  # some edges between blocs, all hostile
                        edges.append((u, v, -1))
    edges.append(("A1", "B1", 1))  # one friendly edge across blocs
    g = signed(edges)
    g.add_node("Z")  # a party with no signed relation stands alone
    assert blocs(g) == [*planted, ["Z"]]
    assert blocs(nx.Graph()) == []


def test_signed_network_and_bloc_shift(tmp_path: Path) -> None:
    b = Builder()
    for day in ("2023-02-01", "2023-03-01", "2023-04-01"):
        b.add(day, "SUPPORT", ["IND"], ["RUS"])
        b.add(day, "ACCUSE", ["RUS"], ["PAK"])
        b.add(day, "ACCUSE", ["IND"], ["PAK"])
    for day in ("2024-02-01", "2024-03-01", "2024-04-01"):
        b.add(day, "COOPERATE", ["RUS"], ["PAK"])
        b.add(day, "SUPPORT", ["CHN"], ["PAK"])
        b.add(day, "AGREE", ["CHN"], ["RUS"])
        b.add(day, "ACCUSE", ["IND"], ["RUS"])
        b.add(day, "ACCUSE", ["IND"], ["PAK"])
    store = b.store(tmp_path / "net.duckdb")
    g = signed_network(store, "2024-01-01", "2024-12-31")
    assert g.edges["RUS", "PAK"]["sign"] == 1 and g.edges["IND", "RUS"]["sign"] == -1
    assert g.edges["RUS", "PAK"]["n_events"] == 3 and g.edges["RUS", "PAK"]["index"] == 1.0
    assert structural_balance(g)["balance"] == 1.0
    assert blocs(g) == [["CHN", "PAK", "RUS"], ["IND"]]
    assert signed_network(store, min_events=7).number_of_edges() == 0
    with pytest.raises(DetenteError):
        signed_network(store, "2024-05-01", "2024-01-01")
    shift = bloc_shift(store, "2023", "2024")
    assert shift["period1"]["blocs"] == [["IND", "RUS"], ["PAK"]]
    moved = {m["node"]: m for m in shift["moved"]}
    assert moved["PAK"]["joined"] == ["RUS"] and moved["IND"]["left"] == ["RUS"]
    assert shift["appeared"] == ["CHN"]


def test_parse_period() -> None:
    assert parse_period("2024") == (dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert parse_period("2024-Q4") == (dt.date(2024, 10, 1), dt.date(2024, 12, 31))
    assert parse_period("2024-02") == (dt.date(2024, 2, 1), dt.date(2024, 2, 29))
    assert parse_period("2023-06:2024") == (dt.date(2023, 6, 1), dt.date(2024, 12, 31))
    assert parse_period(":2024-03-10") == (None, dt.date(2024, 3, 10))
    with pytest.raises(DetenteError):
        parse_period("last year")


# -- document summary ---------------------------------------------------------------------------

ARTICLE = """Russia and Pakistan are entering an era of détente, officials in Islamabad said on Monday.

Russian Deputy Foreign Minister Andrei Rudenko praised Pakistan during talks in Islamabad. Relations between the two countries are turning from competitive to cooperative.

Analysts saw no sign of a thaw between Armenia and Azerbaijan, where tensions rose sharply after Baku shelled border posts. India expressed concern about the deliveries."""


def test_find_claims_phrases() -> None:
    claims = find_claims(ARTICLE)
    assert [(c["direction"], c["negated"]) for c in claims] == [
        ("warming", False), ("warming", False), ("warming", True), ("cooling", False)]
    assert claims[0]["phrase"] == "détente"
    assert "turning from competitive to cooperative" in claims[1]["phrases"]
    assert any("tensions rose" in p for p in claims[3]["phrases"])
    assert find_claims("Global warming and cool weather.") == []
    # Commonwealth envoys are high commissioners; an envoy "called home" is recalled
    for text in ("Pakistan recalled its high commissioner from New Delhi for consultations on Monday.",
                 "India's envoy in Islamabad was called home for consultations."):
        (claim,) = find_claims(text)
        assert (claim["rule"], claim["deed"]) == ("recalled envoy", True)
    assert split_sentences("Mr. Lavrov met U.S. officials. They agreed.") == [
        "Mr. Lavrov met U.S. officials.", "They agreed."]


def test_summarize_events_dyads_and_claims() -> None:
    b = Builder()
    sentences = split_sentences(ARTICLE)
    praise = b.add("2024-03-20", "SUPPORT", ["RUSGOV"], ["PAK"], doc="a", sentence=sentences[1], trigger="praised")
    talks = b.add("2024-03-20", "CONSULT", ["RUSGOV"], ["PAKGOV"], doc="a", sentence=sentences[1], trigger="talks")
    shell = b.add("2024-03-20", "ASSAULT", ["AZE"], ["ARM"], doc="a", sentence=sentences[3], trigger="shelled")
    events = [ev.model_dump(mode="json") for ev in (praise, talks, shell)]
    summary = summarize_events(events, ARTICLE, title="Detente")
    dyads = {d["dyad"]: d for d in summary["dyads"]}
    assert dyads["PAK-RUS"]["sign"] == "+" and dyads["PAK-RUS"]["n_events"] == 2
    assert dyads["ARM-AZE"]["sign"] == "-"
    assert dyads["PAK-RUS"]["events"][0]["trigger"] == "praised"
    claims = summary["claims"]
    assert claims[0]["dyad"] == "PAK-RUS" and claims[0]["dyad_source"] == "sentence"
    assert claims[1]["dyad"] == "PAK-RUS" and claims[1]["dyad_source"] == "article"  # "the two countries"
    assert claims[2]["dyad"] == "ARM-AZE" and claims[2]["negated"]
    assert claims[3]["direction"] == "cooling" and claims[3]["dyad"] == "ARM-AZE"
    assert "PAK-RUS" in summary["text"] and "warming" in summary["text"]
    assert json.dumps(summary)  # JSON-ready


# -- CLI ----------------------------------------------------------------------------------------

def cli_app():
    from detente.cli import app
    from detente.cli import register_stages as register

    if not any(getattr(c.callback, "__name__", "") == "dyad" for c in app.registered_commands):
        register(app)
    return app


def run(*args: str):
    return CliRunner().invoke(cli_app(), list(args))


@pytest.fixture
def change_db(change_store: Store) -> str:
    path = change_store.path
    change_store.close()
    return path


def test_cli_dyad(change_db: str) -> None:
    result = run("dyad", "RUS", "PAK", "--db", change_db)
    assert result.exit_code == 0, result.output
    assert "2023-01" in result.output and "detente" in result.output
    result = run("dyad", "ARM", "AZE", "--db", change_db, "--json", "--freq", "quarter")
    data = json.loads(result.output)
    assert data["changes"][0]["label"] == "escalation" and data["series"][0]["period"] == "2023-Q1"
    result = run("dyad", "RUS", "PAK", "--db", change_db, "--csv", "--count", "reports")
    assert result.output.splitlines()[0].startswith("period,start,end,n_events,verbal_cooperation")
    assert len(result.output.splitlines()) == 25


def test_cli_bad_parameters(change_db: str) -> None:
    for args in (["dyad", "RUS", "PAK", "--db", change_db, "--freq", "fortnight"],
                 ["dyad", "RUS", "P@K", "--db", change_db],
                 ["dyad", "RUS", "BRA", "--db", change_db],
                 ["dyad", "RUS", "PAK", "--db", change_db, "--count", "docs"],
                 ["network", "--db", change_db, "--from", "2024-13-01"],
                 ["changes", "--db", change_db, "--min-events", "0"],
                 ["dyads", "--db", "/nonexistent/x.duckdb"]):
        result = run(*args)
        assert result.exit_code != 0, args
        assert isinstance(result.exception, DetenteError), args


def test_cli_changes_network_dyads(change_db: str, tmp_path: Path) -> None:
    result = run("changes", "--db", change_db, "--json", "--limit", "2")
    found = json.loads(result.output)
    assert [c["label"] for c in found][:1] in (["detente"], ["escalation"]) and len(found) == 2
    assert "detente" in run("changes", "--db", change_db).output
    data = json.loads(run("network", "--db", change_db, "--json", "--from", "2024-01-01").output)
    assert {"edges", "balance", "blocs"} <= set(data)
    assert "structural balance" in run("network", "--db", change_db).output
    rows = json.loads(run("dyads", "--db", change_db, "--top", "2", "--json").output)
    assert [(r["dyad"], r["n_events"]) for r in rows] == [("ARM-AZE", 54), ("PAK-RUS", 52)]
    out = tmp_path / "r.html"
    result = run("report", "--db", change_db, "-o", str(out))
    assert result.exit_code == 0, result.output
    assert out.stat().st_size > 1_000_000 and "escalation" in out.read_text(encoding="utf-8")


def test_cli_summarize(tmp_path: Path) -> None:
    article = tmp_path / "a.txt"
    article.write_text(ARTICLE, encoding="utf-8")
    result = run("summarize", str(article), "--date", "2024-03-20", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.output)
    assert data["claims"][0]["direction"] == "warming" and data["claims"][0]["dyad"] == "PAK-RUS"
    assert any(d["dyad"] == "PAK-RUS" for d in data["dyads"])
    assert "Claimed shifts" in run("summarize", str(article)).output
    assert run("summarize", str(article), "--date", "yesterday").exit_code != 0


def test_a_claim_told_with_its_past_date_is_background() -> None:
    text = ("Morocco agreed to normalise relations with Israel. "
            "Morocco froze its low-level ties with Israel two decades ago.")
    warming, cooling = summarize_events([], text)["claims"]
    assert (warming["direction"], warming["background"]) == ("warming", False)
    assert (cooling["direction"], cooling["background"]) == ("cooling", True)
    # a year beside the phrase is kept for the store's claims to compare with the article's date
    (recalled,) = find_claims("Caracas broke off relations with Bogota in 2019.")
    assert recalled["years"] == [2019]
    (recalled,) = find_claims("The two countries broke off full ties in November 2013, months after the coup.")
    assert recalled["years"] == [2013]
    # a month told beside the phrase dates the claim, against the article's date
    from detente.analysis.summary import _month_told

    (claim,) = find_claims("The envoys were withdrawn last November after the appointment.")
    assert _month_told(claim, dt.date(2010, 8, 24)) == "2009-11-01"
    (claim,) = find_claims("Relations have been frozen since August.")
    assert _month_told(claim, dt.date(2018, 10, 21)) == "2018-08-01"
    (claim,) = find_claims("Relations may soon be restored.")
    assert claim["month"] is None and _month_told(claim, dt.date(2018, 10, 21)) is None
    # an anniversary recalls the act
    (claim,) = find_claims("A year after Saudi Arabia expelled Canada's ambassador, neither country has one.")
    assert claim["past"] is True
    (claim,) = find_claims("Relations between them remain frozen more than a year after the war.")
    assert claim["past"] is True
    # ... but an act told on its day is news, years after what it undoes
    (claim,) = find_claims("Hammond reopened Britain's embassy in Tehran on Sunday, nearly four years after it was "
                           "ransacked by protesters.")
    assert claim["past"] is False
    # "for the first time since 2011" tells the last time, not the claim's year
    (claim,) = find_claims("Britain and Iran will exchange ambassadors for the first time since 2011.")
    assert (claim["rule"], claim["years"]) == ("exchanged ambassadors", [])
    # "last year" recalls the shift; the article does not report it
    summary = summarize_events([], "France wants to work with Australia, with which it restored close ties last year.")
    assert [(c["direction"], c["background"]) for c in summary["claims"]] == [("warming", True)]


@pytest.mark.parametrize("sentence, direction, deed", [
    ("Relations plunged to their lowest point since the Cold War.", "cooling", False),
    ("It is the worst crisis between the neighbours in a decade.", "cooling", False),
    ("Riyadh withdrew its ambassador from Tehran.", "cooling", True),
    ("The two countries resumed diplomatic relations on Monday.", "warming", True),
    ("The two sides exchanged ambassadors.", "warming", True),
    ("The leaders agreed to bury the hatchet.", "warming", False),
    ("India and Pakistan agreed to strictly observe the ceasefire along the Line of Control.", "warming", False),
    ("Both sides accused each other of violating the ceasefire.", None, None),  # no new truce
    ("Pakistan faces its worst economic crisis in decades.", None, None),  # no relation said
    ("Russia withdrew its troops from the border.", None, None),
    ("North Korea cut off all communication lines with South Korea.", "cooling", True),
    ("The two sides reopened their military hotline.", "warming", True),
    ("China said it was lowering its diplomatic relations with Lithuania to charge d'affaires.", "cooling", True),
    ("The central bank lowered interest rates.", None, None),
])
def test_claimed_shift_phrases(sentence: str, direction: str | None, deed: bool | None) -> None:
    assert [(c["direction"], c["deed"]) for c in find_claims(sentence)] == ([(direction, deed)] if direction else [])


def test_store_claims_by_dyad_with_the_date_their_sentence_tells(tmp_path: Path) -> None:
    from detente.analysis.summary import dyad_claims, store_claims

    text = ("Algeria closed its airspace to Moroccan planes. Algiers broke off relations with Rabat in August. "
            "Separately, Chile and Peru agreed to restore diplomatic relations.")
    b = Builder()
    sentences = split_sentences(text)
    b.add("2021-11-01", "SANCTION", ["DZA"], ["MAR"], doc="n", sentence=sentences[0], trigger="closed airspace",
          text=text)
    b.add("2021-08-01", "SANCTION", ["DZA"], ["MAR"], doc="n", sentence=sentences[1], trigger="broke off relations",
          precision="month", published="2021-11-01")
    b.add("2021-11-01", "AGREE", ["CHL", "PER"], [], doc="n", sentence=sentences[2], trigger="agreed restore")
    store = b.store(tmp_path / "claims.duckdb")
    claims = store_claims(store)
    assert sorted(claims) == [("CHL", "PER"), ("DZA", "MAR")]  # one pass, every dyad
    (cut,) = claims[("DZA", "MAR")]
    assert (cut["direction"], cut["deed"], cut["date"], cut["told"]) == ("cooling", True, "2021-11-01", "2021-08-01")
    assert dyad_claims(store, "MAR", "DZA") == [cut]


def test_one_dyads_claims_are_those_the_store_gives_it(tmp_path: Path) -> None:
    """The pair of a claim is what its sentence names: an article whose events name only one side
    still claims the pair's shift, for the dyad's page as for the whole store."""
    from detente.analysis.summary import dyad_claims, store_claims

    text = ("Seoul held a ceremony with the North on Wednesday. Relations between the two Koreas have improved "
            "sharply this year, with three summits between Moon Jae-in and Kim Jong Un.")
    b = Builder()
    b.add("2018-12-27", "COOPERATE", ["KOR"], [], doc="k", sentence=split_sentences(text)[0], trigger="held ceremony",
          text=text)
    store = b.store(tmp_path / "koreas.duckdb")
    (claim,) = store_claims(store)[("KOR", "PRK")]
    assert claim["direction"] == "warming"
    assert dyad_claims(store, "PRK", "KOR") == [claim]


@pytest.mark.parametrize("sentence, negated", [
    ("The visit sealed the end of a crisis that had frozen relations for a year.", True),  # a cooling that ended
    ("They ended the row that has strained ties.", True),
    ("The crisis that froze relations goes on.", False),
])
def test_a_cooling_that_ended_is_not_claimed(sentence: str, negated: bool) -> None:
    (claim,) = find_claims(sentence)
    assert (claim["direction"], claim["negated"]) == ("cooling", negated)


def test_a_relationship_recovered_from_a_rift_is_warming() -> None:
    claims = find_claims("Officials said the relationship had recovered from the 2021 rift.")
    assert [(c["direction"], c["negated"]) for c in claims] == [("warming", False), ("cooling", True)]


@pytest.mark.parametrize("sentence, hedged", [
    ("The minister said he wanted to strengthen ties with Morocco.", True),  # a wish is no shift
    ("He has promised to restore diplomatic relations.", True),
    # a decision announced is no hedge, a conditional is
    ("Obama and Castro announced that their countries would restore diplomatic relations.", False),
    ("Analysts said the two countries would restore relations if the talks succeed.", True),
    ("The two countries restored diplomatic relations.", False),
    ("The call was a first step toward restoring ties.", True),  # on the way, not there
])
def test_a_wish_for_better_ties_is_hedged(sentence: str, hedged: bool) -> None:
    (claim,) = find_claims(sentence)
    assert claim["hedged"] is hedged


def test_claims_hedged_and_the_pair_at_stake() -> None:
    text = ("Azerbaijani troops shelled Armenian positions. "
            "Russia urged Baku and Yerevan to avoid any steps that could lead to a dangerous escalation.")
    b = Builder()
    shell = b.add("2025-03-26", "ASSAULT", ["AZE"], ["ARM"], doc="h", sentence=split_sentences(text)[0],
                  trigger="shelled")
    (claim,) = summarize_events([shell.model_dump(mode="json")], text)["claims"]
    assert claim["direction"] == "cooling" and claim["hedged"] and not claim["negated"]
    assert claim["dyad"] == "ARM-AZE"  # not RUS with either: the article reports on ARM-AZE


# -- what a turn is made of ---------------------------------------------------------------------

@pytest.fixture
def deeds_store(tmp_path: Path) -> Store:
    """COL-VEN hostile in words for a year, then in deeds (ties cut, border closed, flights
    halted) at about the same index; BRA-ARG steady cooperation with bursts of coverage; PER-CHL
    mixed relations in words, with no change."""
    b = Builder()
    for i, day in enumerate(months("2018-01", 12)):
        b.add(day, "ACCUSE", ["VEN"], ["COL"], trigger="accused")
        b.add(day, "REJECT", ["COL"], ["VEN"], trigger="rejected")
        if i % 3 == 0:
            b.add(day, "CONSULT", ["COL"], ["VEN"], trigger="met")
    for i, day in enumerate(months("2019-01", 12)):
        b.add(day, "SANCTION", ["VEN"], ["COL"], trigger="severed ties")
        b.add(day, "COERCE", ["VEN"], ["COL"], trigger="closed the border")
        b.add(day, "ACCUSE", ["COL"], ["VEN"], trigger="accused")
        if i % 3 == 0:
            b.add(day, "CONSULT", ["COL"], ["VEN"], trigger="met")
    for i, day in enumerate(months("2018-01", 24)):
        for _ in range(1 + 4 * (i % 7 == 3)):  # a burst of coverage now and then
            b.add(day, "CONSULT" if i % 2 else "AGREE", ["BRA"], ["ARG"], trigger="met")
        if i % 5 == 2:
            b.add(day, "ACCUSE", ["ARG"], ["BRA"], trigger="criticised")
    kinds = ["ACCUSE", "CONSULT", "REJECT", "AGREE", "ACCUSE", "SUPPORT", "THREATEN", "CONSULT"]
    for i, day in enumerate(months("2018-01", 24)):
        for j in range(1 + (i * 7) % 3):
            b.add(day, kinds[(i * 3 + j) % len(kinds)], ["PER"], ["CHL"], trigger="did")
    return b.store(tmp_path / "deeds.duckdb")


def test_escalation_from_words_to_deeds_at_a_steady_index(deeds_store: Store) -> None:
    found = [c for c in dyad_changes(deeds_store, "COL", "VEN") if c["label"] != "stable"]
    assert len(found) == 1, found
    esc = found[0]
    assert esc["label"] == "escalation"
    assert esc["start_period"] in ("2018-12", "2019-01", "2019-02")
    assert abs(esc["after"] - esc["before"]) < 0.25  # the index hardly moves: deeds replace words
    assert esc["material_conflict_before"] < 0.1 and esc["material_conflict_after"] > 0.5
    assert esc["evidence"][0]["quad_class"] == "material_conflict"  # what moved it most


def test_no_change_on_noise_dyads(deeds_store: Store) -> None:
    for a, b in (("BRA", "ARG"), ("PER", "CHL")):
        assert [c for c in dyad_changes(deeds_store, a, b) if c["label"] != "stable"] == [], (a, b)


def test_penalty_grows_with_volume_and_burstiness() -> None:
    from detente.analysis.changes import _observed, dyad_penalty, overdispersion
    from detente.analysis.series import aggregate

    def frame(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
        return pd.DataFrame({"day": pd.to_datetime([r[0] for r in rows]), "score": [r[1] for r in rows],
                             "quad_class": [r[2] for r in rows]})

    one = [(day, s, q) for day in months("2020-01", 12) for s, q in ((2.5, "verbal_cooperation"),
                                                                      (-3.0, "verbal_conflict"))]
    small, large = aggregate(frame(one)), aggregate(frame(one * 4))
    assert dyad_penalty(large) > dyad_penalty(small) > 0  # log(volume): a big dyad needs more evidence
    # The same events, but each month all of one kind: bursty coverage moves months more than chance.
    bursty = [(day, s, q) for i, day in enumerate(months("2020-01", 12))
              for s, q in [((2.5, "verbal_cooperation") if i % 2 else (-3.0, "verbal_conflict"))] * 2]
    steady = aggregate(frame(one))
    assert overdispersion(_observed(aggregate(frame(bursty))), 1.0) > overdispersion(_observed(steady), 1.0) >= 1.0


def test_a_burst_of_deeds_is_one_price_not_two(monkeypatch: pytest.MonkeyPatch) -> None:
    """Thirty months of words (some talks), three of them with a sanction each: the level the
    dyad leaves is the level it returns to, which Pelt's two changes pay for twice."""
    from detente.analysis import changes
    from detente.analysis.series import aggregate

    rows = []
    for i, day in enumerate(months("2019-01", 30)):
        rows += [(day, -6.0 if 12 <= i < 15 else -2.0, "material_conflict" if 12 <= i < 15 else "verbal_conflict"),
                 (day, -3.0, "verbal_conflict")] + ([(day, 2.5, "verbal_cooperation")] if i % 2 == 0 else [])
    series = aggregate(pd.DataFrame({"day": pd.to_datetime([r[0] for r in rows]), "score": [r[1] for r in rows],
                                     "quad_class": [r[2] for r in rows]}))
    found = [(c["label"], c["start_period"]) for c in changes.detect_changes(series)]
    assert found == [("escalation", "2020-01"), ("stable", "2020-04")]
    monkeypatch.setattr(changes, "BURST_PENALTY", 1e9)
    assert changes.detect_changes(series) == []  # as two changes it does not pay


def _sparse_series(rows: list[tuple[str, float, str]]) -> pd.DataFrame:
    from detente.analysis.series import aggregate

    return aggregate(pd.DataFrame({"day": pd.to_datetime([r[0] for r in rows]), "score": [r[1] for r in rows],
                                   "quad_class": [r[2] for r in rows]}))


def test_a_month_of_crisis_between_calm_months_is_a_burst() -> None:
    """Working relations, one month of clashes at sea (a dozen deeds), then talks again: a
    segment needs two periods, so Pelt can only lump the crisis with the months before it; the
    step it places after the crisis becomes a one-month burst, which explains both sides better.
    The escalation is dated at the crisis, not at a complaint four months before it."""
    from detente.analysis import changes

    rows = [("2013-03-10", -6.0, "material_conflict"), ("2013-03-11", -3.0, "verbal_conflict"),
            ("2013-06-10", 3.5, "verbal_cooperation"), ("2013-10-10", 4.0, "verbal_cooperation"),
            ("2013-10-12", 6.0, "material_cooperation"), ("2014-01-10", -2.0, "verbal_conflict")]
    rows += [(f"2014-05-{d:02d}", -8.0 if d % 3 else -4.0, "material_conflict") for d in range(3, 28, 2)]
    rows += [("2014-05-20", 3.0, "verbal_cooperation"), ("2014-05-21", -2.0, "verbal_conflict")]
    rows += [(f"{y}-{m:02d}-10", 3.5, "verbal_cooperation")
             for y, m in ((2014, 7), (2014, 8), (2014, 10), (2015, 4), (2015, 6), (2015, 11))]
    series = _sparse_series(rows)
    found = [(c["label"], c["start_period"]) for c in changes.detect_changes(series)]
    assert ("escalation", "2014-05") in found and ("detente", "2014-07") in found
    obs, values, weights = changes.signal_matrix(series)
    crisis = list(obs["label"]).index("2014-05")
    step = [0, crisis + 1, len(obs)]  # the step after the crisis
    assert changes._with_bursts(values, weights, step, changes.dyad_penalty(series), 2) == \
        [0, crisis, crisis + 1, len(obs)]


def test_a_claimed_shift_places_a_change_the_series_agrees_with() -> None:
    """A sparse dyad: a few complaints, then a few months of talks. Too little for Pelt alone;
    an article saying ties were restored gives the place, and the series agrees."""
    from detente.analysis import changes

    rows = [(d, -3.0, "verbal_conflict") for d in ("2020-01-10", "2020-03-10", "2020-05-10", "2020-07-10")]
    rows += [("2020-02-10", 2.0, "verbal_cooperation")]
    rows += [(d, 3.5, "verbal_cooperation") for d in ("2021-03-10", "2021-05-10", "2021-07-10")]
    series = _sparse_series(rows)
    assert changes.detect_changes(series) == []
    warming = [(dt.date(2021, 3, 12), "warming", True)]
    found = [(c["label"], c["start_period"]) for c in changes.detect_changes(series, claims=warming)]
    assert found == [("detente", "2021-03")]
    # A claim the series does not bear out places nothing: cooling where relations warm, or a
    # warming claimed years away from any move.
    assert changes.detect_changes(series, claims=[(dt.date(2021, 3, 12), "cooling", True)]) == []
    assert changes.detect_changes(series, claims=[(dt.date(2020, 4, 20), "warming", False)]) == []


def test_a_claimed_rupture_into_hostility_is_an_escalation() -> None:
    """Talks, then ties cut (one sanction among complaints): a deterioration by the numbers, an
    escalation by the article's claim of a diplomatic act, whether the claim placed the change or
    the series had it already."""
    from detente.analysis import changes

    def series(talks: tuple[str, ...]) -> pd.DataFrame:
        rows = [(d, 2.5, "verbal_cooperation") for d in talks] + [("2020-02-10", -2.0, "verbal_conflict")]
        rows += [("2020-08-24", -4.0, "material_conflict")]
        rows += [(d, -3.0, "verbal_conflict") for d in ("2020-08-25", "2020-10-10", "2021-01-10", "2021-04-10")]
        return _sparse_series(rows)

    def found(s: pd.DataFrame, claims: list) -> list[tuple[str, str]]:
        return [(c["label"], c["start_period"]) for c in changes.detect_changes(s, claims=claims)]

    cut_words, cut_ties = [(dt.date(2020, 8, 25), "cooling", False)], [(dt.date(2020, 8, 25), "cooling", True)]
    sparse = series(("2020-01-10", "2020-03-10", "2020-05-10"))
    assert found(sparse, []) == []
    assert found(sparse, cut_words) == [("deterioration", "2020-08")]
    assert found(sparse, cut_ties) == [("escalation", "2020-08")]
    denser = series(("2020-01-10", "2020-03-10", "2020-05-10", "2020-06-10"))
    assert found(denser, []) == [("deterioration", "2020-08")]
    assert found(denser, cut_ties) == [("escalation", "2020-08")]


def test_a_series_that_opens_with_a_claimed_rupture_starts_with_an_escalation() -> None:
    """The stories begin with the crisis (ties cut, then months of sanctions and complaints) and
    thaw later: with nothing before the crisis, only the article's claim of the rupture makes
    its first month a turn. Words alone ("relations soured") need deeds by their month."""
    from detente.analysis import changes

    rows = [("2016-01-03", -7.0, "material_conflict"), ("2016-01-04", -4.0, "material_conflict"),
            ("2016-01-05", -2.0, "verbal_conflict")]
    rows += [(f"2016-{m:02d}-10", -3.0, "verbal_conflict") for m in (3, 5, 8, 11)]
    rows += [(f"2016-{m:02d}-12", -5.0, "material_conflict") for m in (4, 9)]
    series = _sparse_series(rows)

    def found(claims: list) -> list[tuple[str, str, float]]:
        return [(c["label"], c["start_period"], c["before"]) for c in changes.detect_changes(series, claims=claims)]

    assert found([]) == []
    assert found([(dt.date(2016, 1, 3), "cooling", True)]) == [("escalation", "2016-01", 0.0)]
    (opening,) = changes.detect_changes(series, claims=[(dt.date(2016, 1, 3), "cooling", True)])
    assert opening["opening"] and opening["events_before"] == 0 and opening["before_start"] is None
    # an alert watches for turns: the dyad was in this crisis when the watch began
    from detente.analysis.alerts import Rule, _change

    assert _change(Rule(name="r", labels=("escalation",)), [{**opening, "evidence": []}]) is None
    assert found([(dt.date(2016, 1, 5), "cooling", False)]) == [("escalation", "2016-01", 0.0)]
    assert found([(dt.date(2016, 8, 5), "cooling", True)]) == []  # months after the start: not the opening
    assert found([(dt.date(2016, 1, 3), "warming", True)]) == []


def test_a_claimed_rupture_in_a_busy_month_of_a_hostile_dyad_is_an_escalation() -> None:
    """Complaints and a measure every other month, then a month of twenty (ministers barred,
    envoys expelled) with the same mix of words and deeds, then quieter again. The index and the
    share of material conflict barely move; the claimed rupture and conflict per month, six
    times what it was, make the month an escalation. A claim in words does not."""
    from detente.analysis import changes

    rows = [(f"2017-{m:02d}-{d}", score, kind) for m in (1, 3, 5, 7, 11)
            for d, score, kind in (("10", -3.0, "verbal_conflict"), ("12", -4.0, "material_conflict"))]
    rows += [(f"2017-09-{d:02d}", -3.0 if d % 2 else -5.0, "verbal_conflict" if d % 2 else "material_conflict")
             for d in range(2, 22)]
    rows += [("2018-01-10", -3.0, "verbal_conflict"), ("2018-01-12", -4.0, "material_conflict")]
    series = _sparse_series(rows)

    def found(claims: list) -> list[tuple[str, str]]:
        return [(c["label"], c["start_period"]) for c in changes.detect_changes(series, claims=claims)
                if c["label"] != "stable"]

    assert found([]) == []
    assert found([(dt.date(2017, 9, 14), "cooling", True)]) == [("escalation", "2017-09")]
    assert found([(dt.date(2017, 9, 14), "cooling", False)]) == []


def test_a_second_rupture_after_a_quiet_half_year_is_an_escalation() -> None:
    """A crisis (a month of expulsions and measures), quieter hostile months, then a second
    round of expulsions a year later, no busier than the first: by the old level it is more of
    the same, but its conflict per month is many times that of the half-year before it, so the
    claimed rupture is an escalation. Without a claim, or with a claim in words, it is not."""
    from detente.analysis import changes

    rows = [("2023-06-10", -2.5, "verbal_conflict"), ("2023-06-12", -2.5, "verbal_conflict")]
    rows += [(f"2023-09-{d:02d}", -6.0 if d % 3 else -3.0, "material_conflict" if d % 3 else "verbal_conflict")
             for d in range(2, 26, 2)]
    rows += [(f"2023-10-{d:02d}", -4.0 if d % 2 else -2.5, "material_conflict" if d % 2 else "verbal_conflict")
             for d in range(3, 8)]
    rows += [("2024-05-10", -4.0, "material_conflict"), ("2024-05-12", -3.0, "verbal_conflict"),
             ("2024-06-10", 4.0, "verbal_cooperation")]
    rows += [(f"2024-10-{d:02d}", -6.0 if d < 14 else -2.5, "material_conflict" if d < 14 else "verbal_conflict")
             for d in (3, 6, 9, 12, 15, 18)]
    rows += [("2024-11-10", -2.0, "verbal_conflict"), ("2025-01-10", -2.0, "verbal_conflict")]
    rows += [(f"2025-{m:02d}-{d:02d}", 3.5, "verbal_cooperation") for m in (6, 8, 10, 11) for d in (5, 10, 15)]
    series = _sparse_series(rows)

    def found(claims: list) -> list[tuple[str, str]]:
        return [(c["label"], c["start_period"]) for c in changes.detect_changes(series, claims=claims)]

    assert found([(dt.date(2024, 10, 14), "cooling", True)]) == [("escalation", "2024-10"), ("detente", "2025-06")]
    assert found([]) == found([(dt.date(2024, 10, 14), "cooling", False)]) == [("detente", "2025-06")]


def test_a_claimed_act_just_before_a_change_dates_it() -> None:
    """Ties cut in the month of a raid (ten events), a lone friendly event months before: the
    change may fall after the raid month (the segment before needs two periods), but the act
    claimed in the raid month dates it, whatever later articles recall."""
    from detente.analysis import changes

    rows = [("2007-10-10", 2.5, "verbal_cooperation"), ("2008-03-20", 3.5, "verbal_cooperation"),
            ("2008-03-22", -2.0, "verbal_conflict")]
    rows += [(f"2008-03-{d:02d}", -6.0 if d % 2 else -4.0, "material_conflict") for d in range(2, 16, 2)]
    rows += [(f"2008-{m:02d}-10", -6.0, "material_conflict") for m in (5, 7, 9)]
    rows += [("2009-11-10", 3.5, "verbal_cooperation"), ("2009-11-12", 4.0, "verbal_cooperation"),
             ("2010-11-10", 2.5, "verbal_cooperation"), ("2011-04-10", 5.0, "verbal_cooperation")]
    series = _sparse_series(rows)
    obs, values, weights = changes.signal_matrix(series)
    assert list(obs["label"][:3]) == ["2007-10", "2008-03", "2008-05"]
    cut_in_march = [(dt.date(2008, 3, 3), "cooling", True)]
    out, labels, pinned = changes._claimed(obs, values, weights, [0, 2, 5, len(obs)],
                                           changes.dyad_penalty(series), cut_in_march, float(series.attrs["unit"]))
    assert (out, labels, pinned) == ([0, 2, 5, len(obs)], {2: "escalation"}, {2: (1, False)})


def test_a_claimed_rupture_in_a_dyad_already_hostile_is_an_escalation() -> None:
    """An import ban in April, complaints, then in October envoys expelled and all imports
    banned, then a thaw in December. By the numbers October is more of April; the article's
    claimed act (a diplomatic rupture) places the escalation, priced at nothing more than the
    series' agreement. A claim of words does not; nor is the claim taken by the thaw two months
    after it."""
    from detente.analysis import changes

    rows = [("2020-08-10", 5.0, "material_cooperation"), ("2020-08-11", 5.0, "verbal_cooperation")]
    rows += [("2021-04-23", -5.0, "material_conflict"), ("2021-04-24", -5.0, "material_conflict"),
             ("2021-04-25", -4.0, "material_conflict"), ("2021-04-27", 2.5, "verbal_cooperation"),
             ("2021-04-28", -3.5, "verbal_conflict"), ("2021-05-18", -2.0, "verbal_conflict")]
    rows += [("2021-10-27", -2.0, "verbal_conflict"), ("2021-10-30", -7.0, "material_conflict"),
             ("2021-10-30", -4.5, "material_conflict")]
    rows += [("2021-12-04", 6.0, "material_cooperation"), ("2021-12-05", 3.5, "verbal_cooperation"),
             ("2021-12-06", 6.5, "verbal_cooperation"), ("2022-03-21", 3.4, "verbal_cooperation"),
             ("2022-03-25", 3.4, "verbal_cooperation"), ("2022-04-08", 2.5, "verbal_cooperation"),
             ("2022-04-09", 2.5, "verbal_cooperation"), ("2023-06-10", 2.5, "verbal_cooperation")]
    series = _sparse_series(rows)

    def found(claims: list) -> list[tuple[str, str]]:
        return [(c["label"], c["start_period"]) for c in changes.detect_changes(series, claims=claims)]

    assert found([]) == [("escalation", "2021-04"), ("detente", "2021-12")]
    assert found([(dt.date(2021, 10, 30), "cooling", True)]) == \
        [("escalation", "2021-04"), ("escalation", "2021-10"), ("detente", "2021-12")]
    assert found([(dt.date(2021, 10, 30), "cooling", False)]) == [("escalation", "2021-04"), ("detente", "2021-12")]


def test_a_claimed_crisis_that_passes_is_a_burst() -> None:
    """Warm relations, a two-month crisis the article calls a rupture, then warm again."""
    from detente.analysis import changes

    rows = [(f"{y}-{m:02d}-10", 3.0, "verbal_cooperation") for y in (2019, 2020) for m in (2, 5, 8, 11)]
    rows += [("2020-01-12", -5.0, "material_conflict"), ("2020-01-14", -3.0, "verbal_conflict"),
             ("2020-01-20", -3.0, "verbal_conflict"), ("2020-01-22", -4.0, "material_conflict")]
    series = _sparse_series(rows)
    found = [(c["label"], c["start_period"]) for c in
             changes.detect_changes(series, claims=[(dt.date(2020, 1, 20), "cooling", True)])]
    assert found[0] == ("escalation", "2020-01") and found[1][1] == "2020-02"  # and back


def test_a_claimed_act_dates_the_turn() -> None:
    """A year of complaints; ties restored in December, complaints in February, then talks: the
    level settles after the relapse, but the article's claimed act (ties restored) is the turn;
    talk of better ties is not."""
    from detente.analysis import changes

    rows = [(f"2013-{m:02d}-10", -3.0, "verbal_conflict") for m in (1, 3, 5, 7, 9, 11)]
    rows += [("2014-12-17", 7.0, "material_cooperation"), ("2014-12-17", 4.5, "verbal_cooperation")]
    rows += [("2015-02-10", -2.0, "verbal_conflict"), ("2015-02-12", -2.0, "verbal_conflict")]
    rows += [(f"2015-{m:02d}-10", 4.0, "verbal_cooperation") for m in (4, 5, 7, 8, 10, 12)]
    series = _sparse_series(rows)

    def found(claims: list) -> list[tuple[str, str]]:
        return [(c["label"], c["start_period"]) for c in changes.detect_changes(series, claims=claims)]

    assert found([]) == [("detente", "2015-04")]
    assert found([(dt.date(2014, 12, 17), "warming", True)]) == [("detente", "2014-12")]
    assert found([(dt.date(2014, 12, 17), "warming", False)]) == [("detente", "2015-04")]


def test_a_claimed_restoration_after_a_lone_feeler_is_the_turn() -> None:
    """Years of complaints, one friendly contact in December, then ties restored in June with a
    stream of cooperation: the restoration is the turn, not the feeler before it, claimed or not
    (the feeler weighs less than the restoration's month); an announcement that outweighs
    the later formal act keeps its start."""
    from detente.analysis import changes

    rows = [(f"{y}-{m:02d}-10", -3.0, "verbal_conflict") for y in (2013, 2014) for m in (1, 4, 7, 10)]
    rows += [("2015-12-10", 2.5, "verbal_cooperation")]
    rows += [("2016-06-27", 7.0, "material_cooperation"), ("2016-06-28", 4.5, "verbal_cooperation"),
             ("2016-06-29", 4.0, "verbal_cooperation")]
    rows += [(f"2016-{m:02d}-10", 3.5, "verbal_cooperation") for m in (8, 10, 12)]
    series = _sparse_series(rows)

    def found(claims: list) -> list[tuple[str, str]]:
        return [(c["label"], c["start_period"]) for c in changes.detect_changes(series, claims=claims)]

    assert found([]) == [("detente", "2016-06")]
    assert found([(dt.date(2016, 6, 27), "warming", True)]) == [("detente", "2016-06")]
    assert found([(dt.date(2016, 6, 27), "warming", False)]) == [("detente", "2016-06")]
    heavy = _sparse_series(rows + [("2015-12-11", 7.0, "material_cooperation"), ("2015-12-12", 4.5, "verbal_cooperation"),
                                   ("2015-12-13", 4.5, "verbal_cooperation")])
    assert [(c["label"], c["start_period"]) for c in
            changes.detect_changes(heavy, claims=[(dt.date(2016, 6, 27), "warming", True)])] == [("detente", "2015-12")]


def test_one_complaint_after_months_of_cooperation_is_a_wobble_not_a_relapse() -> None:
    """The start of a warming moves past a relapse only when the relapse weighs a share of the
    cooperation before it: one complaint after four months of talks keeps the start; two
    months of protests do not."""
    from detente.analysis.changes import _onset

    old = np.array([0.0, 0.1])
    wobble = _onset(old, np.array([0.8, 1, 1, 1, -0.3, 1, 1]), np.array([0.88, 1.26, 1.26, 0.63, 0.51, 3.67, 2.53]), 1.4)
    relapse = _onset(old, np.array([0.8, 1, 1, 1, -0.3, -0.2, 1, 1]),
                     np.array([0.88, 1.26, 1.26, 0.63, 1.0, 1.0, 3.67, 2.53]), 1.4)
    assert (wobble, relapse) == (0, 6)


def test_a_warming_starts_at_the_first_landmark_past_its_feelers() -> None:
    """A lone contact, seven empty months, then an opening weighing six times the contact and a
    heavier visit: the opening is the turn, though the visit weighs more (a turn is where
    the feelers end, not the heaviest month); a steady stream that starts light keeps its start."""
    from detente.analysis.changes import _past_feelers

    assert _past_feelers(np.array([0.55, 3.1, 4.2]), np.array([0, 7, 9])) == 1
    assert _past_feelers(np.array([0.55, 3.1, 4.2]), np.array([0, 1, 2])) == 0  # not isolated
    assert _past_feelers(np.array([2.0, 3.1, 4.2]), np.array([0, 7, 9])) == 0  # no mere feeler


def test_a_contact_months_before_a_claimed_restoration_is_no_turn() -> None:
    """Ties cut, years of complaints, a friendly meeting in November, ties restored in May: the
    claimed act dates the detente; the meeting six months before it is a feeler, though it sits
    on the new side. So does a claimed thaw in words ("relations have thawed"), counted from
    where the warming starts; without a claim, or with one in a month lighter than the meeting,
    the series' own start stands."""
    from detente.analysis import changes

    rows = [("2018-08-06", -6.0, "material_conflict"), ("2018-08-07", -6.0, "material_conflict")]
    rows += [(f"{y}-{m:02d}-10", -3.0, "verbal_conflict") for y in (2019, 2020, 2021) for m in (2, 8)]
    rows += [("2022-11-17", 3.0, "verbal_cooperation"), ("2022-11-18", 2.5, "verbal_cooperation")]
    rows += [("2023-05-24", 4.5, "verbal_cooperation"), ("2023-05-25", 3.0, "verbal_cooperation")]
    series = _sparse_series(rows)

    def found(claims: list) -> list[tuple[str, str]]:
        return [(c["label"], c["start_period"]) for c in changes.detect_changes(series, claims=claims)]

    assert found([]) == [("detente", "2022-11")]
    assert found([(dt.date(2023, 5, 24), "warming", True)]) == [("detente", "2023-05")]
    assert found([(dt.date(2023, 5, 24), "warming", False)]) == [("detente", "2023-05")]
    lighter = _sparse_series(rows[:-1])  # May 2023 now weighs less than November 2022
    assert [(c["label"], c["start_period"]) for c in changes.detect_changes(
        lighter, claims=[(dt.date(2023, 5, 24), "warming", False)])] == [("detente", "2022-11")]


def test_label_rules_escalation_at_a_steady_index() -> None:
    assert label_change(-0.7, -0.8, 0.1, 0.7) == "escalation"  # words to deeds, same hostility
    assert label_change(-0.7, -0.75, 0.1, 0.2) == "stable"  # a little more force is no escalation
    assert label_change(0.8, -0.5, 0.0, 0.2) == "deterioration"  # hostile, but mostly in words
    assert label_change(-0.8, -0.2, 0.7, 0.1) == "stable"  # easing, still hostile
    assert label_change(-0.9, 0.6, 0.6, 0.0) == "detente"  # cooperation replaces hostility


# -- background is not news ---------------------------------------------------------------------

@pytest.fixture
def background_store(tmp_path: Path) -> Store:
    """ERI-ETH steady cooperation; articles from 2024-05 recall an old war (background, dated at
    publication): counted only on request."""
    b = Builder()
    for day in months("2024-01", 12):
        b.add(day, "CONSULT", ["ETH"], ["ERI"], trigger="met")
        b.add(day, "AGREE", ["ERI"], ["ETH"], trigger="agreed")
    for day in months("2024-05", 4):
        for n in range(3):
            b.add(day, "ASSAULT", ["ETH"], ["ERI"], trigger="fought", historical=True,
                  sentence=f"The two countries fought a border war from 1998 to 2000 ({n}).")
    return b.store(tmp_path / "background.duckdb")


def test_background_left_out_of_series_changes_and_networks(background_store: Store) -> None:
    s = dyad_series(background_store, "ETH", "ERI")
    assert s["n_events"].sum() == 24 and s["material_conflict"].sum() == 0
    assert dyad_changes(background_store, "ETH", "ERI") == []
    assert signed_network(background_store).edges["ERI", "ETH"]["sign"] == 1
    assert top_dyads(background_store)[0]["n_events"] == 24
    # on request, the background is counted and blurs the months around it
    s = dyad_series(background_store, "ETH", "ERI", include_historical=True)
    assert s["n_events"].sum() == 36
    assert [c["label"] for c in dyad_changes(background_store, "ETH", "ERI", include_historical=True)
            if c["label"] != "stable"]
    assert top_dyads(background_store, include_historical=True)[0]["n_events"] == 36
    net = signed_network(background_store, include_historical=True)
    assert net.edges["ERI", "ETH"]["n_events"] == 36


# -- imprecise dates ----------------------------------------------------------------------------

@pytest.fixture
def imprecise_store(tmp_path: Path) -> Store:
    b = Builder()
    b.add("2024-03-12", "AGREE", ["RUS"], ["PAK"], trigger="agreed")
    b.add("2024-03-01", "SUPPORT", ["RUS"], ["PAK"], precision="month", published="2024-05-02",
          trigger="backed")  # "in March", told in May
    b.add("2024-01-01", "ACCUSE", ["PAK"], ["RUS"], precision="year", published="2024-06-01",
          trigger="accused")  # "earlier this year", told in June
    b.add("2024-05-20", "CONSULT", ["RUS"], ["PAK"], trigger="met")
    return b.store(tmp_path / "imprecise.duckdb")


def test_imprecise_dates_are_not_piled_on_the_first_day(imprecise_store: Store) -> None:
    s = dyad_series(imprecise_store, "RUS", "PAK")
    assert list(s["label"]) == ["2024-03", "2024-04", "2024-05"]  # no January: the year is not its first day
    assert list(s["n_events"]) == [2, 0, 1] and s.attrs["unplaced"] == 1
    q = dyad_series(imprecise_store, "RUS", "PAK", freq="quarter")
    assert list(q["n_events"]) == [2, 1] and q.attrs["unplaced"] == 1  # a year spans four quarters
    w = dyad_series(imprecise_store, "RUS", "PAK", freq="week")
    assert w["n_events"].sum() == 2 and w.attrs["unplaced"] == 2  # a month spans several weeks
    top = top_dyads(imprecise_store)[0]
    assert top["n_events"] == 4  # totals count every event
    assert (top["first"], top["last"]) == ("2024-03-01", "2024-05-20")  # a year-only date does not stretch the span
    # a date range holds an event when it holds its whole span
    assert signed_network(imprecise_store, "2024-03-01", "2024-03-31", 1).edges["PAK", "RUS"]["n_events"] == 2
    assert signed_network(imprecise_store, "2024-03-05", "2024-03-31", 1).edges["PAK", "RUS"]["n_events"] == 1
    assert signed_network(imprecise_store, "2024-01-01", "2024-03-31", 1).edges["PAK", "RUS"]["n_events"] == 2


def test_imprecise_dates_sort_after_the_precise_ones(imprecise_store: Store, tmp_path: Path) -> None:
    newest = [(e["date"], e["date_precision"]) for e in imprecise_store.events(order="-date")]
    assert newest == [("2024-05-20", "day"), ("2024-03-12", "day"), ("2024-03-01", "month"), ("2024-01-01", "year")]
    oldest = [(e["date"], e["date_precision"]) for e in imprecise_store.events(order="date")]
    assert oldest == [("2024-03-12", "day"), ("2024-03-01", "month"), ("2024-05-20", "day"), ("2024-01-01", "year")]
    # "deliveries next year", told on 2024-05-02: no newer than its news in a list of the latest events
    b = Builder()
    b.add("2025-01-01", "AGREE", ["RUS"], ["PAK"], precision="year", published="2024-05-02", trigger="ready")
    b.add("2024-05-20", "CONSULT", ["RUS"], ["PAK"], trigger="met")
    b.add("2024-05-02", "SUPPORT", ["RUS"], ["PAK"], trigger="praised")
    with b.store(tmp_path / "future.duckdb") as store:
        newest = [(e["date"], e["date_precision"]) for e in store.events(order="-date")]
    assert newest == [("2024-05-20", "day"), ("2024-05-02", "day"), ("2025-01-01", "year")]


# -- claimed shifts -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "direction", "rule"), [
    ("Riyadh and Doha restored diplomatic relations on Tuesday.", "warming", "restored ties"),
    ("Ties between the two neighbours were restored in January.", "warming", "restored ties"),
    ("The visit helped rebuild trust between Tokyo and Seoul.", "warming", "rebuilt ties"),
    ("The leaders agreed to mend fences.", "warming", "mended ties"),
    ("Israel and the UAE agreed to normalise relations.", "warming", "normalisation"),
    ("The two countries re-established diplomatic relations.", "warming", "restored ties"),
    ("The summit sealed their reconciliation.", "warming", "reconciliation"),
    ("Diplomats spoke of a thaw.", "warming", "thaw"),
    ("The election brought a reset in relations.", "warming", "reset"),
    ("Relations collapsed after the attack.", "cooling", "collapse"),
    ("The rupture in relations lasted seven years.", "cooling", "rupture"),
    ("Bahrain severed ties with Qatar.", "cooling", "ties cut"),
    ("Tokyo froze relations with Seoul.", "cooling", "frozen ties"),
    ("The rift deepened.", "cooling", "rift"),
    ("The kingdom downgraded its ties with Ottawa.", "cooling", "downgraded ties"),
    ("Ankara expelled the Dutch ambassador.", "cooling", "expelled envoys"),
])
def test_claim_phrases(text: str, direction: str, rule: str) -> None:
    (claim,) = find_claims(text)
    assert (claim["direction"], claim["rule"], claim["negated"]) == (direction, rule, False)


def test_claims_need_their_targets() -> None:
    for text in ("The utility restored power to the city.", "The EU imposed an asset freeze.",
                 "The bridge collapsed.", "Global warming and cool weather.", "Police expelled the protesters."):
        assert find_claims(text) == [], text
    (claim,) = find_claims("Relations have not been restored.")
    assert claim["negated"]
    warming, cooling = find_claims("Riyadh and Doha restored diplomatic relations, ending a rift that began in 2017.")
    assert (warming["direction"], warming["negated"]) == ("warming", False)
    assert (cooling["phrase"], cooling["negated"]) == ("rift", True)  # the rift ended: no cooling claimed
    (claim,) = find_claims("Officials said they hoped to rebuild trust.")
    assert claim["hedged"]


@pytest.fixture
def claims_store(tmp_path: Path) -> Store:
    b = Builder()
    for day in months("2023-01", 10):
        b.add(day, "ACCUSE", ["RUS"], ["PAK"], trigger="accused")
        b.add(day, "REJECT", ["PAK"], ["RUS"], trigger="rejected")
    restored = "Russia and Pakistan restored ties on Tuesday. Russia signed a deal with Pakistan."
    denied = "Pakistan denied that relations with Russia had been restored. Russia signed a deal with Pakistan."
    for i, day in enumerate(months("2023-11", 10)):
        text = restored if i == 0 else denied if i == 1 else None
        b.add(day, "COOPERATE", ["RUS"], ["PAK"], trigger="signed", text=text,
              sentence="Russia signed a deal with Pakistan." if text else None)
        b.add(day, "SUPPORT", ["PAK"], ["RUS"], trigger="praised")
    return b.store(tmp_path / "claims.duckdb")


def test_changes_carry_the_claims_of_their_articles(claims_store: Store) -> None:
    (change,) = dyad_changes(claims_store, "RUS", "PAK")
    assert change["label"] == "detente"
    assert [(c["phrase"], c["direction"], c["date"]) for c in change["claims"]] == [
        ("restored ties", "warming", "2023-11-15")]  # the denial is no claim
    assert "restored ties" in change["claims"][0]["sentence"]
