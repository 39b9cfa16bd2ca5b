"""``consenso audit verify`` and ``consenso audit head``: check the audit log's hash chains, and print their
heads for the operator to keep outside the server (``audit head --json`` writes the file that ``audit verify
--anchors`` reads).

``verify`` prints one line per chain (OK with its size and head, or BROKEN with what broke and where) and exits
with status 1 when a chain is broken. Both follow ``CONSENSO_LANG`` like every command (consenso.cli.main).
The commands use main's helpers (console, messages, database), imported when they run: main registers this
sub-app, so importing main here at load time would be circular.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import orjson
import typer
from rich.progress import Progress

from consenso.cli.progress import count_columns
from consenso.core.messages import translate

if TYPE_CHECKING:
    from consenso.core.audit import Anchor
    from consenso.services.audit import ChainHead, VerifyReport

audit_app = typer.Typer(
    help=translate("cli_audit_help", "en") + " / " + translate("cli_audit_help", "es"), no_args_is_help=True
)

Workspace = Annotated[
    int | None, typer.Option("--workspace", min=1, help="Only this workspace's chain (default: every chain)")
]
DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CONSENSO_DATABASE_URL",
        help="SQLAlchemy URL; default: SQLite in the data dir",
    ),
]


def report_lines(report: VerifyReport, lang: str) -> list[str]:
    """One line per chain: OK with its size and head, or BROKEN with what broke and where."""
    lines = []
    for chain in report.chains:
        if chain.broken is None:
            lines.append(
                translate(
                    "cli_audit_chain_ok",
                    lang,
                    chain=chain.chain,
                    events=chain.events,
                    seq=chain.head_seq if chain.head_seq is not None else 0,
                    hash=chain.head_hash or "-",
                )
            )
        else:
            message = translate(chain.broken.message_key, lang, **chain.broken.message_params())
            lines.append(translate("cli_audit_chain_broken", lang, chain=chain.chain, message=message))
    return lines


def head_lines(heads: list[ChainHead], lang: str) -> list[str]:
    return [
        translate(
            "cli_audit_head",
            lang,
            chain=h.chain,
            seq=h.seq,
            hash=h.hash,
            event_id=h.event_id,
            created_at=h.to_json()["created_at"],
        )
        for h in heads
    ]


def read_anchors(path: Path) -> list[Anchor]:
    """The anchors in a file written by ``consenso audit head --json``; ValueError saying what is wrong."""
    from consenso.services.audit import parse_anchors

    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise ValueError(exc.strerror or str(exc)) from None
    try:
        value = orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        raise ValueError(str(exc)) from None
    return parse_anchors(value)


@audit_app.command("verify")
def audit_verify(
    workspace: Workspace = None,
    anchors: Annotated[
        Path | None,
        typer.Option("--anchors", help="Heads saved earlier by `consenso audit head --json`: check them too"),
    ] = None,
    database_url: DatabaseUrl = None,
) -> None:
    """Walk the audit log's hash chains and name the first edited, deleted, inserted or reordered event of
    each. Exit status 1 when a chain is broken."""
    from consenso.cli.main import _open, _settings, err, fail, lang, out, t
    from consenso.services import audit

    anchored: list[Anchor] = []
    if anchors is not None:
        try:
            anchored = read_anchors(anchors)
        except ValueError as exc:
            fail(t("cli_audit_anchors_invalid", path=anchors, reason=str(exc)))
    db = _open(_settings(database_url))
    columns = count_columns()
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            bar = progress.add_task(t("cli_audit_verifying"), total=None)

            def report(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            result = audit.verify_chains(
                db,
                workspace_ids=[workspace] if workspace is not None else None,
                anchors=anchored,
                progress=report,
            )
    finally:
        db.dispose()
    if not result.chains:
        out.print(t("cli_audit_empty"))
        return
    for line in report_lines(result, lang()):
        out.print(line, soft_wrap=True)
    if not result.ok:
        broken = sum(1 for c in result.chains if not c.ok)
        fail(t("cli_audit_broken", broken=broken, chains=len(result.chains)))
    out.print(t("cli_audit_verified", chains=len(result.chains), events=result.events))


@audit_app.command("head")
def audit_head(
    workspace: Workspace = None,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the heads as JSON (the file `audit verify --anchors` reads)")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Print each chain's newest event (its number and hash): keep them outside this server."""
    from consenso.cli.main import _open, _settings, err, lang, out, t
    from consenso.services import audit

    db = _open(_settings(database_url))
    try:
        heads = audit.chain_heads(db, workspace_ids=[workspace] if workspace is not None else None)
    finally:
        db.dispose()
    if as_json:
        typer.echo(orjson.dumps([h.to_json() for h in heads], option=orjson.OPT_INDENT_2).decode())
        return
    if not heads:
        out.print(t("cli_audit_empty"))
        return
    for line in head_lines(heads, lang()):
        out.print(line, soft_wrap=True)
    err.print(t("cli_audit_head_note"))
