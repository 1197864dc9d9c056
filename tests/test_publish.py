"""syndicate publish (build → deploy → ping, one report, one exit code), the GitHub Action that
runs it (parsed, and its commands run locally), and the GitLab CI example in the README."""

from __future__ import annotations

import json
import os
import re
import shutil
import site as python_site
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest
import yaml
from conftest import REPO, write_site
from s3server import free_port
from test_deploy import BASE, POSTS, local_files, make_site, remote

from syndicate import SyndicateError, load_settings
from syndicate.publish import STEPS, Context, publish

HUGO = shutil.which("hugo")


def test_the_chain_is_site_build_deploy_ping_announce():
    assert [step.name for step in STEPS] == ["site", "build", "deploy", "ping", "announce"]


def cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "syndicate", "publish", *args], cwd=REPO, capture_output=True,
                          text=True, timeout=300, env={**os.environ, **(env or {})})


def test_publish_builds_deploys_and_pings_with_one_exit_code(tmp_path, s3_server, s3_bucket):
    refused = f"http://127.0.0.1:{free_port()}/hub"  # nobody listens: the ping fails, retried next time
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    with open(site / "syndicate.toml", "a") as config:
        config.write(f'\n[ping]\nwebsub = ["{refused}"]\ntimeout = 0.5\ndeadline = 1\n')
    done = cli("--site", str(site), "--json", env=s3_server.environment)
    report = json.loads(done.stdout)
    assert done.returncode == 1, done.stderr
    assert [(s["step"], s["status"]) for s in report["steps"]] == [("site", "skipped"), ("build", "ok"),
                                                                    ("deploy", "ok"), ("ping", "partial"),
                                                                    ("announce", "skipped")]
    assert {rel: o["body"] for rel, o in remote(s3_server, s3_bucket).items()} == local_files(site / "public")
    soft = cli("--site", str(site), "--soft", env=s3_server.environment)
    assert soft.returncode == 0, soft.stderr
    assert "deploy" in soft.stdout and "uploaded 0 object(s)" in soft.stdout


def test_a_failing_build_stops_publish_before_anything_is_uploaded(tmp_path, s3_server, s3_bucket):
    site = make_site(tmp_path / "site", s3_bucket, s3_server, extra="jobs = 0\n")  # a settings error
    report = publish(Context(site))
    assert [(s.name, s.status) for s in report.steps] == [("site", "skipped"), ("build", "failed"),
                                                          ("deploy", "skipped"), ("ping", "skipped"),
                                                          ("announce", "skipped")]
    assert "[deploy] jobs must be at least 1" in report.summary
    assert remote(s3_server, s3_bucket) == {}


def test_without_a_bucket_publish_is_build_alone(tmp_path):
    site = write_site(tmp_path / "site", {"2024-01-01-a.md": "---\ntitle: A\n---\nText.\n"})
    report = publish(Context(site, {"build": {"cards": False}}))
    assert [(s.name, s.status) for s in report.steps] == [("site", "skipped"), ("build", "ok"), ("deploy", "skipped"),
                                                          ("ping", "skipped"), ("announce", "skipped")]
    assert not report.failed and not report.partial


@pytest.mark.skipif(HUGO is None, reason="Debian's hugo is not installed (apt-get install hugo)")
def test_the_sites_own_build_runs_first_so_the_bucket_holds_the_pages_too(tmp_path, s3_server, s3_bucket):
    """A deploy uploads the output folder and deletes what it lacks: without Hugo's pages in it, a
    publish would remove them from the bucket. [publish] command builds them there first, with
    syndicate's output folder and base URL."""
    site = make_site(tmp_path / "site", s3_bucket, s3_server, extra='\n[publish]\ncommand = "hugo --quiet"\n')
    (site / "hugo.toml").write_text('baseURL = "https://elsewhere.example/"\ntitle = "Test"\n')
    (site / "layouts" / "_default").mkdir(parents=True)
    (site / "layouts" / "_default" / "single.html").write_text("<h1>{{ .Title }}</h1> {{ .Permalink }}")
    (site / "layouts" / "_default" / "list.html").write_text("{{ .Permalink }}")
    report = publish(Context(site))
    assert [(s.name, s.status) for s in report.steps][:3] == [("site", "ok"), ("build", "ok"), ("deploy", "ok")]
    url = f"{BASE}blog/2024-01-11-post-1/"
    page = (site / "public" / "blog" / "2024-01-11-post-1" / "index.html").read_text()
    assert page == f"<h1>Post 1</h1> {url}"                   # syndicate's base URL, not the Hugo config's
    manifest = json.loads((site / "public" / "manifest.json").read_text())  # syndicate's build, same folder
    assert url in [post["url"] for post in manifest["posts"]]
    bucket = remote(s3_server, s3_bucket)
    assert {"index.html", "blog/2024-01-11-post-1/index.html", "feeds/atom.xml", "manifest.json"} <= set(bucket)
    assert {rel: o["body"] for rel, o in bucket.items()} == local_files(site / "public")


@pytest.mark.parametrize("command, summary", [
    ("""sh -c 'echo theme not found >&2; exit 3'""", "exited with 3: theme not found"),
    ("no-such-site-builder --minify", "no-such-site-builder: command not found; install it or change [publish] command"),
])
def test_a_failing_site_command_stops_the_chain_before_anything_is_built(tmp_path, s3_server, s3_bucket,
                                                                         command, summary):
    site = make_site(tmp_path / "site", s3_bucket, s3_server, extra=f'\n[publish]\ncommand = "{command}"\n')
    report = publish(Context(site))
    assert [(s.name, s.status) for s in report.steps] == [("site", "failed"), ("build", "skipped"),
                                                          ("deploy", "skipped"), ("ping", "skipped"),
                                                          ("announce", "skipped")]
    assert summary in report.summary and not (site / "public").exists()
    assert remote(s3_server, s3_bucket) == {}


@pytest.mark.parametrize("setting, message", [
    ("""command = "hugo --title 'unclosed" """, "[publish] command cannot be split into words"),
    ("timeout = 0", "[publish] timeout must be a positive number of seconds"),
])
def test_publish_settings_are_checked_at_load_with_file_and_line(tmp_path, setting, message):
    site = write_site(tmp_path / "site", POSTS, f'[site]\nbase_url = "{BASE}"\n\n[publish]\n{setting}\n')
    with pytest.raises(SyndicateError) as error:
        load_settings(site)
    assert (error.value.diagnostic.file, error.value.diagnostic.line) == ("syndicate.toml", 5)
    assert message in error.value.diagnostic.message


# ---------------------------------------------------------------- the GitHub Action

def expand(text: str, values: dict[str, str]) -> str:
    """GitHub's `${{ … }}` for the expressions the action uses: inputs.x, runner.os, github.run_id."""
    return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], text)


def condition_holds(condition: str, inputs: dict[str, str]) -> bool:
    """The one form of `if:` the action uses: inputs.NAME == 'VALUE'."""
    if not condition:
        return True
    match = re.fullmatch(r"inputs\.([\w-]+) == '([^']*)'", condition.strip())
    assert match, f"an if: this test cannot evaluate: {condition}"
    return inputs[match.group(1)] == match.group(2)


def test_the_action_is_a_composite_that_caches_state_and_runs_publish():
    action = yaml.safe_load((REPO / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    steps = action["runs"]["steps"]
    uses = [step.get("uses", "").split("@")[0] for step in steps]
    assert uses == ["actions/setup-python", "", "actions/cache", "", ""]
    cache = steps[2]["with"]
    assert cache["path"].endswith("/.syndicate") and "restore-keys" in cache
    assert "syndicate publish" in steps[-1]["run"] and "fonts-noto-color-emoji" in steps[3]["run"]
    for step in steps:
        assert "${{" not in step.get("run", ""), "inputs go through env:, never into the script"
    assert set(action["inputs"]) == {"site", "python-version", "install", "fonts", "args"}


def test_the_actions_commands_publish_a_site_from_a_fresh_environment(tmp_path, s3_server, s3_bucket):
    """The `run:` steps in order, as the runner would (bash, env: from the inputs, `if:` evaluated),
    in a new virtual environment that sees this one's dependencies (no download) and installs
    the repository from the action's path; the `uses:` steps are GitHub's own."""
    action = yaml.safe_load((REPO / "action.yml").read_text())
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)  # pip comes from here
    purelib = Path(sysconfig.get_path("purelib", vars={"base": str(venv), "platbase": str(venv)}))
    (purelib / "parent-environment.pth").write_text("\n".join(python_site.getsitepackages()) + "\n")
    site = make_site(tmp_path / "site", s3_bucket, s3_server)
    inputs = {name: str(spec.get("default", "")) for name, spec in action["inputs"].items()}
    # The fonts step would install Debian packages where the fonts are missing: a test never
    # changes the machine, so there it is switched off (its commands are only a check then).
    fonts_present = "NotoColorEmoji" in subprocess.run(["fc-list"], capture_output=True, text=True).stdout \
        if shutil.which("fc-list") else False
    inputs.update(site=str(site), args="--json", fonts="true" if fonts_present else "false")
    values = {**{f"inputs.{k}": v for k, v in inputs.items()}, "runner.os": "Linux", "github.run_id": "1"}
    action_path = checkout_copy(tmp_path / "action")  # pip builds in the source folder: never in the repo
    env = {**os.environ, **s3_server.environment, "GITHUB_ACTION_PATH": str(action_path),
           "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "PIP_NO_INDEX": "1",
           "PIP_NO_BUILD_ISOLATION": "0",  # pip reads "0" as --no-build-isolation
           "PIP_CACHE_DIR": str(tmp_path / "pip-cache")}
    ran = []
    for step in action["runs"]["steps"]:
        if "run" not in step:
            continue
        if not condition_holds(step.get("if", ""), inputs):
            continue
        step_env = {**env, **{k: expand(str(v), values) for k, v in step.get("env", {}).items()}}
        done = subprocess.run([step["shell"], "-e", "-c", step["run"]], env=step_env, cwd=tmp_path,
                              capture_output=True, text=True, timeout=600)
        assert done.returncode == 0, (step.get("name"), done.stdout[-2000:], done.stderr[-2000:])
        ran.append((step.get("name"), done.stdout))
    assert [name for name, _ in ran] == ["Install syndicate", *(["Install fonts"] if fonts_present else []),
                                         "syndicate publish"]
    assert (venv / "bin" / "syndicate").exists()
    report = json.loads(ran[-1][1])
    assert [(s["step"], s["status"]) for s in report["steps"]] == [("site", "skipped"), ("build", "ok"),
                                                                    ("deploy", "ok"), ("ping", "skipped"),
                                                                    ("announce", "skipped")]
    assert {rel: o["body"] for rel, o in remote(s3_server, s3_bucket).items()} == local_files(site / "public")


def checkout_copy(target: Path) -> Path:
    """The repository's files as a checkout has them (tracked, or new and not ignored)."""
    listed = subprocess.run(["git", "-C", str(REPO), "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                            capture_output=True, check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = REPO / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


# ---------------------------------------------------------------- the README's CI examples

def readme_yaml_blocks() -> list[dict]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    return [yaml.safe_load(block) for block in re.findall(r"```yaml\n(.*?)```", text, re.DOTALL)]


def test_the_readme_workflow_uses_the_action_with_secrets_from_the_environment():
    workflow = next(b for b in readme_yaml_blocks() if isinstance(b, dict) and "jobs" in b and "publish" in b["jobs"])
    steps = workflow["jobs"]["publish"]["steps"]
    action = next(step for step in steps if step.get("uses", "").endswith("/syndicate@<ref>"))
    assert set(action["with"]) <= set(yaml.safe_load((REPO / "action.yml").read_text())["inputs"])
    assert all(value.startswith("${{ secrets.") for value in action["env"].values())
    assert any("install -y -q hugo" in step.get("run", "") for step in steps[:steps.index(action)])


def test_the_readme_gitlab_job_caches_state_and_runs_publish():
    job = next(b["publish"] for b in readme_yaml_blocks() if isinstance(b, dict) and "image" in b.get("publish", {}))
    assert job["cache"]["paths"] == [".syndicate/"]
    assert any("fonts-noto-color-emoji" in line and " hugo " in line for line in job["before_script"])
    assert job["script"] == ["syndicate publish --site . --soft"]
    assert job["rules"][0]["if"] == "$CI_COMMIT_BRANCH == $CI_DEFAULT_BRANCH"
