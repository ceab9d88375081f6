"""Ingest into the store: skip what is stored, code the rest in batches, one transaction each."""

from __future__ import annotations

from typing import Any

from detente.models import Document
from detente.pipeline import code_documents
from detente.progress import progress_bar
from detente.store import iter_batches, open_store


def ingest_documents(docs: list[Document], db: str, actor_table: str | None = None, n_process: int = 1,
                     batch_size: int = 64) -> dict[str, Any]:
    """Code and store documents not yet in `db` (by id and content hash); resumable."""
    stats = {"new": 0, "updated": 0, "skipped": 0, "events": 0}
    with open_store(db) as store:
        known = store.known_documents()
        todo = []
        for d in docs:
            if known.get(d.doc_id) == d.content_hash:
                stats["skipped"] += 1
            else:
                stats["updated" if d.doc_id in known else "new"] += 1
                todo.append(d)
        with progress_bar("ingesting", len(todo)) as bar:
            for chunk in iter_batches(todo, batch_size):
                results: list[tuple[Document, list]] = []
                for _ in code_documents(chunk, actor_table=actor_table, n_process=n_process,
                                        on_document=lambda d, evs: results.append((d, evs))):
                    pass
                _, n_events = store.write_batch(results)
                stats["events"] += n_events
                bar.advance(len(chunk))
    return stats
