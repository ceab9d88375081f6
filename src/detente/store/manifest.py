"""The manifest of a Parquet store: which files hold the store, and what is left to re-cluster.

`ROOT/_manifest.json` lists the live Parquet files of each table (paths relative to ROOT), the
de-duplication blocks still pending, and files retired by a rewrite (deleted once no reader
can still be using them). A commit writes new files under new names, then replaces the
manifest in one step (write a temporary file, rename it over the old one; on an object store
a single PUT), so readers see a batch whole or not at all, and a writer killed at any moment
leaves only files the manifest does not name: the next writer deletes them.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import dataclass, field
from typing import Any

from detente.errors import DetenteError

MANIFEST = "_manifest.json"
FORMAT = "detente-parquet"
TABLES = ("events", "documents", "failures", "watch_state", "alerts")


@dataclass
class Manifest:
    files: dict[str, list[str]] = field(default_factory=lambda: {t: [] for t in TABLES})
    pending: dict[str, list[str] | None] = field(default_factory=dict)  # block -> [since, until] or None
    retired: dict[str, float] = field(default_factory=dict)  # path -> when it left the manifest
    generation: int = 0

    @classmethod
    def load(cls, fs: Any, base: str) -> Manifest | None:
        """The store's manifest, or None for a store written before manifests (or a new one)."""
        path = f"{base}/{MANIFEST}"
        try:
            with fs.open(path, "r", encoding="utf-8") as fh:
                data = json.load(fh)
        except FileNotFoundError:
            return None
        except (OSError, ValueError) as exc:
            raise DetenteError(f"{base}: unreadable store manifest {MANIFEST} ({exc})") from None
        if data.get("format") != FORMAT:
            raise DetenteError(f"{base}: {MANIFEST} is not a detente store manifest")
        files = {t: list(data.get("files", {}).get(t, [])) for t in TABLES}
        return cls(files=files, pending=dict(data.get("pending", {})), retired=dict(data.get("retired", {})),
                   generation=int(data.get("generation", 0)))

    def commit(self, fs: Any, base: str) -> None:
        """Make this manifest the store's, in one step."""
        self.generation += 1
        data = {"format": FORMAT, "version": 1, "generation": self.generation,
                "files": {t: sorted(self.files[t]) for t in TABLES}, "pending": self.pending,
                "retired": self.retired}
        tmp = f"{base}/.{MANIFEST}.{os.getpid()}.tmp"
        with fs.open(tmp, "w", encoding="utf-8") as fh:
            json.dump(data, fh, sort_keys=True)
        fs.mv(tmp, f"{base}/{MANIFEST}")

    def retire(self, table: str, paths: list[str]) -> None:
        gone = set(paths)
        self.files[table] = [p for p in self.files[table] if p not in gone]
        now = time.time()
        for p in paths:
            self.retired[p] = now

    def live(self) -> set[str]:
        return {p for t in TABLES for p in self.files[t]}
