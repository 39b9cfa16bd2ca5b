"""Fixtures for the command line: run ``consenso`` in-process against the parametrised database.

``run_cli(args)`` invokes the Typer app with ``CONSENSO_DATABASE_URL`` set to the ``db`` fixture's URL (so
every command test runs on SQLite and PostgreSQL), ``CONSENSO_DATA_DIR`` in a temporary directory,
English messages, no colour and a wide console (Rich would otherwise wrap long messages at 80 columns).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import Result
from typer.testing import CliRunner

from consenso.cli.main import app
from consenso.store.database import Database

RunCli = Callable[..., Result]


def base_env(database_url: str, data_dir: Path) -> dict[str, str | None]:
    return {
        "CONSENSO_DATABASE_URL": database_url,
        "CONSENSO_DATA_DIR": str(data_dir),
        "CONSENSO_LANG": "en",
        "CONSENSO_ENVIRONMENT": None,
        "CONSENSO_SECRET_KEY": None,
        "LANG": "C.UTF-8",
        "COLUMNS": "1000",
        "NO_COLOR": "1",
        "FORCE_COLOR": None,
    }


@pytest.fixture
def cli_env(db: Database, tmp_path: Path) -> dict[str, str | None]:
    return base_env(db.url, tmp_path / "data")


def _runner(defaults: dict[str, str | None]) -> RunCli:
    def run(args: list[str], *, input: str | None = None, **env: str | None) -> Result:
        return CliRunner().invoke(app, args, input=input, env={**defaults, **env}, catch_exceptions=True)

    return run


@pytest.fixture
def run_cli(cli_env: dict[str, str | None]) -> RunCli:
    """``run_cli(["user", "add", ...], input="...", CONSENSO_LANG="es")``: a click ``Result``."""
    return _runner(cli_env)


@pytest.fixture
def run_cli_without_db(tmp_path: Path) -> RunCli:
    """Like ``run_cli`` for tests that need no database or make their own: not run once per backend."""
    return _runner(base_env("", tmp_path / "data") | {"CONSENSO_DATABASE_URL": None})


def assert_ok(result: Result) -> None:
    assert result.exception is None, (result.exception, result.stdout, result.stderr)
    assert result.exit_code == 0, (result.stdout, result.stderr)


def assert_failed(result: Result, message: str, *, after_progress: bool = False) -> None:
    """The command stopped on purpose (exit 1, not a crash), printing ``message`` on stderr and nothing on
    stdout. ``message`` is the whole of stderr, or its last line when a progress bar was drawn first."""
    assert isinstance(result.exception, SystemExit), (result.exception, result.stdout, result.stderr)
    assert result.exit_code == 1, (result.stdout, result.stderr)
    if after_progress:
        assert last_line(result.stderr) == message, result.stderr
    else:
        assert result.stderr.strip() == message
    assert result.stdout == ""


def last_line(text: str) -> str:
    """The last non-blank line, as the bench script (``consenso_setup.py``) reads it."""
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return lines[-1] if lines else ""
