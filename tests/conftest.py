"""Shared fixtures: the spaCy pipeline (loaded once per session), coding helpers, the CLI runner.

Nothing here mocks a stage: every helper calls the real code.
"""

from __future__ import annotations

import datetime as dt
import os
import subprocess
import sys
from collections.abc import Callable, Iterable
from pathlib import Path

import pytest

FIXTURES = Path(__file__).resolve().parent / "fixtures"


def _detente_command() -> list[str]:
    """The installed console script when there is one (what users run), else `python -m detente.cli`."""
    script = Path(sys.executable).parent / "detente"
    if script.exists():
        return [str(script)]
    return [sys.executable, "-m", "detente.cli"]


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def nlp():
    """The pinned spaCy pipeline; detente.nlp.load_pipeline caches it for the process."""
    from detente.nlp import load_pipeline

    return load_pipeline()


@pytest.fixture(scope="session")
def code(nlp) -> Callable[..., list]:
    """code(text, pub_date=None, doc_id=None) -> list[Event], through detente.run.pipeline.code_text."""
    from detente.run.pipeline import code_text

    def run(text: str, pub_date: str | None = None, doc_id: str | None = None) -> list:
        return code_text(text, pub_date=pub_date, doc_id=doc_id)

    return run


@pytest.fixture(scope="session")
def code_docs(nlp) -> Callable[..., list]:
    """code_docs(docs, actor_table=None) -> list[Event], through detente.run.pipeline.code_documents."""
    from detente.run.pipeline import code_documents

    def run(docs: Iterable, actor_table: str | None = None) -> list:
        return list(code_documents(list(docs), actor_table=actor_table))

    return run


@pytest.fixture(scope="session")
def make_doc() -> Callable[..., object]:
    """make_doc(text, doc_id=None, pub_date=None) -> Document, the way the readers build one."""
    from detente.models import Document

    def run(text: str, doc_id: str | None = None, pub_date: str | dt.date | None = None, **meta) -> Document:
        body = text.strip()
        digest = Document.hash_text(body)
        if isinstance(pub_date, str):
            pub_date = dt.date.fromisoformat(pub_date)
        return Document(doc_id=doc_id or digest[:16], text=body, pub_date=pub_date, content_hash=digest, **meta)

    return run


@pytest.fixture(scope="session")
def cli() -> Callable[..., subprocess.CompletedProcess]:
    """cli(*args, input=None, cwd=None) -> CompletedProcess of the real `detente` command.

    A subprocess, not typer's CliRunner: the error handling lives in detente.cli.main, which
    CliRunner bypasses.
    """
    base = _detente_command()
    env = {k: v for k, v in os.environ.items() if k not in ("DETENTE_DEBUG", "FORCE_COLOR")}
    env["NO_COLOR"] = "1"
    env["COLUMNS"] = "200"

    def run(*args: str, input: str | None = None, cwd: str | Path | None = None,
            timeout: float = 180) -> subprocess.CompletedProcess:
        return subprocess.run([*base, *map(str, args)], input=input, capture_output=True, text=True,
                              cwd=cwd, env=env, timeout=timeout)

    return run


def summary(events: Iterable) -> list[tuple[str, list[str], list[str]]]:
    """(event_type, actor codes, recipient codes) per event: readable assertion messages."""
    return [(e.event_type, [a.code for a in e.actor], [r.code for r in e.recipient]) for e in events]


@pytest.fixture(scope="session")
def describe() -> Callable[[Iterable], list]:
    return summary
