"""``consenso --version``."""

from __future__ import annotations

from importlib.metadata import version
from pathlib import Path

from consenso import __version__
from tests.cli.conftest import RunCli, assert_ok


def test_version_prints_the_installed_version(run_cli_without_db: RunCli) -> None:
    result = run_cli_without_db(["--version"])

    assert_ok(result)
    assert result.stdout == f"consenso {version('consenso')}\n"
    assert __version__ == version("consenso") != "0.0.0+source"


def test_version_needs_no_database(run_cli_without_db: RunCli, tmp_path: Path) -> None:
    result = run_cli_without_db(["--version"], CONSENSO_DATABASE_URL="postgresql://nobody@127.0.0.1:1/none")

    assert_ok(result)
    assert result.stdout.startswith("consenso ")
    assert not (tmp_path / "data").exists()
