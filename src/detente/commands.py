"""Commands of later stages (evaluation, relations, web) registered on the CLI app."""

from __future__ import annotations

import typer


def register(app: typer.Typer) -> None:
    """Add the commands of optional stages; each module adds its own."""
    for module in ("detente.evaluate.cli", "detente.analysis.cli", "detente.web.cli"):
        try:
            mod = __import__(module, fromlist=["register"])
        except ModuleNotFoundError as exc:
            if exc.name and exc.name.startswith("detente"):
                continue
            raise
        mod.register(app)
