"""Shared fixtures: the repository, the real corpus (skipped when absent), small sites on disk."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "codefor.de"


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "content" / "blog").is_dir():
        pytest.skip("the real corpus (../shared/corpus/codefor.de) is not present")
    return CORPUS


def write_site(root: Path, posts: dict[str, str | bytes], config: str = "", images: dict[str, bytes] | None = None) -> Path:
    """A small Hugo-style site: posts under content/blog, images under static/blog."""
    (root / "content" / "blog").mkdir(parents=True, exist_ok=True)
    (root / "static" / "blog").mkdir(parents=True, exist_ok=True)
    (root / "syndicate.toml").write_text(textwrap.dedent(config) or
                                         '[site]\nbase_url = "https://blog.example.org/"\ntitle = "Test"\n',
                                         encoding="utf-8")
    for name, text in posts.items():
        path = root / "content" / "blog" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(text, bytes):
            path.write_bytes(text)
        else:
            path.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    for name, data in (images or {}).items():
        path = root / "static" / "blog" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
    return root


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicate", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout)
