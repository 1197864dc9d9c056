"""Tables for people, printed so that no URL is ever cut: on a terminal a long cell folds onto
the next line at the terminal's width; anywhere else (a log, a pipe, a CI job) there is no width
to respect, so the table takes the width its longest cells need and every URL stays whole."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # rich loads only where a table is printed
    from rich.console import Console
    from rich.table import Table


def print_table(console: Console, table: Table) -> None:
    if console.is_terminal:
        console.print(table)
        return
    needed = console.measure(table, options=console.options.update_width(1_000_000)).maximum
    width = console.width
    console.width = max(width, needed)
    try:
        console.print(table)
    finally:
        console.width = width
