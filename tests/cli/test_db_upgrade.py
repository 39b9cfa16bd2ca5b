"""``consenso db upgrade``: brings the schema to the newest revision; running it again changes nothing."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import create_engine, inspect, text
from sqlalchemy.engine import make_url

from consenso.store.database import Database
from consenso.store.migrate import head_revision
from consenso.store.models import Base
from tests.cli.conftest import RunCli, assert_ok


def _schema(url: str) -> tuple[set[str], list[str]]:
    engine = create_engine(url)
    try:
        with engine.connect() as conn:
            tables = set(inspect(conn).get_table_names())
            versions = list(conn.execute(text("SELECT version_num FROM alembic_version")).scalars())
    finally:
        engine.dispose()
    return tables, versions


def test_db_upgrade_creates_the_schema_in_a_fresh_sqlite_file_and_is_idempotent(
    run_cli_without_db: RunCli, tmp_path: Path
) -> None:
    path = tmp_path / "new" / "dir" / "fresh.db"
    url = f"sqlite:///{path}"
    expected_out = f"Database is at revision {head_revision()} ({url}).\n"

    first = run_cli_without_db(["db", "upgrade"], CONSENSO_DATABASE_URL=url)

    assert_ok(first)
    assert path.is_file()
    assert first.stdout == expected_out
    assert first.stderr == "Upgrading the database schema…\n"
    tables, versions = _schema(url)
    assert tables == {t.name for t in Base.metadata.sorted_tables} | {"alembic_version"}
    assert versions == [head_revision()]

    second = run_cli_without_db(["db", "upgrade"], CONSENSO_DATABASE_URL=url)

    assert_ok(second)
    assert second.stdout == expected_out
    assert _schema(url) == (tables, versions)


def test_db_upgrade_uses_the_data_dir_by_default(run_cli_without_db: RunCli, tmp_path: Path) -> None:
    data_dir = tmp_path / "instance"

    result = run_cli_without_db(
        ["db", "upgrade"], CONSENSO_DATABASE_URL=None, CONSENSO_DATA_DIR=str(data_dir)
    )

    assert_ok(result)
    url = f"sqlite:///{data_dir / 'consenso.db'}"
    assert result.stdout == f"Database is at revision {head_revision()} ({url}).\n"
    assert _schema(url)[1] == [head_revision()]


def test_db_upgrade_flag_wins_over_the_environment(run_cli_without_db: RunCli, tmp_path: Path) -> None:
    env_path = tmp_path / "from-env.db"
    flag_path = tmp_path / "from-flag.db"

    result = run_cli_without_db(
        ["db", "upgrade", "--database-url", f"sqlite:///{flag_path}"],
        CONSENSO_DATABASE_URL=f"sqlite:///{env_path}",
    )

    assert_ok(result)
    assert flag_path.is_file()
    assert not env_path.exists()


def test_db_upgrade_on_a_current_database_of_either_backend(run_cli: RunCli, db: Database) -> None:
    result = run_cli(["db", "upgrade"])

    assert_ok(result)
    assert result.stdout == f"Database is at revision {head_revision()} ({db.url}).\n"
    assert result.stderr == "Upgrading the database schema…\n"


def test_db_upgrade_hides_the_password_of_the_url(run_cli_without_db: RunCli, pg_database: str) -> None:
    # only a PostgreSQL URL carries a password; the test server trusts 127.0.0.1, so any password connects
    url = make_url(pg_database).set(password="hunter2-secret").render_as_string(hide_password=False)

    result = run_cli_without_db(["db", "upgrade"], CONSENSO_DATABASE_URL=url)

    assert_ok(result)
    assert "hunter2-secret" not in result.stdout + result.stderr
    assert result.stdout == (
        f"Database is at revision {head_revision()} ({make_url(url).render_as_string(hide_password=True)}).\n"
    )
    assert ":***@" in result.stdout


def test_db_upgrade_in_spanish(run_cli: RunCli, db: Database) -> None:
    result = run_cli(["db", "upgrade"], CONSENSO_LANG="es")

    assert_ok(result)
    assert result.stdout == f"La base de datos está en la revisión {head_revision()} ({db.url}).\n"
    assert result.stderr == "Actualizando el esquema de la base de datos…\n"
