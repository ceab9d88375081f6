"""Polite HTTP for feeds and article pages: timeouts, retries with backoff, a per-host rate
limit, a User-Agent, robots.txt, conditional requests (ETag, Last-Modified) and a size cap.

A fetch either returns a `Fetched` or raises `FetchError`, whose `transient` says whether
trying again later may help (a timeout, a refused connection, 429, 5xx, robots.txt
unreachable) or not (404, 410, disallowed by robots.txt, too large).
"""

from __future__ import annotations

import time
import urllib.robotparser
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

import httpx

from detente import __version__

USER_AGENT = f"detente/{__version__} (news event coder; feed watcher)"
TIMEOUT = 20.0  # seconds to connect, and between bytes of a response
RETRIES = 2  # tries after the first, for transient errors only
BACKOFF = 1.0  # seconds before the first retry; doubled for each next one
MAX_BACKOFF = 60.0  # a Retry-After beyond this is not waited for in this cycle
MIN_INTERVAL = 1.0  # seconds between two requests to the same host (robots.txt Crawl-delay may raise it)
MAX_BYTES = 10 * 1024 * 1024  # a feed or an article page is never larger
ROBOTS_TTL = 3600.0  # seconds a host's robots.txt is kept before it is read again


class FetchError(Exception):
    """A URL could not be fetched; `transient` when trying again later may work."""

    def __init__(self, message: str, transient: bool) -> None:
        super().__init__(message)
        self.transient = transient


@dataclass(frozen=True)
class Fetched:
    url: str  # after redirects
    status: int  # 200, or 304 (not modified: content is empty)
    content: bytes
    etag: str | None = None
    last_modified: str | None = None


def _host(url: str) -> str:
    return urlsplit(url).netloc.lower()


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


class Fetcher:
    """One HTTP client for a watch: connection reuse, the host rate limit and robots.txt cache."""

    def __init__(self, timeout: float = TIMEOUT, retries: int = RETRIES, backoff: float = BACKOFF,
                 min_interval: float = MIN_INTERVAL, max_bytes: int = MAX_BYTES, user_agent: str = USER_AGENT,
                 sleep: Callable[[float], None] = time.sleep) -> None:
        self.retries, self.backoff, self.min_interval, self.max_bytes = retries, backoff, min_interval, max_bytes
        self.user_agent, self.sleep = user_agent, sleep
        self.client = httpx.Client(timeout=httpx.Timeout(timeout), follow_redirects=True, max_redirects=5,
                                   headers={"User-Agent": user_agent})
        self._last: dict[str, float] = {}  # host -> when its last request started (monotonic)
        self._robots: dict[str, tuple[urllib.robotparser.RobotFileParser | None, float]] = {}

    def close(self) -> None:
        self.client.close()

    def __enter__(self) -> Fetcher:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- the rate limit and robots.txt ------------------------------------------------------------

    def _interval(self, url: str) -> float:
        rules = self._robots.get(_origin(url), (None, 0.0))[0]
        delay = rules.crawl_delay(self.user_agent) if rules is not None else None
        return max(self.min_interval, float(delay or 0.0))

    def _wait_turn(self, url: str) -> None:
        host = _host(url)
        last = self._last.get(host)
        if last is not None:
            rest = last + self._interval(url) - time.monotonic()
            if rest > 0:
                self.sleep(rest)
        self._last[host] = time.monotonic()

    def allowed(self, url: str) -> bool:
        """Whether robots.txt lets this client fetch `url` (read once per host and ROBOTS_TTL).
        A robots.txt that is missing (4xx) allows everything; one that cannot be reached (5xx, a
        network error) is a transient FetchError: the page waits for the next cycle."""
        origin = _origin(url)
        rules, when = self._robots.get(origin, (None, -ROBOTS_TTL))
        if time.monotonic() - when >= ROBOTS_TTL or origin not in self._robots:
            try:
                got = self._request("GET", f"{origin}/robots.txt")
            except FetchError as exc:
                if exc.transient:
                    raise FetchError(f"{url}: robots.txt unreachable ({exc})", transient=True) from None
                rules = None  # 4xx: no robots.txt
            else:
                rules = urllib.robotparser.RobotFileParser()
                rules.parse(got.content.decode("utf-8", errors="replace").splitlines())
            self._robots[origin] = (rules, time.monotonic())
        return rules is None or rules.can_fetch(self.user_agent, url)

    # -- requests -------------------------------------------------------------------------------

    def get(self, url: str, etag: str | None = None, last_modified: str | None = None) -> Fetched:
        """GET `url` if robots.txt allows it; 304 when unchanged since `etag` / `last_modified`."""
        if urlsplit(url).scheme not in ("http", "https"):
            raise FetchError(f"{url}: not an http(s) URL", transient=False)
        if not self.allowed(url):
            raise FetchError(f"{url}: disallowed by robots.txt", transient=False)
        headers = {}
        if etag:
            headers["If-None-Match"] = etag
        if last_modified:
            headers["If-Modified-Since"] = last_modified
        return self._request("GET", url, headers=headers)

    def post_json(self, url: str, payload: Any) -> int:
        """POST `payload` as JSON (a webhook); the status, or FetchError."""
        return self._request("POST", url, json=payload).status

    def _request(self, method: str, url: str, **kw: Any) -> Fetched:
        """One request with retries: transient errors are tried again after BACKOFF, 2 x BACKOFF, ...
        seconds (or the server's Retry-After, when it is not longer than MAX_BACKOFF)."""
        attempt = 0
        while True:
            try:
                return self._once(method, url, **kw)
            except _Retry as retry:
                attempt += 1
                wait = retry.after if retry.after is not None else self.backoff * 2 ** (attempt - 1)
                if attempt > self.retries or wait > MAX_BACKOFF:
                    raise FetchError(retry.message, transient=True) from None
                self.sleep(wait)

    def _once(self, method: str, url: str, **kw: Any) -> Fetched:
        self._wait_turn(url)
        try:
            with self.client.stream(method, url, **kw) as response:
                status = response.status_code
                if status == 304:
                    return Fetched(str(response.url), 304, b"", response.headers.get("etag"),
                                   response.headers.get("last-modified"))
                if status == 429 or status >= 500:
                    raise _Retry(f"{url}: HTTP {status} {response.reason_phrase}".rstrip(),
                                 _retry_after(response.headers.get("retry-after")))
                if status >= 400:
                    raise FetchError(f"{url}: HTTP {status} {response.reason_phrase}".rstrip(), transient=False)
                declared = response.headers.get("content-length")
                if declared and declared.isdigit() and int(declared) > self.max_bytes:
                    raise FetchError(f"{url}: too large ({int(declared) // 2**20} MB)", transient=False)
                body = bytearray()
                for chunk in response.iter_bytes():
                    body += chunk
                    if len(body) > self.max_bytes:
                        raise FetchError(f"{url}: too large (over {self.max_bytes // 2**20} MB)", transient=False)
                return Fetched(str(response.url), status, bytes(body), response.headers.get("etag"),
                               response.headers.get("last-modified"))
        except httpx.TimeoutException:
            raise _Retry(f"{url}: timed out", None) from None
        except httpx.TooManyRedirects:
            raise FetchError(f"{url}: too many redirects", transient=False) from None
        except httpx.UnsupportedProtocol:
            raise FetchError(f"{url}: not an http(s) URL", transient=False) from None
        except httpx.TransportError as exc:
            raise _Retry(f"{url}: {type(exc).__name__} ({' '.join(str(exc).split())[:120]})", None) from None


class _Retry(Exception):
    def __init__(self, message: str, after: float | None) -> None:
        super().__init__(message)
        self.message, self.after = message, after


def _retry_after(value: str | None) -> float | None:
    """Retry-After in seconds (the HTTP-date form is read as 'later': no retry in this cycle)."""
    if value is None:
        return None
    value = value.strip()
    return float(value) if value.isdigit() else MAX_BACKOFF + 1
