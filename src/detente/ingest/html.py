"""HTML pages: main text and metadata through trafilatura; boilerplate and comments dropped."""

from __future__ import annotations

import datetime as dt

import trafilatura

from detente.errors import InputError
from detente.models import Document

# Fewer words than this is a menu or a cookie notice, not an article.
MIN_WORDS = 8


def read_html(name: str, html: str, pub_date: dt.date | None) -> Document:
    try:
        result = trafilatura.bare_extraction(
            html, include_comments=False, include_tables=False, with_metadata=True, favor_precision=True,
        )
    except RecursionError:
        raise InputError(f"{name}: HTML nested too deeply to read") from None
    if result is None:  # nothing trafilatura could call a page (no body, no title, markup soup)
        raise InputError(f"{name}: no article text found in HTML")
    text = (getattr(result, "text", None) or "").strip()
    # trafilatura puts each block (headline, paragraph) on its own line: they are paragraphs.
    text = "\n\n".join(line.strip() for line in text.splitlines() if line.strip())
    title = (getattr(result, "title", None) or "").strip()
    head, _, rest = text.partition("\n\n")
    if title and rest and head.strip() == title:
        text = rest  # the headline is metadata; coding it too would duplicate the lead's event
    if len(text.split()) < MIN_WORDS:
        raise InputError(f"{name}: no article text found in HTML")
    found_date = None
    if getattr(result, "date", None):
        try:
            found_date = dt.date.fromisoformat(str(result.date)[:10])
        except ValueError:
            found_date = None

    def meta(key: str) -> str | None:
        return getattr(result, key, None) or None

    return Document(
        doc_id=Document.hash_text(text)[:16], text=text, title=meta("title"), url=meta("url"),
        source=meta("sitename"), author=meta("author"), pub_date=found_date or pub_date,
        path=name, content_hash=Document.hash_text(text),
    )
