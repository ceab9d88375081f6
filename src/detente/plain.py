"""Plain JSON data from analysis results: the one converter the CLI, the web API and reports use."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from typing import Any


def jsonable(obj: Any) -> Any:
    """Dataclasses, pydantic models, DataFrames, numpy and pandas values as plain JSON data."""
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {str(k): jsonable(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple, set, frozenset)):
        items = sorted(obj, key=str) if isinstance(obj, (set, frozenset)) else obj
        return [jsonable(v) for v in items]
    if isinstance(obj, dt.datetime):
        return obj.date().isoformat() if obj.time() == dt.time() else obj.isoformat()
    if isinstance(obj, dt.date):
        return obj.isoformat()
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        return jsonable(dataclasses.asdict(obj))
    if hasattr(obj, "model_dump"):
        return jsonable(obj.model_dump())
    mod = type(obj).__module__
    if mod.startswith("pandas"):
        if hasattr(obj, "to_dict") and hasattr(obj, "columns"):
            return jsonable(obj.to_dict(orient="records"))
        if type(obj).__name__ == "Period":
            return obj.start_time.date().isoformat()
        if type(obj).__name__ == "Timestamp":
            return jsonable(obj.to_pydatetime())
        if type(obj).__name__ in ("NaTType", "NAType"):
            return None
        if hasattr(obj, "tolist"):
            return jsonable(obj.tolist())
    if mod.startswith("numpy"):
        if hasattr(obj, "tolist"):
            return jsonable(obj.tolist())
    return str(obj)
