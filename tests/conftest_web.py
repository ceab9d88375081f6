"""Shared by the web tests: a small store coded from written documents (some hostile), and a live server."""

from __future__ import annotations

import atexit
import datetime as dt
import re
import shutil
import socket
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from detente.models import Document

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_ID = "hostile-1"
ODD_ID = "feeds/world wide?x=1#frag"
LONG_WORD = "Pneumono" + "x" * 3000  # one unbroken word, far wider than any screen
RLO = "\u202e"  # RIGHT-TO-LEFT OVERRIDE: 'report<RLO>fdp.exe' shows as 'reportexe.pdf'
BIDI_TITLE = f"Quarterly report{RLO}fdp.exe"
FORMULA_ID = "csv-1"  # its sentence starts with '@' and an actor text with '+'

TEXTS = [
    ("rp-1", "2023-02-10", "Moscow declines Pakistani requests",
     "Russia rejected a Pakistani request for discounted crude oil on Friday.\n\n"
     "Pakistan accused Russia of treating it as a second-tier customer.\n\n"
     "Russia did not sign the draft memorandum with Pakistan."),
    ("rp-2", "2023-06-14", "Russia criticises Pakistan over shells",
     "Russia condemned Pakistan over reported shell sales to Ukraine.\n\n"
     "Pakistan rejected the accusation on Wednesday."),
    ("rp-3", "2024-04-03", "Russia and Pakistan hold talks",
     "Russia and Pakistan held talks in Islamabad on Tuesday.\n\n"
     "Russia praised Pakistan for its constructive approach."),
    ("rp-4", "2024-08-20", "Russia lifts arms embargo on Pakistan",
     "Russia lifted its arms embargo on Pakistan on Monday.\n\n"
     "Russia and Pakistan signed an energy agreement in Moscow."),
    ("rp-5", "2025-01-15", "Russia delivers helicopters to Pakistan",
     "Russia delivered four attack helicopters to Pakistan on Wednesday.\n\n"
     "Pakistan thanked Russia for its support."),
    ("aa-1", "2025-03-05", "Azerbaijan shells Armenian villages",
     "Azerbaijani troops shelled Armenian villages near Jermuk on Tuesday.\n\n"
     "Armenia accused Azerbaijan of aggression and mobilised its reservists."),
    *[(f"rp-cold-{m}", f"2023-{m:02d}-12", "Moscow and Islamabad trade accusations",
       "Russia condemned Pakistan over its grain policy on Monday.\n\n"
       "Pakistan accused Russia of interference in its affairs.\n\n"
       "Russia threatened Pakistan with sanctions.") for m in (3, 4, 5, 7, 8)],
    *[(f"rp-warm-{m}", f"2024-{m:02d}-12", "Moscow and Islamabad deepen ties",
       "Russia praised Pakistan for its leadership on Monday.\n\n"
       "Russia and Pakistan signed a trade agreement in Moscow.\n\n"
       "Russia delivered wheat to Pakistan as humanitarian aid.") for m in (5, 6, 7, 9, 10)],
    (HOSTILE_ID, "2025-03-07", f"Hostile {SCRIPT} title",
     f"India accused China of aggression {SCRIPT} on Monday.\n\n"
     f"The statement ended with {IMG} and nothing else."),
    (ODD_ID, "2025-04-01", "A document with an odd id",
     "China and the Philippines held talks in Manila on Friday."),
    ("long-1", "2025-04-02", f"A title with {LONG_WORD} in it",
     f"Chile and Peru held talks in Lima on Friday.\n\nThe minutes ran to {LONG_WORD} and more."),
    ("bidi-1", "2025-04-03", BIDI_TITLE, "Brazil and Argentina signed a trade agreement on Tuesday."),
    (FORMULA_ID, "2025-04-03", "Formula in a sentence", "@SUM(1+1) Chile accused Peru of aggression."),
]
SOURCES = {"aa-1": "Caucasus Daily", FORMULA_ID: "Andes Post"}  # everything else: Test Wire
N_DOCUMENTS = len(TEXTS)


def documents() -> list[Document]:
    """The test corpus as Documents."""
    return [Document(doc_id=i, text=t, title=title, source=SOURCES.get(i, "Test Wire"),
                     pub_date=dt.date.fromisoformat(d), content_hash=Document.hash_text(t))
            for i, d, title, t in TEXTS]


_MASTER: dict[str, Path] = {}


def build_store(path: Path) -> Path:
    """The test corpus coded into a DuckDB store at `path` (coded once per test process, then copied)."""
    if "store" not in _MASTER:
        from detente.run.ingest import ingest_documents

        folder = tempfile.mkdtemp(prefix="detente-web-")
        atexit.register(shutil.rmtree, folder, ignore_errors=True)
        master = Path(folder) / "master.duckdb"
        ingest_documents(documents(), str(master), n_process=1, progress="none")
        _MASTER["store"] = master
    shutil.copy(_MASTER["store"], path)
    return path


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def live_server(app: Any) -> Iterator[str]:
    """`app` served by uvicorn on a free local port, configured as `detente serve` does; yields its base URL."""
    import uvicorn

    from detente.web.cli import server_config

    port = free_port()
    server = uvicorn.Server(server_config(app, "127.0.0.1", port))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("uvicorn did not start")
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(timeout=10)


ORIGIN = "http://testserver"  # what a TestClient's requests come from


def upload_token(client: Any) -> str:
    """The CSRF token of the client's session, from the /ingest form."""
    form = client.get("/ingest")
    assert form.status_code == 200, form.text
    match = re.search(r'name="csrf" value="([^"]+)"', form.text)
    assert match, "the upload form carries a per-session token"
    return match.group(1)


def post_upload(client: Any, name: str, data: bytes, token: str | None = None, origin: str | None = ORIGIN,
                date: str | None = None) -> Any:
    """POST a file to /ingest as the form does (token and Origin optional, to attack it)."""
    headers = {"origin": origin} if origin is not None else {}
    fields = {"csrf": token} if token is not None else {}
    if date:
        fields["date"] = date
    return client.post("/ingest", files={"file": (name, data, "text/plain")}, data=fields, headers=headers,
                       follow_redirects=False)


def wait_job(client: Any, location: str, timeout: float = 180) -> str:
    """The job status page once the job is done or failed."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        page = client.get(location)
        assert page.status_code == 200, page.text
        if 'data-state="done"' in page.text or 'data-state="failed"' in page.text:
            return page.text
        time.sleep(0.2)
    raise AssertionError(f"{location} did not finish")
