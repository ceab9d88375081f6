"""Raw documents in, coded events out: the one function every front end calls.

Every engine runs the same unit of work, `code_batch` (parse and code a list of documents in
one process): in this process, in a pool of local worker processes (`n_process`), or on Dask
workers (detente.run.cluster). Results come back in input order and do not depend on the
engine, the number of workers or how documents are split into batches.
"""

from __future__ import annotations

import math
import multiprocessing
import re
import signal
import sys
from collections.abc import Callable, Iterable, Iterator
from functools import cache

from detente import __version__
from detente.actors.recognize import ActorMatcher, DocumentActors
from detente.actors.tables import ActorEntry, load_custom
from detente.events.code import code_doc
from detente.models import Document, Event
from detente.nlp import load_pipeline, parse

CODER = f"detente {__version__}"
# Fewer documents than this per worker process are coded in this process.
MIN_DOCS_PER_PROCESS = 2


@cache
def actor_matcher(custom_table: str | None = None) -> ActorMatcher:
    nlp = load_pipeline()
    extra: tuple[ActorEntry, ...] = load_custom(custom_table) if custom_table else ()
    return ActorMatcher(nlp.vocab, nlp.make_doc, extra)


# A wire dateline opening a paragraph: "NEW DELHI — ", "ISLAMABAD (Reuters) - ".
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{1,40}(?:\([^)]{1,40}\))?\s*[—–-]{1,2}\s+(?=[A-Z\"“])")


def _clean(text: str) -> str:
    # Paragraph breaks are sentence breaks; single newlines inside paragraphs are spaces.
    paragraphs = [_DATELINE.sub("", " ".join(p.split())) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def _code_serial(docs: list[Document], actor_table: str | None, batch_size: int
                 ) -> Iterator[tuple[Document, list[Event]]]:
    matcher = actor_matcher(actor_table)
    texts = (_clean(d.text) for d in docs)
    for doc, parsed in zip(docs, parse(texts, batch_size=batch_size)):
        yield doc, code_doc(parsed, doc, DocumentActors(parsed, matcher, doc.pub_date), CODER)


def code_batch(docs: list[Document], actor_table: str | None = None, batch_size: int = 16) -> list[list[Event]]:
    """Parse and code `docs` in this process: one list of events per document, in order.

    The spaCy pipeline and the actor matcher are loaded once per process and cached, so a
    worker that runs many batches loads the model once.
    """
    return [events for _, events in _code_serial(list(docs), actor_table, batch_size)]


# -- local worker processes -----------------------------------------------------------------

_BLAS_SET = ("scipy_openblas_set_num_threads64_", "scipy_openblas_set_num_threads", "openblas_set_num_threads64_",
             "openblas_set_num_threads", "MKL_Set_Num_Threads")


def single_thread_blas() -> bool:
    """Run the BLAS behind numpy (OpenBLAS or MKL) on one thread in this process; True if done.

    One process per core is how detente goes parallel: with OpenBLAS's default of one thread
    per core, every process spins extra threads on spaCy's small matrices, which doubled the
    CPU time of a parse here for the same wall time (see benchmarks/throughput.md) and starves
    the other workers. The results are the same either way.
    """
    import ctypes

    import numpy  # noqa: F401 - make sure the library is loaded

    try:
        with open("/proc/self/maps", encoding="utf-8") as fh:
            paths = {line.split()[-1] for line in fh if "/" in line}
    except OSError:  # not Linux: leave the library alone
        return False
    libs = sorted(p for p in paths if ".so" in (base := p.rsplit("/", 1)[-1].lower()) and ("blas" in base or "mkl_rt" in base))
    done = False
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        for name in _BLAS_SET:
            fn = getattr(lib, name, None)
            if fn is not None:
                fn(1)
                done = True
                break
    return done


_worker_table: str | None = None
_worker_batch_size = 16


def _init_worker(actor_table: str | None, batch_size: int) -> None:
    """Pool initializer: load the model (a no-op when inherited through fork)."""
    global _worker_table, _worker_batch_size
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    single_thread_blas()
    _worker_table, _worker_batch_size = actor_table, batch_size
    actor_matcher(actor_table)


def _code_chunk(docs: list[Document]) -> list[list[Event]]:
    return code_batch(docs, _worker_table, _worker_batch_size)


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork shares the loaded model copy-on-write and starts in milliseconds; elsewhere spawn,
    # where each worker loads the model itself through load_pipeline (same thinc ops).
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def worker_count(n_docs: int, n_process: int) -> int:
    """How many processes to use for `n_docs` documents: 1 for small inputs."""
    return max(1, min(n_process, n_docs // MIN_DOCS_PER_PROCESS))


def iter_coded(
    docs: Iterable[Document],
    actor_table: str | None = None,
    batch_size: int = 16,
    n_process: int = 1,
) -> Iterator[tuple[Document, list[Event]]]:
    """(document, events) for each document, in input order, coded by `n_process` local processes.

    Each worker process parses and codes whole chunks of documents (not only the parse), so
    only documents and finished events cross process boundaries. The output is identical to
    one process.
    """
    docs = docs if isinstance(docs, list) else list(docs)
    procs = worker_count(len(docs), n_process)
    if procs <= 1:
        yield from _code_serial(docs, actor_table, batch_size)
        return
    # Small chunks keep every worker busy and results streaming; at most one spaCy batch each.
    size = max(1, min(batch_size, math.ceil(len(docs) / (4 * procs))))
    chunks = [docs[i:i + size] for i in range(0, len(docs), size)]
    ctx = _mp_context()
    if ctx.get_start_method() == "fork":
        actor_matcher(actor_table)  # load before forking: children share it
    with ctx.Pool(procs, initializer=_init_worker, initargs=(actor_table, batch_size)) as pool:
        for chunk, results in zip(chunks, pool.imap(_code_chunk, chunks)):
            yield from zip(chunk, results)


def code_documents(
    docs: Iterable[Document],
    actor_table: str | None = None,
    batch_size: int = 16,
    n_process: int = 1,
    on_document: Callable[[Document, list[Event]], None] | None = None,
) -> Iterator[Event]:
    """Code each document's events, in input order (`n_process` > 1: local worker processes)."""
    for doc, events in iter_coded(docs, actor_table, batch_size, n_process):
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
