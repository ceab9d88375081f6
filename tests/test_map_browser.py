"""The maps in a real browser: the demo corpus's events at the right places, desktop and phone widths,
the dashboard's /map page and the HTML report's map working with the network cut off."""

from __future__ import annotations

import math
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

from detente.web.app import create_app  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
SAMPLES = Path(__file__).resolve().parents[1] / "samples"
# Where the demo's storylines happen (lat, lon): the RUS-PAK talks and drills, the ARM-AZE shelling.
ISLAMABAD, JERMUK, CHERAT = (33.72, 73.04), (39.84, 45.67), (33.82, 71.89)
WIDTHS = [1280, 390]


def km(a: tuple[float, float], b: tuple[float, float]) -> float:
    (lat1, lon1), (lat2, lon2) = (tuple(map(math.radians, p)) for p in (a, b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371 * math.asin(math.sqrt(h))


@pytest.fixture(scope="module")
def demo_db(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The demo corpus (samples/), ingested as `make demo` does."""
    from detente.ingest import iter_documents
    from detente.run.ingest import ingest_documents

    db = tmp_path_factory.mktemp("map") / "demo.duckdb"
    ingest_documents(list(iter_documents([str(SAMPLES)])), str(db), n_process=2, progress="none")
    return db


@pytest.fixture(scope="module")
def base_url(demo_db: Path) -> Iterator[str]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(str(demo_db)), host="127.0.0.1", port=port, log_level="warning"))
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


def _page(browser: object, width: int) -> tuple[object, object, list[str]]:
    context = browser.new_context(viewport={"width": width, "height": 900})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return context, page, errors


def _circles(page: object) -> list[dict]:
    """Each circle's place, events and position (cx = longitude, cy = -latitude)."""
    return page.evaluate("""() => [...document.querySelectorAll('svg.world-map circle.place')].map(c => ({
        name: c.dataset.name, events: +c.dataset.events, lat: -c.cy.baseVal.value, lon: c.cx.baseVal.value,
        box: c.getBoundingClientRect().toJSON()}))""")


def _fits(page: object) -> None:
    width = page.evaluate("window.innerWidth")
    assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
    svg = page.locator("svg.world-map").bounding_box()
    assert svg is not None and svg["width"] <= width and svg["height"] > 100


@pytest.mark.parametrize("width", WIDTHS)
def test_map_places_russia_pakistan_events(browser: object, base_url: str, width: int) -> None:
    context, page, errors = _page(browser, width)
    page.goto(f"{base_url}/map?actor=RUS&recipient=PAK")
    circles = _circles(page)
    assert any(km((c["lat"], c["lon"]), ISLAMABAD) < 25 for c in circles), circles  # talks, deliveries
    page.goto(f"{base_url}/map?actor=RUS&in=PAK")  # what Russia did in Pakistan, joint drills included
    circles = _circles(page)
    assert any(km((c["lat"], c["lon"]), CHERAT) < 25 for c in circles), circles
    assert all(60 < c["lon"] < 78 and 23 < c["lat"] < 37.5 for c in circles), circles
    _fits(page)
    assert errors == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_map_places_armenia_azerbaijan_events_and_links_to_them(browser: object, base_url: str, width: int) -> None:
    context, page, errors = _page(browser, width)
    page.goto(f"{base_url}/map?actor=AZE&recipient=ARM&quad=material_conflict")
    circles = _circles(page)
    jermuk = [c for c in circles if km((c["lat"], c["lon"]), JERMUK) < 10]
    assert jermuk and jermuk[0]["name"] == "Jermuk", circles
    assert all(km((c["lat"], c["lon"]), JERMUK) < 400 for c in circles), "an ARM-AZE clash placed far away"
    _fits(page)
    box = jermuk[0]["box"]
    assert box["width"] >= 4 and 0 <= box["x"] <= width  # visible and clickable on the screen
    page.locator("svg.world-map a", has=page.locator("circle[data-name='Jermuk']")).first.click()
    page.wait_for_load_state("networkidle")
    assert "/events?" in page.url and "near=" in page.url
    text = page.inner_text("main")
    assert "Jermuk" in text and "AZE" in text
    assert errors == []
    context.close()


def test_place_filter_from_the_form(browser: object, base_url: str) -> None:
    context, page, errors = _page(browser, 1280)
    page.goto(f"{base_url}/map")
    everywhere = len(_circles(page))
    page.fill("input[name=in]", "PAK")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("networkidle")
    circles = _circles(page)
    assert "in=PAK" in page.url and 0 < len(circles) < everywhere
    assert all(60 < c["lon"] < 78 and 23 < c["lat"] < 37.5 for c in circles), circles  # inside Pakistan
    assert errors == []
    context.close()


@pytest.mark.parametrize("width", WIDTHS)
def test_report_map_works_offline(browser: object, demo_db: Path, tmp_path: Path, width: int) -> None:
    from detente.report import build_report
    from detente.store import open_store

    out = tmp_path / "report.html"
    with open_store(demo_db, read_only=True) as store:
        build_report(store, out)
    context, page, errors = _page(browser, width)
    requests: list[str] = []

    def block(route: object) -> None:
        requests.append(route.request.url)
        route.abort()

    context.route("http*://**", block)  # no network at all: everything must be in the file
    page.goto(out.as_uri())
    circles = _circles(page)
    assert any(km((c["lat"], c["lon"]), JERMUK) < 10 for c in circles)
    assert any(km((c["lat"], c["lon"]), ISLAMABAD) < 25 for c in circles)
    assert requests == []
    jermuk = page.locator("svg.world-map a", has=page.locator("circle[data-name='Jermuk']")).first
    target = jermuk.get_attribute("href")
    # On a whole-world map neighbouring places overlap (the place list links each one too): the
    # link itself must lead to the place's events.
    jermuk.dispatch_event("click")
    page.wait_for_function(f"location.hash === '{target}'")
    page.locator(f"{target} > summary").click()
    assert "Jermuk" in page.inner_text(target)
    assert page.evaluate("document.documentElement.scrollWidth") <= page.evaluate("window.innerWidth") + 1 \
        or width < 500  # the report's wide tables scroll on phones; the map itself must fit
    assert page.locator("svg.world-map").bounding_box()["width"] <= width
    assert errors == []
    context.close()
