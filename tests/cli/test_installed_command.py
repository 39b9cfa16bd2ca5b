"""The installed ``consenso`` executable end to end, driven the way the bench setup script drives it.

``/work/shared/bench/consenso_setup.py`` runs ``consenso user add`` and ``consenso token create`` as
processes and reads their last stdout line; an existing user must fail with a message it recognises.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import orjson
from fastapi.testclient import TestClient

from consenso.api.app import create_app
from consenso.services import users
from consenso.settings import Settings
from consenso.store.database import Database
from tests.cli.conftest import base_env, last_line

CONSENSO = Path(sys.executable).with_name("consenso")


def test_user_add_then_token_create_gives_a_token_the_api_accepts(db: Database, tmp_path: Path) -> None:
    assert CONSENSO.is_file(), f"{CONSENSO} is not installed"
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONSENSO_")}
    env.update({k: v for k, v in base_env(db.url, tmp_path / "data").items() if v is not None})

    def consenso(*args: str, stdin: str | None = None) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(CONSENSO), *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            timeout=120,
            check=False,
        )

    admin = consenso(
        "user", "add", "--email", "admin@bench.local", "--password", "bench-admin-pass-123", "--admin"
    )
    assert admin.returncode == 0, admin.stderr
    admin_id = orjson.loads(last_line(admin.stdout))["id"]
    stored_admin = users.find_user(db, "admin@bench.local")
    assert stored_admin is not None
    assert (stored_admin.id, stored_admin.is_admin) == (admin_id, True)

    again = consenso(
        "user", "add", "--email", "admin@bench.local", "--password", "bench-admin-pass-123", "--admin"
    )
    assert again.returncode == 1
    assert re.search(r"already|exist|duplicate|unique", again.stdout + again.stderr, re.I)
    assert "Traceback" not in again.stderr

    annotator = consenso("user", "add", "--email", "annotator000@bench.local", stdin="annotator-pass-123\n")
    assert annotator.returncode == 0, annotator.stderr
    stored = users.find_user(db, "annotator000@bench.local")
    assert stored is not None
    assert stored.id != admin_id
    assert orjson.loads(last_line(annotator.stdout)) == {
        "id": stored.id,
        "email": "annotator000@bench.local",
        "is_admin": False,
    }

    token_run = consenso("token", "create", "--user", "annotator000@bench.local")
    assert token_run.returncode == 0, token_run.stderr
    token = last_line(token_run.stdout)
    assert token.startswith("cns_")
    assert " " not in token

    app = create_app(Settings(data_dir=tmp_path / "server", environment="test"), db=db)
    with TestClient(app) as client:
        me = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}"})
        wrong = client.get("/api/v1/auth/me", headers={"Authorization": f"Bearer {token}x"})
    assert me.status_code == 200, me.text
    assert {k: me.json()[k] for k in ("id", "email", "is_admin", "is_active")} == {
        "id": stored.id,
        "email": "annotator000@bench.local",
        "is_admin": False,
        "is_active": True,
    }
    assert wrong.status_code == 401
