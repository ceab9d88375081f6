"""Saved RSS and Atom feeds: one document per entry."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import feedparser
import lxml.html

from detente.errors import InputError
from detente.models import Document, Failure

_BLOCK_END = re.compile(r"</(p|div|li|h[1-6]|blockquote|tr)\s*>|<br\s*/?>", re.IGNORECASE)


def _plain(html: str) -> str:
    """Feed HTML to text, keeping paragraph breaks: '<p>a.</p><p>b</p>' -> 'a.\n\nb'."""
    if "<" not in html:
        return html.strip()
    try:
        text = lxml.html.fromstring(_BLOCK_END.sub(lambda m: m.group(0) + "\n\n", html)).text_content()
    except (ValueError, RecursionError, lxml.etree.ParserError):
        return html.strip()
    return "\n\n".join(p.strip() for p in text.split("\n\n") if p.strip())


def read_feed(name: str, text: str, pub_date: dt.date | None) -> list[Document]:
    """Every entry with text; InputError if the feed has none."""
    docs = [d for d in iter_feed(name, text, pub_date) if isinstance(d, Document)]
    if not docs:
        raise InputError(f"{name}: feed entries have no text")
    return docs


def iter_feed(name: str, text: str, pub_date: dt.date | None) -> Iterator[Document | Failure]:
    """One Document per entry with text, or a Failure for an entry that cannot be read."""
    try:
        feed = feedparser.parse(text)
    except RecursionError:
        raise InputError(f"{name}: feed nested too deeply to read") from None
    if not feed.entries:
        if feed.bozo:
            raise InputError(f"{name}: malformed feed ({feed.bozo_exception})")
        raise InputError(f"{name}: feed has no entries")
    source = feed.feed.get("title") or None
    for number, entry in enumerate(feed.entries, start=1):
        try:
            doc = entry_document(name, entry, source, pub_date)
        except (ValueError, TypeError, OverflowError, RecursionError) as exc:
            yield Failure(path=f"{name}:entry {number}", stage="read", content_hash=Document.hash_text(repr(entry)),
                          error=f"{name}:entry {number}: cannot read the entry ({type(exc).__name__}: {exc})")
            continue
        if doc is not None:
            yield doc


def entry_document(name: str, entry: dict, source: str | None, pub_date: dt.date | None) -> Document | None:
    """A feed entry's Document (its content, else its summary), or None when it has no text."""
    parts = [c.get("value", "") for c in entry.get("content", [])] or [entry.get("summary", "")]
    body = "\n\n".join(_plain(p) for p in parts if p).strip()
    if not body:
        return None
    stamp = entry.get("published_parsed") or entry.get("updated_parsed")
    date = dt.date(*stamp[:3]) if stamp else pub_date
    content_hash = Document.hash_text(body)
    return Document(
        doc_id=str(entry.get("id") or entry.get("link") or content_hash[:16]), text=body,
        title=entry.get("title") or None, url=entry.get("link") or None, source=source,
        author=entry.get("author") or None, pub_date=date, path=name, content_hash=content_hash,
    )
