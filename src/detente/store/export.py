"""Write event records as JSON Lines, JSON, CSV or Parquet; optionally one row per dyad."""

from __future__ import annotations

import csv
import io
import json
import sys
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

from detente.errors import DetenteError

FORMATS = ("jsonl", "json", "csv", "parquet", "gdelt", "icews")
# GDELT and ICEWS rows are dyadic by definition (detente.store.exchange).
EXCHANGE = ("gdelt", "icews")
CSV_COLUMNS = [
    "id", "doc_id", "sentence_index", "date", "date_precision", "pub_date", "event_type", "mode", "contexts",
    "quad_class", "plover_score", "cameo_code", "goldstein", "actor_codes", "actor_countries", "actor_sectors",
    "actor_names", "actor_text", "recipient_codes", "recipient_countries", "recipient_sectors", "recipient_names",
    "recipient_text", "trigger", "negated", "hypothetical", "future", "historical", "confidence", "sentence",
    "event_cluster_id", "sources_count", "coder", "location_name", "location_country", "location_admin1",
    "location_lat", "location_lon", "location_feature", "location_precision",
]


# A spreadsheet runs a cell that starts with one of these as a formula ("CSV injection").
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def safe_cell(value: Any) -> Any:
    """A CSV cell no spreadsheet runs: text starting with =, +, -, @, a tab or a CR gets a leading
    apostrophe; numbers (a score of -4.0) stay numbers."""
    if isinstance(value, str) and value.startswith(FORMULA_STARTS):
        return "'" + value
    return value


def dyadic(record: dict[str, Any]) -> Iterator[dict[str, Any]]:
    """CAMEO convention: one record per actor-recipient pair; reciprocal actors pair both ways."""
    actors, recipients = record.get("actor") or [], record.get("recipient") or []
    if recipients:
        pairs = [(a, r) for a in actors for r in recipients] or [(None, r) for r in recipients]
    elif len(actors) > 1:
        pairs = [(a, b) for a in actors for b in actors if a is not b]
    else:
        pairs = [(a, None) for a in actors]
    for n, (a, r) in enumerate(pairs):
        out = dict(record)
        out["actor"] = [a] if a else []
        out["recipient"] = [r] if r else []
        out["id"] = record["id"] if len(pairs) == 1 else f"{record['id']}-{n}"
        out["source_event_id"] = record["id"]
        yield out


def flat(record: dict[str, Any]) -> dict[str, Any]:
    """A record with lists joined by ';' for CSV (writers make each cell safe: `safe_cell`)."""
    out = {k: v for k, v in record.items() if k not in ("actor", "recipient")}
    for side in ("actor", "recipient"):
        items = record.get(side) or []
        out[f"{side}_codes"] = ";".join(a.get("code") or "" for a in items)
        out[f"{side}_countries"] = ";".join(a.get("country") or "" for a in items)
        out[f"{side}_sectors"] = ";".join(a.get("sector") or "" for a in items)
        out[f"{side}_names"] = ";".join(a.get("name") or "" for a in items)
        out[f"{side}_text"] = ";".join(a.get("text") or "" for a in items)
    out["contexts"] = ";".join(record.get("contexts") or [])
    loc = record.get("location") or {}
    for key in ("name", "country", "admin1", "lat", "lon", "feature", "precision"):
        out[f"location_{key}"] = loc.get(key)
    return out


def write_records(records: Iterable[dict[str, Any]], fmt: str = "jsonl", out: str | None = None,
                  dyads: bool = False, documents: dict[str, dict[str, Any]] | None = None) -> int:
    """Write records to `out` (stdout when None or '-'); returns how many were written.

    `documents` (doc_id -> url, source) fills the GDELT SOURCEURL and ICEWS Publisher columns.
    """
    if fmt not in FORMATS:
        raise DetenteError(f"unknown format {fmt!r}; use one of {', '.join(FORMATS)}")
    if dyads or fmt in EXCHANGE:
        records = (d for r in records for d in dyadic(r))
    to_stdout = out in (None, "-")
    if fmt == "parquet":
        if to_stdout:
            raise DetenteError("parquet output needs a file: add -o FILE.parquet")
        return _write_parquet(records, _check_target(Path(out)))
    # Write to a temporary file then rename, so a failed run never leaves half a file.
    target = None if to_stdout else _check_target(Path(out))
    buf: io.TextIOBase = sys.stdout if target is None else open(_tmp(target), "w", encoding="utf-8", newline="")
    n = 0
    try:
        if fmt == "jsonl":
            for r in records:
                buf.write(json.dumps(r, ensure_ascii=False, default=str) + "\n")
                n += 1
        elif fmt == "json":
            buf.write("[")
            for r in records:
                buf.write(("," if n else "") + "\n" + json.dumps(r, ensure_ascii=False, default=str))
                n += 1
            buf.write("\n]\n")
        elif fmt in EXCHANGE:
            from detente.store.exchange import GDELT_COLUMNS, ICEWS_COLUMNS, gdelt_row, icews_row

            columns, to_row = (GDELT_COLUMNS, gdelt_row) if fmt == "gdelt" else (ICEWS_COLUMNS, icews_row)
            writer = csv.DictWriter(buf, fieldnames=columns, delimiter="\t", lineterminator="\n",
                                    quoting=csv.QUOTE_MINIMAL)
            writer.writeheader()
            for r in records:
                writer.writerow(to_row(r, (documents or {}).get(r.get("doc_id") or "")))
                n += 1
        else:
            writer = csv.DictWriter(buf, fieldnames=CSV_COLUMNS + ["source_event_id"] * dyads, extrasaction="ignore")
            writer.writeheader()
            for r in records:
                writer.writerow({k: safe_cell(v) for k, v in flat(r).items()})
                n += 1
        buf.flush()
    except BaseException:
        if target is not None:
            buf.close()
            _tmp(target).unlink(missing_ok=True)
        raise
    if target is not None:
        buf.close()
        _tmp(target).replace(target)
    return n


def _check_target(path: Path) -> Path:
    if path.is_dir():
        raise DetenteError(f"{path}: is a directory; give a file name for -o")
    if not path.parent.exists():
        raise DetenteError(f"{path.parent}: no such directory")
    return path


def _tmp(path: Path) -> Path:
    return path.with_name(path.name + ".partial")


def _write_parquet(records: Iterable[dict[str, Any]], path: Path) -> int:
    import pyarrow as pa
    import pyarrow.parquet as pq

    rows = []
    for r in records:
        row = dict(r)
        row["actor"] = json.dumps(r.get("actor") or [])
        row["recipient"] = json.dumps(r.get("recipient") or [])
        row["location"] = json.dumps(r["location"]) if r.get("location") else None
        for key in ("date", "pub_date"):
            row[key] = str(row[key]) if row.get(key) is not None else None
        rows.append(row)
    table = pa.Table.from_pylist(rows) if rows else pa.table({c: pa.array([], pa.string()) for c in ("id",)})
    tmp = _tmp(path)
    pq.write_table(table, tmp)
    tmp.replace(path)
    return len(rows)
