"""The HTML report: self-contained, escaped, and showing the planted changes."""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from detente.errors import DetenteError
from detente.models import Actor, Document, Event
from detente.ontology import event_types
from detente.report import build_report, highlight
from detente.store import Store, open_store


def _event(doc: Document, index: int, etype: str, actor: str, recipient: str, sentence: str, trigger: str) -> Event:
    et = event_types()[etype]
    acts, recs = [Actor(text=actor, code=actor, country=actor)], [Actor(text=recipient, code=recipient, country=recipient)]
    return Event(id=Event.make_id(doc.doc_id, index, etype, acts, recs, trigger), doc_id=doc.doc_id,
                 sentence_index=index, sentence=sentence, date=doc.pub_date, pub_date=doc.pub_date, event_type=etype,
                 quad_class=et.quad_class, plover_score=et.score, cameo_code=et.cameo, actor=acts, recipient=recs,
                 trigger=trigger, confidence=0.9, coder="test")


@pytest.fixture
def store(tmp_path: Path) -> Store:
    batch = []
    day = dt.date(2023, 1, 15)
    for i in range(30):
        doc = Document(doc_id=f"d{i}", text="x", title=f"Article <{i}>", url="javascript:alert(1)" if i == 0 else
                       f"https://example.org/{i}", pub_date=day)
        hostile = i < 15
        events = [
            _event(doc, 0, "ACCUSE" if hostile else "SUPPORT", "RUS", "PAK",
                   "Moscow <script>alert('x')</script> criticised & rebuked Islamabad." if hostile else
                   "Moscow praised Islamabad.", "criticised" if hostile else "praised"),
            _event(doc, 1, "CONSULT" if hostile else "ASSAULT", "AZE", "ARM",
                   "Baku met Yerevan." if hostile else "Baku shelled Yerevan's positions.",
                   "met" if hostile else "shelled"),
        ]
        batch.append((doc, events))
        day = (day.replace(day=1) + dt.timedelta(days=32)).replace(day=15)
    s = open_store(tmp_path / "r.duckdb")
    s.write_batch(batch)
    return s


def test_report_self_contained_and_escaped(store: Store, tmp_path: Path) -> None:
    path = build_report(store, tmp_path / "out" / "report.html", top=3)
    html = path.read_text(encoding="utf-8")
    # offline: plotly.js inline once, nothing loaded from elsewhere
    assert html.count("<script>") >= 1 and "Plotly" in html
    assert not re.search(r"<script[^>]+src=", html) and not re.search(r"<link[^>]+href=", html)
    assert len(re.findall(r"/\*\*\s*\* plotly\.js v", html)) <= 1
    # the planted changes, labelled
    assert "PAK-RUS" in html and "ARM-AZE" in html
    assert "detente" in html and "escalation" in html
    assert "from <b>2024-04</b>" in html  # month 16 of the series: the change starts in April 2024
    # text from the store is escaped; the trigger is highlighted; unsafe links are dropped
    assert "<script>alert('x')</script>" not in html
    assert "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; <mark>criticised</mark> &amp; rebuked" in html
    assert "Article &lt;3&gt;" in html and 'href="javascript:' not in html
    assert "Structural balance" in html and "network-graph" in html


def test_report_bad_parameters(store: Store, tmp_path: Path) -> None:
    with pytest.raises(DetenteError):
        build_report(store, tmp_path / "x.html", freq="daily")
    with pytest.raises(DetenteError):
        build_report(store, tmp_path / "x.html", top=0)


def test_highlight() -> None:
    assert str(highlight("A <b> met B.", "met")) == "A &lt;b&gt; <mark>met</mark> B."
    assert str(highlight("India refused to back the bid.", "refused back")) == (
        "India <mark>refused</mark> to <mark>back</mark> the bid.")
    assert str(highlight("No trigger here.", None)) == "No trigger here."
    assert str(highlight(None, "x")) == ""
