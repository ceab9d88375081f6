"""The upload form (/ingest) and its jobs, only when the server runs with --allow-ingest.

A write must come from this server's own form: an Origin header naming this host (never null
or absent) and the per-session token of the form. The upload is read and checked at once (a
bad file is a 400 on the form), then coded in the background (jobs.py); the POST answers with
a redirect to the job's status page, so a refresh never submits the file again.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from detente.errors import DetenteError
from detente.models import Document

from .access import WebError
from .params import parse_day
from .session import Sessions, check_origin
from .ui import render

router = APIRouter(include_in_schema=False)
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields around the file


def _enabled(request: Request) -> None:
    if not request.app.state.allow_ingest:
        raise WebError(404, "ingest is off: this server is read-only (start it with 'detente serve --allow-ingest')")


def _form(request: Request, status: int = 200, error: str | None = None) -> HTMLResponse:
    sessions: Sessions = request.app.state.sessions
    session, new = sessions.ensure(request)
    response = render(request, "ingest.html", status=status, error=error, token=sessions.token(session),
                      jobs=request.app.state.jobs.of_session(session), limit=request.app.state.max_upload_bytes)
    if new:
        sessions.set_cookie(response, session)
    return response


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    _enabled(request)
    return _form(request)


def _too_large(limit: int) -> WebError:
    return WebError(413, f"upload too large: the limit is {limit / 1e6:g} MB (start the server with a larger "
                         "--max-upload-mb to accept more)")


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_upload(request: Request) -> Response:
    """Check an uploaded file (text, HTML, JSON Lines, JSON or a feed) and queue it for coding."""
    _enabled(request)
    check_origin(request)
    limit: int = request.app.state.max_upload_bytes
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise WebError(411, "upload refused: the request has no Content-Length")
    if int(length) > limit + FORM_OVERHEAD:
        raise _too_large(limit)
    form = await request.form(max_files=1, max_fields=10)
    try:
        session = request.app.state.sessions.check(request, form.get("csrf"))
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return _form(request, 400, "choose a file to upload")
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        date_value = form.get("date")
        try:
            pub_date = parse_day(date_value if isinstance(date_value, str) else None, "publication date")
        except WebError as exc:
            return _form(request, 400, exc.message)
        name = upload.filename
    finally:
        await form.close()
    try:
        documents, not_english = await run_in_threadpool(read_upload, name, data, pub_date)
    except WebError as exc:
        return _form(request, exc.status, exc.message)
    job = request.app.state.jobs.submit(session, name, documents, not_english)
    return RedirectResponse(f"/ingest/jobs/{job.id}", status_code=303)


def read_upload(name: str, data: bytes, pub_date: dt.date | None) -> tuple[list[Document], list[str]]:
    """The English documents of an upload (and the ids of the others); 400 for anything unreadable."""
    from detente.ingest import SUFFIXES, read_source
    from detente.ingest.language import is_english

    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    try:
        docs = read_source(name, data, SUFFIXES.get(suffix), pub_date)
    except RecursionError:
        raise WebError(400, f"{name}: the JSON is nested too deeply to read") from None
    except DetenteError as exc:
        raise WebError(400, str(exc)) from None
    english: list[Document] = []
    skipped: list[str] = []
    seen: set[str] = set()
    for d in docs:
        if "\x00" in d.doc_id:
            raise WebError(400, f"{name}: document id {d.doc_id!r} contains a NUL character")
        if any(ord(c) < 32 or ord(c) == 127 for c in d.doc_id):
            raise WebError(400, f"{name}: document id {d.doc_id!r} contains a control character")
        if d.doc_id in seen:
            continue
        seen.add(d.doc_id)
        if is_english(d.text):
            english.append(d)
        else:
            skipped.append(d.doc_id)
    if not english:
        raise WebError(400, f"{name}: no English documents to code" + (f" ({len(skipped)} skipped)" if skipped else ""))
    return english, skipped


@router.get("/ingest/jobs/{job_id}", response_class=HTMLResponse)
def job_page(request: Request, job_id: str) -> HTMLResponse:
    """Where an upload stands; refreshes itself while it runs."""
    _enabled(request)
    job = request.app.state.jobs.get(job_id, request.app.state.sessions.current(request))
    if job is None:
        raise WebError(404, "no such upload in this browser session (uploads are kept while the server runs)")
    summary: dict[str, Any] = job.summary()
    return render(request, "job.html", job=summary, running=job.running)
