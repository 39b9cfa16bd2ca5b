"""``consenso keys status`` and ``consenso keys rotate``: the keyring that seals sensitive fields at rest.

``status`` lists the keys with how many sealed values each one holds (and any key a value needs that the file
no longer has). ``rotate`` makes a new key active, re-seals every value under it with a progress bar, retires
the old keys (``--keep-old`` keeps them) and records ``key.rotated`` in the audit log. The commands use main's
helpers, imported when they run: main registers this sub-app (see consenso.cli.audit).
"""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import Progress

from consenso.cli.progress import count_columns
from consenso.core.messages import translate

keys_app = typer.Typer(
    help=translate("cli_keys_help", "en") + " / " + translate("cli_keys_help", "es"), no_args_is_help=True
)

DatabaseUrl = Annotated[
    str | None,
    typer.Option(
        "--database-url",
        envvar="CONSENSO_DATABASE_URL",
        help="SQLAlchemy URL; default: SQLite in the data dir",
    ),
]


@keys_app.command("status")
def keys_status(database_url: DatabaseUrl = None) -> None:
    """The keys in the keyring, the active one, and how many sealed values each one holds."""
    from consenso.cli.main import _open, _settings, fail, out, t
    from consenso.services import keys

    settings = _settings(database_url)
    db = _open(settings)
    try:
        found = keys.status(db, keys.Vault.of(settings))
    except keys.KeyFileUnsafe as exc:
        fail(t("cli_keys_unusable", reason=str(exc)))
    finally:
        db.dispose()
    out.print(t("cli_keys_file", path=found.path), soft_wrap=True)
    with_keys = keys.Vault.of(settings).keyring().keys
    for key_id, count in found.keys.items():
        note = ""
        if key_id == found.active:
            note = t("cli_keys_active_note")
        elif key_id not in with_keys:
            note = t("cli_keys_missing_note")
        marker = "*" if key_id == found.active else "-"
        out.print(t("cli_keys_line", marker=marker, key_id=key_id, count=count, note=note), soft_wrap=True)


@keys_app.command("rotate")
def keys_rotate(
    keep_old: Annotated[
        bool, typer.Option("--keep-old", help="Keep the old keys in the keyring after re-sealing")
    ] = False,
    database_url: DatabaseUrl = None,
) -> None:
    """Make a new key active, re-seal every sealed value under it, then retire the old keys. Audited
    (``key.rotated``). Every server of the instance reads the keyring file again on its next use."""
    from consenso.cli.main import _open, _settings, err, fail, out, t
    from consenso.services import keys

    settings = _settings(database_url)
    db = _open(settings)
    columns = count_columns()
    try:
        with Progress(*columns, console=err, transient=True) as progress:
            bar = progress.add_task(t("cli_keys_resealing"), total=None)

            def report(done: int, total: int) -> None:
                progress.update(bar, completed=done, total=total)

            result = keys.rotate(db, keys.Vault.of(settings), retire=not keep_old, progress=report)
    except keys.KeyFileUnsafe as exc:
        fail(t("cli_keys_unusable", reason=str(exc)))
    finally:
        db.dispose()
    out.print(
        t(
            "cli_keys_rotated",
            new_key=result.new_key,
            resealed=result.resealed,
            retired=", ".join(result.retired) or "-",
            kept=", ".join(result.kept) or "-",
        ),
        soft_wrap=True,
    )
