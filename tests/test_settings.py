"""Settings: CONSENSO_* environment variables, database URL normalisation and the instance secret key."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from pydantic import ValidationError

from consenso.settings import (
    MIN_SECRET_LENGTH,
    Settings,
    UnsafeSecretKey,
    default_data_dir,
    ensure_secret_key,
    load_settings,
)


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No CONSENSO_* variable of the developer's shell leaks in; the home directory is a temporary one."""
    import os

    for name in list(os.environ):
        if name.startswith("CONSENSO_"):
            monkeypatch.delenv(name)
    monkeypatch.delenv("XDG_DATA_HOME", raising=False)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


STRONG = "k" * MIN_SECRET_LENGTH


# ----- the secret key file -----


def test_ensure_secret_key_creates_a_private_file_and_reuses_it(tmp_path: Path) -> None:
    data_dir = tmp_path / "not" / "yet" / "there"
    settings = Settings(data_dir=data_dir)

    first = ensure_secret_key(settings)

    path = data_dir / "secret_key"
    assert path.is_file()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert path.read_text() == first.decode() + "\n"
    assert len(first) >= MIN_SECRET_LENGTH
    assert ensure_secret_key(settings) == first
    assert ensure_secret_key(Settings(data_dir=data_dir)) == first  # a new process, same secret
    assert path.read_text() == first.decode() + "\n"


def test_every_instance_gets_its_own_secret(tmp_path: Path) -> None:
    one = ensure_secret_key(Settings(data_dir=tmp_path / "one"))
    two = ensure_secret_key(Settings(data_dir=tmp_path / "two"))

    assert one != two


def test_the_secret_file_is_private_even_with_a_permissive_umask(tmp_path: Path) -> None:
    import os

    old = os.umask(0)
    try:
        ensure_secret_key(Settings(data_dir=tmp_path))
    finally:
        os.umask(old)

    assert stat.S_IMODE((tmp_path / "secret_key").stat().st_mode) == 0o600


def test_a_truncated_secret_file_is_never_used_as_the_secret(tmp_path: Path) -> None:
    """A secret file shorter than the minimum is refused or replaced, never trusted."""
    path = tmp_path / "secret_key"
    path.write_text("too-short\n")

    refusal: UnsafeSecretKey | None = None
    try:
        value = ensure_secret_key(Settings(data_dir=tmp_path))
    except UnsafeSecretKey as exc:
        refusal = exc

    if refusal is not None:
        assert str(path) in str(refusal)
        assert path.read_text() == "too-short\n"
    else:
        assert len(value) >= MIN_SECRET_LENGTH
        assert path.read_text() == value.decode() + "\n"
        assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_an_existing_secret_file_is_read_without_its_newline(tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text(STRONG + "\n")

    assert ensure_secret_key(Settings(data_dir=tmp_path)) == STRONG.encode()


# ----- an explicit CONSENSO_SECRET_KEY -----

WEAK = [
    "",
    "   ",
    "changethis",
    "CHANGEME",
    " secret ",
    "dev",
    "development",
    "consenso",
    "x" * (MIN_SECRET_LENGTH - 1),
]


@pytest.mark.parametrize("environment", ["production", "test"])
@pytest.mark.parametrize("value", WEAK, ids=lambda v: repr(v)[:12])
def test_a_weak_explicit_secret_is_refused_outside_development(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str, environment: str
) -> None:
    monkeypatch.setenv("CONSENSO_SECRET_KEY", value)
    monkeypatch.setenv("CONSENSO_ENVIRONMENT", environment)
    monkeypatch.setenv("CONSENSO_DATA_DIR", str(tmp_path))

    with pytest.raises(UnsafeSecretKey, match="CONSENSO_SECRET_KEY"):
        ensure_secret_key(load_settings())

    assert not (tmp_path / "secret_key").exists()  # refusing does not fall back to a generated key


@pytest.mark.parametrize("value", WEAK, ids=lambda v: repr(v)[:12])
def test_a_weak_explicit_secret_is_accepted_in_development(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, value: str
) -> None:
    monkeypatch.setenv("CONSENSO_SECRET_KEY", value)
    monkeypatch.setenv("CONSENSO_ENVIRONMENT", "development")
    monkeypatch.setenv("CONSENSO_DATA_DIR", str(tmp_path))

    assert ensure_secret_key(load_settings()) == value.encode()
    assert not (tmp_path / "secret_key").exists()


def test_a_strong_explicit_secret_wins_over_the_file(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "secret_key").write_text("f" * 64 + "\n")
    monkeypatch.setenv("CONSENSO_SECRET_KEY", STRONG)
    monkeypatch.setenv("CONSENSO_DATA_DIR", str(tmp_path))

    settings = load_settings()

    assert settings.environment == "production"
    assert ensure_secret_key(settings) == STRONG.encode()
    assert (tmp_path / "secret_key").read_text() == "f" * 64 + "\n"


def test_the_secret_is_not_shown_in_the_settings_repr(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENSO_SECRET_KEY", STRONG)

    settings = load_settings()

    assert STRONG not in repr(settings)
    assert STRONG not in str(settings.model_dump())


# ----- reading the environment -----


def test_load_settings_reads_consenso_variables(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    values = {
        "CONSENSO_ENVIRONMENT": "development",
        "CONSENSO_DATA_DIR": str(tmp_path / "instance"),
        "CONSENSO_DATABASE_URL": "sqlite:////var/lib/consenso/other.db",
        "CONSENSO_PUBLIC_URL": "https://labels.example.test",
        "CONSENSO_MAX_BODY_BYTES": "1234",
        "CONSENSO_MAX_IMPORT_BYTES": "5678",
        "CONSENSO_CORS_ORIGINS": '["https://a.example.test", "https://b.example.test"]',
        "CONSENSO_COOKIE_SECURE": "true",
        "CONSENSO_SESSION_IDLE_SECONDS": "60",
        "CONSENSO_SESSION_MAX_SECONDS": "120",
        "CONSENSO_SQLITE_SYNCHRONOUS": "normal",
        "CONSENSO_DB_POOL_SIZE": "3",
        "DATABASE_URL": "postgresql://ignored/without-the-prefix",
    }
    for name, value in values.items():
        monkeypatch.setenv(name, value)

    settings = load_settings()

    assert settings.environment == "development"
    assert settings.data_dir == tmp_path / "instance"
    assert settings.database_url == "sqlite:////var/lib/consenso/other.db"
    assert settings.resolved_database_url == "sqlite:////var/lib/consenso/other.db"
    assert settings.public_url == "https://labels.example.test"
    assert (settings.max_body_bytes, settings.max_import_bytes) == (1234, 5678)
    assert settings.cors_origins == ("https://a.example.test", "https://b.example.test")
    assert settings.cookie_secure is True
    assert (settings.session_idle_seconds, settings.session_max_seconds) == (60, 120)
    assert settings.sqlite_synchronous == "normal"
    assert settings.db_pool_size == 3
    assert settings.secret_key is None


def test_explicit_overrides_win_and_none_means_not_given(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONSENSO_DATABASE_URL", "sqlite:////from/env.db")
    monkeypatch.setenv("CONSENSO_PUBLIC_URL", "https://env.example.test")

    settings = load_settings(database_url="sqlite:////from/flag.db", public_url=None)

    assert settings.database_url == "sqlite:////from/flag.db"
    assert settings.public_url == "https://env.example.test"


def test_defaults(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    settings = load_settings()

    assert settings.environment == "production"
    assert settings.data_dir == tmp_path / "home" / ".local" / "share" / "consenso"
    assert settings.secret_key is None
    assert settings.cookie_secure is False
    assert settings.sqlite_synchronous == "full"


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("CONSENSO_ENVIRONMENT", "staging"),
        ("CONSENSO_SQLITE_SYNCHRONOUS", "off"),
        ("CONSENSO_MAX_BODY_BYTES", "ten"),
    ],
)
def test_invalid_values_are_refused(monkeypatch: pytest.MonkeyPatch, name: str, value: str) -> None:
    monkeypatch.setenv(name, value)

    with pytest.raises(ValidationError):
        load_settings()


def test_settings_are_frozen() -> None:
    settings = Settings()

    with pytest.raises(ValidationError):
        settings.environment = "development"  # type: ignore[misc]


# ----- the database URL -----


@pytest.mark.parametrize(
    ("given", "normalised"),
    [
        (
            "postgres://u:p@db.example.test:5433/consenso",
            "postgresql+psycopg://u:p@db.example.test:5433/consenso",
        ),
        ("postgresql://u:p@db.example.test/consenso", "postgresql+psycopg://u:p@db.example.test/consenso"),
        ("  postgres://db.example.test/consenso  ", "postgresql+psycopg://db.example.test/consenso"),
        ("postgresql+psycopg://db.example.test/consenso", "postgresql+psycopg://db.example.test/consenso"),
        ("sqlite:////srv/consenso.db", "sqlite:////srv/consenso.db"),
    ],
)
def test_database_urls_are_normalised(monkeypatch: pytest.MonkeyPatch, given: str, normalised: str) -> None:
    monkeypatch.setenv("CONSENSO_DATABASE_URL", given)

    settings = load_settings()

    assert settings.database_url == normalised
    assert settings.resolved_database_url == normalised
    assert settings.is_sqlite is normalised.startswith("sqlite")
    assert Settings(database_url=given).database_url == normalised  # the same through an override


@pytest.mark.parametrize("blank", ["", "   "])
def test_a_blank_database_url_means_the_default(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, blank: str
) -> None:
    monkeypatch.setenv("CONSENSO_DATABASE_URL", blank)
    monkeypatch.setenv("CONSENSO_DATA_DIR", str(tmp_path))

    settings = load_settings()

    assert settings.database_url is None
    assert settings.resolved_database_url == f"sqlite:///{tmp_path}/consenso.db"


def test_the_default_database_is_sqlite_in_the_data_dir(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CONSENSO_DATA_DIR", str(tmp_path / "instance"))

    settings = load_settings()

    assert settings.database_url is None
    assert settings.resolved_database_url == f"sqlite:///{tmp_path}/instance/consenso.db"
    assert settings.is_sqlite is True


def test_the_default_data_dir_follows_xdg_data_home(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))

    assert default_data_dir() == tmp_path / "xdg" / "consenso"
    assert load_settings().resolved_database_url == f"sqlite:///{tmp_path}/xdg/consenso/consenso.db"
