"""Shared by the web tests: a small store coded from written documents, one of them hostile."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from detente.models import Document

SCRIPT = "<script>alert(1)</script>"
IMG = '"><img src=x onerror=alert(1)>'
HOSTILE_ID = "hostile-1"
ODD_ID = "feeds/world wide?x=1#frag"

TEXTS = [
    ("rp-1", "2023-02-10", "Moscow declines Pakistani requests",
     "Russia rejected a Pakistani request for discounted crude oil on Friday.\n\n"
     "Pakistan accused Russia of treating it as a second-tier customer.\n\n"
     "Russia did not sign the draft memorandum with Pakistan."),
    ("rp-2", "2023-06-14", "Russia criticises Pakistan over shells",
     "Russia condemned Pakistan over reported shell sales to Ukraine.\n\n"
     "Pakistan rejected the accusation on Wednesday."),
    ("rp-3", "2024-04-03", "Russia and Pakistan hold talks",
     "Russia and Pakistan held talks in Islamabad on Tuesday.\n\n"
     "Russia praised Pakistan for its constructive approach."),
    ("rp-4", "2024-08-20", "Russia lifts arms embargo on Pakistan",
     "Russia lifted its arms embargo on Pakistan on Monday.\n\n"
     "Russia and Pakistan signed an energy agreement in Moscow."),
    ("rp-5", "2025-01-15", "Russia delivers helicopters to Pakistan",
     "Russia delivered four attack helicopters to Pakistan on Wednesday.\n\n"
     "Pakistan thanked Russia for its support."),
    ("aa-1", "2025-03-05", "Azerbaijan shells Armenian villages",
     "Azerbaijani troops shelled Armenian villages near Jermuk on Tuesday.\n\n"
     "Armenia accused Azerbaijan of aggression and mobilised its reservists."),
    *[(f"rp-cold-{m}", f"2023-{m:02d}-12", "Moscow and Islamabad trade accusations",
       "Russia condemned Pakistan over its grain policy on Monday.\n\n"
       "Pakistan accused Russia of interference in its affairs.\n\n"
       "Russia threatened Pakistan with sanctions.") for m in (3, 4, 5, 7, 8)],
    *[(f"rp-warm-{m}", f"2024-{m:02d}-12", "Moscow and Islamabad deepen ties",
       "Russia praised Pakistan for its leadership on Monday.\n\n"
       "Russia and Pakistan signed a trade agreement in Moscow.\n\n"
       "Russia delivered wheat to Pakistan as humanitarian aid.") for m in (5, 6, 7, 9, 10)],
    (HOSTILE_ID, "2025-03-07", f"Hostile {SCRIPT} title",
     f"India accused China of aggression {SCRIPT} on Monday.\n\n"
     f"The statement ended with {IMG} and nothing else."),
    (ODD_ID, "2025-04-01", "A document with an odd id",
     "China and the Philippines held talks in Manila on Friday."),
]


def documents() -> list[Document]:
    """The test corpus as Documents."""
    return [Document(doc_id=i, text=t, title=title, source="Test Wire", pub_date=dt.date.fromisoformat(d),
                     content_hash=Document.hash_text(t)) for i, d, title, t in TEXTS]


def build_store(path: Path) -> Path:
    """Code the test corpus into a DuckDB store at `path`."""
    from detente.run.ingest import ingest_documents

    kwargs = {}
    import inspect

    if "progress" in inspect.signature(ingest_documents).parameters:
        kwargs["progress"] = "none"
    ingest_documents(documents(), str(path), n_process=1, **kwargs)
    return path
