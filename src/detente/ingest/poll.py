"""What is new in watched sources: folders and files, feed URLs (listed in a file or given as
URLs) and their article pages.

A `Poll` reads every source once and yields the Documents (and Failures) that are new or
changed since the state it was given, the rows of the watch_state table that say so in
`updates`. The caller commits those rows only after the documents are stored, so a watch
killed in between reads them again (and the store skips what it already has).

State keys: ``file:PATH`` (mtime, size and hash of a file), ``feed:URL`` (ETag,
Last-Modified and hash of a feed), ``item:URL#ENTRY`` (a fingerprint of a feed entry, so an
article page is fetched again only when its entry changed).

Feed entries that carry the article (content:encoded, Atom content) are read from the feed;
entries with only a summary are teasers, and their link is fetched and its main text
extracted (trafilatura). A page that cannot be fetched for now (timeout, 5xx) is tried again
next cycle; one that never will be (404, robots.txt) falls back to the summary.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import feedparser

from detente.errors import InputError
from detente.ingest import SUFFIXES, article_files, checked_documents, read_file_bytes, read_records, sniff_format
from detente.ingest.decode import decode_bytes, display_name
from detente.ingest.feed import entry_document
from detente.ingest.fetch import Fetcher, FetchError
from detente.ingest.html import read_html
from detente.ingest.language import is_english
from detente.models import Document, Failure

KINDS = ("path", "feeds", "url")


@dataclass(frozen=True)
class Source:
    spec: str  # as given: a folder, a file, a feed list file or a URL
    kind: str  # path (a folder or file watched for new and changed files), feeds (a file of feed URLs), url


def is_http(text: str) -> bool:
    return text.startswith(("http://", "https://"))


def _feed_urls(text: str) -> list[str] | None:
    """The URLs of a feed list (one per line; blank lines and # comments allowed), or None when
    the text is not one."""
    urls = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("#")]
    return urls if urls and all(is_http(u) and " " not in u for u in urls) else None


def parse_sources(specs: list[str]) -> list[Source]:
    """The sources a watch reads; InputError for one that does not exist."""
    out = []
    for spec in specs:
        if is_http(spec):
            out.append(Source(spec, "url"))
            continue
        path = Path(spec)
        if not path.exists():
            raise InputError(f"{display_name(spec)}: no such file or directory")
        if path.is_file() and path.suffix.lower() not in SUFFIXES.keys() - {".txt", ".text"}:
            try:
                head = path.read_bytes()[:1_000_000].decode("utf-8", errors="replace")
            except OSError as exc:
                raise InputError(f"{display_name(spec)}: cannot read ({exc.strerror or exc})") from None
            if _feed_urls(head) is not None:
                out.append(Source(spec, "feeds"))
                continue
        out.append(Source(spec, "path"))
    return out


def _sha(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class Poll:
    """One reading of the sources against `state` (watch_state rows by key)."""

    def __init__(self, state: dict[str, dict[str, Any]], fetcher: Fetcher | None, *, pub_date: dt.date | None = None,
                 follow_links: bool = False, warn: Callable[[str], None] = lambda message: None) -> None:
        self.state, self.fetcher, self.pub_date, self.follow_links, self.warn = state, fetcher, pub_date, follow_links, warn
        self.updates: list[dict[str, Any]] = []
        self.errors: list[str] = []  # transient: tried again next cycle
        self.counts: Counter[str] = Counter()

    def _update(self, key: str, source: str, kind: str, **values: Any) -> None:
        self.updates.append({"key": key, "source": source, "kind": kind, **values,
                             "updated_at": dt.datetime.now(dt.UTC).replace(tzinfo=None)})

    def documents(self, sources: list[Source]) -> Iterator[Document | Failure]:
        for source in sources:
            if source.kind == "path":
                items = self._path(source)
            elif source.kind == "feeds":
                items = self._feed_list(source)
            else:
                items = self._feed(source.spec, source.spec)
            for item in items:
                if isinstance(item, Document) and not is_english(item.text):
                    self.counts["not_english"] += 1
                    continue
                yield item

    # -- files -------------------------------------------------------------------------------------

    def _path(self, source: Source) -> Iterator[Document | Failure]:
        path = Path(source.spec)
        if not path.exists():
            self.errors.append(f"{display_name(source.spec)}: no such file or directory (gone since the watch began)")
            return
        files = article_files(path, self.follow_links, lambda message: None) if path.is_dir() else [path]
        for file in files:
            name = display_name(str(file))
            key = f"file:{name}"
            try:
                st = file.stat()
            except OSError:
                continue  # gone between the listing and now
            known = self.state.get(key) or {}
            self.counts["files"] += 1
            if known.get("mtime_ns") == st.st_mtime_ns and known.get("size") == st.st_size:
                continue
            try:
                data = read_file_bytes(file, name)
            except InputError as exc:
                yield Failure(path=name, stage="read", error=str(exc))
                continue
            digest = _sha(data)
            if known.get("content_hash") != digest:
                self.counts["changed_files"] += 1
                yield from read_records(name, data, SUFFIXES.get(file.suffix.lower()), self.pub_date)
            self._update(key, source.spec, "file", mtime_ns=st.st_mtime_ns, size=st.st_size, content_hash=digest)

    # -- feeds -------------------------------------------------------------------------------------

    def _feed_list(self, source: Source) -> Iterator[Document | Failure]:
        try:
            urls = _feed_urls(Path(source.spec).read_text(encoding="utf-8", errors="replace"))
        except OSError as exc:
            self.errors.append(f"{display_name(source.spec)}: cannot read ({exc.strerror or exc})")
            return
        if urls is None:
            self.errors.append(f"{display_name(source.spec)}: not a list of feed URLs any more")
            return
        for url in dict.fromkeys(urls):
            yield from self._feed(url, source.spec)

    def _feed(self, url: str, source: str) -> Iterator[Document | Failure]:
        assert self.fetcher is not None
        key = f"feed:{url}"
        known = self.state.get(key) or {}
        self.counts["feeds"] += 1
        try:
            got = self.fetcher.get(url, known.get("etag"), known.get("last_modified"))
        except FetchError as exc:
            if exc.transient:
                self.errors.append(str(exc))
            else:  # recorded as a failure (once while it stays the same), tried again each cycle
                yield Failure(path=url, stage="read", error=str(exc), content_hash=_sha(str(exc).encode()))
            return
        digest = _sha(got.content)
        if got.status == 304 or digest == known.get("content_hash"):
            self.counts["not_modified"] += 1
            return
        pending = False
        try:
            items = list(self._entries(url, got.content))
        except InputError as exc:
            items = [Failure(path=url, stage="read", error=str(exc), content_hash=digest)]
        for item in items:
            if item is _PENDING:
                pending = True
            else:
                yield item
        if not pending:  # an entry still to fetch: the feed must be read again next cycle
            self._update(key, source, "feed", etag=got.etag, last_modified=got.last_modified, content_hash=digest)

    def _entries(self, url: str, content: bytes) -> Iterator[Any]:
        feed = feedparser.parse(content)
        if not feed.entries:
            text = content.decode("utf-8", errors="replace")
            if sniff_format(text) == "html":  # a page, not a feed: watched as one article
                yield from checked_documents(iter([_page(url, url, text, None, None)]))
                return
            if feed.bozo:
                raise InputError(f"{url}: malformed feed ({' '.join(str(feed.bozo_exception).split())[:200]})")
            raise InputError(f"{url}: feed has no entries")
        title = feed.feed.get("title") or None
        for number, entry in enumerate(feed.entries, start=1):
            fingerprint = _sha(json.dumps([entry.get(k) for k in ("id", "link", "title", "summary", "published",
                                                                   "updated")] + [c.get("value") for c in
                                                                                   entry.get("content", [])],
                                          default=str).encode("utf-8"))
            entry_id = str(entry.get("id") or entry.get("link") or fingerprint[:16])
            key = f"item:{url}#{entry_id}"
            if (self.state.get(key) or {}).get("content_hash") == fingerprint:
                continue
            self.counts["items"] += 1
            try:
                doc = entry_document(url, entry, title, self.pub_date)
            except (ValueError, TypeError, OverflowError, RecursionError) as exc:
                yield Failure(path=f"{url}:entry {number}", stage="read", content_hash=fingerprint,
                              error=f"{url}:entry {number}: cannot read the entry ({type(exc).__name__}: {exc})")
                self._update(key, url, "item", content_hash=fingerprint)
                continue
            link = entry.get("link")
            if not entry.get("content") and link and is_http(link):  # a teaser: the article is at the link
                try:
                    page = self._page(link)
                    doc = _page(link, url, page, doc, entry_id)
                    self.counts["pages"] += 1
                except FetchError as exc:
                    if exc.transient:
                        self.errors.append(str(exc))
                        yield _PENDING
                        continue
                    self.warn(f"{exc}; the feed's summary is coded instead" if doc else str(exc))
                except InputError as exc:
                    self.warn(f"{exc}; the feed's summary is coded instead" if doc else str(exc))
            if doc is None:
                yield Failure(doc_id=entry_id, path=url, stage="read", content_hash=fingerprint,
                              error=f"{url}: entry {entry_id} has no text, and its page none either")
            else:
                yield from checked_documents(iter([doc]))
            self._update(key, url, "item", content_hash=fingerprint, doc_id=entry_id)

    def _page(self, link: str) -> str:
        assert self.fetcher is not None
        got = self.fetcher.get(link)
        return decode_bytes(link, got.content)


_PENDING = object()  # an entry whose page could not be fetched in this cycle


def _page(link: str, feed_url: str, html: str, teaser: Document | None, entry_id: str | None) -> Document:
    """An article page as the feed entry's document: the page's text, the entry's id, title and date
    (the page's where the entry has none)."""
    page = read_html(link, html, None)
    text = page.text
    return Document(
        doc_id=entry_id or link, text=text, title=(teaser.title if teaser else None) or page.title,
        url=link, source=(teaser.source if teaser else None) or page.source,
        author=(teaser.author if teaser else None) or page.author,
        pub_date=(teaser.pub_date if teaser else None) or page.pub_date, path=feed_url,
        content_hash=Document.hash_text(text))
