"""``consenso``: serve, demo, import, export, quality (and annotator reliability), users, tokens, database
migrations, the audit log (verify its hash chains, print their heads).

Every command reads the database from ``CONSENSO_DATABASE_URL`` or ``--database-url`` (default: embedded
SQLite in the data directory). Messages follow ``CONSENSO_LANG`` or ``LANG`` (English or Spanish).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Annotated, Any, NoReturn

import typer
from rich.console import Console
from rich.progress import BarColumn, DownloadColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table
from typer.core import TyperGroup

from consenso import __version__
from consenso.cli.audit import audit_app
from consenso.cli.keys import keys_app
from consenso.cli.progress import count_columns
from consenso.core.errors import ConsensoError
from consenso.core.messages import negotiate_language, translate
from consenso.settings import Settings, UnsafeSecretKey, ensure_secret_key, load_settings
from consenso.store.database import Database

# Messages carry user data (e-mails, file names, field names): never read them as Rich markup.
out = Console(markup=False)
err = Console(stderr=True, markup=False)


def lang() -> str:
    explicit = os.environ.get("CONSENSO_LANG")
    if explicit:
        return negotiate_language(explicit)
    return "es" if os.environ.get("LANG", "").lower().startswith("es") else "en"


def t(key: str, **params: Any) -> str:
    return translate(key, lang(), **params)


def fail(message: str, code: int = 1) -> NoReturn:
    err.print(t("cli_error", message=message), style="red", highlight=False)
    raise typer.Exit(code)


app = typer.Typer(
    help=translate("cli_help", "en") + " / " + translate("cli_help", "es"),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
user_app = typer.Typer(help="Users / Usuarios", no_args_is_help=True)
token_app = typer.Typer(help="Access tokens / Tokens de acceso", no_args_is_help=True)
db_app = typer.Typer(help="Database / Base de datos", no_args_is_help=True)
app.add_typer(user_app, name="user")
app.add_typer(token_app, name="token")
app.add_typer(db_app, name="db")


class _DefaultCommandGroup(TyperGroup):
    """A group whose first argument is a subcommand's name, or else the arguments of its ``report``
    command: ``consenso quality 5 --json`` is ``consenso quality report 5 --json``, while ``consenso quality
    annotators 5`` runs the ``annotators`` subcommand."""

    # ``ctx`` is the click Context typer vendors (``typer._click``, private): typed Any rather than named
    def parse_args(self, ctx: Any, args: list[str]) -> list[str]:
        if args and args[0] not in self.commands and args[0] not in ctx.help_option_names:
            args = ["report", *args]
        return super().parse_args(ctx, args)


quality_app = typer.Typer(
    cls=_DefaultCommandGroup,
    help="Quality report (consenso quality PROJECT) and annotator reliability (consenso quality annotators "
    "PROJECT) / Informe de calidad y fiabilidad de los anotadores",
    no_args_is_help=True,
)
app.add_typer(quality_app, name="quality")
app.add_typer(audit_app, name="audit")
app.add_typer(keys_app, name="keys")

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CONSENSO_DATABASE_URL",
        help="SQLAlchemy URL; default: SQLite in the data dir",
    ),
]


def _version(value: bool) -> None:
    if value:
        out.print(f"consenso {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version")
    ] = False,
) -> None:
    """Consenso command line."""


def _settings(database_url: str | None, **extra: Any) -> Settings:
    return load_settings(database_url=database_url, **extra)


def _open(settings: Settings, *, migrate: bool = True) -> Database:
    from consenso.store.migrate import upgrade

    db = Database(settings.resolved_database_url, sqlite_synchronous=settings.sqlite_synchronous)
    if migrate:
        upgrade(db)
    return db


def _handle(exc: ConsensoError) -> NoReturn:
    fail(exc.message(lang()))


def _local_admin(db: Database) -> Any:
    """Commands run by the operator act as the first active instance admin."""
    from sqlalchemy import select

    from consenso.services.principal import Principal
    from consenso.store.models import User

    with db.read() as session:
        admin = session.scalars(
            select(User).where(User.is_admin.is_(True), User.is_active.is_(True)).order_by(User.id)
        ).first()
    if admin is None:
        fail(t("cli_no_admin"))
    return Principal.local_admin(admin.id, admin.email)


@app.command()
def serve(
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    workers: Annotated[int, typer.Option(min=1, max=64, help="Worker processes")] = 1,
    access_log: Annotated[
        bool, typer.Option("--access-log/--no-access-log", help="Log every request")
    ] = False,
    migrate: Annotated[bool, typer.Option("--migrate/--no-migrate", help="Upgrade the schema first")] = True,
) -> None:
    """Run the API and web server."""
    import uvicorn

    if database_url:
        os.environ["CONSENSO_DATABASE_URL"] = database_url
    settings = _settings(database_url)
    from consenso.services.keys import KeyFileUnsafe, Vault

    try:
        ensure_secret_key(settings)
        Vault.of(settings).keyring()
    except (UnsafeSecretKey, KeyFileUnsafe) as exc:
        fail(t("cli_unsafe_secret", reason=str(exc)))
    if migrate:
        err.print(t("cli_migrating"))
        _open(settings).dispose()
    err.print(
        t(
            "cli_serving",
            version=__version__,
            host=host,
            port=port,
            database=_redact(settings.resolved_database_url),
        )
    )
    uvicorn.run(
        "consenso.api.asgi:app_from_environment",
        factory=True,
        host=host,
        port=port,
        workers=workers,
        access_log=access_log,
        log_level="info",
        timeout_graceful_shutdown=10,
    )


def _redact(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def demo(
    database_url: DatabaseUrl = None,
    host: Annotated[str, typer.Option(help="Interface to listen on")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port")] = 8000,
    serve_after: Annotated[
        bool, typer.Option("--serve/--no-serve", help="Start the server afterwards")
    ] = True,
) -> None:
    """Create (or refresh) the demo project and its users, print the credentials, then serve."""
    from consenso.services.demo import create_demo

    settings = _settings(database_url)
    db = _open(settings)
    try:
        result = create_demo(db)
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    out.print(
        t("cli_demo_ready", workspace=result.workspace_id, project=result.project_id, tasks=result.task_count)
    )
    out.print(t("cli_demo_open", url=f"http://{host}:{port}/"))
    table = Table()
    table.add_column(t("cli_demo_col_role"))
    table.add_column(t("cli_demo_col_email"))
    table.add_column(t("cli_demo_col_password"))
    for account in result.accounts:
        table.add_row(account.role, account.email, account.password)
    out.print(table)
    out.print(t("cli_demo_note"))
    if serve_after:
        serve(database_url=database_url, host=host, port=port)


@db_app.command("upgrade")
def db_upgrade(database_url: DatabaseUrl = None) -> None:
    """Upgrade the database schema to the newest revision."""
    from consenso.store.migrate import current_revision

    settings = _settings(database_url)
    err.print(t("cli_migrating"))
    db = _open(settings)
    out.print(t("cli_db_current", revision=current_revision(db), url=_redact(settings.resolved_database_url)))
    db.dispose()


def _read_password(password: str | None) -> str:
    from_stdin = "-"
    if password is not None and password != from_stdin:
        return password
    if password == from_stdin or not sys.stdin.isatty():
        value = sys.stdin.readline().rstrip("\r\n")
        if not value:
            fail(t("cli_password_stdin_empty"))
        return value
    return str(typer.prompt(t("cli_password_prompt"), hide_input=True, confirmation_prompt=True))


@user_app.command("add")
def user_add(
    email: Annotated[str, typer.Option(help="E-mail (the login name)")],
    password: Annotated[
        str | None, typer.Option(help="Password; '-' or omitted: read from stdin / prompt")
    ] = None,
    admin: Annotated[bool, typer.Option("--admin", help="Make an instance admin")] = False,
    name: Annotated[str, typer.Option(help="Display name")] = "",
    locale: Annotated[str, typer.Option(help="Interface language: en or es")] = "en",
    database_url: DatabaseUrl = None,
) -> None:
    """Create a user. Prints its id as JSON on the last line."""
    import orjson

    from consenso.services import users

    secret = _read_password(password)
    db = _open(_settings(database_url))
    try:
        created = users.create_user(
            db,
            None,
            email=email,
            password=secret,
            name=name,
            is_admin=admin,
            locale=locale if locale in ("en", "es") else "en",
        )
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    err.print(
        t(
            "cli_user_created",
            id=created.id,
            email=created.email,
            admin=t("cli_admin_suffix") if admin else "",
        )
    )
    print(orjson.dumps({"id": created.id, "email": created.email, "is_admin": created.is_admin}).decode())


def _find_user(db: Database, email: str) -> Any:
    from consenso.services import users

    found = users.find_user(db, email)
    if found is None:
        fail(t("cli_user_missing", email=email))
    return found


@user_app.command("set-password")
def user_set_password(
    email: Annotated[str, typer.Argument(help="E-mail of the user")],
    password: Annotated[
        str | None, typer.Option(help="Password; '-' or omitted: read from stdin / prompt")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Set a user's password and sign them out of every session (API tokens stay valid)."""
    from consenso.services import users

    secret = _read_password(password)
    db = _open(_settings(database_url))
    try:
        user = _find_user(db, email)
        users.set_password(db, user.email, secret)
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    err.print(t("cli_password_set", id=user.id, email=user.email))


def _set_active(email: str, database_url: str | None, *, active: bool) -> None:
    from consenso.services import users

    db = _open(_settings(database_url))
    try:
        user = users.set_active(db, None, _find_user(db, email).id, active=active, origin="cli")
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    err.print(t("cli_user_activated" if active else "cli_user_deactivated", id=user.id, email=user.email))


@user_app.command("deactivate")
def user_deactivate(
    email: Annotated[str, typer.Argument(help="E-mail of the user")], database_url: DatabaseUrl = None
) -> None:
    """Deactivate a user: every session and API token revoked at once, leased tasks given back."""
    _set_active(email, database_url, active=False)


@user_app.command("activate")
def user_activate(
    email: Annotated[str, typer.Argument(help="E-mail of the user")], database_url: DatabaseUrl = None
) -> None:
    """Reactivate a user: they can log in again (old sessions and tokens stay revoked)."""
    _set_active(email, database_url, active=True)


@token_app.command("create")
def token_create(
    user: Annotated[str, typer.Option("--user", help="E-mail of the token's owner")],
    name: Annotated[str, typer.Option(help="A name to recognise the token by")] = "cli",
    database_url: DatabaseUrl = None,
) -> None:
    """Create a personal access token and print it (last line of standard output)."""
    from consenso.services import auth, users
    from consenso.services.principal import Principal

    db = _open(_settings(database_url))
    try:
        owner = users.find_user(db, user)
        if owner is None:
            fail(t("cli_user_missing", email=user))
        created = auth.create_token(db, Principal.local_admin(owner.id, owner.email), name=name)
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    err.print(t("cli_token_created", email=owner.email))
    print(created.token)


_SUFFIX_TYPES = {
    ".json": "application/json",
    ".jsonl": "application/x-ndjson",
    ".ndjson": "application/x-ndjson",
    ".csv": "text/csv",
}
_FORMAT_TYPES = {"json": "application/json", "jsonl": "application/x-ndjson", "csv": "text/csv"}


@app.command("import")
def import_file(
    project: Annotated[int, typer.Argument(help="Project id")],
    path: Annotated[Path, typer.Argument(help="A .json (array), .jsonl or .csv file")],
    fmt: Annotated[
        str | None, typer.Option("--format", help="json, jsonl or csv (default: from the suffix)")
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Import tasks into a project: all or nothing, with a progress bar."""
    from consenso.services import task_import
    from consenso.services.keys import Vault

    if not path.is_file():
        fail(t("cli_file_missing", path=path))
    if fmt is not None:
        content_type = _FORMAT_TYPES.get(fmt.strip().lower())
    else:
        content_type = _SUFFIX_TYPES.get(path.suffix.lower())
    if content_type is None:
        fail(t("cli_unknown_format", path=path))
    settings = _settings(database_url)
    db = _open(settings)
    size = path.stat().st_size
    columns = (
        TextColumn("{task.description}", markup=False),
        BarColumn(),
        DownloadColumn(),
        TimeElapsedColumn(),
    )
    try:
        admin = _local_admin(db)
        with path.open("rb") as raw, Progress(*columns, console=err, transient=False) as progress:
            task = progress.add_task(t("cli_importing", path=path.name), total=size)

            def report(records: int, read: int) -> None:
                progress.update(task, completed=read)

            result = task_import.import_tasks(
                db,
                admin,
                project,
                raw,
                content_type,
                progress=report,
                origin="cli",
                vault=Vault.of(settings),
            )
            progress.update(task, completed=size)
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    out.print(
        t("cli_imported", created=result.created, duplicates=result.duplicates, task_count=result.task_count)
    )


@app.command("export")
def export_file(
    project: Annotated[int, typer.Argument(help="Project id")],
    output: Annotated[
        Path | None, typer.Option("--output", "-o", help="File to write (default: stdout)")
    ] = None,
    fmt: Annotated[
        str, typer.Option("--format", help="jsonl, or csv (a table for spreadsheets, UTF-8 with a BOM)")
    ] = "jsonl",
    aggregate: Annotated[
        str | None,
        typer.Option(
            "--aggregate",
            help="Add each task's aggregated answer per choice, rating, multi_choice and spans control "
            "with this method (majority_vote, dawid_skene, ...; spans always use a token vote)",
        ),
    ] = None,
    include_gold: Annotated[
        bool,
        typer.Option("--include-gold", help="Also export the gold tasks, with their expected results"),
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Export a project's tasks with their annotations and final labels (JSONL or CSV)."""
    from consenso.services import export, projects

    exported = [0]  # tasks written so far (a CSV cell may hold line breaks: lines are no count)

    def count(done: int) -> None:
        exported[0] = done

    db = _open(_settings(database_url))
    try:
        admin = _local_admin(db)
        total = projects.get_project(db, admin, project).task_count
        chunks = export.export_project(
            db, admin, project, fmt, aggregate=aggregate, include_gold=include_gold, progress=count
        )
        if output is None:
            for chunk in chunks:
                sys.stdout.buffer.write(chunk)
            sys.stdout.buffer.flush()
            return
        lines = 0
        written = 0
        columns = (
            TextColumn("{task.description}", markup=False),
            BarColumn(),
            TextColumn("{task.completed}/{task.total}"),
        )
        with output.open("wb") as fh, Progress(*columns, console=err) as progress:
            task = progress.add_task(t("cli_exporting", project=project), total=total)
            for chunk in chunks:
                fh.write(chunk)
                written += len(chunk)
                lines = exported[0]
                progress.update(task, completed=lines)
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    out.print(t("cli_exported", lines=lines, megabytes=written / 1e6, path=output))


@quality_app.command("report", hidden=True)
def quality_report(
    project: Annotated[int, typer.Argument(help="Project id")],
    method: Annotated[
        str, typer.Option("--method", help="Aggregation method (majority_vote, dawid_skene, ...)")
    ] = "dawid_skene",
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the report as JSON (the API's shape)")
    ] = False,
    annotators: Annotated[
        int, typer.Option("--annotators", min=1, max=1000, help="Annotators listed per control")
    ] = 100,
    database_url: DatabaseUrl = None,
) -> None:
    """Agreement, per-label, per-annotator and aggregation figures of every control of a project."""
    import orjson

    from consenso.api.schemas.quality import QualityRead
    from consenso.cli.quality import render
    from consenso.services import quality

    db = _open(_settings(database_url))
    try:
        admin = _local_admin(db)
        view = quality.project_quality(db, admin, project, method, annotator_limit=annotators)
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    if as_json:
        body = QualityRead.of(view, lang()).model_dump(mode="json")
        sys.stdout.write(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    for part in render(view, lang()):
        out.print(part)


@quality_app.command("annotators")
def quality_annotators(
    project: Annotated[int, typer.Argument(help="Project id")],
    confusion: Annotated[
        bool, typer.Option("--confusion", help="Also print each annotator's confusion matrices")
    ] = False,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the figures as JSON (the API's shape)")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Annotator reliability: gold accuracy, agreement with final labels, throughput, lead times, pauses."""
    import orjson

    from consenso.api.schemas.reliability import ProjectReliabilityRead
    from consenso.cli.quality import render_annotators
    from consenso.services import reliability

    db = _open(_settings(database_url))
    try:
        admin = _local_admin(db)
        view = reliability.project_reliability(db, admin, project)
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    if as_json:
        body = ProjectReliabilityRead.of(view, lang()).model_dump(mode="json")
        sys.stdout.write(orjson.dumps(body, option=orjson.OPT_INDENT_2).decode() + "\n")
        return
    for part in render_annotators(view, lang(), confusion=confusion):
        out.print(part)


qa_app = typer.Typer(
    help=translate("cli_qa_help", "en") + " / " + translate("cli_qa_help", "es"), no_args_is_help=True
)
app.add_typer(qa_app, name="qa")


@qa_app.command("finalize")
def qa_finalize(
    project: Annotated[int, typer.Argument(help="Project id")],
    redecide: Annotated[
        bool,
        typer.Option(
            "--redecide",
            help="Also decide again the tasks decided automatically and not acted on since (a new history "
            "row only when the outcome or the label changes)",
        ),
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Decide every complete task still pending: a final label, or the adjudication queue."""
    from consenso.services import finalize

    db = _open(_settings(database_url))
    columns = count_columns()
    try:
        admin = _local_admin(db)
        with Progress(*columns, console=err, transient=False) as progress:
            bar = progress.add_task(t("cli_qa_finalizing", project=project), total=None)

            def report(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            summary = finalize.finalize_project(db, admin, project, redecide=redecide, progress=report)
    except ConsensoError as exc:
        _handle(exc)
    finally:
        db.dispose()
    table = Table()
    table.add_column(t("cli_qa_col_what"))
    table.add_column(t("cli_qa_col_count"), justify="right")
    for key in ("decided", "final", "escalated", "changed", "unchanged"):
        table.add_row(t(f"cli_qa_row_{key}"), str(getattr(summary, key)))
    out.print(table)
    out.print(
        t(
            "cli_qa_finalized",
            project=project,
            decided=summary.decided,
            final=summary.final,
            escalated=summary.escalated,
            changed=summary.changed,
            unchanged=summary.unchanged,
        )
    )
