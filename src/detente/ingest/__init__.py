"""Read articles from files, directories and stdin into Documents.

`read_inputs` is what runs use: each file, and each record of a JSON Lines file or feed, is read
on its own, and one that cannot be read is a Failure in the stream (the others go on). Only a
mistake in the arguments themselves (a path that does not exist, a folder with no articles)
raises. `iter_documents` and `read_source` raise on the first bad input instead.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from pathlib import Path

from detente.errors import InputError
from detente.ingest.decode import decode_bytes, display_name, unpaired_surrogate
from detente.ingest.feed import iter_feed
from detente.ingest.html import read_html
from detente.ingest.jsonl import iter_json_lines, iter_json_records
from detente.ingest.language import is_english
from detente.ingest.text import read_text
from detente.models import Document, Failure

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024  # a JSONL corpus may be large; one article never is
MAX_DOC_CHARS = 1_000_000
SUFFIXES = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}
STDIN = "<stdin>"

__all__ = ["iter_documents", "parse_date", "read_inputs", "read_records", "read_source"]


def parse_date(value: str | None, where: str = "--date") -> dt.date | None:
    """Parse a YYYY-MM-DD (or ISO datetime) publication date; raise InputError if invalid."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"{where}: invalid date {text!r} (use YYYY-MM-DD)") from None


def sniff_format(data: str) -> str:
    head = data.lstrip()[:2000].lower()
    if head.startswith("{"):
        return "jsonl"
    if head.startswith("["):
        return "json"
    if "<rss" in head or "<feed" in head or "<rdf:rdf" in head:
        return "feed"
    if head.startswith("<"):
        return "html"
    return "text"


def _hash(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def read_records(name: str, data: bytes, kind: str | None, pub_date: dt.date | None) -> Iterator[Document | Failure]:
    """One file's bytes as Documents; what cannot be read (the file, or one record) is a Failure.

    `kind` comes from the suffix, else it is sniffed from the content.
    """
    digest = _hash(data)

    def failed(error: str) -> Failure:
        return Failure(path=name, stage="read", error=error, content_hash=digest)

    if len(data) > MAX_FILE_BYTES:
        yield failed(f"{name}: file too large ({len(data) // 2**20} MB; limit {MAX_FILE_BYTES // 2**20} MB)")
        return
    try:
        text = decode_bytes(name, data)
    except InputError as exc:
        if kind == "jsonl" and "not valid UTF-8" in str(exc):  # one bad line fails only that line
            yield from checked_documents(iter_json_lines(name, enumerate(data.split(b"\n"), start=1), pub_date))
        else:
            yield failed(str(exc))
        return
    if not text.strip():
        yield failed(f"{name}: empty input")
        return
    kind = kind or sniff_format(text)
    try:
        if kind == "text":
            items: Iterator[Document | Failure] = iter([read_text(name, text, pub_date)])
        elif kind == "html":
            items = iter([read_html(name, text, pub_date)])
        elif kind == "feed":
            items = iter_feed(name, text, pub_date)
        else:
            items = iter_json_records(name, text, pub_date, lines=(kind == "jsonl"))
        yield from checked_documents(items)
    except InputError as exc:
        yield failed(str(exc))
    except Exception as exc:  # noqa: BLE001 - a reader tripped on odd input: this file fails, not the run
        yield failed(f"{name}: cannot read ({type(exc).__name__}: {' '.join(str(exc).split())[:200]})")


def checked_documents(items: Iterator[Document | Failure]) -> Iterator[Document | Failure]:
    """Documents that the store and the coder can take: text encodable, not too long."""
    for doc in items:
        if isinstance(doc, Failure):
            yield doc
            continue
        where = doc.path or doc.doc_id
        for field in ("doc_id", "text", "title", "url", "source", "author"):
            value = getattr(doc, field)
            if isinstance(value, str) and (bad := unpaired_surrogate(value)):
                yield Failure(path=where, stage="read", content_hash=_hash(repr(value).encode()),
                              error=f"{where}: the {field} holds an unpaired surrogate ({bad}), not text")
                break
        else:
            if len(doc.text) > MAX_DOC_CHARS:
                yield Failure(doc_id=doc.doc_id, path=where, stage="read", content_hash=doc.content_hash,
                              error=f"{where}: document {doc.doc_id} too long ({len(doc.text):,} characters; "
                                    f"limit {MAX_DOC_CHARS:,})")
            else:
                yield doc


def read_source(name: str, data: bytes, kind: str | None, pub_date: dt.date | None) -> list[Document]:
    """Read one file's bytes into Documents; the first thing that cannot be read raises InputError."""
    docs = []
    for item in read_records(name, data, kind, pub_date):
        if isinstance(item, Failure):
            raise InputError(item.error)
        docs.append(item)
    return docs


def article_files(root: Path, follow_links: bool, warn: Callable[[str], None]) -> list[Path]:
    """Article files under `root`, sorted; hidden files and folders are left out.

    Symbolic links that lead out of `root` are skipped (and said so) unless `follow_links`;
    files with suffixes that are not article formats are counted in one warning.
    """
    shown = display_name(str(root))
    base = root.resolve()
    found: list[Path] = []
    unknown: Counter[str] = Counter()
    seen_dirs: set[Path] = set()
    for dirpath, dirnames, filenames in os.walk(root, followlinks=follow_links):
        here = Path(dirpath)
        if follow_links:  # a link back up the tree would loop forever
            real = here.resolve()
            if real in seen_dirs:
                dirnames[:] = []
                continue
            seen_dirs.add(real)
        kept = []
        for d in sorted(dirnames):
            if d.startswith("."):
                continue
            sub = here / d
            if sub.is_symlink() and not follow_links and not _inside(sub.resolve(), base):
                warn(f"{display_name(str(sub))}: skipped, a link to a folder outside {shown} (use --follow-links)")
                continue
            kept.append(d)
        dirnames[:] = kept
        for f in filenames:
            if f.startswith("."):
                continue
            path = here / f
            if path.is_symlink():
                if not path.exists():
                    warn(f"{display_name(str(path))}: skipped, a broken link")
                    continue
                if not follow_links and not _inside(path.resolve(), base):
                    warn(f"{display_name(str(path))}: skipped, a link to a file outside {shown} (use --follow-links)")
                    continue
            suffix = path.suffix.lower()
            if suffix == ".md":  # Markdown in a directory is documentation (README.md), not an article
                continue
            if suffix not in SUFFIXES:
                unknown[suffix or "(none)"] += 1
                continue
            if path.is_file():
                found.append(path)
    if unknown:
        kinds = ", ".join(f"{s} {n}" for s, n in sorted(unknown.items(), key=lambda kv: (-kv[1], kv[0])))
        warn(f"{shown}: skipped {sum(unknown.values())} files that are not article formats ({kinds})")
    return sorted(found, key=str)


def _inside(path: Path, base: Path) -> bool:
    return path == base or base in path.parents


def read_file_bytes(path: Path, name: str) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{name}: file too large ({size // 2**20} MB; limit {MAX_FILE_BYTES // 2**20} MB)")
        with path.open("rb") as fh:
            return fh.read(MAX_FILE_BYTES + 1)  # a file that grows while read is still capped
    except PermissionError:
        raise InputError(f"{name}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{name}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{name}: cannot read ({exc.strerror or exc})") from None


def _stdin_records(pub_date: dt.date | None) -> Iterator[Document | Failure]:
    """stdin as it arrives: JSON Lines one document per line; anything else read whole (capped)."""
    stream = sys.stdin.buffer
    head: list[bytes] = []
    for line in stream:
        head.append(line)
        if line.strip():
            break
    first = next((ln for ln in head if ln.strip()), b"")
    if first.lstrip(b"\xef\xbb\xbf \t\r\n").startswith(b"{") and first.rstrip().endswith(b"}"):
        numbered = ((n, ln.rstrip(b"\r\n")) for n, ln in enumerate(_chain(head, stream), start=1))
        yield from checked_documents(iter_json_lines(STDIN, numbered, pub_date))
        return
    data = b"".join(head)
    data += stream.read(max(0, MAX_FILE_BYTES + 1 - len(data)))
    if not data.strip():
        yield Failure(path=STDIN, stage="read", error=f"{STDIN}: empty input", content_hash=_hash(data))
        return
    yield from read_records(STDIN, data, None, pub_date)


def _chain(head: list[bytes], rest) -> Iterator[bytes]:
    yield from head
    yield from rest


def read_inputs(
    paths: list[str],
    pub_date: dt.date | None = None,
    on_skip: Callable[[Document, str], None] | None = None,
    *,
    follow_links: bool = False,
    warn: Callable[[str], None] | None = None,
) -> Iterator[Document | Failure]:
    """English Documents (and Failures for what cannot be read) from paths ('-' is stdin).

    Non-English documents go to `on_skip`; notes about skipped files (links out of a folder,
    unknown formats) to `warn`. A path that does not exist, or a folder without article files,
    raises InputError before anything from that path is read.
    """
    warn = warn or (lambda message: log.warning(message))
    for raw in paths:
        if raw == "-":
            records = _stdin_records(pub_date)
        else:
            path = Path(raw)
            shown = display_name(raw)
            if not path.exists():
                raise InputError(f"{shown}: no such file or directory")
            files = article_files(path, follow_links, warn) if path.is_dir() else [path]
            if not files:
                raise InputError(f"{shown}: no article files found (txt, html, jsonl, json, xml, rss, atom)")
            records = _file_records(files, pub_date)
        for item in records:
            if isinstance(item, Document) and not is_english(item.text):
                if on_skip is not None:
                    on_skip(item, "not English")
                continue
            yield item


def _file_records(files: list[Path], pub_date: dt.date | None) -> Iterator[Document | Failure]:
    for path in files:
        name = display_name(str(path))
        try:
            data = read_file_bytes(path, name)
        except InputError as exc:
            yield Failure(path=name, stage="read", error=str(exc))
            continue
        yield from read_records(name, data, SUFFIXES.get(path.suffix.lower()), pub_date)


def iter_documents(
    paths: list[str],
    pub_date: dt.date | None = None,
    on_skip: Callable[[Document, str], None] | None = None,
) -> Iterator[Document]:
    """Yield English Documents from paths ('-' is stdin); non-English ones go to `on_skip`.

    The first input that cannot be read raises InputError (see read_inputs to go on instead).
    """
    for item in read_inputs(paths, pub_date, on_skip):
        if isinstance(item, Failure):
            raise InputError(item.error)
        yield item
