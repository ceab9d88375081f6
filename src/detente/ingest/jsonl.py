"""JSON Lines (one document per line) and JSON lists of documents."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from detente.errors import InputError
from detente.models import Document


def _document(where: str, obj: Any, pub_date: dt.date | None) -> Document:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object with a 'text' field")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: missing or empty 'text' field")
    raw_date = obj.get("date") or obj.get("pub_date") or obj.get("published")
    date = pub_date
    if raw_date:
        try:
            date = dt.date.fromisoformat(str(raw_date).strip()[:10])
        except ValueError:
            raise InputError(f"{where}: invalid date {raw_date!r} (use YYYY-MM-DD)") from None
    text = text.strip()
    doc_id = obj.get("id", obj.get("doc_id"))
    if doc_id is not None and not isinstance(doc_id, (str, int)):
        raise InputError(f"{where}: 'id' must be a string or number")
    content_hash = Document.hash_text(text)

    def opt(key: str) -> str | None:
        value = obj.get(key)
        return str(value) if value not in (None, "") else None

    return Document(
        doc_id=str(doc_id) if doc_id not in (None, "") else content_hash[:16], text=text,
        title=opt("title"), url=opt("url"), source=opt("source"), author=opt("author"),
        pub_date=date, path=where.rsplit(":", 1)[0], content_hash=content_hash,
    )


def read_json_documents(name: str, text: str, pub_date: dt.date | None, lines: bool) -> list[Document]:
    docs: list[Document] = []
    if not lines:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as exc:
            if text.lstrip().startswith("{"):
                return read_json_documents(name, text, pub_date, lines=True)
            raise InputError(f"{name}:{exc.lineno}: malformed JSON ({exc.msg})") from None
        items = data if isinstance(data, list) else [data]
        return [_document(f"{name}:item {i + 1}", item, pub_date) for i, item in enumerate(items)]
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip():
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError as exc:
            raise InputError(f"{name}:{number}: malformed JSON line ({exc.msg})") from None
        docs.append(_document(f"{name}:{number}", obj, pub_date))
    return docs
