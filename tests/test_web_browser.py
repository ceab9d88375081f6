"""The dashboard in a real browser: Playwright driving Debian's chromium against a live uvicorn."""

from __future__ import annotations

import os
import socket
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
uvicorn = pytest.importorskip("uvicorn")

from conftest_web import HOSTILE_ID, IMG, SCRIPT, build_store  # noqa: E402
from detente.web.app import create_app  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_store(tmp_path_factory.mktemp("browser") / "w.duckdb")
    port = _free_port()
    server = uvicorn.Server(uvicorn.Config(create_app(str(db)), host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            pytest.fail("uvicorn did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        yield b
        b.close()


class Watched:
    """A page that records console errors, uncaught exceptions and dialogs."""

    def __init__(self, page: object) -> None:
        self.page = page
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        page.on("console", lambda m: self.errors.append(f"console: {m.text}") if m.type == "error" else None)
        page.on("pageerror", lambda e: self.errors.append(f"exception: {e}"))

        def on_dialog(d: object) -> None:
            self.dialogs.append(d.message)
            d.dismiss()

        page.on("dialog", on_dialog)

    def goto(self, url: str) -> None:
        resp = self.page.goto(url)
        assert resp is not None and resp.ok, f"{url}: HTTP {resp.status if resp else '?'}"
        self.page.wait_for_load_state("networkidle")


@pytest.fixture()
def page(browser: object) -> Iterator[Watched]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    watched = Watched(context.new_page())
    yield watched
    context.close()
    assert watched.errors == [], watched.errors
    assert watched.dialogs == [], watched.dialogs


def _count(w: Watched) -> int:
    text = w.page.inner_text(".count")
    return int(text.split(" of ")[1].split()[0].replace(",", ""))


def test_overview_loads(page: Watched, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.page.title().startswith("Overview")
    assert page.page.inner_text(".cards").count("18") >= 1
    page.page.wait_for_selector("#timeline .main-svg")
    assert page.page.locator("a[href='/dyad/PAK/RUS']").count() >= 1


def test_filter_narrows_events(page: Watched, base_url: str) -> None:
    page.goto(base_url + "/events")
    total = _count(page)
    page.page.fill("input[name=actor]", "RUS")
    page.page.click("details.types summary")
    page.page.check("input[name=type][value=AID]")
    page.page.click("form.filters button[type=submit]")
    page.page.wait_for_load_state("networkidle")
    assert "actor=RUS" in page.page.url and "type=AID" in page.page.url
    narrowed = _count(page)
    assert 0 < narrowed < total
    types = page.page.locator("table.events td.c-type .badge").all_inner_texts()
    assert types and set(types) == {"AID"}
    # sorting by score keeps the filter
    page.page.click("table.events th a:has-text('Score')")
    page.page.wait_for_load_state("networkidle")
    assert "actor=RUS" in page.page.url and "sort=" in page.page.url and _count(page) == narrowed


def test_dyad_chart_renders(page: Watched, base_url: str) -> None:
    page.goto(base_url + "/dyad/RUS/PAK")
    page.page.wait_for_selector("#series-chart.js-plotly-plot .main-svg")
    assert page.page.locator("#series-chart svg").count() >= 1
    assert page.page.locator("#series-chart .scatterlayer .trace").count() >= 1
    assert "detente" in page.page.inner_text("#series-chart")  # the change point is labelled
    assert page.page.locator("table.events tbody tr").count() > 10


def test_network_graph_renders(page: Watched, base_url: str) -> None:
    page.goto(base_url + "/network")
    page.page.wait_for_selector("#network-chart .main-svg")
    page.goto(base_url + "/network?from=2025-01-01&to=2025-12-31")
    assert page.page.input_value("input[name=from]") == "2025-01-01"


def test_hostile_document_renders_as_text(page: Watched, base_url: str) -> None:
    page.goto(f"{base_url}/doc/{HOSTILE_ID}")
    text = page.page.inner_text("article.document")
    assert SCRIPT in text and IMG in text
    assert page.page.locator("article.document script, article.document img").count() == 0
    page.goto(f"{base_url}/events?doc={HOSTILE_ID}")
    page.goto(f"{base_url}/events?q=alert")
    assert page.dialogs == []


def test_every_page_without_console_errors(page: Watched, base_url: str) -> None:
    for url in ("/", "/events?sort=-score&page=2&page_size=10", "/documents", "/dyads", "/dyad/ARM/AZE", "/changes",
                "/network", "/docs", "/doc/rp-4", "/api/stats"):
        page.goto(base_url + url)


def test_works_without_javascript(browser: object, base_url: str) -> None:
    context = browser.new_context(java_script_enabled=False)
    p = context.new_page()
    try:
        p.goto(base_url + "/events")
        p.fill("input[name=q]", "helicopters")
        p.click("form.filters button[type=submit]")
        p.wait_for_load_state()
        assert "q=helicopters" in p.url
        assert p.locator("table.events tbody tr").count() == 1
        p.goto(base_url + "/dyad/RUS/PAK")
        assert "needs JavaScript" in p.inner_text("#series-chart")
        assert p.locator("details.series-table table tbody tr").count() > 5
    finally:
        context.close()


def test_screenshot_smoke(page: Watched, base_url: str, tmp_path: Path) -> None:
    page.goto(base_url + "/doc/rp-4")
    shot = tmp_path / "doc.png"
    page.page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
