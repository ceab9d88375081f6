"""The documented Python examples run as written: every ```python block of docs/api.md and of the
README's "Python API" section, in order, in one namespace, from a copy of the repository's samples."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def python_blocks(text: str) -> list[str]:
    return re.findall(r"^```python\n(.*?)^```", text, flags=re.S | re.M)


def readme_api_section() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    match = re.search(r"^## Python API\n(.*?)(?=^## )", readme, flags=re.S | re.M)
    assert match, "README.md has no '## Python API' section"
    return match.group(1)


@pytest.mark.parametrize("source", ["README.md", "docs/api.md"])
def test_documented_examples_run(source: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    text = readme_api_section() if source == "README.md" else (ROOT / source).read_text(encoding="utf-8")
    blocks = python_blocks(text)
    assert blocks, f"{source}: no python examples"
    (tmp_path / "samples").symlink_to(ROOT / "samples")
    monkeypatch.chdir(tmp_path)  # the examples write their stores and files here
    namespace: dict = {"__name__": "__docs__"}
    for n, block in enumerate(blocks, start=1):
        try:
            exec(compile(block, f"{source} example {n}", "exec"), namespace)  # noqa: S102 - our own docs
        except Exception as exc:  # noqa: BLE001 - name the failing example
            pytest.fail(f"{source} example {n} failed: {type(exc).__name__}: {exc}\n{block}")


def test_docs_name_every_frame_function() -> None:
    from detente.analysis import frames

    documented = (ROOT / "docs" / "api.md").read_text(encoding="utf-8")
    public = [n for n in dir(frames) if n.endswith("_frame") or n == "to_arrow"]
    missing = [n for n in public if n not in documented]
    assert not missing, f"docs/api.md does not show {missing}"
