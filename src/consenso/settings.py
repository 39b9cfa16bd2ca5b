"""Settings: environment variables with the ``CONSENSO_`` prefix, built by a factory and passed in.

Nothing happens at import. ``load_settings()`` reads the environment; ``ensure_secret_key()`` creates
the instance's secret on first start (random, file mode 600) — there is no default secret.
"""

from __future__ import annotations

import os
import secrets
import time
from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

# Values that must never be used as a secret (placeholders seen in templates and tutorials).
KNOWN_WEAK_SECRETS = frozenset({"", "changethis", "changeme", "secret", "dev", "development", "consenso"})
MIN_SECRET_LENGTH = 32


def default_data_dir() -> Path:
    base = os.environ.get("XDG_DATA_HOME") or str(Path.home() / ".local" / "share")
    return Path(base) / "consenso"


class Settings(BaseSettings):
    """Everything an operator can set. See docs/configuration in the README."""

    model_config = SettingsConfigDict(env_prefix="CONSENSO_", extra="ignore", frozen=True)

    environment: Literal["production", "development", "test"] = "production"
    data_dir: Path = Field(default_factory=default_data_dir)
    database_url: str | None = None
    secret_key: SecretStr | None = None
    # the keyring that seals sensitive fields at rest (consenso.services.keys); default <data_dir>/encryption_keys.json
    keys_file: Path | None = None

    # HTTP
    public_url: str = "http://127.0.0.1:8000"
    max_body_bytes: int = 10 * 1024 * 1024
    max_import_bytes: int = 4 * 1024 * 1024 * 1024
    cors_origins: tuple[str, ...] = ()
    cookie_secure: bool = False

    # sessions
    session_idle_seconds: int = 8 * 3600
    session_max_seconds: int = 7 * 24 * 3600

    # login lockout (consenso.services.auth.login): after this many consecutive failed logins for one e-mail
    # address it is locked for login_lock_seconds, each further lock twice as long, up to the maximum
    login_max_failures: int = Field(default=5, ge=1)
    login_lock_seconds: int = Field(default=15 * 60, ge=1)
    login_lock_max_seconds: int = Field(default=24 * 3600, ge=1)

    # outbound requests (consenso.services.outbound: import from a URL): a host must resolve to public addresses
    # only, unless it is allow-listed here ("host" for any port, "host:port"; exact, no wildcards)
    outbound_allow_hosts: tuple[str, ...] = ()
    outbound_max_bytes: int = Field(default=100 * 1024 * 1024, ge=1)
    outbound_timeout_seconds: float = Field(default=30.0, gt=0, le=3600)

    # media files served to the project's members (GET /api/v1/projects/{id}/media/{path}), laid out as
    # <media_root>/<workspace_id>/<project_id>/<path>; default <data_dir>/media (``resolved_media_root``)
    media_root: Path | None = None

    # storage
    sqlite_synchronous: Literal["full", "normal"] = "full"
    db_pool_size: int = 16

    @field_validator("database_url")
    @classmethod
    def _normalise_url(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        url = value.strip()
        # Accept the usual spellings and use the psycopg 3 driver we ship.
        for prefix in ("postgres://", "postgresql://"):
            if url.startswith(prefix):
                return "postgresql+psycopg://" + url[len(prefix) :]
        return url

    @field_validator("outbound_allow_hosts")
    @classmethod
    def _check_allow_hosts(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        from consenso.core.netguard import AllowList

        # a malformed entry stops the start (the ValueError names it) rather than allowing nothing or too much
        AllowList.of(value)
        return tuple(entry.strip() for entry in value)

    @property
    def resolved_database_url(self) -> str:
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir / 'consenso.db'}"

    @property
    def is_sqlite(self) -> bool:
        return self.resolved_database_url.startswith("sqlite")

    @property
    def resolved_media_root(self) -> Path:
        return self.media_root if self.media_root is not None else self.data_dir / "media"


def load_settings(**overrides: object) -> Settings:
    """Build settings from the environment, with explicit overrides (e.g. CLI flags) on top."""
    clean = {k: v for k, v in overrides.items() if v is not None}
    return Settings(**clean)  # type: ignore[arg-type]


class UnsafeSecretKey(RuntimeError):
    """The configured secret key is empty, a known placeholder or too short."""


def ensure_secret_key(settings: Settings) -> bytes:
    """Return the instance secret, creating ``<data_dir>/secret_key`` (mode 600) on first use.

    A secret given in ``CONSENSO_SECRET_KEY`` wins; outside development it must be long and not a known
    placeholder, otherwise we refuse to start rather than run with a guessable key.
    """
    if settings.secret_key is not None:
        value = settings.secret_key.get_secret_value()
        weak = value.strip().lower() in KNOWN_WEAK_SECRETS or len(value) < MIN_SECRET_LENGTH
        if weak and settings.environment != "development":
            raise UnsafeSecretKey(
                "CONSENSO_SECRET_KEY is empty, a known placeholder or shorter than "
                f"{MIN_SECRET_LENGTH} characters; unset it to let Consenso generate one."
            )
        return value.encode()
    path = settings.data_dir / "secret_key"
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    for _ in range(50):
        if path.exists():
            value = path.read_text().strip()
            if len(value) >= MIN_SECRET_LENGTH:
                return value.encode()
            if value:
                raise UnsafeSecretKey(f"{path} holds a secret shorter than {MIN_SECRET_LENGTH} characters")
            time.sleep(0.05)  # another process created it a moment ago and is still writing it
            continue
        value = secrets.token_urlsafe(48)
        try:
            # O_EXCL: when two servers start together, exactly one creates the file; the other reads it
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            continue
        with os.fdopen(fd, "w") as fh:
            fh.write(value + "\n")
        return value.encode()
    raise UnsafeSecretKey(f"{path} stays empty")
