"""The alerts `detente watch` fired: a page (/alerts), the JSON API (/api/alerts) and the nav badge."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse
from pydantic import BaseModel, ConfigDict, Field

from detente.analysis.alerts import alert_record

from .access import StoreAccess
from .api import ERRORS
from .ui import render

router = APIRouter()
BADGE_DAYS = 7  # the nav badge counts the alerts of the last week
LimitQ = Annotated[int, Query(ge=1, le=1000, description="At most this many alerts, newest first (1-1000).")]


class Alert(BaseModel):
    model_config = ConfigDict(extra="allow")

    id: str
    rule: str
    kind: str = Field(description="change (a turn in relations) or spike (of one quad class)")
    dyad: str
    a: str
    b: str
    label: str = Field(description="detente, deterioration, escalation (a change) or the quad class (a spike)")
    period: str | None
    start: str | None
    message: str
    evidence: list[dict[str, Any]] = Field(description="the events that moved it, strongest first")
    fired_at: str | None


class Alerts(BaseModel):
    total: int
    alerts: list[Alert]


def _access(request: Request) -> StoreAccess:
    return request.app.state.access


def _alerts(request: Request, limit: int) -> list[dict[str, Any]]:
    with _access(request).read() as store:
        rows = store.table_rows("alerts")
    rows.sort(key=lambda r: (r["fired_at"] or dt.datetime.min, r["id"]), reverse=True)
    out = []
    for row in rows[:limit]:
        record = alert_record(row)
        record.pop("webhook", None)  # where they are sent is the operator's business
        out.append(record)
    return out


def recent_alerts(request: Request) -> int:
    """How many alerts were fired in the last BADGE_DAYS days (0 when the store cannot say)."""
    since = dt.datetime.now(dt.UTC).replace(tzinfo=None) - dt.timedelta(days=BADGE_DAYS)
    try:
        with _access(request).read() as store:
            return sum(1 for r in store.table_rows("alerts") if r["fired_at"] and r["fired_at"] >= since)
    except Exception:  # noqa: BLE001 - the badge never breaks a page
        return 0


@router.get("/api/alerts", tags=["api"], summary="Alerts fired by detente watch, newest first",
            response_model=None, responses={**ERRORS, 200: {"model": Alerts}})
def api_alerts(request: Request, limit: LimitQ = 100) -> dict[str, Any]:
    """Returns `{total, alerts}`: each alert's id, rule, kind (change or spike), dyad, a, b, label,
    period, start, before, after, strength, n_events, baseline, message, evidence (the events that
    moved it, strongest first), fired_at, delivered_at and delivery_error (its webhook)."""
    alerts = _alerts(request, limit)
    return {"total": len(alerts), "alerts": alerts}


@router.get("/alerts", response_class=HTMLResponse, include_in_schema=False)
def alerts_page(request: Request, limit: LimitQ = 100) -> HTMLResponse:
    return render(request, "alerts.html", alerts=_alerts(request, limit), days=BADGE_DAYS)
