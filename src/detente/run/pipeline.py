"""Raw documents in, coded events out: the one function every front end calls.

Every engine runs the same unit of work, `code_batch` (parse and code a list of documents in
one process): in this process, in a pool of local worker processes (`n_process`), or on Dask
workers (detente.run.cluster). Results come back in input order and do not depend on the
engine, the number of workers or how documents are split into batches.

One document cannot stop the others: each document's result is its events or a Failure (the
coder raised, it ran over its time budget, or the worker process died while coding it), and
the documents around it are coded as usual.
"""

from __future__ import annotations

import concurrent.futures as cf
import itertools
import math
import multiprocessing
import re
import signal
import sys
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from functools import cache

from spacy.tokens import Doc

from detente import __version__
from detente.actors.recognize import ActorMatcher, DocumentActors
from detente.actors.tables import ActorEntry, load_custom
from detente.errors import FATAL
from detente.events.code import CodeSteps, code_docs, code_steps
from detente.models import Document, Event, Failure
from detente.nlp import BATCH_CHARS, load_pipeline, parse, split_text
from detente.run.budget import TimeBudgetExceeded, time_budget

CODER = f"detente {__version__}"
# Fewer documents than this per worker process are coded in this process.
MIN_DOCS_PER_PROCESS = 2
# Seconds one document may take (parse and code) before it is recorded as failed.
TIME_LIMIT = 120.0

Outcome = list[Event] | Failure


@cache
def actor_matcher(custom_table: str | None = None) -> ActorMatcher:
    nlp = load_pipeline()
    extra: tuple[ActorEntry, ...] = load_custom(custom_table) if custom_table else ()
    return ActorMatcher(nlp.vocab, nlp.make_doc, extra)


def load_coder(custom_table: str | None = None) -> ActorMatcher:
    """Load, once per process, everything coding reads: the spaCy pipeline, the actor matcher, the
    gazetteer, dateparser, the event classifier with its encoder and the confidence model. A worker calls it
    at start (or inherits it through fork), so no document pays for a lazy load."""
    from detente.events import dates
    from detente.events.classifier import load_classifier
    from detente.events.confidence import load_confidence
    from detente.events.encoder import load_encoder
    from detente.geo import gazetteer

    matcher = actor_matcher(custom_table)
    gazetteer.warm()
    dates.warm()
    if load_classifier() is not None:
        load_encoder()
    load_confidence()
    return matcher


# A wire dateline opening a paragraph: "NEW DELHI — ", "ISLAMABAD (Reuters) - ", "CHENGDU, China
# (Wire) - ", "KABUL, March 3 (Wire) - ". Left in, its place would join the subject of the first sentence.
_DATELINE = re.compile(r"^[A-Z][A-Z .,'’-]{1,40}(?:,\s*[A-Z][A-Za-z.'’-]+(?: [A-Z][A-Za-z.'’-]+){0,3})?"
                       r"(?:,\s*[A-Z][a-z]{2,8}\.? \d{1,2})?\s*(?:\([^)]{1,40}\))?\s*[—–-]{1,2}\s+(?=[A-Z\"“])")


def _clean(text: str) -> str:
    # Paragraph breaks are sentence breaks; single newlines inside paragraphs are spaces.
    paragraphs = [_DATELINE.sub("", " ".join(p.split())) for p in text.split("\n\n")]
    return "\n\n".join(p for p in paragraphs if p)


def one_line(exc: BaseException) -> str:
    """An exception as one short line for the failures table."""
    text = " ".join(str(exc).split())
    if len(text) > 300:
        text = text[:297] + "..."
    return f"{type(exc).__name__}: {text}" if text else type(exc).__name__


def failure(doc: Document, stage: str, error: str) -> Failure:
    return Failure(doc_id=doc.doc_id, path=doc.path, stage=stage, error=error,
                   content_hash=doc.content_hash or Document.hash_text(doc.text))


def _renumber(events: list[Event], offset: int) -> list[Event]:
    """Events of a later part of a document, with sentence indexes (and ids) of the whole."""
    if not offset:
        return events
    out = []
    for ev in events:
        index = ev.sentence_index + offset
        out.append(ev.model_copy(update={
            "sentence_index": index,
            "id": Event.make_id(ev.doc_id, index, ev.event_type, ev.actor, ev.recipient, ev.trigger)}))
    return out


class _Progress:
    """Where a stream of documents is: the document being coded, if the parse is done."""

    coding: Document | None = None


def _code_stream(docs: list[Document], matcher: ActorMatcher, batch_size: int,
                 progress: _Progress | None = None) -> Iterator[tuple[Document, Outcome]]:
    """Parse (nlp.pipe) and code `docs` in order; the coder raising fails only its document.

    A text longer than nlp.PART_CHARS is parsed and coded in parts, each with its own actor
    memory, and its events numbered by sentence across the whole text. Parts are coded in groups
    (twice the parse batch: 32 parts by default, of one document or several, and at most
    BATCH_CHARS characters) so that the classifier embeds the sentences of a group in one batch
    (events.code.code_docs); a document is yielded once all its parts are coded.
    """
    progress = progress or _Progress()
    plans = [split_text(_clean(d.text)) for d in docs]
    parsed = parse((p for parts in plans for p in parts), batch_size=batch_size)
    units = [(k, j) for k, parts in enumerate(plans) for j in range(len(parts))]
    events: list[list[Event]] = [[] for _ in docs]
    errors: list[Exception | None] = [None] * len(docs)
    offsets = [0] * len(docs)
    done = 0
    for group in _groups(units, plans, 2 * max(1, batch_size)):
        pieces = [next(parsed) for _ in group]
        # Coding a group of one document's parts: a time budget running out blames that document.
        progress.coding = docs[group[0][0]] if group[0][0] == group[-1][0] else None
        live = [i for i, (k, _) in enumerate(group) if errors[k] is None]
        outcomes = dict(zip(live, code_docs([_part_steps(pieces[i], docs[group[i][0]], matcher) for i in live])))
        progress.coding = None
        for i, ((k, _), piece) in enumerate(zip(group, pieces)):
            outcome = outcomes.get(i)
            if isinstance(outcome, Exception):
                errors[k] = outcome
            elif outcome is not None and errors[k] is None:
                events[k] += _renumber(outcome, offsets[k])
            offsets[k] += sum(1 for _ in piece.sents)
        last, j = group[-1]
        complete = last + 1 if j == len(plans[last]) - 1 else last
        while done < complete:
            error = errors[done]
            yield docs[done], failure(docs[done], "code", one_line(error)) if error is not None else events[done]
            events[done] = []
            done += 1


def _groups(units: list[tuple[int, int]], plans: list[list[str]], size: int) -> Iterator[list[tuple[int, int]]]:
    """Consecutive (document, part) units, `size` at most and no more than BATCH_CHARS characters.

    Thirty-two short documents ask the classifier for about twenty sentences, which it embeds in
    batches of about ten; a small --batch-size keeps documents coming out one or two at a time.
    """
    group: list[tuple[int, int]] = []
    chars = 0
    for k, j in units:
        length = len(plans[k][j])
        if group and (len(group) >= size or chars + length > BATCH_CHARS):
            yield group
            group, chars = [], 0
        group.append((k, j))
        chars += length
    if group:
        yield group


def _part_steps(piece: Doc, doc: Document, matcher: ActorMatcher) -> CodeSteps:
    # A generator from the start, so that even finding the actors fails only this document.
    return (yield from code_steps(piece, doc, DocumentActors(piece, matcher, doc.pub_date), CODER))


def _code_serial(docs: list[Document], actor_table: str | None, batch_size: int,
                 time_limit: float | None = TIME_LIMIT) -> Iterator[tuple[Document, Outcome]]:
    """Code `docs` in this process, each within `time_limit` seconds (None: no limit).

    Documents go through spaCy in batches. A document over its budget while being coded is a
    Failure. When the batch's parse goes wrong (it raises, or runs over the budget) the culprit
    is not known, so the rest of that batch is coded one document at a time, each with its own
    budget; then batching resumes.
    """
    matcher = actor_matcher(actor_table)
    start = 0
    while start < len(docs):
        progress = _Progress()
        stream = _code_stream(docs[start:], matcher, batch_size, progress)
        broken = False
        while True:
            culprit = None
            try:
                with time_budget(time_limit):
                    item = next(stream, None)
            except TimeBudgetExceeded:
                broken = True
                if progress.coding is docs[start]:  # its parse was done: this document is the culprit
                    culprit = docs[start]
            except FATAL:
                raise
            except Exception:  # noqa: BLE001 - the parse raised: the batch is retried one by one below
                broken = True
            if broken:
                if culprit is not None:
                    start += 1
                    yield culprit, failure(culprit, "timeout", _over(time_limit))
                break
            if item is None:
                break
            start += 1
            yield item
        stream.close()
        if not broken:
            return
        for doc in docs[start:start + max(1, batch_size)]:
            yield doc, _code_alone(doc, matcher, time_limit)
            start += 1


def _over(time_limit: float | None) -> str:
    return f"over the time limit of {time_limit:g} s"


def _code_alone(doc: Document, matcher: ActorMatcher, time_limit: float | None) -> Outcome:
    stream = _code_stream([doc], matcher, 1)
    try:
        with time_budget(time_limit):
            item = next(stream)
    except TimeBudgetExceeded:
        return failure(doc, "timeout", _over(time_limit))
    except FATAL:
        raise
    except Exception as exc:  # noqa: BLE001 - recorded as this document's failure
        return failure(doc, "code", one_line(exc))
    finally:
        stream.close()
    return item[1]


def code_batch(docs: list[Document], actor_table: str | None = None, batch_size: int = 16,
               time_limit: float | None = TIME_LIMIT) -> list[Outcome]:
    """Parse and code `docs` in this process: each document's events (or its Failure), in order.

    The spaCy pipeline and the actor matcher are loaded once per process and cached, so a
    worker that runs many batches loads the model once.
    """
    return [outcome for _, outcome in _code_serial(list(docs), actor_table, batch_size, time_limit)]


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


def die_with_parent() -> None:
    """Linux: have the kernel kill this process when its parent dies (a killed ingest leaves no
    orphaned workers writing tracebacks to a closed pipe)."""
    if not sys.platform.startswith("linux"):
        return
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass


_worker_table: str | None = None
_worker_batch_size = 16
_worker_time_limit: float | None = TIME_LIMIT


def _init_worker(actor_table: str | None, batch_size: int, time_limit: float | None) -> None:
    """Pool initializer: load the model (a no-op when inherited through fork)."""
    global _worker_table, _worker_batch_size, _worker_time_limit
    die_with_parent()
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl-C is the parent's to handle
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)
    single_thread_blas()
    _worker_table, _worker_batch_size, _worker_time_limit = actor_table, batch_size, time_limit
    load_coder(actor_table)


def _code_chunk(docs: list[Document]) -> list[Outcome]:
    return code_batch(docs, _worker_table, _worker_batch_size, _worker_time_limit)


def _mp_context() -> multiprocessing.context.BaseContext:
    # fork shares the loaded model copy-on-write and starts in milliseconds; elsewhere spawn,
    # where each worker loads the model itself through load_pipeline (same thinc ops).
    return multiprocessing.get_context("fork" if sys.platform.startswith("linux") else "spawn")


def worker_count(n_docs: int, n_process: int) -> int:
    """How many processes to use for `n_docs` documents: 1 for small inputs."""
    return max(1, min(n_process, n_docs // MIN_DOCS_PER_PROCESS))


def _chunks(head: list[Document], rest: Iterator[Document], size: int) -> Iterator[list[Document]]:
    for i in range(0, len(head), size):
        yield head[i:i + size]
    while chunk := list(itertools.islice(rest, size)):
        yield chunk


class _Pool:
    """A process pool that survives a worker's death: the chunk in flight is coded again one
    document at a time, and the document that kills a worker on its own is a Failure."""

    def __init__(self, procs: int, actor_table: str | None, batch_size: int, time_limit: float | None) -> None:
        self.procs, self.args = procs, (actor_table, batch_size, time_limit)
        ctx = _mp_context()
        if ctx.get_start_method() == "fork":
            load_coder(actor_table)  # load before forking: children share it
        self.ctx = ctx
        self.executor = self._new()

    def _new(self) -> cf.ProcessPoolExecutor:
        return cf.ProcessPoolExecutor(self.procs, mp_context=self.ctx, initializer=_init_worker, initargs=self.args)

    def submit(self, chunk: list[Document]) -> cf.Future:
        try:
            return self.executor.submit(_code_chunk, chunk)
        except cf.process.BrokenProcessPool:
            self.restart()
            return self.executor.submit(_code_chunk, chunk)

    def restart(self) -> None:
        self.executor.shutdown(wait=False, cancel_futures=True)
        self.executor = self._new()

    def isolate(self, chunk: list[Document]) -> list[Outcome]:
        """Code `chunk` one document per task, one task at a time, after a worker died."""
        out: list[Outcome] = []
        for doc in chunk:
            try:
                out += self.submit([doc]).result()
            except cf.process.BrokenProcessPool:
                self.restart()
                out.append(failure(doc, "crash", "the worker process died while coding it"))
            except FATAL:
                raise
            except Exception as exc:  # noqa: BLE001 - e.g. a result that cannot be sent back
                out.append(failure(doc, "code", one_line(exc)))
        return out

    def close(self, finished: bool) -> None:
        if not finished:  # stopped early (Ctrl-C, an error downstream): don't wait for the workers
            for proc in list(getattr(self.executor, "_processes", {}).values()):
                proc.terminate()
        self.executor.shutdown(wait=finished, cancel_futures=True)


def iter_coded(
    docs: Iterable[Document],
    actor_table: str | None = None,
    batch_size: int = 16,
    n_process: int = 1,
    time_limit: float | None = TIME_LIMIT,
) -> Iterator[tuple[Document, Outcome]]:
    """(document, events or Failure) for each document, in input order, coded by `n_process`
    local processes.

    `docs` may be a stream: it is read as the workers need more. Each worker process parses and
    codes whole chunks of documents (not only the parse), so only documents and finished events
    cross process boundaries. The output is identical to one process.
    """
    it = iter(docs)
    # Enough documents to size the chunks; a short input is coded in this process.
    head = list(itertools.islice(it, 4 * max(1, n_process) * max(1, batch_size)))
    procs = worker_count(len(head), n_process)
    if procs <= 1:
        for chunk in _chunks(head, it, 256):
            yield from _code_serial(chunk, actor_table, batch_size, time_limit)
        return
    # Small chunks keep every worker busy and results streaming; at most one spaCy batch each.
    size = max(1, min(batch_size, math.ceil(len(head) / (4 * procs))))
    pool = _Pool(procs, actor_table, batch_size, time_limit)
    in_flight: deque[tuple[list[Document], cf.Future]] = deque()
    chunks = _chunks(head, it, size)
    finished = False
    try:
        for chunk in itertools.islice(chunks, 4 * procs):
            in_flight.append((chunk, pool.submit(chunk)))
        while in_flight:
            chunk, future = in_flight.popleft()
            try:
                outcomes = future.result()
            except FATAL:
                raise
            except Exception:  # noqa: BLE001 - a worker died (BrokenProcessPool) or the task failed
                # Every chunk in flight may be lost with the pool: this one is coded again one
                # document at a time (finding the culprit), the others as they were.
                lost = [c for c, _ in in_flight]
                in_flight.clear()
                pool.restart()
                outcomes = pool.isolate(chunk)
                for c in lost:
                    in_flight.append((c, pool.submit(c)))
            yield from zip(chunk, outcomes)
            nxt = next(chunks, None)
            if nxt is not None:
                in_flight.append((nxt, pool.submit(nxt)))
        finished = True
    finally:
        pool.close(finished)


def code_documents(
    docs: Iterable[Document],
    actor_table: str | None = None,
    batch_size: int = 16,
    n_process: int = 1,
    on_document: Callable[[Document, list[Event]], None] | None = None,
    on_failure: Callable[[Failure], None] | None = None,
    time_limit: float | None = TIME_LIMIT,
) -> Iterator[Event]:
    """Code each document's events, in input order (`n_process` > 1: local worker processes).

    A document that fails goes to `on_failure` (without one, its error is raised: the API
    caller asked for these documents' events).
    """
    from detente.errors import DetenteError

    for doc, outcome in iter_coded(docs, actor_table, batch_size, n_process, time_limit):
        if isinstance(outcome, Failure):
            if on_failure is None:
                raise DetenteError(f"{doc.doc_id}: {outcome.error}")
            on_failure(outcome)
            continue
        if on_document is not None:
            on_document(doc, outcome)
        yield from outcome


def code_text(text: str, pub_date: str | None = None, doc_id: str | None = None) -> list[Event]:
    """Code one text: `detente.code_text("Russia lifted its arms embargo on Pakistan.")`."""
    from detente.ingest import parse_date

    body = text.strip()
    doc = Document(doc_id=doc_id or Document.hash_text(body)[:16], text=body, pub_date=parse_date(pub_date),
                   content_hash=Document.hash_text(body))
    return list(code_documents([doc]))
