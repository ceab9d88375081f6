"""Ingest: every reader, metadata, ids, dates, language check, and bad input through the CLI."""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import duckdb
import pytest

from detente.errors import InputError
from detente.ingest import MAX_DOC_CHARS, iter_documents, parse_date, read_source
from detente.models import Document

D = dt.date


def read(*paths: str | Path, pub_date: dt.date | None = None, skipped: list | None = None) -> list[Document]:
    def on_skip(doc: Document, why: str) -> None:
        if skipped is not None:
            skipped.append((doc, why))

    return list(iter_documents([str(p) for p in paths], pub_date, on_skip=on_skip))


def by_id(docs: list[Document]) -> dict[str, Document]:
    return {d.doc_id: d for d in docs}


# -- plain text ---------------------------------------------------------------------------------


def test_plain_text(fixtures_dir: Path) -> None:
    [doc] = read(fixtures_dir / "article.txt")
    raw = (fixtures_dir / "article.txt").read_text(encoding="utf-8").strip()
    assert doc.text == raw
    assert doc.title == "Moscow lifts arms embargo on Islamabad"
    assert doc.pub_date is None
    assert doc.path == str(fixtures_dir / "article.txt")
    assert doc.content_hash == Document.hash_text(raw)
    assert doc.doc_id == Document.hash_text(raw)[:16]


def test_plain_text_without_headline_has_no_title(tmp_path: Path) -> None:
    path = tmp_path / "one.txt"
    path.write_text("Japan sent humanitarian aid to Turkey on Friday after the floods in the east.\n", encoding="utf-8")
    [doc] = read(path)
    assert doc.title is None
    assert doc.text == "Japan sent humanitarian aid to Turkey on Friday after the floods in the east."


# -- HTML ---------------------------------------------------------------------------------------

BOILERPLATE = ["Share on Facebook", "Share on X", "Share by email", "Leave a Reply", "Post Comment",
               "Your email address", "Zorbly", "comments", "cookies", "Related stories", "Ten things",
               "Privacy policy", "All rights reserved", "Subscribe now", "Sport"]


def test_html_main_text_without_boilerplate(fixtures_dir: Path) -> None:
    [doc] = read(fixtures_dir / "page.html")
    for sentence in ("Armenia and Azerbaijan agreed on Wednesday to exchange prisoners",
                     "The European Union welcomed the agreement",
                     "Officials in Baku said the exchange would take place",
                     "Analysts in Yerevan described the deal"):
        assert sentence in doc.text
    for junk in BOILERPLATE:
        assert junk not in doc.text, f"boilerplate {junk!r} kept in the article text"


def test_html_metadata(fixtures_dir: Path) -> None:
    [doc] = read(fixtures_dir / "page.html")
    assert doc.title == "Armenia and Azerbaijan agree to exchange prisoners"
    assert doc.author == "Jane Testwriter"
    assert doc.pub_date == D(2024, 5, 16)
    assert doc.url == "https://example.org/gazette/2024/05/prisoner-exchange"
    assert doc.source == "Example Gazette"
    assert doc.doc_id == Document.hash_text(doc.text)[:16]


def test_html_headline_is_not_glued_to_the_first_sentence(fixtures_dir: Path, code_docs) -> None:
    docs = read(fixtures_dir / "page.html")
    sentences = {e.sentence for e in code_docs(docs)}
    assert sentences
    assert any(s.startswith("Armenia and Azerbaijan agreed on Wednesday") for s in sentences), sentences
    assert not any("agree to exchange prisoners" in s for s in sentences), sentences


# -- JSON Lines and JSON ------------------------------------------------------------------------


def test_html_page_without_article_is_rejected() -> None:
    page = (b"<html><head><title>Only a title</title></head><body><nav><a href='/'>Home</a> "
            b"<a href='/w'>World</a></nav><footer>Copyright</footer></body></html>")
    with pytest.raises(InputError, match="no article text"):
        read_source("nav.html", page, "html", None)


def test_jsonl_documents(fixtures_dir: Path) -> None:
    docs = read(fixtures_dir / "docs.jsonl")
    assert [d.doc_id for d in docs] == ["wire-001", "wire-002", "wire-003"]
    first = docs[0]
    assert first.title == "Sanctions on Iran"
    assert first.url == "https://example.org/wire/001"
    assert first.source == "Example Wire"
    assert first.pub_date == D(2024, 3, 14)
    assert first.text.startswith("The European Union imposed sanctions on Iran on Tuesday.")
    assert "\n\n" in first.text  # paragraphs kept
    assert first.content_hash == Document.hash_text(first.text)
    assert docs[1].pub_date == D(2024, 4, 2)
    assert docs[2].pub_date is None
    assert docs[2].url is None
    assert all(d.path == str(fixtures_dir / "docs.jsonl") for d in docs)


def test_json_list_documents(fixtures_dir: Path) -> None:
    docs = read(fixtures_dir / "docs.json")
    assert len(docs) == 2
    assert docs[0].doc_id == "101"  # numeric ids become strings
    assert docs[0].title == "Talks"
    assert docs[0].pub_date == D(2023, 11, 20)
    text = "North Korea threatened South Korea with military action."
    assert docs[1].text == text
    assert docs[1].doc_id == Document.hash_text(text)[:16]  # no id: content hash


def test_sniffed_formats_without_suffix(fixtures_dir: Path) -> None:
    """read_source with kind=None recognises JSON Lines, a JSON list, a feed, HTML and text."""
    for name, expected in (("docs.jsonl", 3), ("docs.json", 2), ("feed.rss", 2), ("feed.atom", 2),
                           ("page.html", 1), ("article.txt", 1)):
        data = (fixtures_dir / name).read_bytes()
        docs = read_source("noext", data, None, None)
        assert len(docs) == expected, name
    [html] = read_source("noext", (fixtures_dir / "page.html").read_bytes(), None, None)
    assert "Leave a Reply" not in html.text


# -- feeds --------------------------------------------------------------------------------------


def test_rss_feed(fixtures_dir: Path) -> None:
    docs = read(fixtures_dir / "feed.rss")
    assert [d.doc_id for d in docs] == ["wire-2024-0611", "wire-2024-0612"]
    first, second = docs
    assert first.title == "China pledges grant to Nepal"
    assert first.url == "https://example.org/wire/2024/06/china-nepal-grant"
    assert first.source == "Example World Wire"
    assert first.pub_date == D(2024, 6, 11)
    assert "<p>" not in first.text
    assert first.text.startswith("China pledged on Monday to give Nepal a grant")
    assert "Officials in Kathmandu welcomed the announcement." in first.text
    assert second.pub_date == D(2024, 6, 12)
    assert second.text.startswith("Japan sent humanitarian aid to Turkey")


def test_rss_paragraphs_stay_apart(fixtures_dir: Path) -> None:
    [first, _] = read(fixtures_dir / "feed.rss")
    assert "districts.Officials" not in first.text
    assert "mountain districts." in first.text


def test_atom_feed(fixtures_dir: Path) -> None:
    docs = read(fixtures_dir / "feed.atom")
    assert [d.doc_id for d in docs] == ["urn:example:atom-desk:0702", "urn:example:atom-desk:0703"]
    first, second = docs
    assert first.title == "Lithuania expels Belarusian diplomats"
    assert first.url == "https://example.org/atom/2024/07/expulsions"
    assert first.author == "Atom Reporter"
    assert first.source == "Example Atom Desk"
    assert first.pub_date == D(2024, 7, 2)  # published, not updated
    assert first.text == "Lithuania expelled two Belarusian diplomats on Monday, the foreign ministry in Vilnius said."
    assert second.pub_date == D(2024, 7, 3)  # only updated
    assert second.text == "Iran held talks with Saudi Arabia in Baghdad on Wednesday."


# -- directories, ids, dates, language ----------------------------------------------------------


def test_directory_is_read_recursively_and_hidden_files_skipped(fixtures_dir: Path) -> None:
    corpus = fixtures_dir / "corpus"
    docs = read(corpus)
    assert sorted(Path(d.path).relative_to(corpus).as_posix() for d in docs) == ["a.txt", "sub/b.html"]
    texts = " ".join(d.text for d in docs)
    assert "Hidden" not in texts
    assert "Unsupported suffix" not in texts
    html = next(d for d in docs if d.path.endswith("b.html"))
    assert "Lithuania expelled two Belarusian diplomats" in html.text


def test_doc_id_is_input_id_else_content_hash(tmp_path: Path) -> None:
    text = "Russia imposed sanctions on Poland on Tuesday, the foreign ministry in Moscow said."
    (tmp_path / "a.txt").write_text(text + "\n", encoding="utf-8")
    (tmp_path / "b.txt").write_text("\n  " + text + "\n\n", encoding="utf-8")  # same text, other whitespace
    (tmp_path / "c.txt").write_text(text.replace("Poland", "Latvia"), encoding="utf-8")
    (tmp_path / "d.jsonl").write_text(json.dumps({"id": "given-id", "text": text}) + "\n", encoding="utf-8")
    docs = {Path(d.path).name: d for d in read(tmp_path)}
    assert docs["a.txt"].doc_id == docs["b.txt"].doc_id == Document.hash_text(text)[:16]
    assert docs["c.txt"].doc_id != docs["a.txt"].doc_id
    assert docs["d.jsonl"].doc_id == "given-id"
    assert docs["d.jsonl"].content_hash == docs["a.txt"].content_hash
    again = {Path(d.path).name: d.doc_id for d in read(tmp_path)}
    assert again == {name: d.doc_id for name, d in docs.items()}


def test_date_option_fills_missing_dates_only(fixtures_dir: Path) -> None:
    given = D(2025, 1, 1)
    docs = by_id(read(fixtures_dir / "docs.jsonl", fixtures_dir / "docs.json", fixtures_dir / "feed.rss",
                      fixtures_dir / "page.html", fixtures_dir / "article.txt", pub_date=given))
    assert docs["wire-001"].pub_date == D(2024, 3, 14)  # the input's own date wins
    assert docs["wire-003"].pub_date == given
    assert docs["101"].pub_date == D(2023, 11, 20)
    assert docs["wire-2024-0611"].pub_date == D(2024, 6, 11)
    text_doc = next(d for d in docs.values() if d.path.endswith("article.txt"))
    html_doc = next(d for d in docs.values() if d.path.endswith("page.html"))
    assert text_doc.pub_date == given
    assert html_doc.pub_date == D(2024, 5, 16)


def test_parse_date() -> None:
    assert parse_date("2024-03-14") == D(2024, 3, 14)
    assert parse_date("2024-03-14T10:00:00Z") == D(2024, 3, 14)
    assert parse_date(None) is None
    assert parse_date("  ") is None
    for bad in ("2024-02-30", "14/03/2024", "yesterday", "2024-13-01"):
        with pytest.raises(InputError, match="--date"):
            parse_date(bad)


def test_non_english_documents_are_skipped(fixtures_dir: Path) -> None:
    skipped: list = []
    docs = read(fixtures_dir / "french.txt", fixtures_dir / "russian.txt", fixtures_dir / "article.txt",
                skipped=skipped)
    assert [Path(d.path).name for d in docs] == ["article.txt"]
    assert sorted(Path(d.path).name for d, _ in skipped) == ["french.txt", "russian.txt"]
    assert all(why == "not English" for _, why in skipped)


def test_non_english_skipped_with_warning_in_cli(fixtures_dir: Path, cli) -> None:
    res = cli("code", fixtures_dir / "french.txt", fixtures_dir / "russian.txt", fixtures_dir / "article.txt")
    assert res.returncode == 0, res.stderr
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 2, res.stderr
    assert any("french.txt" in w and "not English" in w for w in warnings)
    assert any("russian.txt" in w and "not English" in w for w in warnings)
    events = [json.loads(ln) for ln in res.stdout.splitlines()]
    [article] = read(fixtures_dir / "article.txt")
    assert events and {e["doc_id"] for e in events} == {article.doc_id}


def test_stdin_through_cli(cli, code) -> None:
    text = "Russia imposed sanctions on Poland on Tuesday.\n"
    res = cli("code", "-", "--date", "2024-03-14", input=text)
    assert res.returncode == 0, res.stderr
    events = [json.loads(ln) for ln in res.stdout.splitlines()]
    assert [e["event_type"] for e in events] == ["SANCTION"]
    [ev] = events
    assert ev["doc_id"] == Document.hash_text(text.strip())[:16]
    assert ev["pub_date"] == "2024-03-14"
    assert ev["date"] == "2024-03-12" and ev["date_precision"] == "day"
    [same] = [e for e in code(text, pub_date="2024-03-14") if e.event_type == "SANCTION"]
    assert ev["id"] == same.id  # the same text gets the same document and event ids


def test_cli_date_does_not_override_input_dates(fixtures_dir: Path, cli) -> None:
    res = cli("code", fixtures_dir / "docs.jsonl", "--date", "2025-01-01")
    assert res.returncode == 0, res.stderr
    pub = {e["doc_id"]: e["pub_date"] for e in map(json.loads, res.stdout.splitlines())}
    assert pub["wire-001"] == "2024-03-14"
    assert pub["wire-003"] == "2025-01-01"


# -- bad input through the CLI ------------------------------------------------------------------

GOOD_A = "Russia imposed sanctions on Poland on Tuesday, the foreign ministry in Moscow said.\n"
GOOD_B = "Japan sent humanitarian aid to Turkey on Friday, the foreign ministry in Tokyo said.\n"


def _bad_inputs(root: Path) -> dict[str, tuple[list[str], list[str]]]:
    """case -> (extra CLI arguments, words the error message must contain)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "blob.txt").write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00" + bytes(range(256)) * 4)
    (root / "empty.txt").write_bytes(b"")
    (root / "blank.txt").write_text("  \n\n \t\n", encoding="utf-8")
    (root / "latin1.txt").write_bytes("Le président a visité Paris, où il a rencontré ses homologues.\n".encode("latin-1"))
    body = ("Russia met China in Moscow and the two sides talked about trade. " * (MAX_DOC_CHARS // 60 + 2))
    (root / "huge.txt").write_text(body[:MAX_DOC_CHARS] + "X", encoding="utf-8")  # MAX_DOC_CHARS + 1 characters
    (root / "bad.jsonl").write_text(json.dumps({"id": "ok", "text": GOOD_A}) + "\n" + '{"id": "broken", "text": \n',
                                    encoding="utf-8")
    (root / "notext.jsonl").write_text(json.dumps({"id": "x", "title": "no text"}) + "\n", encoding="utf-8")
    (root / "baddate.jsonl").write_text(json.dumps({"id": "y", "text": GOOD_A, "date": "last Tuesday"}) + "\n",
                                        encoding="utf-8")
    (root / "dup1.jsonl").write_text(json.dumps({"id": "same", "text": GOOD_A}) + "\n", encoding="utf-8")
    (root / "dup2.jsonl").write_text(json.dumps({"id": "same", "text": GOOD_B}) + "\n", encoding="utf-8")
    (root / "table_dir").mkdir(exist_ok=True)
    r = str(root)
    return {
        "binary": ([f"{r}/blob.txt"], ["blob.txt", "binary"]),
        "empty": ([f"{r}/empty.txt"], ["empty.txt", "empty"]),
        "whitespace-only": ([f"{r}/blank.txt"], ["blank.txt", "empty"]),
        "latin-1": ([f"{r}/latin1.txt"], ["latin1.txt", "UTF-8"]),
        "huge": ([f"{r}/huge.txt"], ["huge.txt", "too long"]),
        "malformed-jsonl-line": ([f"{r}/bad.jsonl"], ["bad.jsonl:2", "malformed"]),
        "jsonl-without-text": ([f"{r}/notext.jsonl"], ["notext.jsonl:1", "text"]),
        "jsonl-invalid-date": ([f"{r}/baddate.jsonl"], ["baddate.jsonl:1", "date"]),
        "missing-path": ([f"{r}/no-such-file.txt"], ["no-such-file.txt", "no such file"]),
        "same-id-different-text": ([f"{r}/dup1.jsonl", f"{r}/dup2.jsonl"], ["dup2.jsonl", "duplicate document id"]),
        "invalid-date-option": (["--date", "2024-02-30"], ["--date", "2024-02-30"]),
        "directory-as-actor-table": (["--actors", f"{r}/table_dir"], ["table_dir"]),
    }


# Inputs that one document or file gets wrong: that one is recorded as failed, the rest is done.
CASES = [
    "binary", "empty", "whitespace-only", "latin-1", "huge", "malformed-jsonl-line", "jsonl-without-text",
    "jsonl-invalid-date", "same-id-different-text",
]
# Mistakes in the command itself: nothing is done.
USAGE_CASES = ["missing-path", "invalid-date-option", "directory-as-actor-table"]
# `code` reads input the same way as `ingest` (which runs every case); a few kinds are enough here.
CODE_CASES = ["binary", "latin-1", "huge", "malformed-jsonl-line", "missing-path", "invalid-date-option"]


@pytest.fixture(scope="module")
def seeded_store(tmp_path_factory, cli) -> tuple[Path, Path]:
    """A store holding one good document, and a second good file to send with the bad one."""
    root = tmp_path_factory.mktemp("store")
    (root / "a.txt").write_text(GOOD_A, encoding="utf-8")
    (root / "b.txt").write_text(GOOD_B, encoding="utf-8")
    db = root / "seed.duckdb"
    res = cli("ingest", root / "a.txt", "--db", db)
    assert res.returncode == 0, res.stderr
    return db, root / "b.txt"


def snapshot(db: Path) -> tuple[list, list]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        events = con.execute("SELECT * FROM events ORDER BY id").fetchall()
        docs = con.execute("SELECT * FROM documents ORDER BY doc_id").fetchall()
    finally:
        con.close()
    return events, docs


def failures_of(db: Path) -> list[dict]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        cur = con.execute("SELECT * FROM failures ORDER BY key")
        return [dict(zip([d[0] for d in cur.description], r)) for r in cur.fetchall()]
    finally:
        con.close()


@pytest.fixture(scope="module")
def bad_runs(tmp_path_factory, seeded_store, cli) -> dict:
    """Every bad case through `code` and through `ingest` (on a copy of the seeded store), the
    ingest twice.

    The runs are independent processes, so they run a few at a time to keep the suite fast.
    """
    root = tmp_path_factory.mktemp("bad")
    cases = _bad_inputs(root / "inputs")
    seed, good = seeded_store
    ok = root / "ok.txt"
    ok.write_text(GOOD_B, encoding="utf-8")

    def run_code(case: str):
        args, _ = cases[case]
        return cli("code", ok, *args)

    def run_ingest(case: str):
        args, _ = cases[case]
        db = root / f"store-{case}.duckdb"
        shutil.copy(seed, db)
        before = snapshot(db)
        res = cli("ingest", good, *args, "--db", db)
        after = snapshot(db)
        again = cli("ingest", good, *args, "--db", db) if case in CASES else None
        return res, before, after, again, snapshot(db), (failures_of(db) if case in CASES else [])

    with ThreadPoolExecutor(max_workers=4) as pool:
        code_runs = {c: pool.submit(run_code, c) for c in CODE_CASES}
        ingest_runs = {c: pool.submit(run_ingest, c) for c in CASES + USAGE_CASES}
        return {"words": {c: cases[c][1] for c in CASES + USAGE_CASES},
                "code": {c: f.result() for c, f in code_runs.items()},
                "ingest": {c: f.result() for c, f in ingest_runs.items()}}


def assert_clean_error(res, must_contain: list[str]) -> None:
    out = res.stdout + res.stderr
    assert res.returncode != 0, out
    assert "Traceback" not in out
    lines = [ln for ln in res.stderr.splitlines() if ln.strip()]
    assert len(lines) == 1, f"expected one line on stderr, got: {res.stderr!r}"
    assert lines[0].startswith("error:"), lines[0]
    for word in must_contain:
        assert word in lines[0], f"{word!r} not in {lines[0]!r}"


def assert_partial(res, must_contain: list[str]) -> None:
    """Exit 3, no traceback, and one warning line that names the bad input and its problem."""
    out = res.stdout + res.stderr
    assert res.returncode == 3, out
    assert "Traceback" not in out and "internal error" not in out
    warnings = [ln for ln in res.stderr.splitlines() if ln.startswith("warning:")]
    assert len(warnings) == 1, res.stderr
    for word in must_contain:
        assert word in warnings[0], f"{word!r} not in {warnings[0]!r}"


@pytest.mark.parametrize("case", CODE_CASES)
def test_bad_input_code(case: str, bad_runs) -> None:
    res = bad_runs["code"][case]
    if case in USAGE_CASES:
        assert_clean_error(res, bad_runs["words"][case])
        assert res.stdout == ""
    else:  # the good file's events are written all the same
        assert_partial(res, bad_runs["words"][case])
        assert any(json.loads(line)["event_type"] == "AID" for line in res.stdout.splitlines())


@pytest.mark.parametrize("case", CASES)
def test_bad_input_ingest_stores_the_rest(case: str, bad_runs) -> None:
    res, before, after, again, final, failures = bad_runs["ingest"][case]
    assert before[0], "the seed store should hold events"
    assert_partial(res, bad_runs["words"][case])
    # The good document is stored; the seed is untouched; the bad input is listed.
    assert all(row in after[0] for row in before[0]) and len(after[0]) > len(before[0])
    assert all(row in after[1] for row in before[1]) and len(after[1]) > len(before[1])
    assert any("Japan sent humanitarian aid" in (row[8] or "") for row in after[1])
    assert len(failures) == 1 and failures[0]["stage"] == "read", failures
    # Again: nothing changes, and the failure is not news (same content, not retried).
    assert again.returncode == 0, again.stderr
    assert "1 failed before" in again.stderr and "warning:" not in again.stderr
    assert final == after


@pytest.mark.parametrize("case", USAGE_CASES)
def test_usage_error_ingest_leaves_store_unchanged(case: str, bad_runs) -> None:
    res, before, after, *_ = bad_runs["ingest"][case]
    assert_clean_error(res, bad_runs["words"][case])
    assert after == before


def test_unreadable_file(tmp_path: Path, cli, seeded_store) -> None:
    if os.geteuid() == 0:
        pytest.skip("running as root: chmod 000 does not stop root from reading")
    path = tmp_path / "secret.txt"
    path.write_text(GOOD_A, encoding="utf-8")
    path.chmod(0)
    try:
        assert_partial(cli("code", path), ["secret.txt", "permission denied"])
        seed, good = seeded_store
        db = tmp_path / "store.duckdb"
        shutil.copy(seed, db)
        before = snapshot(db)
        assert_partial(cli("ingest", good, path, "--db", db), ["secret.txt"])
        assert len(snapshot(db)[1]) == len(before[1]) + 1
    finally:
        path.chmod(0o644)


# -- folders, links, stdin ------------------------------------------------------------------------

def test_links_out_of_a_folder_are_skipped_unless_followed(tmp_path: Path) -> None:
    from detente.ingest import read_inputs

    outside = tmp_path / "outside"
    outside.mkdir()
    (outside / "secret.txt").write_text(GOOD_A, encoding="utf-8")
    folder = tmp_path / "in"
    (folder / "sub").mkdir(parents=True)
    (folder / "a.txt").write_text(GOOD_B, encoding="utf-8")
    (folder / "link.txt").symlink_to(outside / "secret.txt")
    (folder / "dirlink").symlink_to(outside)
    (folder / "inner.txt").symlink_to(folder / "a.txt")  # inside the folder: fine
    (folder / "report.pdf").write_bytes(b"%PDF-1.4")
    (folder / "table.csv").write_text("a,b\n", encoding="utf-8")
    (folder / "sub" / "notes.docx").write_bytes(b"PK")
    notes: list[str] = []
    docs = [d for d in read_inputs([str(folder)], warn=notes.append) if isinstance(d, Document)]
    assert sorted(Path(d.path).name for d in docs) == ["a.txt", "inner.txt"]
    assert any("link.txt" in n and "outside" in n and "--follow-links" in n for n in notes)
    assert any("dirlink" in n and "outside" in n for n in notes)
    assert any("skipped 3 files" in n and ".pdf 1" in n and ".docx 1" in n for n in notes), notes
    followed = [d for d in read_inputs([str(folder)], follow_links=True, warn=notes.append) if isinstance(d, Document)]
    assert sorted(Path(d.path).name for d in followed) == ["a.txt", "inner.txt", "link.txt", "secret.txt"]


def test_stdin_json_lines_are_ingested_as_they_arrive(tmp_path: Path) -> None:
    """The first documents are committed while stdin is still open (stdin used to be read whole first)."""
    import queue
    import subprocess
    import sys
    import threading

    db = tmp_path / "s.duckdb"
    proc = subprocess.Popen([sys.executable, "-c", "from detente.cli import main; main()", "ingest", "-", "--db",
                             str(db), "--batch-size", "1", "--workers", "1", "--progress", "lines"],
                            stdin=subprocess.PIPE, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                            env={**os.environ, "PYTHONUNBUFFERED": "1"})
    lines: queue.Queue = queue.Queue()
    threading.Thread(target=lambda: [lines.put(line) for line in proc.stderr], daemon=True).start()
    try:
        for i, text in enumerate((GOOD_A, GOOD_B)):
            proc.stdin.write(json.dumps({"id": f"s{i}", "text": text}) + "\n")
        proc.stdin.flush()
        first = lines.get(timeout=120)  # an ingest that waited for the end of stdin would never print it
        assert first.startswith("ingesting: "), first
        assert proc.poll() is None  # still reading stdin
        proc.stdin.write("{not json\n")
        proc.stdin.close()
        assert proc.wait(timeout=120) == 3
    finally:
        if proc.poll() is None:
            proc.kill()
    rest = "".join(lines.get(timeout=10) for _ in range(lines.qsize()))
    assert "<stdin>:3: malformed JSON line" in rest, rest
    assert sorted(r[0] for r in snapshot(db)[1]) == ["s0", "s1"]


def test_a_bad_batch_size_creates_no_store(tmp_path: Path, cli) -> None:
    (tmp_path / "a.txt").write_text(GOOD_A, encoding="utf-8")
    res = cli("ingest", tmp_path / "a.txt", "--db", tmp_path / "new.duckdb", "--batch-size", "0")
    assert_clean_error(res, ["--batch-size must be at least 1"])
    assert list(tmp_path.iterdir()) == [tmp_path / "a.txt"]
