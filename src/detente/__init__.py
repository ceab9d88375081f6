"""detente: political events from news text, and how relations between actors change."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["Actor", "Document", "Event", "__version__", "code_documents", "code_text", "open_store"]


def __getattr__(name: str):  # lazy: importing detente must not load spaCy
    if name in ("Actor", "Document", "Event"):
        from detente import models

        return getattr(models, name)
    if name in ("code_documents", "code_text"):
        from detente.run import pipeline

        return getattr(pipeline, name)
    if name == "open_store":
        from detente.store import open_store

        return open_store
    raise AttributeError(name)
