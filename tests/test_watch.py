"""`detente watch` against a real HTTP server on 127.0.0.1: feeds and article pages that change
between cycles, a feed that fails with 500, one that times out, a malformed one, robots.txt, and
a webhook receiver. The stories (tests/fixtures/watch/stories.json) were written for these tests:
Chile and Bolivia quarrel from January to April 2025, then make up from May."""

from __future__ import annotations

import datetime as dt
import email.utils
import hashlib
import html
import json
import os
import random
import signal
import subprocess
import sys
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import duckdb
import pytest

ROOT = Path(__file__).resolve().parents[1]
STORIES = json.loads((Path(__file__).parent / "fixtures" / "watch" / "stories.json").read_text(encoding="utf-8"))
DETENTE = [sys.executable, "-c", "from detente.cli import main; main()"]
EDITED = "andes-2025-05-22"  # its text changes in stage 3
EDIT = "\n\nBolivian officials said the decision would take effect at once."
# Fast but real HTTP settings: no pause between requests, a short timeout, one retry.
FAST = ["--every", "0", "--workers", "1", "--interval", "0", "--timeout", "1", "--retries", "1"]


class Site:
    """The test web site: the Andes feed at the stage it is at, article pages, broken feeds, a hook."""

    def __init__(self, advance: bool = True, page_delay: float = 0.0, teasers: bool = False) -> None:
        self.stage, self.advance, self.page_delay, self.teasers = 1, advance, page_delay, teasers
        self.feed_gets = 0
        self.requests: list[tuple[str, str, int]] = []  # (method, path, status)
        self.hooks: list[dict[str, Any]] = []
        self.lock = threading.Lock()
        site = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                site.get(self)

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with site.lock:
                    site.hooks.append(json.loads(body))
                    site.requests.append(("POST", self.path, 204))
                self.send_response(204)
                self.end_headers()

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    def paths(self, prefix: str) -> list[str]:
        return [p for _, p, _ in self.requests if p.startswith(prefix)]

    def _send(self, h: BaseHTTPRequestHandler, status: int, body: bytes = b"", kind: str = "text/plain",
              headers: dict[str, str] | None = None) -> None:
        with self.lock:
            self.requests.append(("GET", h.path, status))
        h.send_response(status)
        h.send_header("Content-Type", kind)
        h.send_header("Content-Length", str(len(body)))
        for k, v in (headers or {}).items():
            h.send_header(k, v)
        h.end_headers()
        h.wfile.write(body)

    def stories(self) -> list[dict[str, Any]]:
        out = []
        for s in STORIES:
            if s["stage"] <= self.stage:
                text = s["text"] + (EDIT if s["id"] == EDITED and self.stage >= 3 else "")
                out.append({**s, "text": text})
        return out

    def feed(self) -> bytes:
        items = []
        for s in self.stories():
            when = email.utils.format_datetime(dt.datetime.fromisoformat(s["date"] + "T09:00:00+00:00"))
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in s["text"].split("\n\n"))
            if s.get("page") or self.teasers:  # a teaser: the article is on its page
                body = f"<description>{html.escape(s['text'].split(chr(10))[0][:60])}...</description>"
            else:
                body = f"<content:encoded><![CDATA[{paragraphs}]]></content:encoded>"
            items.append(f"<item><title>{html.escape(s['title'])}</title><link>{self.url}/news/{s['id']}.html</link>"
                         f"<guid isPermaLink=\"false\">{s['id']}</guid><pubDate>{when}</pubDate>{body}</item>")
        # One teaser links to a page robots.txt forbids: it is coded from its summary.
        items.append(f"<item><title>Private note</title><link>{self.url}/private/note.html</link>"
                     "<guid isPermaLink=\"false\">private-note</guid><pubDate>Mon, 06 Jan 2025 09:00:00 GMT</pubDate>"
                     "<description>Peru praised Ecuador for its help with the census on Monday.</description></item>")
        return ("<?xml version=\"1.0\" encoding=\"UTF-8\"?><rss version=\"2.0\" "
                "xmlns:content=\"http://purl.org/rss/1.0/modules/content/\"><channel><title>Andes Ledger</title>"
                f"<link>{self.url}/</link><description>Stories written for detente tests.</description>"
                + "".join(items) + "</channel></rss>").encode("utf-8")

    def get(self, h: BaseHTTPRequestHandler) -> None:
        path = h.path
        if path == "/robots.txt":
            self._send(h, 200, b"User-agent: *\nDisallow: /private/\n")
        elif path == "/andes/feed.xml":
            with self.lock:
                if self.advance:
                    self.feed_gets += 1
                    self.stage = min(3, self.feed_gets)
            body = self.feed()
            etag = '"' + hashlib.sha1(body).hexdigest() + '"'
            if h.headers.get("If-None-Match") == etag:
                self._send(h, 304, headers={"ETag": etag})
            else:
                self._send(h, 200, body, "application/rss+xml", {"ETag": etag})
        elif path.startswith("/news/"):
            time.sleep(self.page_delay)
            story = next((s for s in self.stories() if f"/news/{s['id']}.html" == path), None)
            if story is None:
                self._send(h, 404, b"not found")
                return
            paragraphs = "".join(f"<p>{html.escape(p)}</p>" for p in story["text"].split("\n\n"))
            page = (f"<html><head><title>{html.escape(story['title'])}</title></head><body><nav><a href='/'>Home</a>"
                    f"</nav><article><h1>{html.escape(story['title'])}</h1>{paragraphs}</article>"
                    "<footer>Andes Ledger, stories written for tests.</footer></body></html>")
            self._send(h, 200, page.encode("utf-8"), "text/html; charset=utf-8")
        elif path == "/broken/feed.xml":
            self._send(h, 500, b"internal error")
        elif path == "/slow/feed.xml":
            time.sleep(3)
            self._send(h, 200, b"<rss></rss>", "application/rss+xml")
        elif path == "/bad/feed.xml":
            self._send(h, 200, b"this is { not a feed", "application/rss+xml")
        else:
            self._send(h, 404, b"not found")


@pytest.fixture
def site():
    s = Site()
    yield s
    s.close()


def _feeds(tmp_path: Path, site: Site) -> Path:
    path = tmp_path / "feeds.txt"
    path.write_text(f"# feeds to watch\n{site.url}/andes/feed.xml\n{site.url}/broken/feed.xml\n"
                    f"{site.url}/slow/feed.xml\n{site.url}/bad/feed.xml\n", encoding="utf-8")
    return path


def _rules(tmp_path: Path, site: Site) -> Path:
    path = tmp_path / "rules.toml"
    path.write_text(f'webhook = "{site.url}/hook"\n\n[[rule]]\nname = "andes"\ndyads = ["CHL-BOL"]\n'
                    'labels = ["detente", "deterioration", "escalation"]\n', encoding="utf-8")
    return path


def _watch(*args: str, timeout: float = 300) -> subprocess.CompletedProcess:
    return subprocess.run([*DETENTE, "watch", *args], capture_output=True, text=True, timeout=timeout, cwd=ROOT,
                          env={**os.environ, "PYTHONUNBUFFERED": "1"})


def _rows(db: Path, sql: str) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql).fetchall()
    finally:
        con.close()


def test_three_cycles_turn_a_dyad_and_fire_one_detente_alert(site, tmp_path) -> None:
    db = tmp_path / "watch.duckdb"
    feeds, rules = _feeds(tmp_path, site), _rules(tmp_path, site)
    run = _watch(str(feeds), "--db", str(db), "--cycles", "3", "--alerts", str(rules), *FAST)
    assert run.returncode == 0, run.stderr
    lines = [ln for ln in run.stderr.splitlines() if " cycle " in ln]
    assert [ln.split(" cycle ")[1].split(":")[0] for ln in lines] == ["1", "2", "3"], run.stderr
    assert "Traceback" not in run.stderr
    # The turn: hostile in stage 1, cooperative from May in stage 2: one alert, delivered once.
    assert len(site.hooks) == 1, site.hooks
    alert = site.hooks[0]
    assert (alert["kind"], alert["label"], alert["dyad"], alert["rule"]) == ("change", "detente", "BOL-CHL", "andes")
    assert alert["start"] == "2025-05-01" and alert["before"] < -0.3 < 0.5 < alert["after"]
    assert alert["evidence"] and all(ev["score"] > 0 and ev["date"] >= "2025-05-01" for ev in alert["evidence"])
    assert {ev["doc_id"] for ev in alert["evidence"]} <= {s["id"] for s in STORIES if s["stage"] >= 2}
    assert run.stdout.count("alert: andes: detente BOL-CHL from 2025-05") == 1
    assert "1 alert" in lines[1] and "0 alerts" in lines[0] and "0 alerts" in lines[2]
    # Each stage's new items, and the edited one in stage 3.
    assert "9 new, 0 updated" in lines[0] and "4 new, 0 updated" in lines[1] and "4 new, 1 updated" in lines[2]
    text = _rows(db, f"SELECT text FROM documents WHERE doc_id = '{EDITED}'")[0][0]
    assert text.endswith("take effect at once.")
    # Teasers' pages fetched once each; the page robots.txt forbids never; its summary coded instead.
    assert sorted(site.paths("/news/")) == ["/news/andes-2025-01-09.html", "/news/andes-2025-01-23.html"]
    assert not site.paths("/private/") and "disallowed by robots.txt" in run.stderr
    assert _rows(db, "SELECT count(*) FROM documents WHERE doc_id = 'private-note'") == [(1,)]
    # The 500 (tried again once per cycle), the timeout and the malformed feed: the rest went on.
    assert len(site.paths("/broken/")) == 6 and "HTTP 500" in run.stderr and "timed out" in run.stderr
    assert "fetch errors" in lines[0]
    assert _rows(db, "SELECT path, stage FROM failures") == [(f"{site.url}/bad/feed.xml", "read")]
    stored = _rows(db, "SELECT dyad, label, delivered_at IS NOT NULL, json_array_length(evidence) FROM alerts")
    assert stored == [("BOL-CHL", "detente", True, 5)]

    # Running the cycles again fires nothing new: the feed is not modified (ETag), nothing is new.
    before = len(site.paths("/andes/"))
    again = _watch(str(feeds), "--db", str(db), "--cycles", "3", "--alerts", str(rules), *FAST)
    assert again.returncode == 0, again.stderr
    assert len(site.hooks) == 1 and "alert:" not in again.stdout
    assert all("0 new, 0 updated" in ln and "0 alerts" in ln for ln in again.stderr.splitlines() if " cycle " in ln)
    assert [s for m, p, s in site.requests[-30:] if p == "/andes/feed.xml"][-3:] == [304, 304, 304]
    assert len(site.paths("/andes/")) == before + 3
    listed = subprocess.run([*DETENTE, "alerts", "--db", str(db)], capture_output=True, text=True, cwd=ROOT)
    assert listed.returncode == 0 and "andes: detente BOL-CHL from 2025-05" in listed.stdout
    assert "[delivered]" in listed.stdout


def _snapshot(db: Path) -> dict[str, list[tuple]]:
    return {
        "events": _rows(db, "SELECT * FROM events ORDER BY id"),
        "documents": _rows(db, "SELECT * EXCLUDE (ingested_at) FROM documents ORDER BY doc_id"),
        "failures": _rows(db, "SELECT key, stage, error, content_hash FROM failures ORDER BY key"),
        "alerts": _rows(db, "SELECT * EXCLUDE (fired_at, delivered_at) FROM alerts ORDER BY id"),
        "state": _rows(db, "SELECT * EXCLUDE (updated_at, value) FROM watch_state ORDER BY key"),
    }


def test_a_watch_killed_mid_cycle_then_restarted_ends_like_an_uninterrupted_run(tmp_path) -> None:
    site = Site(advance=False, page_delay=0.4, teasers=True)  # slow pages: a cycle long enough to be cut
    site.stage = 3
    try:
        feeds, rules = _feeds(tmp_path, site), _rules(tmp_path, site)
        clean = tmp_path / "clean.duckdb"
        done = _watch(str(feeds), "--db", str(clean), "--cycles", "1", "--alerts", str(rules), *FAST)
        assert done.returncode == 0, done.stderr
        hooks = len(site.hooks)
        assert hooks == 1
        db = tmp_path / "killed.duckdb"
        rng = random.Random(15)
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        for _ in range(3):  # killed at seeded random moments: loading, fetching, coding, committing
            proc = subprocess.Popen([*DETENTE, "watch", str(feeds), "--db", str(db), "--cycles", "1", "--alerts",
                                     str(rules), *FAST], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                    env=env, cwd=ROOT)
            time.sleep(rng.uniform(2.0, 9.0))
            proc.send_signal(signal.SIGKILL)
            _, rest = proc.communicate(timeout=60)
            assert proc.returncode == -signal.SIGKILL, "the watch ended before it could be killed"
            assert "Traceback" not in rest, rest
        partial = _rows(db, "SELECT count(*) FROM documents")[0][0] if db.exists() else 0
        resumed = _watch(str(feeds), "--db", str(db), "--cycles", "1", "--alerts", str(rules), *FAST)
        assert resumed.returncode == 0, resumed.stderr
        assert _snapshot(db) == _snapshot(clean)
        assert partial < 17  # it was cut before the end
        # The alert reached the webhook (once, or twice when a kill fell between a POST and its record).
        assert 1 <= len(site.hooks) - hooks <= 2 and {h["id"] for h in site.hooks} == {site.hooks[0]["id"]}
    finally:
        site.close()


# -- folders, both store kinds, spikes and the dashboard (in process) -------------------------------------

def _story_file(folder: Path, story: dict[str, Any], extra: str = "") -> Path:
    path = folder / f"{story['id']}.json"
    path.write_text(json.dumps({"id": story["id"], "title": story["title"], "date": story["date"],
                                "text": story["text"] + extra}), encoding="utf-8")
    return path


SPIKE_RULES = """
[[rule]]
name = "turns"
actors = ["CHL"]

[[rule]]
name = "clashes"
actors = ["BOL"]
spike = "material_conflict"
freq = "month"
baseline = 2
factor = 1.0
min_events = 3
"""


@pytest.mark.parametrize("kind", ["duckdb", "parquet"])
def test_a_watched_folder_in_both_store_kinds(kind, tmp_path, nlp) -> None:
    from detente.analysis.alerts import load_rules
    from detente.ingest.fetch import Fetcher
    from detente.ingest.poll import parse_sources
    from detente.run.watch import Watch
    from detente.store import open_store

    folder = tmp_path / "news"
    folder.mkdir()
    for story in STORIES:
        if story["stage"] == 1:
            _story_file(folder, story)
    db = str(tmp_path / ("s.duckdb" if kind == "duckdb" else "s"))
    if kind == "parquet":
        Path(db).mkdir()
    (tmp_path / "rules.toml").write_text(SPIKE_RULES, encoding="utf-8")
    with Fetcher() as fetcher:
        watch = Watch(parse_sources([str(folder)]), db, load_rules(tmp_path / "rules.toml"), fetcher)
        watch.start()
        first = watch.cycle(1)
        assert (first.stats["new"], first.counts["changed_files"]) == (8, 8)
        # April's material conflict against the two months before it: a spike, no turn yet.
        assert [(a["rule"], a["label"], a["period"]) for a in first.alerts] == [
            ("clashes", "material_conflict", "2025-04")]
        assert first.alerts[0]["n_events"] >= 3 and first.alerts[0]["evidence"]
        assert all(ev["quad_class"] == "material_conflict" for ev in first.alerts[0]["evidence"])
        for story in STORIES:
            if story["stage"] == 2:
                _story_file(folder, story)
        os.utime(folder / f"{STORIES[0]['id']}.json")  # touched, not changed: read, not ingested again
        second = watch.cycle(2)
        assert (second.stats["new"], second.stats["updated"], second.counts["changed_files"]) == (4, 0, 4)
        assert [(a["rule"], a["label"], a["dyad"]) for a in second.alerts] == [("turns", "detente", "BOL-CHL")]
        _story_file(folder, next(s for s in STORIES if s["id"] == EDITED), EDIT)
        third = watch.cycle(3)
        assert (third.stats["new"], third.stats["updated"], third.alerts) == (0, 1, [])
        assert watch.cycle(4).stats["new"] == 0
    with open_store(db, read_only=True) as store:
        stored = store.table_rows("alerts")
        assert sorted(r["rule"] for r in stored) == ["clashes", "turns"]
        assert all(r["webhook"] is None and r["delivered_at"] is None for r in stored)
        keys = {r["key"] for r in store.table_rows("watch_state")}
        assert f"file:{folder / (EDITED + '.json')}" in keys and "mark:alerts" in keys

    # The dashboard: the alerts page, its API and the badge in the nav of every page.
    from fastapi.testclient import TestClient

    from detente.web.app import create_app

    client = TestClient(create_app(db))
    page = client.get("/alerts")
    assert page.status_code == 200 and "detente BOL-CHL from 2025-05" in page.text
    assert 'title="alerts in the last week">2</span>' in client.get("/").text
    api = client.get("/api/alerts", params={"limit": 1}).json()
    assert api["total"] == 1 and api["alerts"][0]["rule"] == "turns" and "webhook" not in api["alerts"][0]
    assert api["alerts"][0]["evidence"][0]["sentence"]
    assert client.get("/api/alerts", params={"limit": 0}).status_code == 400
    from detente.web.alerts import Alerts

    Alerts.model_validate(client.get("/api/alerts").json())


# -- the HTTP client ----------------------------------------------------------------------------------------

class Scripted:
    """A server answering each path from a script of (status, headers, body), the last one repeated."""

    def __init__(self, script: dict[str, list[tuple[int, dict[str, str], bytes]]]) -> None:
        self.script, self.seen = script, []
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: Any) -> None:
                pass

            def do_GET(self) -> None:
                server.seen.append((self.path, dict(self.headers), time.monotonic()))
                answers = server.script.get(self.path) or [(404, {}, b"")]
                status, headers, body = answers.pop(0) if len(answers) > 1 else answers[0]
                self.send_response(status)
                for k, v in headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()


def test_fetcher_retries_backs_off_rate_limits_and_obeys_robots() -> None:
    from detente.ingest.fetch import USER_AGENT, Fetcher, FetchError

    server = Scripted({
        "/robots.txt": [(200, {}, b"User-agent: *\nCrawl-delay: 1\nDisallow: /secret\n")],
        "/flaky": [(503, {}, b""), (200, {"ETag": '"v1"'}, b"hello")],
        "/busy": [(429, {"Retry-After": "3600"}, b"")],
        "/big": [(200, {}, b"x" * 5000)],
        "/gone": [(410, {}, b"")],
        "/same": [(304, {"ETag": '"v1"'}, b"")],
    })
    waits: list[float] = []

    def sleep(seconds: float) -> None:
        waits.append(round(seconds, 2))
        time.sleep(seconds)

    try:
        with Fetcher(timeout=2, retries=2, backoff=0.05, min_interval=0.0, max_bytes=1000, sleep=sleep) as fetcher:
            got = fetcher.get(f"{server.url}/flaky")
            assert (got.status, got.content, got.etag) == (200, b"hello", '"v1"')
            assert 0.05 in waits  # the backoff before the second try
            assert all(h.get("User-Agent") == USER_AGENT for _, h, _ in server.seen)
            # Crawl-delay (whole seconds, as robotparser reads it) spaces requests to the host.
            stamps = [t for p, _, t in server.seen if p != "/robots.txt"]
            assert stamps[1] - stamps[0] >= 0.95
            with pytest.raises(FetchError) as busy:  # Retry-After beyond what a cycle waits: later
                fetcher.get(f"{server.url}/busy")
            assert busy.value.transient and [p for p, _, _ in server.seen].count("/busy") == 1
            for path, words in (("/secret/page", "robots.txt"), ("/big", "too large"), ("/gone", "HTTP 410")):
                with pytest.raises(FetchError) as failed:
                    fetcher.get(f"{server.url}{path}")
                assert not failed.value.transient and words in str(failed.value)
            assert "/secret/page" not in [p for p, _, _ in server.seen]
            assert fetcher.get(f"{server.url}/same", etag='"v1"').status == 304
            assert server.seen[-1][1].get("If-None-Match") == '"v1"'
        with Fetcher(timeout=0.5, retries=0) as fetcher:  # nobody listens: transient
            with pytest.raises(FetchError) as down:
                fetcher.get("http://127.0.0.1:9/feed.xml")
            assert down.value.transient
    finally:
        server.close()


def test_robots_txt_that_cannot_be_read_holds_pages_for_the_next_cycle() -> None:
    from detente.ingest.fetch import Fetcher, FetchError

    server = Scripted({"/robots.txt": [(500, {}, b"")], "/page": [(200, {}, b"ok")]})
    try:
        with Fetcher(retries=0, min_interval=0.0) as fetcher:
            with pytest.raises(FetchError) as held:
                fetcher.get(f"{server.url}/page")
            assert held.value.transient and "robots.txt unreachable" in str(held.value)
            assert "/page" not in [p for p, _, _ in server.seen]
    finally:
        server.close()


# -- rules and the command line -----------------------------------------------------------------------------

@pytest.mark.parametrize(("text", "message"), [
    ("[[rule]]\nname = 'x'\ndyads = ['RUS']\n", "write two actors as A-B"),
    ("[[rule]]\nname = 'x'\nlabels = ['thaw']\n", "unknown label 'thaw'"),
    ("[[rule]]\nname = 'x'\nspike = 'fights'\n", "spike must be a quad class"),
    ("[[rule]]\nname = 'x'\nmin_events = 0\n", "min_events must be at least 1"),
    ("[[rule]]\nname = 'x'\ncolour = 'red'\n", "unknown key 'colour'"),
    ("webhook = 'ftp://x'\n[[rule]]\nname = 'x'\n", "webhook must be an http(s) URL"),
    ("[[rule]]\nname = 'x'\n[[rule]]\nname = 'x'\n", "two rules are named 'x'"),
    ("[[rule]\n", "invalid TOML"),
    ("webhook = 'http://127.0.0.1:1/'\n", "no rules"),
])
def test_bad_alert_rules_are_one_error_line(text, message, tmp_path) -> None:
    from detente.analysis.alerts import load_rules
    from detente.errors import DetenteError

    path = tmp_path / "rules.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(DetenteError, match=message.replace("(", r"\(").replace(")", r"\)")):
        load_rules(path)


def test_rules_select_dyads_and_actors(tmp_path) -> None:
    from detente.analysis.alerts import load_rules
    from detente.run.watch import parse_every

    path = tmp_path / "rules.toml"
    path.write_text("webhook = 'http://127.0.0.1:9/hook'\n[[rule]]\nname = 'a'\ndyads = ['rus-pak']\n"
                    "[[rule]]\nname = 'b'\nactors = ['ARM']\nspike = 'material_conflict'\n", encoding="utf-8")
    rules = load_rules(path)
    a, b = rules.rules
    assert (a.matches("PAK", "RUS"), a.matches("PAK", "IND"), a.spike, a.freq) == (True, False, None, "month")
    assert (b.matches("ARM", "AZE"), b.matches("AZE", "TUR"), b.freq, b.baseline) == (True, False, "week", 8)
    assert rules.webhook == "http://127.0.0.1:9/hook"
    assert [parse_every(t) for t in ("15m", "90s", "2h", "1d", "30")] == [900, 90, 7200, 86400, 30]


def test_watch_command_errors_and_a_second_watch(tmp_path, cli) -> None:
    folder = tmp_path / "news"
    folder.mkdir()
    _story_file(folder, STORIES[0])
    db = tmp_path / "s.duckdb"
    (tmp_path / "bad.toml").write_text("[[rule]]\nname = 'x'\nlabels = ['thaw']\n", encoding="utf-8")
    for args, message in ((["--every", "soon"], "--every: invalid interval"),
                          (["--alerts", str(tmp_path / "bad.toml")], "unknown label 'thaw'"),
                          (["--alerts", str(tmp_path / "none.toml")], "none.toml: no such file"),
                          (["--cycles", "0"], "--cycles must be at least 1")):
        run = cli("watch", str(folder), "--db", str(db), *args)
        assert run.returncode == 1 and run.stderr.startswith("error:") and message in run.stderr, run.stderr
        assert "Traceback" not in run.stderr
    run = cli("watch", str(tmp_path / "missing"), "--db", str(db))
    assert run.returncode == 1 and "no such file or directory" in run.stderr
    # A watch running until stopped: a second one on the store is refused; Ctrl-C stops the first cleanly.
    # Started with Ctrl-C ignored, as a shell starts `cmd &` from a script (how a fresh clone's
    # suite once ran): the watch still stops on SIGINT, because it installs its own handler.
    proc = subprocess.Popen([*DETENTE, "watch", str(folder), "--db", str(db), "--every", "1h", "--workers", "1"],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, cwd=ROOT,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"},
                            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_IGN))
    try:
        deadline = time.monotonic() + 120
        line = ""
        while time.monotonic() < deadline and " cycle 1:" not in line:
            line = proc.stderr.readline()
            if not line:
                break
        assert " cycle 1: 1 new" in line
        second = cli("watch", str(folder), "--db", str(db), "--cycles", "1")
        assert second.returncode == 1 and "another watch is running" in second.stderr
        proc.send_signal(signal.SIGINT)
        out, rest = proc.communicate(timeout=60)
        assert proc.returncode == 0 and "stopped after 1 cycle" in rest and "Traceback" not in rest
    finally:
        if proc.poll() is None:
            proc.kill()
    assert _rows(db, "SELECT count(*) FROM documents") == [(1,)]


def test_the_readme_alert_rules_load(tmp_path) -> None:
    import re

    from detente.analysis.alerts import load_rules

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    block = re.search(r"```\n(webhook = .*?)```", readme, flags=re.S)
    assert block, "README.md has no alert rules example"
    assert len(block.group(1).splitlines()) < 10
    path = tmp_path / "rules.toml"
    path.write_text(block.group(1), encoding="utf-8")
    rules = load_rules(path)
    assert [r.name for r in rules.rules] == ["thaw", "fighting"] and rules.rules[1].spike == "material_conflict"
