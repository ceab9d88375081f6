"""JSON Lines (one document per line) and JSON lists of documents."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Iterator
from typing import Any

from detente.errors import InputError
from detente.ingest.decode import unpaired_surrogate
from detente.models import Document, Failure

# Python refuses to turn longer digit strings into ints (a guard against slow conversions):
# numbers this long stay text.
MAX_INT_DIGITS = 1000


def _int(digits: str) -> int | str:
    return int(digits) if len(digits) <= MAX_INT_DIGITS else digits


def loads(where: str, raw: str, what: str = "JSON") -> Any:
    """json.loads with every failure as one InputError line."""
    try:
        return json.loads(raw, parse_int=_int)
    except RecursionError:
        raise InputError(f"{where}: malformed {what} (nested too deeply)") from None
    except json.JSONDecodeError as exc:
        at = f"{where}:{exc.lineno}" if what == "JSON" else where
        raise InputError(f"{at}: malformed {what} ({exc.msg})") from None
    except ValueError as exc:
        raise InputError(f"{where}: malformed {what} ({exc})") from None


def _document(where: str, obj: Any, pub_date: dt.date | None) -> Document:
    if not isinstance(obj, dict):
        raise InputError(f"{where}: expected a JSON object with a 'text' field")
    doc_id = obj.get("id", obj.get("doc_id"))
    if doc_id is not None and (not isinstance(doc_id, (str, int)) or isinstance(doc_id, bool)):
        raise InputError(f"{where}: 'id' must be a string or number")
    text = obj.get("text")
    if not isinstance(text, str) or not text.strip():
        raise InputError(f"{where}: missing or empty 'text' field")
    for key in ("id", "doc_id", "text", "title", "url", "source", "author"):
        value = obj.get(key)
        if isinstance(value, str) and (bad := unpaired_surrogate(value)):
            raise InputError(f"{where}: '{key}' holds an unpaired surrogate escape ({bad}), not text")
    raw_date = obj.get("date") or obj.get("pub_date") or obj.get("published")
    date = pub_date
    if raw_date:
        try:
            date = dt.date.fromisoformat(str(raw_date).strip()[:10])
        except ValueError:
            raise InputError(f"{where}: invalid date {str(raw_date)[:40]!r} (use YYYY-MM-DD)") from None
    text = text.strip()
    content_hash = Document.hash_text(text)

    def opt(key: str) -> str | None:
        value = obj.get(key)
        return str(value) if value not in (None, "") and not isinstance(value, (dict, list)) else None

    return Document(
        doc_id=str(doc_id) if doc_id not in (None, "") else content_hash[:16], text=text,
        title=opt("title"), url=opt("url"), source=opt("source"), author=opt("author"),
        pub_date=date, path=where.rsplit(":", 1)[0], content_hash=content_hash,
    )


def _record_id(obj: Any) -> str | None:
    """The id a record claims, when it is a usable one (for the failures table)."""
    if not isinstance(obj, dict):
        return None
    value = obj.get("id", obj.get("doc_id"))
    if isinstance(value, bool) or not isinstance(value, (str, int)) or value == "":
        return None
    value = str(value)
    return None if unpaired_surrogate(value) else value


def _record(where: str, obj: Any, pub_date: dt.date | None, digest: str) -> Document | Failure:
    try:
        return _document(where, obj, pub_date)
    except InputError as exc:
        return Failure(doc_id=_record_id(obj), path=where, stage="read", error=str(exc), content_hash=digest)


def iter_json_lines(name: str, lines: Iterable[tuple[int, bytes | str]], pub_date: dt.date | None
                    ) -> Iterator[Document | Failure]:
    """One Document or Failure per non-blank line; `lines` are (line number, raw line)."""
    for number, raw in lines:
        where = f"{name}:{number}"
        digest = Document.hash_text(raw) if isinstance(raw, str) else _hash_bytes(raw)
        if isinstance(raw, bytes):
            try:
                raw = raw.decode("utf-8-sig" if number == 1 else "utf-8")
            except UnicodeDecodeError as exc:
                yield Failure(path=where, stage="read", content_hash=digest,
                              error=f"{where}: not valid UTF-8 (byte 0x{raw[exc.start]:02x}); re-encode the file as UTF-8")
                continue
        if not raw.strip():
            continue
        try:
            obj = loads(where, raw, "JSON line")
        except InputError as exc:
            yield Failure(path=where, stage="read", error=str(exc), content_hash=digest)
            continue
        yield _record(where, obj, pub_date, digest)


def iter_json_records(name: str, text: str, pub_date: dt.date | None, lines: bool) -> Iterator[Document | Failure]:
    """The documents of a JSON Lines file or a JSON list; what cannot be read is a Failure (per record)."""
    if lines:
        yield from iter_json_lines(name, enumerate(text.split("\n"), start=1), pub_date)
        return
    try:
        data = loads(name, text)
    except InputError as exc:
        if text.lstrip().startswith("{"):  # not one object: perhaps JSON Lines without the suffix
            yield from iter_json_records(name, text, pub_date, lines=True)
            return
        yield Failure(path=name, stage="read", error=str(exc), content_hash=Document.hash_text(text))
        return
    items = data if isinstance(data, list) else [data]
    for i, item in enumerate(items):
        yield _record(f"{name}:item {i + 1}", item, pub_date, Document.hash_text(json.dumps(item, sort_keys=True)))


def read_json_documents(name: str, text: str, pub_date: dt.date | None, lines: bool) -> list[Document]:
    """Every document of the file; the first record that cannot be read raises InputError."""
    docs = []
    for item in iter_json_records(name, text, pub_date, lines):
        if isinstance(item, Failure):
            raise InputError(item.error)
        docs.append(item)
    return docs


def _hash_bytes(data: bytes) -> str:
    import hashlib

    return hashlib.sha256(data).hexdigest()
