"""Raw documents in, coded events out: the one function every front end calls."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from functools import cache

from detente import __version__
from detente.actors.recognize import ActorMatcher, DocumentActors
from detente.actors.tables import ActorEntry, load_custom
from detente.events.code import code_doc
from detente.models import Document, Event
from detente.nlp import load_pipeline, parse

CODER = f"detente {__version__}"


@cache
def actor_matcher(custom_table: str | None = None) -> ActorMatcher:
    nlp = load_pipeline()
    extra: tuple[ActorEntry, ...] = load_custom(custom_table) if custom_table else ()
    return ActorMatcher(nlp.vocab, nlp.make_doc, extra)


def _clean(text: str) -> str:
    # Paragraph breaks are sentence breaks; single newlines inside paragraphs are spaces.
    paragraphs = [" ".join(p.split()) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def code_documents(
    docs: Iterable[Document],
    actor_table: str | None = None,
    batch_size: int = 16,
    n_process: int = 1,
    on_document: Callable[[Document, list[Event]], None] | None = None,
) -> Iterator[Event]:
    """Code each document's events, in input order."""
    matcher = actor_matcher(actor_table)
    docs = list(docs) if not isinstance(docs, list) else docs
    texts = (_clean(d.text) for d in docs)
    for doc, parsed in zip(docs, parse(texts, batch_size=batch_size, n_process=n_process)):
        events = code_doc(parsed, doc, DocumentActors(parsed, matcher, doc.pub_date), CODER)
        if on_document is not None:
            on_document(doc, events)
        yield from events


def code_text(text: str, pub_date: str | None = None, doc_id: str | None = None) -> list[Event]:
    """Code one text: `detente.code_text("Russia lifted its arms embargo on Pakistan.")`."""
    from detente.ingest import parse_date

    body = text.strip()
    doc = Document(doc_id=doc_id or Document.hash_text(body)[:16], text=body, pub_date=parse_date(pub_date),
                   content_hash=Document.hash_text(body))
    return list(code_documents([doc]))
