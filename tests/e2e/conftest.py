"""Browser tests: the built web app, served by a real ``consenso serve``, driven in Debian's Chromium.

- The server runs as a subprocess on a free port of 127.0.0.1 with its own data directory and SQLite
  database (stopped by PID at the end; its log is shown when it fails to start).
- The database is seeded through the public API with an instance admin's token (the admin and the token
  are the only rows made in-process, as ``consenso user add`` / ``token create`` would).
- Chromium is ``/usr/bin/chromium`` (``tools/ensure-chromium`` installs it; ``make test`` runs that
  first). Playwright drives it through ``executable_path`` and never downloads a browser.

One server and one browser serve the whole session; each test gets fresh browser contexts and its own
users and projects where it writes, so the tests do not depend on their order.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

ROOT = Path(__file__).resolve().parents[2]
BUILT_INDEX = ROOT / "src" / "consenso" / "web" / "index.html"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
STARTUP_SECONDS = 30
PASSWORD = "e2e-password-123"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if item.nodeid.startswith("tests/e2e/"):
            item.add_marker(pytest.mark.e2e)


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e: browser tests of the web app (run by `make test`)")


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _consenso_command() -> list[str]:
    script = Path(sys.executable).with_name("consenso")
    return [str(script)] if script.exists() else [sys.executable, "-m", "consenso"]


@dataclass
class Server:
    """A running ``consenso serve`` and an admin API client for it."""

    url: str
    admin: httpx.Client
    log: Path
    _counter: int = field(default=0)

    def api(self, method: str, path: str, **kw: Any) -> Any:
        response = self.admin.request(method, path, **kw)
        assert response.status_code < 300, f"{method} {path}: {response.status_code} {response.text}"
        return response.json() if response.content else None

    def unique(self, stem: str) -> str:
        self._counter += 1
        return f"{stem}{self._counter}"

    def user(self, *, role: str, workspace_id: int, locale: str = "en", name: str = "") -> str:
        """A new user with ``role`` in the workspace; their e-mail (password: PASSWORD)."""
        email = f"{self.unique(role)}@e2e.test"
        created = self.api(
            "POST",
            "/api/v1/users",
            json={"email": email, "password": PASSWORD, "name": name, "locale": locale},
        )
        self.api(
            "POST",
            f"/api/v1/workspaces/{workspace_id}/members",
            json={"user_id": created["id"], "role": role},
        )
        return email

    def workspace(self, name: str) -> int:
        return int(self.api("POST", "/api/v1/workspaces", json={"name": name})["id"])

    def project(
        self,
        workspace_id: int,
        name: str,
        schema: dict[str, Any],
        texts: list[str],
        *,
        overlap: int = 1,
        guidelines: dict[str, str] | None = None,
        description: str = "",
        lease_seconds: int | None = None,
        predictions: list[dict[str, Any] | None] | None = None,
    ) -> int:
        """A project with one task per text; ``predictions[i]`` (if given) is the i-th task's pre-label."""
        project = self.api(
            "POST",
            "/api/v1/projects",
            json={
                "workspace_id": workspace_id,
                "name": name,
                "description": description,
                "schema": schema,
                "overlap": overlap,
                "guidelines": guidelines,
                **({"lease_seconds": lease_seconds} if lease_seconds is not None else {}),
            },
        )
        records = [
            {"data": {"text": text}, **({"prediction": p} if predictions and (p := predictions[i]) else {})}
            for i, text in enumerate(texts)
        ]
        body = "".join(json.dumps(record) + "\n" for record in records)
        self.api(
            "POST",
            f"/api/v1/projects/{project['id']}/tasks",
            content=body.encode(),
            headers={"Content-Type": "application/x-ndjson"},
        )
        return int(project["id"])

    def annotations(self, project_id: int) -> list[dict[str, Any]]:
        page = self.api("GET", f"/api/v1/projects/{project_id}/annotations", params={"limit": 500})
        assert page["next_cursor"] is None
        return list(page["items"])

    def user_id(self, email: str) -> int:
        members: list[dict[str, Any]] = []
        for workspace in self.api("GET", "/api/v1/workspaces"):
            members += self.api("GET", f"/api/v1/workspaces/{workspace['id']}/members")
        return next(int(m["user_id"]) for m in members if m["email"] == email)


def _tail(path: Path, lines: int = 40) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError as exc:
        return f"(cannot read {path}: {exc})"


def _make_admin(database_url: str) -> str:
    """Migrate the database and create an instance admin; return their API token."""
    from consenso.services import auth, users
    from consenso.services.principal import Principal
    from consenso.store.database import Database
    from consenso.store.migrate import upgrade

    db = Database(database_url)
    try:
        upgrade(db)
        admin = users.create_user(db, None, email="admin@e2e.test", password=PASSWORD, is_admin=True)
        principal = Principal.local_admin(admin.id, admin.email)
        return auth.create_token(db, principal, name="e2e").token
    finally:
        db.dispose()


class StartupError(RuntimeError):
    """The server or the browser could not be started (the message says why)."""


@contextmanager
def serving(data_dir: Path, database_url: str) -> Iterator[str]:
    """``consenso serve`` on a free port over an already migrated database; yields its URL.

    The process is stopped (SIGTERM, then SIGKILL) when the block ends. Raises :class:`StartupError` when
    the server exits or does not answer ``/api/v1/health`` in time, with the end of its log.
    """
    port = _free_port()
    log = data_dir / "server.log"
    env = {
        **os.environ,
        "CONSENSO_DATA_DIR": str(data_dir),
        "CONSENSO_DATABASE_URL": database_url,
        "CONSENSO_ENVIRONMENT": "test",
    }
    with log.open("wb") as out:
        process = subprocess.Popen(
            [*_consenso_command(), "serve", "--host", "127.0.0.1", "--port", str(port), "--no-migrate"],
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + STARTUP_SECONDS
        while True:
            if process.poll() is not None:
                raise StartupError(f"consenso serve exited with {process.returncode}:\n{_tail(log)}")
            try:
                if httpx.get(f"{url}/api/v1/health", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline:
                raise StartupError(f"consenso serve did not answer in {STARTUP_SECONDS} s:\n{_tail(log)}")
            time.sleep(0.1)
        yield url
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(timeout=5)


@contextmanager
def running_server(data_dir: Path) -> Iterator[Server]:
    """``consenso serve`` on a free port with its own SQLite database in ``data_dir``, and an admin client.

    Used by the ``server`` fixture and by bench/ui_latency.py.
    """
    if not BUILT_INDEX.exists():
        raise StartupError(f"the web app is not built ({BUILT_INDEX} is missing): run `make web`")
    database_url = f"sqlite:///{data_dir / 'consenso.db'}"
    token = _make_admin(database_url)
    with (
        serving(data_dir, database_url) as url,
        httpx.Client(base_url=url, headers={"Authorization": f"Bearer {token}"}, timeout=30) as admin,
    ):
        yield Server(url=url, admin=admin, log=data_dir / "server.log")


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    try:
        with running_server(tmp_path_factory.mktemp("e2e-server")) as running:
            yield running
    except StartupError as exc:
        pytest.fail(str(exc), pytrace=False)


@contextmanager
def chromium() -> Iterator[Any]:
    """Debian's headless Chromium driven by Playwright (used by the ``browser`` fixture and the bench)."""
    from playwright.sync_api import sync_playwright

    if not CHROMIUM.exists():
        raise StartupError(f"{CHROMIUM} is missing: run tools/ensure-chromium")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture(scope="session")
def browser() -> Iterator[Any]:
    try:
        with chromium() as launched:
            yield launched
    except StartupError as exc:
        pytest.fail(str(exc), pytrace=False)


@dataclass
class Tab:
    """A page in its own browser context, with what the page logged that a test may check."""

    page: Any
    console_errors: list[str]
    page_errors: list[str]


@pytest.fixture
def open_tab(browser: Any, server: Server) -> Iterator[Callable[..., Tab]]:
    """``open_tab(locale="en-US")``: a new browser context (fresh cookies and storage) at the app."""
    contexts: list[Any] = []

    def open_(locale: str = "en-US") -> Tab:
        context = browser.new_context(locale=locale, base_url=server.url)
        context.set_default_timeout(10_000)
        contexts.append(context)
        page = context.new_page()
        tab = Tab(page, [], [])
        page.on("console", lambda m: tab.console_errors.append(m.text) if m.type == "error" else None)
        page.on("pageerror", lambda e: tab.page_errors.append(str(e)))
        page.goto("/")
        return tab

    yield open_
    for context in contexts:
        context.close()
