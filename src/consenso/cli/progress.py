"""The progress bar of the commands that count items: description, bar, ``done/total``, time elapsed."""

from __future__ import annotations

from rich.progress import BarColumn, ProgressColumn, TextColumn, TimeElapsedColumn


def count_columns() -> tuple[ProgressColumn, ...]:
    # descriptions carry user data (file names): never read as Rich markup
    return (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        TextColumn("{task.completed}/{task.total}"),
        TimeElapsedColumn(),
    )
