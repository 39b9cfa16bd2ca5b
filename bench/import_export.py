"""Import and export of N tasks (JSONL): wall time, tasks per second and peak memory of each phase.

The goal (issue "large imports"): 1,000,000 tasks imported and exported in under 30 s each, each under
500 MB peak resident memory.

How it measures: the parent generates N JSONL records (a ~20-word review plus an index) into a temporary
file and creates a user, a workspace and a sentiment project through the services. Each phase — import,
then export — runs in a fresh child process (this script with ``--phase``), so its peak RSS (``VmHWM``
on Linux, else ``getrusage(RUSAGE_SELF).ru_maxrss``) is its own: the import's high-water mark cannot
hide the export's. The peak includes the interpreter and the imported libraries ("baseline", measured in
the same child just before the phase starts). Times cover the service call only (``import_tasks`` with
the whole file; ``export_project`` written to a file), including the commit. "client CPU" is the child's
user + system time — on a shared machine it says how much of the wall time was this process's own work
(PostgreSQL's work is in the server, not in it); the 1-minute load average is printed for the same
reason.

Run from the repository root::

    .venv/bin/python bench/import_export.py                      # 1,000,000 tasks, temporary SQLite file
    .venv/bin/python bench/import_export.py --n 100000 --pg      # a scratch database on local PostgreSQL
    .venv/bin/python bench/import_export.py --database-url postgresql+psycopg://user@host/db

With ``--pg`` the script creates its own database on ``--pg-admin-dsn`` and drops it afterwards; with
``--database-url`` it migrates that database and leaves the bench's user, workspace and project (and
their tasks) in it. SQLite runs with the application's default ``synchronous=FULL`` unless
``--sqlite-synchronous normal``; the durability settings in force are printed with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import resource
import shlex
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any

import orjson

GOAL_SECONDS = 30.0
GOAL_MB = 500.0

SCHEMA: dict[str, Any] = {
    "controls": [
        {
            "name": "sentiment",
            "type": "choice",
            "field": "text",
            "labels": [
                {"value": "positive", "names": {"en": "Positive", "es": "Positivo"}},
                {"value": "negative", "names": {"en": "Negative", "es": "Negativo"}},
                {"value": "neutral", "names": {"en": "Neutral", "es": "Neutral"}},
            ],
        }
    ]
}

_VOCABULARY = (
    "the battery lasts all day and screen is bright but speaker sounds thin for price I expected better "
    "delivery was fast packaging arrived damaged works fine after update would buy again not worth money "
    "customer service answered quickly camera takes sharp photos in low light keyboard feels cheap overall "
    "happy with this purchase returned it after week size fits well colour matches pictures instructions "
    "unclear setup took minutes great value recommend to friends stopped working charger gets hot"
)
_WORDS = tuple(_VOCABULARY.split())


def _peak_mb() -> float:
    """This process's resident-memory high-water mark, in MB.

    On Linux ``VmHWM`` of the current address space: ``ru_maxrss`` would also count the parent's resident
    set, which survives ``fork`` + ``exec`` in the rusage of the child.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # kilobytes on Linux, bytes on macOS
    return peak / (1024 * 1024) if sys.platform == "darwin" else peak / 1024


def _cpu_seconds() -> float:
    """User + system CPU time of this process (the database server's, for PostgreSQL, is not in it)."""
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def _server_cpu_seconds(db: Any) -> float | None:
    """CPU time of this process's PostgreSQL backends, when the server runs on this machine and /proc
    shows it (None otherwise). The backends were started by this child, so their totals are the phase's
    work plus a few setup queries; the WAL writer and checkpointer are not counted."""
    if db.is_sqlite:
        return None
    with db.read_engine.connect() as conn:
        pids = conn.exec_driver_sql(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND backend_type = 'client backend'"
        ).scalars()
        total = 0.0
        try:
            for pid in pids:
                with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
                    fields = fh.read().rsplit(")", 1)[1].split()
                total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except OSError:
            return None
    return total


def generate(path: Path, n: int, seed: int) -> int:
    """Write ``n`` JSONL tasks; every ``data`` is distinct (it holds the index). Returns the byte size."""
    rng = random.Random(seed)
    words = _WORDS
    with path.open("wb") as fh:
        buf: list[bytes] = []
        for i in range(n):
            text = " ".join(rng.choices(words, k=rng.randint(15, 25))).capitalize() + "."
            buf.append(orjson.dumps({"data": {"text": text, "idx": i}, "meta": {"source": "bench"}}))
            if len(buf) >= 10_000:
                fh.write(b"\n".join(buf) + b"\n")
                buf.clear()
        if buf:
            fh.write(b"\n".join(buf) + b"\n")
    return path.stat().st_size


def _database(url: str, synchronous: str) -> Any:
    from consenso.store.database import Database

    return Database(url, sqlite_synchronous=synchronous)


def setup(url: str, synchronous: str) -> dict[str, Any]:
    """A migrated database with an admin, a workspace and an empty sentiment project."""
    from consenso.services.principal import Principal
    from consenso.services.projects import create_project
    from consenso.services.users import create_user
    from consenso.services.workspaces import create_workspace
    from consenso.store.migrate import upgrade

    db = _database(url, synchronous)
    try:
        upgrade(db)
        email = f"bench-{uuid.uuid4().hex[:8]}@example.test"
        user = create_user(db, None, email=email, password="bench-password-123", is_admin=True)
        principal = Principal.local_admin(user.id, user.email)
        workspace = create_workspace(db, principal, "Bench")
        project = create_project(db, principal, workspace_id=workspace.id, name="Bench", schema=SCHEMA)
        return {"user_id": user.id, "email": user.email, "project_id": project.id}
    finally:
        db.dispose()


def durability(url: str, synchronous: str) -> str:
    """The settings that decide whether a commit waits for the disk."""
    db = _database(url, synchronous)
    try:
        with db.write_engine.connect() as conn:
            if db.is_sqlite:
                mode = conn.exec_driver_sql("PRAGMA journal_mode").scalar()
                sync = conn.exec_driver_sql("PRAGMA synchronous").scalar()
                names = {0: "OFF", 1: "NORMAL", 2: "FULL", 3: "EXTRA"}
                return (
                    f"sqlite {sqlite3.sqlite_version} journal_mode={mode} synchronous={names.get(sync, sync)}"
                )
            values = [
                f"{name}={conn.exec_driver_sql(f'SHOW {name}').scalar()}"
                for name in ("fsync", "synchronous_commit", "wal_level", "shared_buffers", "max_wal_size")
            ]
            version = conn.exec_driver_sql("SHOW server_version").scalar()
            return f"postgresql {version} " + " ".join(values)
    finally:
        db.dispose()


def database_size(url: str, synchronous: str) -> float:
    db = _database(url, synchronous)
    try:
        if db.is_sqlite:
            path = Path(db.write_engine.url.database or "")
            return sum(p.stat().st_size for p in path.parent.glob(path.name + "*")) / 1e6
        with db.read_engine.connect() as conn:
            return (
                float(conn.exec_driver_sql("SELECT pg_database_size(current_database())").scalar() or 0) / 1e6
            )
    finally:
        db.dispose()


def run_phase(args: argparse.Namespace) -> None:
    """Child process: run one phase and print its figures as JSON on the last line of stdout."""
    from consenso.services import export, task_import
    from consenso.services.principal import Principal

    db = _database(args.database_url, args.sqlite_synchronous)
    principal = Principal.local_admin(args.user_id, args.email)
    baseline = _peak_mb()
    load_before = os.getloadavg()[0]
    cpu_before = _cpu_seconds()
    try:
        if args.phase == "import":
            with open(args.file, "rb") as fh:
                started = time.perf_counter()
                result = task_import.import_tasks(
                    db, principal, args.project_id, fh, "application/x-ndjson", origin="bench"
                )
                elapsed = time.perf_counter() - started
            figures = {
                "received": result.received,
                "created": result.created,
                "duplicates": result.duplicates,
                "count": result.received,
            }
        else:
            lines = 0
            written = 0
            with open(args.file, "wb") as fh:
                started = time.perf_counter()
                for chunk in export.export_project(db, principal, args.project_id):
                    fh.write(chunk)
                    lines += chunk.count(b"\n")
                    written += len(chunk)
                elapsed = time.perf_counter() - started
            figures = {"count": lines, "bytes": written}
        server_cpu = _server_cpu_seconds(db)
    finally:
        db.dispose()
    figures |= {
        "server_cpu_s": server_cpu,
        "phase": args.phase,
        "seconds": elapsed,
        "cpu_s": _cpu_seconds() - cpu_before,
        "load": max(load_before, os.getloadavg()[0]),
        "baseline_mb": baseline,
        "peak_mb": _peak_mb(),
    }
    print(json.dumps(figures))


def _child(args: argparse.Namespace, phase: str, file: Path, ids: dict[str, Any]) -> dict[str, Any]:
    command = [
        sys.executable,
        os.path.abspath(__file__),
        "--phase",
        phase,
        "--file",
        str(file),
        "--database-url",
        args.database_url,
        "--sqlite-synchronous",
        args.sqlite_synchronous,
        "--project-id",
        str(ids["project_id"]),
        "--user-id",
        str(ids["user_id"]),
        "--email",
        ids["email"],
    ]
    if args.profile:
        command[1:1] = ["-m", "cProfile", "-o", str(Path(args.profile).with_suffix(f".{phase}.prof"))]
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        sys.stderr.write(done.stdout + done.stderr)
        raise SystemExit(f"{phase} failed (exit {done.returncode})")
    return dict(json.loads(done.stdout.strip().splitlines()[-1]))


def _pg_url(admin_dsn: str, name: str) -> str:
    base = admin_dsn.rsplit("/", 1)[0].replace("postgresql://", "postgresql+psycopg://", 1)
    return f"{base}/{name}"


def _pg_create(admin_dsn: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')


def _pg_drop(admin_dsn: str, name: str) -> None:
    import psycopg

    with psycopg.connect(admin_dsn, autocommit=True) as conn:
        conn.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()",
            (name,),
        )
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="tasks to generate (default 1,000,000)")
    parser.add_argument("--database-url", help="SQLAlchemy URL (default: a SQLite file in a temp directory)")
    parser.add_argument(
        "--pg", action="store_true", help="use a scratch database on --pg-admin-dsn, dropped after"
    )
    parser.add_argument("--pg-admin-dsn", default="postgresql://postgres@127.0.0.1:5432/postgres")
    parser.add_argument("--sqlite-synchronous", choices=("full", "normal"), default="full")
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--workdir", help="where the temporary files go (default: the system temp dir)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary files and database")
    parser.add_argument("--profile", help="write cProfile output of each phase to PATH.<phase>.prof")
    parser.add_argument("--phase", choices=("import", "export"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    parser.add_argument("--project-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--user-id", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--email", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.phase:
        run_phase(args)
        return

    command = shlex.join([sys.executable, *sys.argv])
    workdir = Path(tempfile.mkdtemp(prefix="consenso-bench-", dir=args.workdir))
    pg_name = None
    if args.pg:
        pg_name = f"consenso_bench_{uuid.uuid4().hex[:10]}"
        _pg_create(args.pg_admin_dsn, pg_name)
        args.database_url = _pg_url(args.pg_admin_dsn, pg_name)
    elif not args.database_url:
        args.database_url = f"sqlite:///{workdir / 'bench.db'}"
    try:
        source = workdir / "tasks.jsonl"
        started = time.perf_counter()
        size = generate(source, args.n, args.seed)
        print(
            f"generated {args.n:,} tasks, {size / 1e6:.1f} MB, in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
        ids = setup(args.database_url, args.sqlite_synchronous)
        conditions = durability(args.database_url, args.sqlite_synchronous)
        imported = _child(args, "import", source, ids)
        db_mb = database_size(args.database_url, args.sqlite_synchronous)
        exported = _child(args, "export", workdir / "export.jsonl", ids)
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)
            if pg_name:
                _pg_drop(args.pg_admin_dsn, pg_name)
        else:
            print(f"kept {workdir}" + (f" and database {pg_name}" if pg_name else ""), file=sys.stderr)

    if imported["created"] != args.n or exported["count"] != args.n:
        raise SystemExit(f"wrong counts: imported {imported}, exported {exported}")
    backend = "sqlite" if args.database_url.startswith("sqlite") else "postgresql"
    rows = []
    for phase in (imported, exported):
        phase["tasks_per_s"] = args.n / phase["seconds"]
        phase["meets_goal"] = phase["seconds"] < GOAL_SECONDS and phase["peak_mb"] < GOAL_MB
        rows.append(phase)

    print(f"command:    {command}")
    python = f"{platform.python_implementation()} {platform.python_version()}"
    print(f"machine:    {python}, {os.cpu_count()} CPUs, {platform.platform()}")
    print(f"database:   {conditions}; {db_mb:.0f} MB after import")
    print(f"input:      {args.n:,} tasks, {size / 1e6:.1f} MB JSONL; export {exported['bytes'] / 1e6:.1f} MB")
    print(f"load:       1-minute load average up to {max(p['load'] for p in rows):.1f} during the phases")
    print()
    print(
        f"{'phase':<8} {'seconds':>8} {'tasks/s':>10} {'client CPU s':>13} {'server CPU s':>13} {'peak MB':>8}"
        f" {'baseline MB':>12}"
        f"  goal (<{GOAL_SECONDS:.0f} s, <{GOAL_MB:.0f} MB)"
    )
    for phase in rows:
        server = "-" if phase["server_cpu_s"] is None else f"{phase['server_cpu_s']:.1f}"
        print(
            f"{phase['phase']:<8} {phase['seconds']:>8.1f} {phase['tasks_per_s']:>10,.0f} {phase['cpu_s']:>13.1f} "
            f"{server:>13} {phase['peak_mb']:>8.0f} {phase['baseline_mb']:>12.0f}  "
            f"{'met' if phase['meets_goal'] else 'MISSED'}"
        )
    summary = {
        "bench": "import_export",
        "command": command,
        "backend": backend,
        "durability": conditions,
        "n": args.n,
        "input_mb": round(size / 1e6, 1),
        "database_mb": round(db_mb, 1),
        **{
            f"{p['phase']}_{k}": round(p[v], 2) if isinstance(p[v], float) else p[v]
            for p in rows
            for k, v in (
                ("s", "seconds"),
                ("tasks_per_s", "tasks_per_s"),
                ("cpu_s", "cpu_s"),
                ("server_cpu_s", "server_cpu_s"),
                ("load", "load"),
                ("peak_mb", "peak_mb"),
                ("baseline_mb", "baseline_mb"),
                ("meets_goal", "meets_goal"),
            )
        },
    }
    print(json.dumps(summary))


if __name__ == "__main__":
    main()
