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
