"""Language check: only English documents are coded."""

from __future__ import annotations

from functools import cache

from py3langid.langid import MODEL_FILE, LanguageIdentifier


@cache
def _identifier() -> LanguageIdentifier:
    return LanguageIdentifier.from_model_file(MODEL_FILE, norm_probs=True)


def detect_language(text: str) -> tuple[str, float]:
    lang, prob = _identifier().classify(text[:3000])
    return lang, float(prob)


def is_english(text: str) -> bool:
    # Very short texts are too unreliable to reject.
    if len(text) < 60:
        return True
    lang, prob = detect_language(text)
    return lang == "en" or prob < 0.6
