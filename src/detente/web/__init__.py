"""The web dashboard and JSON API: `detente serve --db FILE` (FastAPI, server-rendered HTML)."""

from __future__ import annotations

__all__ = ["create_app"]


def __getattr__(name: str):  # lazy: importing detente.web must not import FastAPI
    if name == "create_app":
        from detente.web.app import create_app

        return create_app
    raise AttributeError(name)
