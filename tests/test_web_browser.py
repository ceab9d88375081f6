"""The dashboard in a real browser: Playwright driving Debian's chromium against a live uvicorn."""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

CHROMIUM = "/usr/bin/chromium"
if not os.path.exists(CHROMIUM):
    pytest.skip(f"{CHROMIUM} is missing (apt-get install -y chromium)", allow_module_level=True)
sync_api = pytest.importorskip("playwright.sync_api", reason="playwright is not installed")
uvicorn = pytest.importorskip("uvicorn")

from conftest_web import HOSTILE_ID, IMG, N_DOCUMENTS, SCRIPT, build_store, live_server  # noqa: E402
from detente.web.app import create_app  # noqa: E402

ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync", "--no-first-run"]
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 390, "height": 844}


@pytest.fixture(scope="module")
def base_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_store(tmp_path_factory.mktemp("browser") / "w.duckdb")
    with live_server(create_app(str(db))) as url:
        yield url


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

    def settle(self) -> None:
        """After a click that navigates: the new page loaded, and not an error page."""
        self.page.wait_for_load_state("networkidle")
        assert not self.page.locator("section.error-page").count(), self.page.inner_text("main")[:300]

    def width_overflow(self) -> int:
        """How far the page is wider than the window (0 when nothing scrolls sideways)."""
        return self.page.evaluate("document.documentElement.scrollWidth - window.innerWidth")


def _watched(browser: object, viewport: dict[str, int]) -> Iterator[Watched]:
    context = browser.new_context(viewport=viewport)
    watched = Watched(context.new_page())
    yield watched
    context.close()
    assert watched.errors == [], watched.errors
    assert watched.dialogs == [], watched.dialogs


@pytest.fixture()
def page(browser: object) -> Iterator[Watched]:
    yield from _watched(browser, DESKTOP)


@pytest.fixture(params=[DESKTOP, PHONE], ids=["desktop", "390px"])
def any_page(browser: object, request: pytest.FixtureRequest) -> Iterator[Watched]:
    """The same test at desktop width and on a 390 px phone."""
    yield from _watched(browser, request.param)


@pytest.fixture()
def phone(browser: object) -> Iterator[Watched]:
    yield from _watched(browser, PHONE)


def _count(w: Watched) -> int:
    text = w.page.inner_text(".count")
    return int(text.split(" of ")[1].split()[0].replace(",", ""))


def test_overview_loads(page: Watched, base_url: str) -> None:
    page.goto(base_url + "/")
    assert page.page.title().startswith("Overview")
    assert str(N_DOCUMENTS) in page.page.inner_text(".cards")
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


# -- defects found by the audit, each at the width it was seen at ------------------------------

@pytest.mark.parametrize("path", ["/events", "/dyad/RUS/PAK"])
def test_sorted_column_headers_toggle_both_ways(page: Watched, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    for expected in ("sort=type", "sort=-type", "sort=type"):
        page.page.click("table.events thead th.c-type a")
        page.settle()
        assert expected in page.page.url and page.page.locator("table.events tbody tr").count() > 0
    page.page.click("table.events thead th.c-date a")  # and back to a date order
    page.settle()


LONG_WORD_PAGES = ["/", "/documents", "/events", "/events?party=CHL", "/doc/long-1", "/actor/CHL", "/events?q=minutes"]


def test_a_long_word_does_not_widen_the_page(any_page: Watched, base_url: str) -> None:
    width = any_page.page.viewport_size["width"]
    too_wide = []
    for path in LONG_WORD_PAGES:
        any_page.goto(base_url + path)
        if any_page.width_overflow() > 0:
            too_wide.append((path, any_page.width_overflow()))
        for wrap in any_page.page.locator(".table-wrap").all():  # every column stays on screen
            box = wrap.bounding_box()
            if box is not None and box["x"] + box["width"] > width + 1:
                too_wide.append((path, "table"))
            if width > 900 and wrap.locator("table.events").count() and \
                    wrap.evaluate("e => e.scrollWidth - e.clientWidth") > 1:
                too_wide.append((path, "events table scrolls"))
    assert too_wide == []


PAGES_390 = ["/", "/events", "/events?actor=RUS&type=AID", "/dyad/RUS/PAK", "/dyad/ARM/AZE", "/dyads", "/changes",
             "/network", "/documents", "/doc/rp-4", "/actors", "/actor/RUS", "/series?party=RUS",
             "/compare?dyad=RUS-PAK&dyad=ARM-AZE", "/docs"]


def test_nothing_scrolls_sideways_at_390px(phone: Watched, base_url: str) -> None:
    problems = []
    for path in PAGES_390:
        phone.goto(base_url + path)
        if phone.width_overflow() > 0:
            problems.append(f"{path} is {phone.width_overflow()} px too wide")
        nav = phone.page.locator("header.top").bounding_box()
        if nav["height"] >= 60:
            problems.append(f"{path}: navigation is {nav['height']} px high, more than one row")
    assert problems == []
    phone.page.click("header.top a:has-text('Documents')")  # the last link is reachable in its row
    phone.settle()
    assert phone.page.url.endswith("/documents")


@pytest.mark.parametrize("path,chart", [("/dyad/CHN/PHL", "#series-chart"), ("/series?party=CHL", "#filter-chart"),
                                        ("/dyad/RUS/PAK", "#series-chart")])
def test_date_axes_show_dates(page: Watched, base_url: str, path: str, chart: str) -> None:
    page.goto(base_url + path)
    page.page.wait_for_selector(f"{chart} .xtick text")
    ticks = page.page.locator(f"{chart} .xtick text").all_text_contents()
    assert ticks and not any(":" in t or re.search(r"\d\.\d", t) for t in ticks), ticks


# -- the workbench ------------------------------------------------------------------------------

def test_find_russia_then_a_dyad_a_change_and_its_evidence(any_page: Watched, base_url: str) -> None:
    """Type 'Russia', pick it; then three clicks: its dyad with Pakistan, the detente, its evidence."""
    p = any_page.page
    any_page.goto(base_url + "/")
    p.fill("form.actor-search input[name=q]", "Russ")
    p.wait_for_selector("ul.suggest a")
    assert "Russia" in p.inner_text("ul.suggest a >> nth=0")
    p.click("ul.suggest a >> nth=0")
    any_page.settle()
    assert p.url.endswith("/actor/RUS") and "Russia" in p.inner_text("h1")
    p.click("table.partners a[href='/dyad/RUS/PAK']")  # 1
    any_page.settle()
    assert p.url.endswith("/dyad/RUS/PAK")
    p.click("tr.evidence-row summary")  # 2
    link = p.locator("tr.evidence-row ul.evidence-list a").first
    sentence = p.locator("tr.evidence-row ul.evidence-list li").first.inner_text()
    link.click()  # 3
    any_page.settle()
    assert "/doc/" in p.url and "#ev-" in p.url
    target = p.locator(f"#{p.url.split('#')[1]}")
    assert target.is_visible() and target.locator("mark.trg").count() >= 1
    assert sentence.split(" ", 2)[-1][:30] in target.inner_text() or target.inner_text()


@pytest.mark.parametrize("name,code", [("Russia", "RUS"), ("Putin", "RUSGOV"), ("Hamas", "HAMAS")])
def test_a_name_typed_and_entered_lands_on_its_code(any_page: Watched, base_url: str, name: str, code: str) -> None:
    any_page.goto(base_url + "/actors")
    any_page.page.fill("form.actor-search input[name=q]", name)
    any_page.page.press("form.actor-search input[name=q]", "Enter")
    any_page.settle()
    assert any_page.page.url.endswith(f"/actor/{code}")


def test_facets_narrow_and_widen(any_page: Watched, base_url: str) -> None:
    p = any_page.page
    any_page.goto(base_url + "/events")
    total = _count(any_page)
    facet = p.locator("aside.facets details.facet", has_text="Event type").locator("li", has_text="ACCUSE")
    n = int(facet.locator(".n").inner_text().replace(",", ""))
    facet.locator("a").click()
    any_page.settle()
    assert "type=ACCUSE" in p.url and _count(any_page) == n < total
    assert set(p.locator("table.events td.c-type .badge").all_inner_texts()) == {"ACCUSE"}
    p.locator("aside.facets li.selected a", has_text="ACCUSE").click()  # again: the filter goes
    any_page.settle()
    assert "type=ACCUSE" not in p.url and _count(any_page) == total
    p.locator("aside.facets details.facet", has_text="Publisher").locator("a", has_text="Caucasus Daily").click()
    any_page.settle()
    assert "source=Caucasus+Daily" in p.url and 0 < _count(any_page) < total


def test_more_filters_and_the_reports_switch(any_page: Watched, base_url: str) -> None:
    p = any_page.page
    any_page.goto(base_url + "/events")
    total = _count(any_page)
    p.click("details.more summary")
    p.fill("input[name=goldstein_max]", "-2")
    p.click("details.more details.types summary")
    p.check("input[name=cameo][value='11']")
    p.click("form.filters button[type=submit]")
    any_page.settle()
    # the URL holds what was chosen, not the empty fields and defaults of the form
    assert re.search(r"/events\?goldstein_max=-2&cameo=11$", p.url), p.url
    assert 0 < _count(any_page) < total
    assert set(p.locator("table.events td.c-type small[title='CAMEO code']").all_inner_texts()) <= {
        f"CAMEO 11{n}" for n in range(10)} | {"CAMEO 11"}
    p.click("p.switch a:has-text('reports')")
    any_page.settle()
    assert "count=reports" in p.url and "goldstein_max=-2" in p.url


def test_series_of_a_filter_opens_its_events(any_page: Watched, base_url: str) -> None:
    p = any_page.page
    any_page.goto(base_url + "/events?actor=RUS")
    p.click("a.series-link")
    any_page.settle()
    assert "/series?actor=RUS" in p.url
    p.wait_for_selector("#filter-chart .barlayer .point path")
    _click_chart(p, "#filter-chart .barlayer .point path")
    p.wait_for_url(re.compile(r"/events\?.*actor=RUS.*from=\d{4}-\d{2}-\d{2}.*to=\d{4}-\d{2}-\d{2}"))
    any_page.settle()
    assert _count(any_page) > 0


def test_dyad_chart_points_open_their_events(any_page: Watched, base_url: str) -> None:
    any_page.goto(base_url + "/dyad/RUS/PAK")
    any_page.page.wait_for_selector("#series-chart .scatterlayer .point")
    _click_chart(any_page.page, "#series-chart .scatterlayer .point")
    any_page.page.wait_for_url(re.compile(r"/events\?dyad=RUS-PAK"))
    any_page.settle()
    assert _count(any_page) > 0


def test_compare_overlays_dyads(any_page: Watched, base_url: str) -> None:
    any_page.goto(base_url + "/dyad/RUS/PAK")
    any_page.page.click("a:has-text('compare with other dyads')")
    any_page.settle()
    any_page.page.fill("input[name=dyad][placeholder]", "ARM-AZE")
    any_page.page.click("form.filters button[type=submit]")
    any_page.settle()
    any_page.page.wait_for_selector("#compare-chart .scatterlayer .trace")
    assert any_page.page.locator("#compare-chart .scatterlayer .trace").count() == 2
    assert "RUS-PAK" in any_page.page.inner_text("#compare-chart") and "ARM-AZE" in any_page.page.inner_text(
        "#compare-chart")


def test_actor_page(any_page: Watched, base_url: str) -> None:
    p = any_page.page
    any_page.goto(base_url + "/actor/RUS")
    p.wait_for_selector("#actor-chart .main-svg")
    assert p.locator("table.partners a[href='/dyad/RUS/PAK']").count() == 1
    assert p.locator("table.events tbody tr").count() == 10
    card = p.locator("a.card", has_text="as recipient")
    shown = int(card.locator(".num").inner_text().replace(",", ""))
    card.click()
    any_page.settle()
    assert p.url.endswith("/events?recipient=RUS") and _count(any_page) == shown


def test_exports_are_linked(any_page: Watched, base_url: str) -> None:
    any_page.goto(base_url + "/network")
    with any_page.page.expect_download() as got:
        any_page.page.click("a:has-text('GraphML')")
    assert got.value.suggested_filename == "network.graphml"
    with any_page.page.expect_download() as got:
        any_page.page.click("a[download]:has-text('JSON')")
    assert got.value.suggested_filename == "network.json"
    any_page.goto(base_url + "/documents?q=Test")
    any_page.page.click("p.count a:has-text('JSON')")
    any_page.page.wait_for_load_state()
    shown = json.loads(any_page.page.inner_text("body"))
    assert "/api/documents?q=Test" in any_page.page.url and shown["total"] == len(shown["documents"]) > 0
    any_page.goto(base_url + "/series?party=RUS")
    with any_page.page.expect_download() as got:
        any_page.page.click("a:has-text('CSV')")
    assert got.value.suggested_filename == "series.csv"


def _click_chart(p: object, selector: str) -> None:
    """Click a plotly point or bar as a person does: hover it, then press (plotly listens on its drag layer)."""
    box = p.locator(selector).first.bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + max(2, box["height"] / 2)
    p.mouse.move(x, y)
    p.wait_for_timeout(300)
    p.mouse.down()
    p.mouse.up()


# -- the upload form, used and attacked from a browser -------------------------------------------

@pytest.fixture(scope="module")
def ingest_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    db = build_store(tmp_path_factory.mktemp("upload") / "w.duckdb")
    with live_server(create_app(str(db), allow_ingest=True, max_upload_bytes=200_000)) as url:
        yield url


@pytest.fixture(scope="module")
def attacker_url() -> Iterator[str]:
    """Another origin (another port) serving pages that try to post to the dashboard."""
    import http.server
    import threading

    pages: dict[str, bytes] = {}

    class Handler(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - the http.server API
            body = pages.get(self.path.split("?")[0], b"not found")
            self.send_response(200 if self.path.split("?")[0] in pages else 404)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    server.pages = pages  # type: ignore[attr-defined]
    yield f"http://127.0.0.1:{server.server_address[1]}", pages
    server.shutdown()


def _stats(url: str) -> dict:
    import json
    import urllib.request

    with urllib.request.urlopen(url + "/api/stats", timeout=30) as resp:
        return json.loads(resp.read())


def test_upload_from_the_form(any_page: Watched, ingest_url: str, tmp_path: Path) -> None:
    p = any_page.page
    article = tmp_path / f"upload-{p.viewport_size['width']}.txt"
    width = p.viewport_size["width"]
    article.write_text(f"Chile praised Argentina for its leadership on Monday.\n\nPeru accused Bolivia of {width} "
                       "provocations.")
    before = _stats(ingest_url)["documents"]
    any_page.goto(ingest_url + "/ingest")
    p.set_input_files("input[type=file]", str(article))
    p.fill("input[name=date]", "2025-05-05")
    p.click("form.upload button[type=submit]")
    p.wait_for_url(re.compile(r"/ingest/jobs/"))
    p.wait_for_selector('.job[data-state="done"]', timeout=120_000)  # the page refreshes itself
    assert "1 new" in p.inner_text(".job")
    job = p.url
    p.reload()  # a refresh shows the job again and uploads nothing
    p.wait_for_selector('.job[data-state="done"]')
    assert p.url == job and _stats(ingest_url)["documents"] == before + 1
    p.click(".job ul.doclist a")
    any_page.settle()
    assert "Chile" in p.inner_text("article.document")


ATTACKS = {
    # a page on another site, posting a file with fetch (no-cors needs no permission)
    "/cross-site": """<script>
      const fd = new FormData(); fd.append("file", new Blob(["Russia praised Pakistan."], {type: "text/plain"}), "x.txt");
      fetch("TARGET/ingest", {method: "POST", body: fd, mode: "no-cors", credentials: "include"});
    </script>""",
    # a sandboxed frame: its requests carry "Origin: null", like a file:// page
    "/sandboxed": """<iframe sandbox="allow-scripts allow-forms" srcdoc='<script>
      const fd = new FormData(); fd.append("file", new Blob(["Russia praised Pakistan."], {type: "text/plain"}), "x.txt");
      fetch("TARGET/ingest", {method: "POST", body: fd, mode: "no-cors"});
    </script>'></iframe>""",
    # a plain cross-site form, submitted by script
    "/form": """<form id="f" method="post" action="TARGET/ingest" enctype="multipart/form-data">
      <input type="hidden" name="csrf" value="guess"><textarea name="file">Russia praised Pakistan.</textarea></form>
      <script>document.getElementById("f").submit();</script>""",
}


@pytest.mark.parametrize("attack", sorted(ATTACKS))
def test_other_sites_cannot_upload(browser: object, ingest_url: str, attacker_url: tuple, attack: str) -> None:
    base, pages = attacker_url
    pages[attack] = ATTACKS[attack].replace("TARGET", ingest_url).encode()
    before = _stats(ingest_url)
    context = browser.new_context()
    try:
        p = context.new_page()
        p.goto(ingest_url + "/ingest")  # the victim has a session with the dashboard
        answers: list[str] = []
        p.on("response", lambda r: answers.append(f"{r.request.method} {r.status}") if "/ingest" in r.url else None)
        # requests of a srcdoc frame reach no response event, but their failures reach the console
        p.on("console", lambda m: answers.append(m.text))
        p.goto(base + attack)
        p.wait_for_timeout(1500)
        assert any(a == "POST 403" or "status of 403" in a for a in answers), answers  # made, and refused
    finally:
        context.close()
    assert _stats(ingest_url) == before
