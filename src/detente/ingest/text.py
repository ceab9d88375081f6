"""Plain text articles."""

from __future__ import annotations

import datetime as dt

from detente.models import Document


def read_text(name: str, text: str, pub_date: dt.date | None) -> Document:
    body = text.strip()
    first = body.split("\n", 1)[0].strip()
    # A short first line followed by a blank line is a headline: keep it as the title.
    title = first if len(first) < 150 and "\n\n" in body[: len(first) + 3] else None
    return Document(
        doc_id=Document.hash_text(body)[:16], text=body, title=title, pub_date=pub_date,
        path=name, content_hash=Document.hash_text(body),
    )
