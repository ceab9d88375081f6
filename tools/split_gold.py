"""Split the project's gold records into dev and test, deterministically by id.

Usage: python tools/split_gold.py data/gold/part*.jsonl
Writes data/gold/dev.jsonl and data/gold/test.jsonl. Tune only on dev; report test.
"""

from __future__ import annotations

import hashlib
import json
import sys
from pathlib import Path


def split(paths: list[str]) -> None:
    dev, test = [], []
    for path in paths:
        for line in Path(path).read_text(encoding="utf-8").splitlines():
            if not line.strip():
                continue
            rec = json.loads(line)
            bucket = hashlib.sha1(rec["id"].encode()).digest()[0] % 2
            (dev if bucket == 0 else test).append(line)
    out = Path("data/gold")
    (out / "dev.jsonl").write_text("\n".join(dev) + "\n", encoding="utf-8")
    (out / "test.jsonl").write_text("\n".join(test) + "\n", encoding="utf-8")
    print(f"dev {len(dev)}, test {len(test)}")


if __name__ == "__main__":
    split(sys.argv[1:])
