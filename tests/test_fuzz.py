"""Hostile input, seeded and bounded: every reader turns it into documents or Failures, never an
exception, and a run over a folder of it stores the good document, warns about the rest, and
shows no traceback.

The families are those of the audit that found exit 70 (internal error): HTML without a title
or article, markup nested thousands deep, external entities (XXE), JSON nested 1,000 deep even
in an unused field, unpaired surrogate escapes in text or id, integers of 4,300+ digits, UTF-32
with a byte order mark, file names that are not UTF-8, binary and mutated files, odd feeds.
"""

from __future__ import annotations

import json
import os
import random
from collections.abc import Callable
from pathlib import Path

from detente.ingest import MAX_DOC_CHARS, SUFFIXES, read_records
from detente.models import Document, Failure

GOOD = "Japan sent humanitarian aid to Turkey on Friday, the foreign ministry in Tokyo said."
WORDS = ("Russia China talks Moscow sanctions the and of met signed accused troops border aid "
         "minister said on Tuesday <b> & &amp; é ü 北京 — “quoted”").split()
SECRET = "root:x:0:0"  # what /etc/passwd would leak through an external entity


def _words(rng: random.Random, n: int) -> str:
    return " ".join(rng.choice(WORDS) for _ in range(n))


def _html_no_title(rng):
    return "html", f"<html><body><div class='x'>{_words(rng, rng.randint(0, 40))}</div></body></html>".encode()


def _html_soup(rng):
    tags = ["<div>", "</div>", "<p>", "</p>", "<script>", "</script>", "<!--", "-->", "<![CDATA[", "]]>", "<", ">",
            "&#x0;", "&#xD800;", "<meta charset='bogus'>", "<title>", "</title>", "<?xml version='1.0'?>"]
    return "html", "".join(rng.choice(tags + WORDS) + " " for _ in range(rng.randint(1, 300))).encode()


def _html_deep(rng):
    n = rng.choice([500, 2000, 20000])
    return "html", ("<html><body>" + "<div>" * n + GOOD + "</div>" * n + "</body></html>").encode()


def _xxe(rng):
    body = f"<p>&e; {GOOD}</p>"
    doctype = "<?xml version='1.0'?><!DOCTYPE r [<!ENTITY e SYSTEM 'file:///etc/passwd'>]>"
    kind = rng.choice(["html", "feed"])
    if kind == "feed":
        return kind, (f"{doctype}<rss version='2.0'><channel><title>&e;</title><item><title>t</title>"
                      f"<description>&e; {GOOD}</description></item></channel></rss>").encode()
    return kind, f"{doctype}<html><body>{body}</body></html>".encode()


def _json_deep(rng):
    n = rng.choice([1000, 5000, 100000])
    nested = "[" * n + "]" * n
    return rng.choice(["jsonl", "json"]), ('{"id": "deep", "text": "' + GOOD + '", "extra": ' + nested + "}").encode()


def _json_surrogate(rng):
    field = rng.choice(["id", "text", "title"])
    rec = {"id": "s1", "text": GOOD, "title": "t"}
    raw = json.dumps(rec).replace(json.dumps(rec[field]), '"a\\ud800b"' if rng.random() < 0.5 else '"\\udfff"')
    return "jsonl", raw.encode()


def _json_bigint(rng):
    digits = "9" * rng.choice([4301, 5000, 50000])
    where = rng.choice(["id", "extra", "date"])
    rec = {"id": "big", "text": GOOD, "extra": 1, "date": "2024-01-01"}
    raw = json.dumps(rec).replace(json.dumps(rec[where]), digits, 1)
    return "jsonl", raw.encode()


def _json_types(rng):
    odd = [None, 1, 1.5, True, [], {}, [1, "a"], {"a": 1}, "", " ", "x" * 1000, "2024-13-45", "0000-01-01"]
    rec = {"id": rng.choice(odd + ["ok"]), "text": rng.choice(odd + [GOOD]), "title": rng.choice(odd),
           "url": rng.choice(odd), "date": rng.choice(odd + ["9999-12-31", "0001-01-01"])}
    lines = [json.dumps(rec) for _ in range(rng.randint(1, 3))]
    return rng.choice(["jsonl", "json"]), "\n".join(lines).encode()


def _utf32(rng):
    return rng.choice(["text", None]), GOOD.encode(rng.choice(["utf-32", "utf-32-le", "utf-32-be", "utf-16"]))


def _binary(rng):
    return rng.choice(list(set(SUFFIXES.values())) + [None]), bytes(rng.randrange(256) for _ in range(rng.randint(0, 3000)))


def _mutated(rng):
    kind, data = rng.choice([("jsonl", json.dumps({"id": "m", "text": GOOD}).encode()),
                             ("feed", b"<rss><channel><item><title>t</title><description>" + GOOD.encode()
                              + b"</description><pubDate>Tue, 10 Jun 2003 04:00:00 GMT</pubDate></item></channel></rss>"),
                             ("html", f"<html><head><title>T</title></head><body><p>{GOOD}</p></body></html>".encode()),
                             ("text", GOOD.encode())])
    data = bytearray(data)
    for _ in range(rng.randint(1, 12)):
        op = rng.random()
        i = rng.randrange(len(data) + 1)
        if op < 0.4 and data:
            data[min(i, len(data) - 1)] = rng.randrange(256)
        elif op < 0.7:
            data[i:i] = bytes([rng.randrange(256)])
        else:
            del data[i:i + rng.randint(1, 20)]
    return kind, bytes(data)


def _odd_feed(rng):
    date = rng.choice(["Tue, 10 Jun 0001 04:00:00 GMT", "Thu, 31 Dec 9999 23:59:59 GMT", "yesterday", "", "2024-02-30"])
    item = rng.choice([f"<item><pubDate>{date}</pubDate><description>{GOOD}</description></item>",
                       "<item></item>", "<item><title></title></item>", f"<entry><content>{GOOD}</content></entry>"])
    return "feed", f"<rss version='2.0'><channel>{item * rng.randint(1, 3)}</channel></rss>".encode()


def _long_lines(rng):
    return "text", ("(" * rng.choice([1000, 40000]) + " " + GOOD).encode()


FAMILIES: list[Callable[[random.Random], tuple[str | None, bytes]]] = [
    _html_no_title, _html_soup, _html_deep, _xxe, _json_deep, _json_surrogate, _json_bigint, _json_types,
    _utf32, _binary, _mutated, _odd_feed, _long_lines,
]


def test_readers_never_raise_on_hostile_input() -> None:
    rng = random.Random(2363)
    seen_kinds = {"document": 0, "failure": 0}
    for n in range(520):
        family = FAMILIES[n % len(FAMILIES)]
        kind, data = family(rng)
        for k in (kind, None):  # by suffix, and sniffed
            items = list(read_records(f"case-{n}", data, k, None))
            for item in items:
                assert isinstance(item, (Document, Failure)), (family.__name__, item)
                if isinstance(item, Failure):
                    seen_kinds["failure"] += 1
                    assert item.stage == "read" and item.error and "\n" not in item.error
                    item.error.encode("utf-8")
                    continue
                seen_kinds["document"] += 1
                for value in (item.doc_id, item.text, item.title, item.url):
                    if value is not None:
                        value.encode("utf-8")  # storable
                assert len(item.text) <= MAX_DOC_CHARS
                assert SECRET not in item.text and SECRET not in (item.title or ""), family.__name__
    assert seen_kinds["document"] > 50 and seen_kinds["failure"] > 200, seen_kinds


def test_utf32_with_a_byte_order_mark_is_read(tmp_path: Path) -> None:
    [doc] = list(read_records("a.txt", GOOD.encode("utf-32"), "text", None))
    assert doc.text == GOOD


def test_a_folder_of_hostile_files_through_ingest(tmp_path: Path, cli) -> None:
    rng = random.Random(14)
    folder = tmp_path / "in"
    folder.mkdir()
    suffix = {"html": ".html", "feed": ".xml", "json": ".json", "jsonl": ".jsonl", "text": ".txt", None: ".txt"}
    for n in range(40):
        kind, data = FAMILIES[n % len(FAMILIES)](rng)
        (folder / f"case-{n:02d}{suffix[kind]}").write_bytes(data)
    # Names that are not UTF-8, a good article under one of them.
    os.makedirs(os.fsencode(folder / "odd"), exist_ok=True)
    with open(os.path.join(os.fsencode(folder / "odd"), b"caf\xe9-\xff.txt"), "wb") as fh:
        fh.write(b"India and Japan signed a defence pact in Tokyo on Monday.\n")
    with open(os.path.join(os.fsencode(folder / "odd"), b"bin\xfe.txt"), "wb") as fh:
        fh.write(b"\x00\x01\x02")
    (folder / "good.txt").write_text(GOOD + "\n", encoding="utf-8")
    db = tmp_path / "s.duckdb"
    first = cli("ingest", folder, "--db", db, "--workers", "2", "--time-limit", "60")
    out = first.stdout + first.stderr
    assert first.returncode in (0, 3), out
    assert "Traceback" not in out and "internal error" not in out, out
    assert all(line.startswith(("warning:", "failures are listed")) or " new, " in line
               for line in first.stderr.splitlines() if line.strip()), first.stderr
    listed = cli("events", "--db", db, "--search", "humanitarian aid")
    assert listed.returncode == 0 and listed.stdout.strip(), listed.stderr
    stored = cli("events", "--db", db, "--search", "defence pact")
    assert stored.returncode == 0 and stored.stdout.strip()  # the article under the odd name
    failures = cli("failures", "--db", db, "--json")
    assert failures.returncode == 0 and "Traceback" not in failures.stderr
    assert any("bin\\xfe.txt" in json.loads(line)["path"] for line in failures.stdout.splitlines())
    second = cli("ingest", folder, "--db", db, "--workers", "2")
    assert second.returncode == 0, second.stdout + second.stderr
    assert "failed before" in second.stderr and "Traceback" not in second.stderr
