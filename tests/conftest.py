"""Shared fixtures: the repository, the real corpus (skipped when absent), small sites on disk."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tempfile
import textwrap
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import pytest
from hypothesis import settings as hypothesis_settings
from hypothesis.configuration import set_hypothesis_home_dir

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO.parent / "shared" / "corpus" / "codefor.de"
SHARED_CORPUS = REPO.parent / "shared" / "corpus"
# The real Hugo sites of ../shared/corpus: name (its folder there, with hugo-list.csv) → site root.
CORPUS_SITES = {"codefor.de": "codefor.de", "nats.io": "nats.io", "tidyverse.org": "tidyverse.org",
                "ropensci.org": "ropensci.org", "linkerd.io": "linkerd.io/linkerd.io"}

# Tests never write into the repository or the home folder: the user cache (the post cache's
# seal key, read-only sites' state) and chromium's settings go to a temporary folder for the
# whole session, inherited by every subprocess; so does hypothesis's folder, with no example
# database (the pytest cache is off in pyproject.toml).
_SESSION_HOME = Path(tempfile.mkdtemp(prefix="syndicate-tests-"))
os.environ["XDG_CACHE_HOME"] = str(_SESSION_HOME / "cache")
os.environ["XDG_CONFIG_HOME"] = str(_SESSION_HOME / "config")  # chromium's crash-report settings
set_hypothesis_home_dir(str(_SESSION_HOME / "hypothesis"))
# boto3 reads no user's AWS files and asks no instance-metadata address (off 127.0.0.1).
for _name in ("AWS_PROFILE", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_ENDPOINT_URL"):
    os.environ.pop(_name, None)
os.environ["AWS_CONFIG_FILE"] = str(_SESSION_HOME / "aws-config")
os.environ["AWS_SHARED_CREDENTIALS_FILE"] = str(_SESSION_HOME / "aws-credentials")
os.environ["AWS_EC2_METADATA_DISABLED"] = "true"
hypothesis_settings.register_profile("isolated", database=None)
hypothesis_settings.load_profile("isolated")


def pytest_unconfigure(config) -> None:
    if _S3_STARTING:
        _S3_STARTING[0].join()
    if _S3_SERVERS and not isinstance(_S3_SERVERS[0], Exception):
        _S3_SERVERS[0].stop()
    shutil.rmtree(_SESSION_HOME, ignore_errors=True)


_S3_SERVERS: list = []
_S3_STARTING: list = []


def pytest_collection_finish(session) -> None:
    """The S3 server takes seconds to start (Swift loads four services): begin while the tests
    before the first one that needs it run."""
    if any("s3_server" in getattr(item, "fixturenames", ()) for item in session.items):
        import threading

        from s3server import start_s3

        def start() -> None:
            try:
                _S3_SERVERS.append(start_s3(_SESSION_HOME / "s3"))
            except Exception as exc:  # noqa: BLE001 - reported by the fixture, in the test that needs it
                _S3_SERVERS.append(exc)

        _S3_STARTING.append(threading.Thread(target=start, daemon=True))
        _S3_STARTING[0].start()


@pytest.fixture(scope="session")
def s3_server():
    """One S3-compatible server on 127.0.0.1 for the session (tests/s3server.py says which)."""
    from s3server import start_s3

    if _S3_STARTING:
        _S3_STARTING[0].join()
    if not _S3_SERVERS:
        _S3_SERVERS.append(start_s3(_SESSION_HOME / "s3"))
    if isinstance(_S3_SERVERS[0], Exception):
        raise _S3_SERVERS[0]
    return _S3_SERVERS[0]


@pytest.fixture
def s3_bucket(s3_server, monkeypatch, request) -> str:
    """A fresh bucket of the session's server, with its credentials in the environment."""
    for name, value in s3_server.environment.items():
        monkeypatch.setenv(name, value)
    name = "t-" + "".join(c for c in request.node.name.lower() if c.isalnum())[:40] + f"-{len(_BUCKETS)}"
    _BUCKETS.append(name)
    s3_server.client().create_bucket(Bucket=name)
    return name


_BUCKETS: list[str] = []


@pytest.fixture(scope="session")
def artifacts() -> Path:
    """Where tests leave screenshots to look at: $SYNDICATE_ARTIFACTS, else a temporary folder."""
    folder = Path(os.environ.get("SYNDICATE_ARTIFACTS") or _SESSION_HOME / "artifacts")
    folder.mkdir(parents=True, exist_ok=True)
    return folder


@pytest.fixture
def corpus() -> Path:
    if not (CORPUS / "content" / "blog").is_dir():
        pytest.skip("the real corpus (../shared/corpus/codefor.de) is not present")
    return CORPUS


@dataclass
class CorpusBuild:
    """One corpus site read zero-config (no settings but a base URL where its own is `/`) and built
    once per test session, without cards (and but for codefor.de without term feeds)."""
    name: str
    root: Path
    site: Any
    result: Any
    out: Path

    @property
    def hugo_list(self) -> str:
        return (SHARED_CORPUS / self.name / "hugo-list.csv").read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def corpus_build(tmp_path_factory) -> Callable[[str], CorpusBuild]:
    """corpus_build("ropensci.org") → that site, loaded and built once for the whole session."""
    from syndicate import build, load_site
    from syndicate.config import load_settings

    built: dict[str, CorpusBuild] = {}

    def get(name: str) -> CorpusBuild:
        root = SHARED_CORPUS / CORPUS_SITES[name]
        if not (SHARED_CORPUS / name / "hugo-list.csv").is_file():
            pytest.skip(f"the real corpus (../shared/corpus/{name}) is not present")
        if name not in built:
            state = tmp_path_factory.mktemp(f"state-{name}")
            overrides: dict[str, dict[str, Any]] = {"build": {"cards": False, "state_dir": str(state)}}
            if name != "codefor.de":  # thousands of term feeds (223 MB for ropensci.org) only cost time here
                overrides["feeds"] = {"taxonomies": []}
            settings = load_settings(root, overrides, environ=corpus_environment(root))
            site = load_site(settings=settings)
            out = tmp_path_factory.mktemp(f"out-{name}")
            built[name] = CorpusBuild(name, root, site, build(site, out), out)
        return built[name]

    return get


def corpus_environment(root: Path) -> dict[str, str]:
    """The environment a host gives Hugo: HUGO_BASEURL where the site's own baseURL is `/` or empty
    (as shared/tools/hugo-list assumes, https://example.org/)."""
    from syndicate.hugoconfig import read_hugo_config

    config = read_hugo_config(root, {})
    own = config.get("baseurl") if config else None
    if own in (None, "", "/"):
        return {**os.environ, "HUGO_BASEURL": "https://example.org/"}
    return dict(os.environ)


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


def serve_in_thread(server):
    """A real server on 127.0.0.1, answering from daemon threads until `server.shutdown()`."""
    server.daemon_threads = True
    threading.Thread(target=server.serve_forever, args=(0.05,), daemon=True).start()
    return server


def server_url(server) -> str:
    return f"http://127.0.0.1:{server.server_address[1]}/"


def run_cli(*args: str, cwd: Path | None = None, timeout: float = 300,
            env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicate", *args], cwd=cwd or REPO,
                          capture_output=True, text=True, timeout=timeout, env=env)
