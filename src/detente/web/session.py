"""Browser sessions for the upload form: a random id in a strict cookie, and a CSRF token tied to it.

The token is an HMAC of the session id under a key that lives as long as the server process,
so a page on another site can neither read it (same-origin policy) nor forge it, and a token
from one browser is worthless in another.
"""

from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from urllib.parse import urlsplit

from fastapi import Request
from fastapi.responses import Response

from .access import WebError

COOKIE = "detente_session"
_ID = re.compile(r"[A-Za-z0-9_-]{43}")


class Sessions:
    """Session ids and their CSRF tokens."""

    def __init__(self) -> None:
        self._key = secrets.token_bytes(32)

    @staticmethod
    def current(request: Request) -> str | None:
        """The request's session id, if it carries a well-formed one."""
        value = request.cookies.get(COOKIE, "")
        return value if _ID.fullmatch(value) else None

    def ensure(self, request: Request) -> tuple[str, bool]:
        """(session id, whether it is new and must be set as a cookie)."""
        current = self.current(request)
        return (current, False) if current else (secrets.token_urlsafe(32), True)

    @staticmethod
    def set_cookie(response: Response, session: str) -> None:
        response.set_cookie(COOKIE, session, httponly=True, samesite="strict", path="/")

    def token(self, session: str) -> str:
        return hmac.new(self._key, session.encode(), hashlib.sha256).hexdigest()

    def check(self, request: Request, token: object) -> str:
        """The session of a write whose token matches it; 403 otherwise."""
        session = self.current(request)
        if session is None or not isinstance(token, str) or not hmac.compare_digest(token, self.token(session)):
            raise WebError(403, "upload refused: the form's token is missing or belongs to another session; "
                                "reload the /ingest page and submit it again")
        return session


def check_origin(request: Request) -> None:
    """Writes come from this server's own pages: an Origin header naming this host, never null or absent
    (a sandboxed frame or a file:// page sends 'null')."""
    origin = request.headers.get("origin")
    if not origin or origin == "null":
        raise WebError(403, "upload refused: the request has no Origin (or a null one); "
                            "post the form from this server's own /ingest page")
    if urlsplit(origin).netloc.lower() != request.headers.get("host", "").lower():
        raise WebError(403, "cross-site upload refused: post the form from this server's own /ingest page")
