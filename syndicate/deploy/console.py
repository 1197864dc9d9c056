"""The human form of a deploy: a progress bar on a terminal, then a table and a summary line."""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

from rich.console import Console
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

from ..tables import print_table
from .report import DeployReport
from .run import Progress as ProgressCallback

LISTED = 20   # objects named in the table; the JSON report names them all


@contextmanager
def progress_bar(console: Console) -> Iterator[ProgressCallback | None]:
    """A bar while objects go up, on a terminal only (a CI log gets the table alone)."""
    if not console.is_terminal:
        yield None
        return
    with Progress(TextColumn("uploading"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                  TextColumn("{task.description}"), console=console, transient=True) as bar:
        task = bar.add_task("", total=None)

        def advance(done: int, total: int, rel: str) -> None:
            bar.update(task, completed=done, total=total, description=escape(rel))

        yield advance


def print_report(report: DeployReport, console: Console) -> None:
    table = Table(title=f"syndicate deploy → {report.target}" + (" (dry run: nothing changed)" if report.dry_run else ""))
    for column in ("", "object", "result"):
        table.add_column(column, overflow="fold")
    shown = [t for t in report.transfers if not t.ok] + [t for t in report.transfers if t.ok]
    for transfer in shown[:LISTED]:
        result = "[green]ok[/]" if transfer.ok else f"[red]failed[/] {escape(transfer.message)}"
        if report.dry_run:
            result = "would " + transfer.action
        size = f" ({transfer.size / 1000:.1f} kB)" if transfer.size else ""
        table.add_row(transfer.action, escape(transfer.rel) + size, result)
    if len(shown) > LISTED:
        table.add_row("", f"… and {len(shown) - LISTED} more (--json lists them all)", "")
    for purge in report.purges:
        result = f"[green]ok[/] {escape(purge.message)}" if purge.ok else f"[red]failed[/] {escape(purge.message)}"
        table.add_row("purge", escape(f"{purge.name}: {purge.urls} URL(s)"), result)
    if report.dry_run and report.purge_urls:
        table.add_row("purge", f"{len(report.purge_urls)} URL(s)", "would purge")
    if table.row_count:
        print_table(console, table)
    console.print(escape(report.summary), highlight=False, soft_wrap=not console.is_terminal)
