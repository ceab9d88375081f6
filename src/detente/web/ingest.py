"""The upload form (/ingest), only when the server runs with --allow-ingest."""

from __future__ import annotations

import inspect
from typing import Any
from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import UploadFile

from detente.errors import DetenteError

from .access import WebError
from .params import parse_day
from .ui import render

router = APIRouter(include_in_schema=False)
FORM_OVERHEAD = 64 * 1024  # multipart boundaries and the small fields around the file


def _enabled(request: Request) -> None:
    if not request.app.state.allow_ingest:
        raise WebError(404, "ingest is off: this server is read-only (start it with 'detente serve --allow-ingest')")


def _same_origin(request: Request) -> None:
    """Refuse cross-site form posts (a page elsewhere must not feed documents into this store)."""
    origin = request.headers.get("origin") or request.headers.get("referer")
    if origin and origin != "null" and urlsplit(origin).netloc != request.headers.get("host", ""):
        raise WebError(403, "cross-site upload refused: post the form from this server's own /ingest page")


@router.get("/ingest", response_class=HTMLResponse)
def ingest_form(request: Request) -> HTMLResponse:
    _enabled(request)
    return render(request, "ingest.html", result=None, error=None, limit=request.app.state.max_upload_bytes)


def _too_large(limit: int) -> WebError:
    return WebError(413, f"upload too large: the limit is {limit / 1e6:g} MB (start the server with a larger "
                         "--max-upload-mb to accept more)")


@router.post("/ingest", response_class=HTMLResponse)
async def ingest_upload(request: Request) -> HTMLResponse:
    """Code an uploaded file (text, HTML, JSON Lines, JSON or a feed) into the store."""
    _enabled(request)
    _same_origin(request)
    limit: int = request.app.state.max_upload_bytes
    length = request.headers.get("content-length")
    if length is None or not length.isdigit():
        raise WebError(411, "upload refused: the request has no Content-Length")
    if int(length) > limit + FORM_OVERHEAD:
        raise _too_large(limit)
    form = await request.form(max_files=1, max_fields=10)
    try:
        upload = form.get("file")
        if not isinstance(upload, UploadFile) or not upload.filename:
            return render(request, "ingest.html", status=400, result=None, error="choose a file to upload", limit=limit)
        data = await upload.read(limit + 1)
        if len(data) > limit:
            raise _too_large(limit)
        date_value = form.get("date")
        try:
            pub_date = parse_day(date_value if isinstance(date_value, str) else None, "publication date")
        except WebError as exc:
            return render(request, "ingest.html", status=400, result=None, error=exc.message, limit=limit)
        name = upload.filename
    finally:
        await form.close()
    try:
        result = await run_in_threadpool(_ingest, request, name, data, pub_date)
    except DetenteError as exc:
        return render(request, "ingest.html", status=400, result=None, error=str(exc), limit=limit)
    return render(request, "ingest.html", result=result, error=None, limit=limit)


def _ingest(request: Request, name: str, data: bytes, pub_date: Any) -> dict[str, Any]:
    from detente.ingest import SUFFIXES, read_source
    from detente.ingest.language import is_english
    from detente.run.ingest import ingest_documents

    suffix = "." + name.rsplit(".", 1)[-1].lower() if "." in name else ""
    docs = read_source(name, data, SUFFIXES.get(suffix), pub_date)
    english, skipped, seen = [], [], set()
    for d in docs:
        if d.doc_id in seen:
            continue
        seen.add(d.doc_id)
        (english if is_english(d.text) else skipped).append(d)
    if not english:
        raise DetenteError(f"{name}: no English documents to code" + (f" ({len(skipped)} skipped)" if skipped else ""))
    options: dict[str, Any] = {"n_process": 1}
    if "progress" in inspect.signature(ingest_documents).parameters:
        options["progress"] = "none"  # no terminal progress bar from a server thread
    with request.app.state.access.write() as db_path:
        stats = ingest_documents(english, db_path, **options)
    return {**stats, "file": name, "not_english": [d.doc_id for d in skipped],
            "documents": [{"doc_id": d.doc_id, "title": d.title} for d in english]}
