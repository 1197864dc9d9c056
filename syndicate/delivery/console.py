"""The human form of a run: in a dry run every request in full, then a table and a summary line."""

from __future__ import annotations

from rich.console import Console
from rich.markup import escape
from rich.table import Table

from ..tables import print_table
from .notification import Notification, Request
from .report import DeliveryReport


def print_report(report: DeliveryReport, console: Console) -> None:
    if report.dry_run:
        for notification in report.notifications:
            console.print(request_text(notification), markup=False, highlight=False, soft_wrap=True)
    if report.notifications:
        print_table(console, _table(report))
    console.print(escape(report.summary), highlight=False, soft_wrap=not console.is_terminal)


def request_text(notification: Notification) -> str:
    """Every request exactly as it would be sent (secrets masked where they are built)."""
    def one(request: Request) -> str:
        lines = [f"# {request.note}:"] if request.note else []
        lines.append(f"{request.method} {request.url}")
        if request.content_type:
            lines.append(f"Content-Type: {request.content_type}")
        lines += [f"{name}: {value}" for name, value in request.headers]
        return "\n".join(lines) + "\n\n" + (f"{request.text.rstrip()}\n" if request.body else "")
    return "\n".join(one(request) for request in notification.requests) or f"# nothing is sent: {notification.sent}\n"


def _table(report: DeliveryReport) -> Table:
    table = Table(title=f"syndicate {report.command}" + (" (dry run: nothing sent)" if report.dry_run else ""))
    for column in ("endpoint", "sent", "result", "time"):
        table.add_column(column, overflow="fold", justify="right" if column == "time" else "left")
    if report.dry_run:
        for notification in report.notifications:
            table.add_row(_endpoint(notification), escape(notification.sent), "would send", "")
        return table
    for outcome in report.outcomes:
        result = f"[green]ok[/] {escape(outcome.message)}" if outcome.ok else f"[red]failed[/] {escape(outcome.message)}"
        if outcome.attempts > 1:
            result += f" [dim]({outcome.attempts} attempts)[/]"
        table.add_row(_endpoint(outcome.notification), escape(outcome.notification.sent), result,
                      f"{outcome.seconds:.2f} s")
    return table


def _endpoint(notification: Notification) -> str:
    return escape(f"{notification.endpoint.kind} {notification.endpoint.url}")
