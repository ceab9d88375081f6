"""Files to download: CSV (streamed, formula-safe cells) and GraphML."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi.responses import StreamingResponse

from detente.store.export import safe_cell


def csv_response(rows: Iterable[dict[str, Any]], columns: list[str], filename: str) -> StreamingResponse:
    """Rows as a streamed CSV download."""
    def chunks() -> Iterator[str]:
        buf = io.StringIO()
        writer = csv.DictWriter(buf, fieldnames=columns, extrasaction="ignore")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: safe_cell(v) for k, v in row.items()})
            if buf.tell() > 65536:
                yield buf.getvalue()
                buf.seek(0)
                buf.truncate()
        yield buf.getvalue()

    return StreamingResponse(chunks(), media_type="text/csv; charset=utf-8",
                             headers={"Content-Disposition": f'attachment; filename="{filename}"'})


def series_columns(series: list[dict[str, Any]]) -> list[str]:
    """The columns of a series table, in the order the analysis gives them."""
    columns: dict[str, None] = {}
    for row in series[:1] or [{"period": None, "start": None, "end": None, "n_events": None}]:
        columns.update(dict.fromkeys(k for k in row if k != "dyad"))
    return list(columns)


def graphml(net: dict[str, Any]) -> bytes:
    """A network (as bridge.network returns it) as GraphML, scalar attributes only."""
    import networkx as nx

    g = nx.Graph(name="detente signed network", date_from=str(net.get("from") or ""), date_to=str(net.get("to") or ""))
    for node in net["nodes"]:
        g.add_node(node["id"], **_scalars({k: v for k, v in node.items() if k != "id"}))
    for edge in net["edges"]:
        g.add_edge(edge["source"], edge["target"],
                   **_scalars({k: v for k, v in edge.items() if k not in ("source", "target")}))
    return "\n".join(nx.generate_graphml(g)).encode("utf-8")


def _scalars(attrs: dict[str, Any]) -> dict[str, Any]:
    """GraphML holds strings, numbers and booleans: lists are joined, None left out."""
    out: dict[str, Any] = {}
    for key, value in attrs.items():
        if value is None:
            continue
        if isinstance(value, (list, tuple)):
            value = ";".join(map(str, value))
        elif not isinstance(value, (str, int, float, bool)):
            value = str(value)
        out[key] = value
    return out
