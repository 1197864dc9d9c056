"""The command line: a thin shell over the library API (load_site, build, ping, serve)."""

from __future__ import annotations

import json
import logging
import os
import signal
import sys
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import TYPE_CHECKING, Any, Callable, Iterable, Iterator, NoReturn, Sequence

import click

from .build import BuildResult
from .build import build as build_site
from .config import Settings, load_settings
from .diagnostics import Diagnostic, Diagnostics, Level, SyndicateError, difference
from .progress import Progress, stage
from .safety import internal_error
from .site import Site, load_site

if TYPE_CHECKING:
    from .delivery import DeliveryReport

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2

site_option = click.option("--site", "site_dir", type=click.Path(file_okay=False, path_type=Path),
                           default=Path("."), show_default=True, help="Site root folder.")
out_option = click.option("--out", "out_dir", type=click.Path(file_okay=False, path_type=Path),
                          default=None, help="Output folder [default: <site>/public].")
state_option = click.option("--state-dir", "state_dir", type=click.Path(file_okay=False, path_type=Path),
                            default=None, help="Caches and ping state [default: <site>/.syndicate].")
no_cards_option = click.option("--no-cards", "cards", flag_value=False, default=None, help="Skip share cards.")
json_option = click.option("--json", "as_json", is_flag=True, help="One JSON report on stdout.")
strict_option = click.option("--strict", is_flag=True, default=None, help="Treat warnings as errors (exit 1).")
drafts_option = click.option("--drafts", is_flag=True, default=None, help="Include drafts.")
future_option = click.option("--future", is_flag=True, default=None, help="Include posts dated in the future.")
expired_option = click.option("--expired", is_flag=True, default=None, help="Include posts past their expiryDate.")
base_url_option = click.option("--base-url", "-b", "base_url", default=None,
                               help="The site's base URL (Hugo's -b); beats baseURL and HUGO_BASEURL.")


def listen_options(port: int) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """--host and --port of a service (serve, hook)."""
    def decorate(command: Callable[..., Any]) -> Callable[..., Any]:
        command = click.option("--port", type=click.IntRange(0, 65535), default=port, show_default=True,
                               help="TCP port.")(command)
        return click.option("--host", default="127.0.0.1", show_default=True,
                            help="Address to bind; 0.0.0.0 makes the server reachable from other machines.")(command)
    return decorate


class CommandLine(click.Group):
    """The command group, keeping the promise of `--json` (one JSON report on stdout) for usage
    errors too, and turning an unforeseen exception into a short internal error with exit 1."""

    def main(self, args: Sequence[str] | None = None, *rest: Any, **extra: Any) -> Any:
        args = list(sys.argv[1:] if args is None else args)
        self.as_json = "--json" in args[:args.index("--")] if "--" in args else "--json" in args
        if os.environ.get("SYNDICATE_DEBUG"):
            logging.basicConfig(level=logging.DEBUG)
        return super().main(args, *rest, **extra)

    def make_context(self, *args: Any, **extra: Any) -> click.Context:
        with self._usage_errors():
            return super().make_context(*args, **extra)

    def invoke(self, ctx: click.Context) -> Any:
        with self._usage_errors():
            try:
                return super().invoke(ctx)
            except (click.ClickException, click.exceptions.Exit, click.Abort):
                raise
            except SyndicateError as exc:
                report([exc.diagnostic], self.as_json)
                sys.exit(EXIT_USAGE)
            except Exception as exc:  # the last net: a bug, reported in one line, never a traceback
                report([internal_error(exc)], self.as_json)
                sys.exit(EXIT_FAILED)

    @contextmanager
    def _usage_errors(self) -> Iterator[None]:
        try:
            yield
        except click.ClickException as exc:
            if getattr(self, "as_json", False):
                raise JsonUsageError(exc) from exc
            raise


class JsonUsageError(click.ClickException):
    """A usage error shown as the JSON report `--json` asked for."""

    def __init__(self, error: click.ClickException):
        super().__init__(error.format_message())
        self.exit_code = error.exit_code
        context = getattr(error, "ctx", None)
        self.usage = context.get_usage() if context is not None else ""

    def show(self, file: Any = None) -> None:
        extra = {"usage": self.usage} if self.usage else {}
        report([Diagnostic("command line", None, Level.ERROR, self.format_message())], True, extra)


@click.group(cls=CommandLine, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="syndicate")
def main() -> None:
    """Feeds, share cards and aggregator pings for a Markdown blog."""


def settings_or_exit(site_dir: Path, overrides: dict[str, dict[str, Any]], diagnostics: Diagnostics,
                     as_json: bool = False) -> Settings:
    try:
        return load_settings(site_dir, overrides, diagnostics)
    except SyndicateError as exc:
        report([*diagnostics.items, exc.diagnostic], as_json)
        sys.exit(EXIT_USAGE)


def report(diagnostics: Iterable[Diagnostic], as_json: bool, extra: dict[str, Any] | None = None) -> None:
    diagnostics = list(diagnostics)
    if as_json:
        payload = {**(extra or {}), "diagnostics": [d.as_json() for d in diagnostics]}
        click.echo(json.dumps(payload, ensure_ascii=False, indent=2))
        return
    for diagnostic in diagnostics:
        click.echo(str(diagnostic), err=True)


def conclude(diagnostics: list[Diagnostic], as_json: bool, summary: dict[str, Any], strict: bool,
             line: str, printed: Iterable[Diagnostic] = (), soft: bool = False) -> NoReturn:
    """The report (JSON on stdout, or the diagnostics not yet `printed` and one summary line on
    stderr), then the exit: with `soft`, 0 for a run that did everything it could (deploy hooks)."""
    report(diagnostics if as_json else difference(diagnostics, printed), as_json, summary)
    if not as_json:
        click.echo(line, err=True)
    sys.exit(EXIT_OK if soft else exit_code(diagnostics, strict))


def exit_code(diagnostics: Iterable[Diagnostic], strict: bool) -> int:
    levels = {d.level for d in diagnostics}
    if Level.ERROR in levels or (strict and Level.WARNING in levels):
        return EXIT_FAILED
    return EXIT_OK


def _overrides(out_dir: Path | None, state_dir: Path | None = None, base_url: str | None = None,
               **build: Any) -> dict[str, dict[str, Any]]:
    values = {key: value for key, value in build.items() if value is not None}
    if out_dir is not None:
        values["out"] = str(out_dir.resolve())
    if state_dir is not None:
        values["state_dir"] = str(state_dir.resolve())
    overrides: dict[str, dict[str, Any]] = {"build": values} if values else {}
    if base_url is not None:
        overrides["site"] = {"base_url": base_url}
    return overrides


def built_or_exit(settings: Settings, found: list[Diagnostic],
                  as_json: bool) -> tuple[Site, BuildResult, list[Diagnostic]]:
    """Read the site and build it. Unless the output is JSON, the long stages show their progress
    and what reading found (with `found`, the settings' diagnostics) is printed before the build
    starts rather than after it; those printed are returned."""
    progress = None if as_json else Progress()
    with stage(progress, "reading posts"):
        site = load_site(settings=settings, use_cache=True)  # a SyndicateError (no posts folder): exit 2
    early = [*found, *site.diagnostics]
    if not as_json:
        report(early, as_json=False)
    # SIGTERM (a CI job cancelled, a container stopped) unwinds like an exception, so the build
    # removes its temporary files; 143 is how a shell reports death by SIGTERM.
    signal.signal(signal.SIGTERM, lambda number, frame: sys.exit(128 + signal.SIGTERM))
    try:
        return site, build_site(site, progress=progress), [] if as_json else early
    except SyndicateError as exc:  # e.g. another build holds the output folder
        report([*(early if as_json else ()), exc.diagnostic], as_json)
        sys.exit(EXIT_USAGE)
    except Exception as exc:  # outside per-post work: the output folder keeps the last build
        report([*(early if as_json else ()), internal_error(exc)], as_json)
        sys.exit(EXIT_FAILED)


@main.command()
@site_option
@out_option
@state_option
@strict_option
@click.option("--soft", is_flag=True, help="Exit 0 when the build ran, even if a post was left out (for deploy hooks).")
@click.option("--jobs", type=click.IntRange(min=0), default=None, help="Worker processes [default: cores].")
@no_cards_option
@drafts_option
@future_option
@expired_option
@base_url_option
@json_option
def build(site_dir: Path, out_dir: Path | None, state_dir: Path | None, strict: bool | None, soft: bool,
          jobs: int | None, cards: bool | None, drafts: bool | None, future: bool | None, expired: bool | None,
          base_url: str | None, as_json: bool) -> None:
    """Build feeds, cards, meta tags and manifest.json into the output folder."""
    diagnostics = Diagnostics()
    settings = settings_or_exit(site_dir, _overrides(out_dir, state_dir, base_url, strict=strict, jobs=jobs,
                                                     cards=cards, drafts=drafts, future=future, expired=expired),
                                diagnostics, as_json)
    # The settings' warnings come with the site's (Settings.warnings), as they reach manifest.json.
    site, result, printed = built_or_exit(settings, [], as_json)
    all_diagnostics = list(result.diagnostics)
    summary = {"out": str(result.out_dir), "posts": len(result.manifest["posts"]), "feeds": len(result.manifest["feeds"]),
               "changed": len(result.changed), "reading": site.summary.as_json()}
    conclude(all_diagnostics, as_json, summary, settings.build.strict,
             f"built {summary['posts']} posts, {summary['feeds']} feeds into {result.out_dir} "
             f"({summary['changed']} files changed)\n{site.summary.line()}", printed, soft)


@main.command()
@site_option
@strict_option
@drafts_option
@future_option
@expired_option
@base_url_option
@json_option
def check(site_dir: Path, strict: bool | None, drafts: bool | None, future: bool | None, expired: bool | None,
          base_url: str | None, as_json: bool) -> None:
    """Read and render every post and report problems; writes nothing."""
    diagnostics = Diagnostics()
    settings = settings_or_exit(site_dir, _overrides(None, None, base_url, strict=strict, drafts=drafts,
                                                     future=future, expired=expired), diagnostics, as_json)
    site = load_site(settings=settings, use_cache=False)
    all_diagnostics = list(site.diagnostics)  # the settings' warnings included
    conclude(all_diagnostics, as_json, {"posts": len(site.posts), "reading": site.summary.as_json()},
             settings.build.strict,
             f"checked {len(site.posts)} posts: {sum(d.level == Level.ERROR for d in all_diagnostics)} "
             f"errors, {sum(d.level == Level.WARNING for d in all_diagnostics)} warnings\n{site.summary.line()}")


def delivery_command(function: Callable[..., None]) -> Callable[..., None]:
    """`ping` and `announce` take the same options."""
    for option in reversed((site_option, out_option, state_option,
                            click.option("--dry-run", is_flag=True,
                                         help="Print exactly what would be sent (secrets masked); send nothing, "
                                              "change no state."),
                            click.option("--soft", is_flag=True,
                                         help="Exit 0 even when a delivery failed (for deploy hooks)."),
                            base_url_option, json_option)):
        function = option(function)
    return main.command()(function)


@delivery_command
def ping(site_dir: Path, out_dir: Path | None, state_dir: Path | None, dry_run: bool, soft: bool,
         base_url: str | None, as_json: bool) -> None:
    """Notify WebSub hubs, XML-RPC ping services and IndexNow of what changed since the last ping."""
    # Imported here: httpx and rich cost a build that never pings ~60 ms of start-up (bench_feeds).
    from .ping import ping as run

    deliver_and_exit(run, site_dir, out_dir, state_dir, dry_run, soft, base_url, as_json)


@delivery_command
def announce(site_dir: Path, out_dir: Path | None, state_dir: Path | None, dry_run: bool, soft: bool,
             base_url: str | None, as_json: bool) -> None:
    """Send Webmentions for new and changed posts and post new posts to Mastodon and Bluesky."""
    from .announce import announce as run

    deliver_and_exit(run, site_dir, out_dir, state_dir, dry_run, soft, base_url, as_json)


def deliver_and_exit(run: Callable[..., DeliveryReport], site_dir: Path, out_dir: Path | None, state_dir: Path | None,
                     dry_run: bool, soft: bool, base_url: str | None, as_json: bool) -> NoReturn:
    """`ping` and `announce`: the run, its report (JSON, or a table), and the exit code — 128 + the
    signal's number when SIGINT or SIGTERM ended it (after what was delivered was recorded)."""
    from rich.console import Console

    from .delivery.console import print_report

    diagnostics = Diagnostics()
    settings = settings_or_exit(site_dir, _overrides(out_dir, state_dir, base_url), diagnostics, as_json)
    try:
        result = run(settings, dry_run=dry_run)
    except SyndicateError as exc:
        report([*diagnostics.items, exc.diagnostic], as_json)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:  # before anything was sent: there is nothing to record
        sys.exit(128 + signal.SIGINT)
    report([*diagnostics.items, *result.diagnostics], as_json, result.as_json())
    if not as_json:
        print_report(result, Console())
    if result.interrupted is not None:
        sys.exit(128 + result.interrupted)
    sys.exit(EXIT_FAILED if result.failed and not soft else EXIT_OK)


@main.command()
@site_option
@out_option
@state_option
@listen_options(8000)
@click.option("--watch", is_flag=True, help="Rebuild when posts, images, settings or fonts change.")
@no_cards_option
@base_url_option
def serve(site_dir: Path, out_dir: Path | None, state_dir: Path | None, host: str, port: int, watch: bool,
          cards: bool | None, base_url: str | None) -> None:
    """Build, then serve the feeds, cards and the preview gallery (/_preview/) over HTTP."""
    from .server import serve as serve_output  # starlette and uvicorn load only for this command
    diagnostics = Diagnostics()
    overrides = _overrides(out_dir, state_dir, base_url, cards=cards)
    settings = settings_or_exit(site_dir, overrides, diagnostics)
    site, result, printed = built_or_exit(settings, [], as_json=False)  # the settings' warnings come with the site's
    report(difference(list(result.diagnostics), printed), as_json=False)
    click.echo(f"built {len(site.posts)} posts into {result.out_dir}; serving on http://{host}:{port}/, "
               f"preview gallery at http://{host}:{port}/_preview/ (Ctrl+C stops)", err=True)
    serve_output(settings, host, port, watch, overrides=overrides)


@main.command()
@site_option
@out_option
@state_option
@click.option("--dry-run", is_flag=True, help="List what would be uploaded, deleted and purged; change nothing.")
@click.option("--force", is_flag=True, help="Upload every object again (e.g. after a change of headers).")
@json_option
def deploy(site_dir: Path, out_dir: Path | None, state_dir: Path | None, dry_run: bool, force: bool,
           as_json: bool) -> None:
    """Upload the output folder to the [deploy] bucket, then purge the CDN."""
    from rich.console import Console  # boto3 loads only for this command

    from .deploy import deploy as deploy_output
    from .deploy.console import print_report, progress_bar

    diagnostics = Diagnostics()
    settings = settings_or_exit(site_dir, _overrides(out_dir, state_dir), diagnostics, as_json)
    try:
        with progress_bar(Console(stderr=True)) if not as_json else nullcontext() as progress:
            result = deploy_output(settings, dry_run=dry_run, force=force, progress=progress)
    except SyndicateError as exc:
        report([*diagnostics.items, exc.diagnostic], as_json)
        sys.exit(EXIT_USAGE)
    except KeyboardInterrupt:
        click.echo("deploy interrupted: the bucket serves a complete manifest, the previous or this one; run `syndicate deploy` "
                   "again to complete it", err=True)
        sys.exit(130)
    report([*diagnostics.items, *result.diagnostics], as_json, result.as_json())
    if not as_json:
        print_report(result, Console())
    sys.exit(EXIT_FAILED if result.failed else EXIT_OK)


@main.command()
@site_option
@out_option
@state_option
@strict_option
@click.option("--soft", is_flag=True, help="Exit 0 when every step ran, even if a post, ping or purge failed.")
@base_url_option
@json_option
def publish(site_dir: Path, out_dir: Path | None, state_dir: Path | None, strict: bool | None, soft: bool,
            base_url: str | None, as_json: bool) -> None:
    """The site's own build ([publish] command), build, deploy, ping, announce: one report, one exit code."""
    from rich.console import Console

    from .publish import Context, print_report
    from .publish import publish as publish_site

    context = Context(site_dir, _overrides(out_dir, state_dir, base_url, strict=strict))
    result = publish_site(context)
    diagnostics = [*result.diagnostics, *(d for step in result.steps for d in step.diagnostics)]
    report(diagnostics, as_json, result.as_json())
    if not as_json:
        print_report(result, Console())
    sys.exit(EXIT_FAILED if result.failed or (result.partial and not soft) else EXIT_OK)


@main.command()
@site_option
@out_option
@state_option
@listen_options(8001)
@base_url_option
def hook(site_dir: Path, out_dir: Path | None, state_dir: Path | None, host: str, port: int,
         base_url: str | None) -> None:
    """Serve the post-publish webhook: POST /_hooks/publish runs pull → site → build → deploy → ping → announce."""
    from .hook import serve as serve_hook  # starlette and uvicorn load only for this command

    diagnostics = Diagnostics()
    overrides = _overrides(out_dir, state_dir, base_url)
    settings = settings_or_exit(site_dir, overrides, diagnostics)
    report(diagnostics.items, as_json=False)
    serve_hook(settings, host, port, overrides)
