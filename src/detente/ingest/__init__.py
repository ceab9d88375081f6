"""Read articles from files, directories and stdin into Documents."""

from __future__ import annotations

import datetime as dt
import logging
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

from detente.errors import InputError
from detente.ingest.decode import decode_bytes
from detente.ingest.feed import read_feed
from detente.ingest.html import read_html
from detente.ingest.jsonl import read_json_documents
from detente.ingest.language import is_english
from detente.ingest.text import read_text
from detente.models import Document

log = logging.getLogger(__name__)

MAX_FILE_BYTES = 200 * 1024 * 1024  # a JSONL corpus may be large; one article never is
MAX_DOC_CHARS = 1_000_000
SUFFIXES = {
    ".txt": "text", ".text": "text", ".md": "text",
    ".html": "html", ".htm": "html", ".xhtml": "html",
    ".jsonl": "jsonl", ".ndjson": "jsonl", ".json": "json",
    ".xml": "feed", ".rss": "feed", ".atom": "feed",
}

__all__ = ["iter_documents", "parse_date", "read_source"]


def parse_date(value: str | None, where: str = "--date") -> dt.date | None:
    """Parse a YYYY-MM-DD (or ISO datetime) publication date; raise InputError if invalid."""
    if value is None or str(value).strip() == "":
        return None
    text = str(value).strip()
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        raise InputError(f"{where}: invalid date {text!r} (use YYYY-MM-DD)") from None


def _sniff(data: str) -> str:
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


def read_source(name: str, data: bytes, kind: str | None, pub_date: dt.date | None) -> list[Document]:
    """Read one file's bytes into Documents; `kind` comes from the suffix or is sniffed."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"{name}: file too large ({len(data) // 2**20} MB; limit {MAX_FILE_BYTES // 2**20} MB)")
    text = decode_bytes(name, data)
    if not text.strip():
        raise InputError(f"{name}: empty input")
    kind = kind or _sniff(text)
    if kind == "text":
        docs = [read_text(name, text, pub_date)]
    elif kind == "html":
        docs = [read_html(name, text, pub_date)]
    elif kind == "feed":
        docs = read_feed(name, text, pub_date)
    else:
        docs = read_json_documents(name, text, pub_date, lines=(kind == "jsonl"))
    for doc in docs:
        if len(doc.text) > MAX_DOC_CHARS:
            raise InputError(f"{name}: document {doc.doc_id} too long ({len(doc.text):,} characters; limit {MAX_DOC_CHARS:,})")
    return docs


def _walk(path: Path) -> Iterator[Path]:
    if path.is_dir():
        for child in sorted(path.rglob("*")):
            if child.is_file() and not any(p.startswith(".") for p in child.relative_to(path).parts):
                # Markdown in a directory is documentation (README.md), not an article.
                if child.suffix.lower() in SUFFIXES and child.suffix.lower() != ".md":
                    yield child
    else:
        yield path


def iter_documents(
    paths: list[str],
    pub_date: dt.date | None = None,
    on_skip: Callable[[Document, str], None] | None = None,
) -> Iterator[Document]:
    """Yield English Documents from paths ('-' is stdin); non-English ones go to `on_skip`."""
    for raw in paths:
        if raw == "-":
            sources: Iterator[tuple[str, bytes, str | None]] = iter([("<stdin>", sys.stdin.buffer.read(), None)])
        else:
            path = Path(raw)
            if not path.exists():
                raise InputError(f"{raw}: no such file or directory")
            files = list(_walk(path))
            if not files:
                raise InputError(f"{raw}: no article files found (txt, html, jsonl, json, xml, rss, atom)")
            sources = ((str(p), _read_bytes(p), SUFFIXES.get(p.suffix.lower())) for p in files)
        for name, data, kind in sources:
            for doc in read_source(name, data, kind, pub_date):
                if is_english(doc.text):
                    yield doc
                elif on_skip is not None:
                    on_skip(doc, "not English")


def _read_bytes(path: Path) -> bytes:
    try:
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            raise InputError(f"{path}: file too large ({size // 2**20} MB; limit {MAX_FILE_BYTES // 2**20} MB)")
        return path.read_bytes()
    except PermissionError:
        raise InputError(f"{path}: permission denied") from None
    except IsADirectoryError:
        raise InputError(f"{path}: is a directory") from None
    except OSError as exc:
        raise InputError(f"{path}: cannot read ({exc.strerror or exc})") from None
