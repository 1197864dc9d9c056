"""`syndicate publish`: the post-publish chain as an ordered list of steps — site (the site's own
build command, e.g. Hugo) → build → deploy → ping → announce — run through the library API with
one report and one exit code. `syndicate hook` runs the same chain after a `git pull`. A further
stage is one more `Step` in `STEPS`.

A step ends `ok`, `partial` (it did its work but something in it failed that the next run retries
or that the report names: a post left out for an error, a ping not delivered, a purge that
failed), `failed` (nothing usable came of it: the chain stops there, so nothing is published half)
or `skipped` (not configured, or after a failure)."""

from __future__ import annotations

import os
import shlex
import subprocess
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Literal, Mapping

from .config import Settings, load_settings
from .diagnostics import Diagnostic, Diagnostics, Level, SyndicateError

if TYPE_CHECKING:
    from .delivery import DeliveryReport

Status = Literal["ok", "partial", "failed", "skipped"]
GIT_TIMEOUT = 120  # seconds for `git pull`: a hung remote must not hold the chain


@dataclass(frozen=True)
class StepResult:
    name: str
    status: Status
    summary: str
    seconds: float = 0.0
    diagnostics: tuple[Diagnostic, ...] = ()
    report: dict[str, Any] | None = None   # the step's own JSON report (build, deploy, ping)

    def as_json(self) -> dict[str, Any]:
        return {"step": self.name, "status": self.status, "summary": self.summary, "seconds": round(self.seconds, 3),
                "diagnostics": [d.as_json() for d in self.diagnostics], "report": self.report}


@dataclass
class Context:
    """What the steps share: the site, its settings (read again after a pull), the output folder."""
    site_dir: Path
    overrides: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    strict: bool = False
    diagnostics: Diagnostics = field(default_factory=Diagnostics)
    _settings: Settings | None = None

    @property
    def settings(self) -> Settings:
        if self._settings is None:
            self._settings = load_settings(self.site_dir, self.overrides, self.diagnostics)
        return self._settings

    def reload(self) -> None:
        self._settings = None


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[Context], StepResult]


def site_step(context: Context) -> StepResult:
    """The site's own build (`[publish] command`, e.g. "hugo --minify") into syndicate's output
    folder with syndicate's base URL (Hugo reads HUGO_PUBLISHDIR and HUGO_BASEURL), so that the
    folder deploy uploads holds the pages as well as the feeds and cards."""
    try:
        settings = context.settings
    except SyndicateError:
        return StepResult("site", "skipped", "the settings cannot be read; the build step says why")
    if not settings.publish.command:
        return StepResult("site", "skipped", "no [publish] command configured")
    environment = {"HUGO_PUBLISHDIR": str(settings.out_dir), "HUGO_BASEURL": settings.site.base_url}
    return _command_step("site", shlex.split(settings.publish.command), context.site_dir,
                         settings.publish.timeout, environment,
                         "install it or change [publish] command")


def build_step(context: Context) -> StepResult:
    from .build import build
    from .site import load_site

    settings = context.settings
    site = load_site(settings=settings, use_cache=True)
    result = build(site)
    errors = [d for d in result.diagnostics if d.level is Level.ERROR]
    warnings = [d for d in result.diagnostics if d.level is Level.WARNING]
    status: Status = "partial" if errors else "ok"
    if (errors or warnings) and (settings.build.strict or context.strict):
        status = "failed"
    summary = (f"{len(site.posts)} posts, {len(result.manifest['feeds'])} feeds, {len(result.changed)} files changed"
               + (f"; {len(errors)} error(s)" if errors else "") + (f", {len(warnings)} warning(s)" if warnings else ""))
    report = {"out": str(result.out_dir), "posts": len(site.posts), "changed": len(result.changed)}
    return StepResult("build", status, summary, diagnostics=result.diagnostics, report=report)


def deploy_step(context: Context) -> StepResult:
    settings = context.settings
    if not settings.deploy.url:
        return StepResult("deploy", "skipped", "no [deploy] url configured")
    from .deploy import deploy

    result = deploy(settings)
    status: Status = "failed" if result.failures else "partial" if result.failed else "ok"
    return StepResult("deploy", status, result.summary, diagnostics=result.diagnostics, report=result.as_json())


def ping_step(context: Context) -> StepResult:
    from .ping import ping

    return _notification_step("ping", ping(context.settings))


def announce_step(context: Context) -> StepResult:
    from .announce import announce

    return _notification_step("announce", announce(context.settings))


def _notification_step(name: str, result: DeliveryReport) -> StepResult:
    """Ping and announce report alike: nothing configured is skipped, a failed delivery (sent
    again by the next run) is partial."""
    if not result.endpoints:
        return StepResult(name, "skipped", result.summary)
    return StepResult(name, "partial" if result.failed else "ok", result.summary, diagnostics=result.diagnostics,
                      report=result.as_json())


def pull_step(context: Context) -> StepResult:
    """`git pull --ff-only` in the site folder: a diverged checkout is a failure, never a merge."""
    result = _command_step("pull", ["git", "pull", "--ff-only"], context.site_dir, GIT_TIMEOUT,
                           {"GIT_TERMINAL_PROMPT": "0"}, "install git")
    context.reload()  # the pull may have changed the settings files
    return result


def _command_step(name: str, argv: list[str], cwd: Path, timeout: float, environment: Mapping[str, str],
                  fix: str) -> StepResult:
    """Run a command without a shell or a terminal: exit 0 is ok, anything else fails the chain; the
    summary is the end of what it printed (the error is there)."""
    try:
        done = subprocess.run(argv, cwd=cwd, capture_output=True, text=True, errors="replace", timeout=timeout,
                              stdin=subprocess.DEVNULL, env={**os.environ, **environment})
    except FileNotFoundError:
        return StepResult(name, "failed", f"{argv[0]}: command not found; {fix}")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return StepResult(name, "failed", f"{shlex.join(argv)} did not finish: {exc}")
    output = " ".join((done.stdout + done.stderr).split())
    if done.returncode != 0:
        return StepResult(name, "failed", f"{shlex.join(argv)} exited with {done.returncode}: {output[-500:]}")
    return StepResult(name, "ok", output[-500:] or f"{shlex.join(argv)}: done")


STEPS: tuple[Step, ...] = (Step("site", site_step), Step("build", build_step), Step("deploy", deploy_step),
                           Step("ping", ping_step), Step("announce", announce_step))
PULL = Step("pull", pull_step)


@dataclass(frozen=True)
class PublishReport:
    steps: tuple[StepResult, ...]
    seconds: float
    diagnostics: tuple[Diagnostic, ...] = ()   # of reading the settings

    @property
    def failed(self) -> bool:
        return any(step.status == "failed" for step in self.steps)

    @property
    def partial(self) -> bool:
        return any(step.status == "partial" for step in self.steps)

    @property
    def summary(self) -> str:
        failed = next((step for step in self.steps if step.status == "failed"), None)
        if failed is not None:
            return f"{failed.name} failed: {failed.summary}; the steps after it did not run"
        done = ", ".join(f"{step.name} {step.status}" for step in self.steps)
        return f"published in {self.seconds:.2f} s ({done})"

    def as_json(self) -> dict[str, Any]:
        return {"ok": not self.failed and not self.partial, "summary": self.summary,
                "steps": [step.as_json() for step in self.steps], "seconds": round(self.seconds, 3),
                "diagnostics": [d.as_json() for d in self.diagnostics]}


def publish(context: Context, steps: tuple[Step, ...] = STEPS,
            on_step: Callable[[StepResult], None] | None = None) -> PublishReport:
    """Run `steps` in order; the first that fails stops the chain (the rest are reported skipped)."""
    started = time.monotonic()
    results: list[StepResult] = []
    failed: StepResult | None = None
    for step in steps:
        if failed is not None:
            results.append(StepResult(step.name, "skipped", f"{failed.name} failed"))
        else:
            results.append(_run(step, context))
            failed = results[-1] if results[-1].status == "failed" else None
        if on_step is not None:
            on_step(results[-1])
    return PublishReport(tuple(results), time.monotonic() - started, context.diagnostics.sorted())


def _run(step: Step, context: Context) -> StepResult:
    started = time.monotonic()
    try:
        result = step.run(context)
    except SyndicateError as exc:
        result = StepResult(step.name, "failed", str(exc.diagnostic), diagnostics=(exc.diagnostic,))
    except Exception as exc:  # noqa: BLE001 - a run of the hook service must report, not die
        result = StepResult(step.name, "failed", f"unexpected {type(exc).__name__}: {exc}")
    return StepResult(result.name, result.status, result.summary, time.monotonic() - started, result.diagnostics,
                      result.report)


def print_report(report: PublishReport, console: Any) -> None:
    """One table, one row per step, and the summary line (rich is loaded by the caller's console)."""
    from rich.markup import escape
    from rich.table import Table

    from .tables import print_table

    colours = {"ok": "green", "partial": "yellow", "failed": "red", "skipped": "dim"}
    table = Table(title="syndicate publish")
    for column in ("step", "result", "summary", "time"):
        table.add_column(column, overflow="fold", justify="right" if column == "time" else "left")
    for step in report.steps:
        table.add_row(step.name, f"[{colours[step.status]}]{step.status}[/]", escape(step.summary),
                      f"{step.seconds:.2f} s")
    print_table(console, table)
    console.print(escape(report.summary), highlight=False, soft_wrap=not console.is_terminal)
