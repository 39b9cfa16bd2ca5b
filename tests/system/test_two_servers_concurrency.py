"""Two server processes, one PostgreSQL database, 32 simulated annotators: every invariant holds.

The scenario (deterministic choices, seeded; thread scheduling is of course not):

- ``consenso db upgrade``, an instance admin and its token through the CLI, then two ``consenso serve``
  processes on free ports of 127.0.0.1 sharing the database (each server's output goes to a log file in
  the test's tmp dir; its tail is shown when the test fails);
- a workspace, 32 annotators (users, tokens, memberships through the admin's API: 64 more CLI runs
  would cost over a minute), one project with overlap 3 and a 10 s lease, 2,000 tasks;
- 32 threads, each an annotator with its own httpx clients, sending every request to one of the two
  servers at random:
  * *plain* annotators loop ``next`` → submit, and now and then call ``next`` again while holding the
    lease (it must hand back the same task and the same expiry);
  * *skippers* skip about 10 % of their tasks;
  * *retriers* send every submission again 1–2 times with the same ``Idempotency-Key`` (at least once
    on the other server), and now and then send it to both servers at the same moment: same id back,
    ``Idempotent-Replayed: true``, never a second row;
  * *abandoners* take a task and never submit it (twice each): they check mid-lease that ``next`` hands
    the task back, then let the lease expire; the task must be completed by others;
  * *late submitters* hold a lease past its expiry and submit then (accepted only while a slot is
    free, else 409 ``no_free_slot``; either outcome is checked against the database); one of them also
    submits, first thing, a task it was never served (a free slot: accepted). In the crowd the expired
    lease is usually reclaimed and re-leased within milliseconds, so these mostly see 409; a small
    "late lab" beside the crowd (three one-task projects) makes every branch deterministic: own expired
    lease still unreclaimed (accepted), reclaimed by someone else with a slot still free (accepted),
    reclaimed and the slot taken (409).
- Every annotator runs until ``next`` answers 204. An annotator that gets 204 keeps polling (a skip
  or an expiry may free a slot for it) until the whole crowd is quiet: everyone idle, nothing changed
  since each one's last 204, and every abandoned lease expired before it.

Checked on the client side while running: ``next`` never hands back a task the annotator submitted,
skipped or leased before (other than its live lease); a live lease is handed back by ``next``; a
submission made with a live lease is never refused; no 5xx, no dropped connection. A monitor thread reads
consistent snapshots of the database meanwhile: per task, annotations ≤ overlap, annotations + live
leases ≤ overlap, ``slots_taken`` = annotations + rows still ``leased`` (an expired lease keeps its slot
until it is reclaimed), ``annotation_count`` = annotations = ``submitted`` rows; at most one lease per
annotator. At the end: every task holds exactly 3 annotations from 3 different annotators, every
acknowledged annotation id is stored exactly once (and nothing unacknowledged is), the export agrees,
skipped and abandoned tasks are recorded as such, and the late submissions agree with the database.
"""

from __future__ import annotations

import os
import random
import signal
import socket
import subprocess
import sys
import threading
import time
import traceback
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx
import orjson
import pytest
from sqlalchemy import and_, create_engine, func, select
from sqlalchemy.engine import Engine

from consenso.store.models import Annotation, Assignment, Task
from tests.conftest import SENTIMENT_SCHEMA

pytestmark = pytest.mark.slow

SEED = 20_240_611
N_TASKS = 2_000
OVERLAP = 3
LEASE_SECONDS = 10  # the minimum: leases really expire during the test
N_ANNOTATORS = 32
RUN_SECONDS = 180  # hard bound on the annotators' phase (a guard against a hang: it takes ~60-130 s)
HTTP_TIMEOUT = 30.0
STARTUP_SECONDS = 60
MONITOR_EVERY = 3.0
LABELS = ("positive", "negative", "neutral")

# who does what (indices into the 32 annotators)
ABANDONERS = (0, 1)
LATE_SUBMITTERS = (2, 3)
RETRIERS = (4, 5, 6, 7)
SKIPPERS = (8, 9, 10, 11, 12, 13)
ROLES = {
    **dict.fromkeys(ABANDONERS, "abandoner"),
    **dict.fromkeys(LATE_SUBMITTERS, "late"),
    **dict.fromkeys(RETRIERS, "retrier"),
    **dict.fromkeys(SKIPPERS, "skipper"),
}
LATE_DELAY = dict(zip(LATE_SUBMITTERS, (0.05, 2.0), strict=True))  # seconds past expiry before submitting


def _consenso_command() -> list[str]:
    script = Path(sys.executable).with_name("consenso")
    return [str(script)] if script.exists() else [sys.executable, "-m", "consenso"]


def _free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _tail(path: Path, lines: int = 40) -> str:
    try:
        text_lines = path.read_text(errors="replace").splitlines()
    except OSError as exc:
        return f"(cannot read {path}: {exc})"
    return "\n".join(text_lines[-lines:])


def _examples(items: list[Any], n: int = 10) -> str:
    shown = "\n  ".join(str(i) for i in items[:n])
    more = f"\n  ... and {len(items) - n} more" if len(items) > n else ""
    return f"{len(items)}:\n  {shown}{more}"


def _epoch(iso: str) -> float:
    return datetime.fromisoformat(iso).timestamp()


def _client(base_url: str, token: str) -> httpx.Client:
    # uvicorn closes a keep-alive connection after 5 idle seconds; reusing one that old races with the
    # close (a "connection reset" that is nobody's bug), so the client drops idle connections first
    return httpx.Client(
        base_url=base_url,
        headers={"Authorization": f"Bearer {token}"},
        timeout=HTTP_TIMEOUT,
        limits=httpx.Limits(keepalive_expiry=2.0),
    )


# --------------------------------------------------------------------------------------------------
# the two servers


@dataclass
class Server:
    name: str
    url: str
    proc: subprocess.Popen[bytes]
    log: Path


@dataclass
class Cluster:
    env: dict[str, str]
    database_url: str
    servers: list[Server]
    admin_token: str
    tmp: Path

    def logs(self) -> str:
        return "\n".join(f"--- tail of {s.name} log ({s.log}) ---\n{_tail(s.log)}" for s in self.servers)


def _cli(env: dict[str, str], *args: str) -> str:
    result = subprocess.run(
        [*_consenso_command(), *args], env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, (
        f"consenso {' '.join(args)} exited {result.returncode}\nstdout:\n{result.stdout}\nstderr:\n{result.stderr}"
    )
    lines = result.stdout.strip().splitlines()
    assert lines, f"consenso {' '.join(args)} printed nothing on stdout; stderr:\n{result.stderr}"
    return lines[-1].strip()


def _stop(server: Server) -> None:
    proc = server.proc
    if proc.poll() is not None:
        return
    proc.send_signal(signal.SIGTERM)
    try:
        proc.wait(timeout=20)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait(timeout=10)


def _start(name: str, env: dict[str, str], tmp: Path) -> Server:
    port = _free_port()
    log = tmp / f"server-{name}.log"
    with log.open("wb") as sink:
        proc = subprocess.Popen(
            [*_consenso_command(), "serve", "--no-migrate", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            stdout=sink,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
        )
    return Server(name, f"http://127.0.0.1:{port}", proc, log)


def _wait_healthy(server: Server) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    last = "no answer yet"
    while time.monotonic() < deadline:
        if server.proc.poll() is not None:
            pytest.fail(f"server {server.name} exited with {server.proc.returncode}:\n{_tail(server.log)}")
        try:
            r = httpx.get(f"{server.url}/api/v1/health", timeout=2.0)
            if r.status_code == 200:
                return
            last = f"{r.status_code} {r.text[:200]}"
        except httpx.TransportError as exc:
            last = repr(exc)
        time.sleep(0.2)
    pytest.fail(f"server {server.name} not healthy after {STARTUP_SECONDS}s ({last}):\n{_tail(server.log)}")


@pytest.fixture
def cluster(pg_database: str, tmp_path: Path) -> Iterator[Cluster]:
    env = {
        **os.environ,
        "CONSENSO_DATABASE_URL": pg_database,
        "CONSENSO_DATA_DIR": str(tmp_path / "data"),
        "CONSENSO_LANG": "en",
    }
    env.pop("CONSENSO_SECRET_KEY", None)
    _cli(env, "db", "upgrade")
    admin_line = _cli(
        env, "user", "add", "--email", "admin@example.test", "--password", "admin-pass-123", "--admin"
    )
    assert "id" in orjson.loads(admin_line), admin_line
    token = _cli(env, "token", "create", "--user", "admin@example.test")
    servers: list[Server] = []
    try:
        # one after the other: the first creates the instance secret in the shared data dir, the second reads it
        for name in ("A", "B"):
            server = _start(name, env, tmp_path)
            servers.append(server)
            _wait_healthy(server)
        yield Cluster(env, pg_database, servers, token, tmp_path)
    finally:
        for server in servers:
            _stop(server)


# --------------------------------------------------------------------------------------------------
# shared bookkeeping


@dataclass
class Ack:
    annotation_id: int
    annotator: int  # index
    user_id: int
    task_id: int
    key: str


@dataclass
class Idle:
    seen_changes: int
    sent_at: float


class Shared:
    """What the annotator threads, the monitor and the coordinator share (all under one lock)."""

    def __init__(self, n: int, deadline: float) -> None:
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.deadline = deadline  # time.monotonic()
        self.changes = 0
        self.idle: list[Idle | None] = [None] * n
        self.quiet_after = 0.0  # wall clock: every abandoned lease has expired by then
        self.violations: list[str] = []
        self.server_errors: list[str] = []
        self.transport_errors: list[str] = []
        self.acks: dict[int, Ack] = {}
        self.created_per_key: Counter[str] = Counter()
        self.requests: Counter[str] = Counter()
        self.stats: Counter[str] = Counter()
        self.late: list[dict[str, Any]] = []
        self.abandoned: list[tuple[int, int]] = []  # (annotator index, task id)
        self.skipped: list[tuple[int, int]] = []
        self.monitor_snapshots = 0

    def violation(self, message: str) -> None:
        with self.lock:
            self.violations.append(message)

    def count(self, what: str, n: int = 1) -> None:
        with self.lock:
            self.stats[what] += n

    def changed(self) -> None:
        with self.lock:
            self.changes += 1

    def busy(self, idx: int) -> int:
        with self.lock:
            self.idle[idx] = None
            return self.changes

    def mark_idle(self, idx: int, seen: int, sent_at: float) -> None:
        with self.lock:
            self.idle[idx] = Idle(seen, sent_at)

    def expect_expiry(self, expires_at: float) -> None:
        with self.lock:
            self.quiet_after = max(self.quiet_after, expires_at + 0.25)

    def quiet(self) -> bool:
        """Everyone idle; nothing changed since each one's last 204, asked after every abandoned lease expired."""
        with self.lock:
            return all(
                i is not None and i.seen_changes == self.changes and i.sent_at >= self.quiet_after
                for i in self.idle
            )

    def acknowledge(self, ack: Ack, created: bool) -> None:
        with self.lock:
            known = self.acks.get(ack.annotation_id)
            if known is not None and (known.key, known.task_id, known.user_id) != (
                ack.key,
                ack.task_id,
                ack.user_id,
            ):
                self.violations.append(
                    f"annotation id {ack.annotation_id} acknowledged for {known} and for {ack}"
                )
            self.acks.setdefault(ack.annotation_id, ack)
            if created:
                self.created_per_key[f"{ack.user_id}:{ack.key}"] += 1
                self.changes += 1


@dataclass
class Reply:
    response: httpx.Response
    sent: float  # wall clock, just before the request
    received: float  # wall clock, just after the response
    server: int

    @property
    def status(self) -> int:
        return self.response.status_code

    def code(self) -> str | None:
        try:
            return str(self.response.json()["error"]["code"])
        except (ValueError, KeyError, TypeError):
            return None

    def describe(self) -> str:
        return f"{self.status} from {'AB'[self.server]}: {self.response.text[:300]}"


class GiveUp(Exception):
    pass


# --------------------------------------------------------------------------------------------------
# one simulated annotator


@dataclass
class Lease:
    task_id: int
    expires_at: float  # wall clock (the servers run on this machine)


@dataclass
class Annotator:
    idx: int
    user_id: int
    email: str
    token: str
    role: str
    project_id: int
    urls: list[str]
    shared: Shared
    last_task_id: int
    rng: random.Random = field(init=False)
    special_at: set[int] = field(init=False)  # which of its leases an abandoner / late submitter holds on to
    clients: list[httpx.Client] = field(init=False)
    touched: dict[int, str] = field(default_factory=dict)  # task id -> what this annotator did with it
    current: Lease | None = None
    leases: int = 0
    keys: dict[str, int] = field(default_factory=dict)  # idempotency key -> annotation id
    bodies: dict[str, dict[str, Any]] = field(default_factory=dict)  # idempotency key -> request body
    key_counter: int = 0

    def __post_init__(self) -> None:
        self.rng = random.Random(SEED * 100 + self.idx)
        self.special_at = {1, self.rng.randint(25, 60)}  # leases abandoned / held past expiry

    @property
    def name(self) -> str:
        return f"annotator#{self.idx}({self.role}, user {self.user_id})"

    # ---- HTTP with retry on a dropped connection or a 5xx (both recorded as failures)

    def call(self, method: str, path: str, *, server: int | None = None, **kw: Any) -> Reply:
        srv = self.rng.randrange(2) if server is None else server
        for attempt in range(6):
            if attempt:
                srv = 1 - srv
                time.sleep(0.2)
            sent = time.time()
            try:
                response = self.clients[srv].request(method, path, **kw)
            except httpx.TransportError as exc:
                with self.shared.lock:
                    self.shared.transport_errors.append(
                        f"{self.name} {method} {path} on {'AB'[srv]}: {exc!r}"
                    )
                continue
            reply = Reply(response, sent, time.time(), srv)
            with self.shared.lock:
                self.shared.requests["AB"[srv]] += 1
            if response.status_code >= 500:
                with self.shared.lock:
                    self.shared.server_errors.append(f"{self.name} {method} {path} -> {reply.describe()}")
                continue
            return reply
        raise GiveUp(f"{self.name}: {method} {path} failed 6 times")

    # ---- next, with the client-side checks

    def next(self, *, server: int | None = None) -> dict[str, Any] | None:
        reply = self.call("GET", f"/api/v1/projects/{self.project_id}/next", server=server)
        held = self.current
        if reply.status == 204:
            if held is not None and reply.received < held.expires_at:
                self.shared.violation(
                    f"{self.name}: next gave 204 while lease on task {held.task_id} was live"
                )
            self.current = None
            return None
        if reply.status != 200:
            self.shared.violation(f"{self.name}: next -> {reply.describe()}")
            raise GiveUp(f"{self.name}: unexpected answer to next")
        body: dict[str, Any] = reply.response.json()
        task_id = int(body["id"])
        expires = _epoch(body["lease_expires_at"])
        if held is not None and task_id == held.task_id:
            if reply.sent >= held.expires_at:
                self.shared.violation(
                    f"{self.name}: next served task {task_id} again after its lease expired "
                    f"(asked {reply.sent - held.expires_at:.3f}s after expiry)"
                )
            elif abs(expires - held.expires_at) > 0.001:
                self.shared.violation(
                    f"{self.name}: live lease on task {task_id} handed back with a new expiry "
                    f"({body['lease_expires_at']}, was {datetime.fromtimestamp(held.expires_at)})"
                )
            self.shared.count("next_resumed")
            return body
        if held is not None and reply.received < held.expires_at:
            self.shared.violation(
                f"{self.name}: holds a live lease on task {held.task_id} but next served task {task_id}"
            )
        if task_id in self.touched:
            self.shared.violation(
                f"{self.name}: next served task {task_id} which this annotator already {self.touched[task_id]}"
            )
        self.touched[task_id] = "leased"
        self.current = Lease(task_id, expires)
        self.leases += 1
        self.shared.changed()
        self.shared.count("leases")
        return body

    # ---- submissions

    def new_key(self) -> str:
        self.key_counter += 1
        return f"a{self.idx}-s{self.key_counter}-{self.rng.getrandbits(32):08x}"

    def body(self) -> dict[str, Any]:
        return {"result": {"sentiment": self.rng.choice(LABELS)}, "lead_time_ms": self.rng.randint(1, 5000)}

    def post_annotation(
        self, task_id: int, key: str, body: dict[str, Any], server: int | None = None
    ) -> Reply:
        self.bodies.setdefault(key, body)
        return self.call(
            "POST",
            f"/api/v1/tasks/{task_id}/annotations",
            server=server,
            json=body,
            headers={"Idempotency-Key": key},
        )

    def accept(self, task_id: int, key: str, reply: Reply) -> int:
        """Record a 201 and check that the key always names the same annotation."""
        data = reply.response.json()
        annotation_id = int(data["id"])
        replayed = reply.response.headers.get("Idempotent-Replayed") == "true"
        if int(data["task_id"]) != task_id or int(data["annotator_id"]) != self.user_id:
            self.shared.violation(f"{self.name}: 201 for task {task_id} describes {data}")
        if key in self.keys and self.keys[key] != annotation_id:
            self.shared.violation(
                f"{self.name}: key {key} answered with annotation {annotation_id}, earlier {self.keys[key]}"
            )
        if key in self.keys and not replayed:
            self.shared.violation(f"{self.name}: key {key} sent again but not marked Idempotent-Replayed")
        self.keys.setdefault(key, annotation_id)
        self.shared.acknowledge(
            Ack(annotation_id, self.idx, self.user_id, task_id, key), created=not replayed
        )
        if replayed:
            self.shared.count("replays")
        return annotation_id

    def submit_leased(self, task_id: int, server: int | None = None) -> str:
        """Submit the task this annotator holds; returns 'accepted' or 'expired' (409 after expiry)."""
        lease = self.current
        key, body = self.new_key(), self.body()
        reply = self.post_annotation(task_id, key, body, server)
        outcome = self.settle(task_id, key, reply, lease)
        if outcome == "accepted" and self.role == "retrier":
            self.replay(task_id, key, body, reply.server)
        self.current = None
        return outcome

    def settle(self, task_id: int, key: str, reply: Reply, lease: Lease | None) -> str:
        if reply.status == 201:
            self.accept(task_id, key, reply)
            self.touched[task_id] = "submitted"
            return "accepted"
        live = lease is not None and lease.task_id == task_id and reply.received < lease.expires_at
        if reply.status == 409 and reply.code() == "no_free_slot" and not live:
            self.touched[task_id] = "submitted too late"
            self.shared.count("late_rejected")
            return "rejected"
        self.shared.violation(
            f"{self.name}: submission of task {task_id} "
            f"({'live lease' if live else 'no live lease'}) -> {reply.describe()}"
        )
        self.touched[task_id] = "failed to submit"
        return "error"

    def replay(self, task_id: int, key: str, body: dict[str, Any], first_server: int) -> None:
        """Send the same submission again 1-2 times, at least once on the other server."""
        servers = [1 - first_server] + [self.rng.randrange(2) for _ in range(self.rng.randint(0, 1))]
        for srv in servers:
            reply = self.post_annotation(task_id, key, body, srv)
            if reply.status != 201 or reply.response.headers.get("Idempotent-Replayed") != "true":
                self.shared.violation(
                    f"{self.name}: replay of key {key} (task {task_id}) -> {reply.describe()}"
                )
                continue
            self.accept(task_id, key, reply)

    def submit_twice_at_once(self, task_id: int, pool: ThreadPoolExecutor) -> None:
        """The same submission to both servers at the same moment: one row, one id, one 'created'."""
        key, body = self.new_key(), self.body()
        lease = self.current
        futures = [pool.submit(self.post_annotation, task_id, key, body, srv) for srv in (0, 1)]
        replies = [f.result() for f in futures]
        ok = [r for r in replies if r.status == 201]
        if len(ok) != 2:
            self.shared.violation(
                f"{self.name}: concurrent double submission of task {task_id}: "
                + "; ".join(r.describe() for r in replies)
            )
        ids = {int(r.response.json()["id"]) for r in ok}
        created = [r for r in ok if r.response.headers.get("Idempotent-Replayed") != "true"]
        if len(ids) > 1 or len(created) > 1:
            self.shared.violation(
                f"{self.name}: concurrent double submission of task {task_id} stored {len(created)} times, ids {ids}"
            )
        for r in sorted(ok, key=lambda r: r.response.headers.get("Idempotent-Replayed") == "true"):
            self.accept(task_id, key, r)
        if not ok:
            self.settle(task_id, key, replies[0], lease)
        else:
            self.touched[task_id] = "submitted"
        self.shared.count("double_submissions")
        self.current = None

    def skip(self, task_id: int) -> None:
        reply = self.call("POST", f"/api/v1/tasks/{task_id}/skip")
        if reply.status != 200:
            self.shared.violation(f"{self.name}: skip of task {task_id} -> {reply.describe()}")
        self.touched[task_id] = "skipped"
        self.current = None
        with self.shared.lock:
            self.shared.skipped.append((self.idx, task_id))
            self.shared.changes += 1

    # ---- behaviours

    def sleep_until(self, wall: float) -> None:
        while not self.shared.stop.is_set():
            left = wall - time.time()
            if left <= 0:
                return
            time.sleep(min(left, 0.5))

    def abandon(self, task_id: int) -> None:
        lease = self.current
        assert lease is not None
        self.shared.expect_expiry(lease.expires_at)
        self.touched[task_id] = "abandoned"
        with self.shared.lock:
            self.shared.abandoned.append((self.idx, task_id))
        # mid-lease, on either server: the live lease comes back, unchanged
        self.sleep_until(lease.expires_at - LEASE_SECONDS / 2)
        again = self.next()
        if again is None or int(again["id"]) != task_id:
            self.shared.violation(f"{self.name}: mid-lease next did not hand back task {task_id}: {again}")
        self.sleep_until(lease.expires_at + 0.3)
        self.shared.count("abandoned")

    def submit_late(self, task_id: int) -> None:
        lease = self.current
        assert lease is not None
        self.sleep_until(lease.expires_at + LATE_DELAY[self.idx])
        key, body = self.new_key(), self.body()
        reply = self.post_annotation(task_id, key, body)
        outcome = self.settle(task_id, key, reply, lease)
        with self.shared.lock:
            self.shared.late.append(
                {
                    "annotator": self.idx,
                    "user_id": self.user_id,
                    "task_id": task_id,
                    "outcome": outcome,
                    "annotation_id": self.keys.get(key),
                    "seconds_after_expiry": round(reply.sent - lease.expires_at, 3),
                }
            )
            self.shared.changes += 1
        self.current = None

    def submit_unserved(self, task_id: int) -> None:
        """A submission without any lease, on a task nobody is near yet: a slot is free, so accepted."""
        key, body = self.new_key(), self.body()
        reply = self.post_annotation(task_id, key, body)
        if reply.status != 201:
            self.shared.violation(
                f"{self.name}: submission without lease of free task {task_id} -> {reply.describe()}"
            )
            return
        self.accept(task_id, key, reply)
        self.touched[task_id] = "submitted (never served)"
        self.shared.count("unserved_submissions")

    def work(self, task: dict[str, Any], pool: ThreadPoolExecutor) -> None:
        task_id = int(task["id"])
        special = self.leases in self.special_at
        if self.role == "abandoner" and special:
            self.abandon(task_id)
            return
        if self.role == "late" and special:
            self.submit_late(task_id)
            return
        if self.rng.random() < 0.08:  # reload while holding the lease: same task back
            again = self.next()
            if again is None or int(again["id"]) != task_id:
                self.shared.violation(f"{self.name}: second next did not hand back task {task_id}: {again}")
        if self.role == "skipper" and self.rng.random() < 0.10:
            self.skip(task_id)
            return
        if self.role == "retrier" and self.rng.random() < 0.2:
            self.submit_twice_at_once(task_id, pool)
            return
        outcome = self.submit_leased(task_id)
        if outcome == "rejected":
            self.shared.count("lease_expired_before_submit")

    def run(self) -> None:
        self.clients = [_client(url, self.token) for url in self.urls]
        pool = ThreadPoolExecutor(max_workers=2, thread_name_prefix=f"annotator{self.idx}-dup")
        try:
            if self.role == "late" and self.idx == LATE_SUBMITTERS[-1]:
                self.submit_unserved(self.last_task_id)
            while not self.shared.stop.is_set():
                if time.monotonic() > self.shared.deadline:
                    self.shared.violation(f"{self.name}: still working at the deadline ({RUN_SECONDS}s)")
                    return
                seen = self.shared.busy(self.idx)
                sent = time.time()
                task = self.next()
                if task is None:
                    self.shared.mark_idle(self.idx, seen, sent)
                    self.shared.stop.wait(self.rng.uniform(0.5, 1.0))
                    continue
                self.work(task, pool)
        except GiveUp as exc:
            self.shared.violation(str(exc))
        except Exception:  # a bug in the test itself must not hide behind a waiting coordinator
            self.shared.violation(f"{self.name}: crashed:\n{traceback.format_exc()}")
        finally:
            pool.shutdown(wait=True)
            for client in self.clients:
                client.close()


# --------------------------------------------------------------------------------------------------
# database checks


def _task_counts(engine: Engine, project_id: int) -> list[Any]:
    """Per task, from one consistent snapshot: overlap, slots, counters and the rows behind them."""
    annotations = (
        select(Annotation.task_id, func.count().label("n"))
        .where(Annotation.project_id == project_id)
        .group_by(Annotation.task_id)
        .subquery()
    )
    leased = Assignment.state == "leased"
    assignments = (
        select(
            Assignment.task_id,
            func.count().filter(leased).label("leased"),
            func.count().filter(and_(leased, Assignment.expires_at > func.now())).label("live"),
            func.count().filter(Assignment.state == "submitted").label("submitted"),
        )
        .where(Assignment.project_id == project_id)
        .group_by(Assignment.task_id)
        .subquery()
    )
    stmt = (
        select(
            Task.id,
            Task.overlap,
            Task.slots_taken,
            Task.annotation_count,
            func.coalesce(annotations.c.n, 0),
            func.coalesce(assignments.c.leased, 0),
            func.coalesce(assignments.c.live, 0),
            func.coalesce(assignments.c.submitted, 0),
        )
        .outerjoin(annotations, annotations.c.task_id == Task.id)
        .outerjoin(assignments, assignments.c.task_id == Task.id)
        .where(Task.project_id == project_id)
        .order_by(Task.id)
    )
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        return list(conn.execute(stmt).all())


def _invariant_breaks(engine: Engine, project_id: int) -> list[str]:
    problems = []
    for task_id, overlap, slots, counter, anns, leased, live, submitted in _task_counts(engine, project_id):
        if anns > overlap:
            problems.append(f"task {task_id}: {anns} annotations > overlap {overlap}")
        if anns + live > overlap:
            problems.append(f"task {task_id}: {anns} annotations + {live} live leases > overlap {overlap}")
        if slots != anns + leased:
            problems.append(
                f"task {task_id}: slots_taken {slots} != {anns} annotations + {leased} leased rows"
            )
        if counter != anns or submitted != anns:
            problems.append(
                f"task {task_id}: annotation_count {counter}, {anns} annotation rows, {submitted} submitted rows"
            )
    with engine.connect().execution_options(isolation_level="REPEATABLE READ") as conn:
        for annotator_id, n in conn.execute(
            select(Assignment.annotator_id, func.count())
            .where(Assignment.project_id == project_id, Assignment.state == "leased")
            .group_by(Assignment.annotator_id)
            .having(func.count() > 1)
        ):
            problems.append(f"annotator {annotator_id} holds {n} leases at once")
        for task_id, annotator_id, n in conn.execute(
            select(Annotation.task_id, Annotation.annotator_id, func.count())
            .where(Annotation.project_id == project_id)
            .group_by(Annotation.task_id, Annotation.annotator_id)
            .having(func.count() > 1)
        ):
            problems.append(f"task {task_id} annotated {n} times by user {annotator_id}")
    return problems


def _monitor(engine: Engine, project_id: int, shared: Shared, found: dict[str, int]) -> None:
    """Check the invariants on a consistent snapshot every few seconds; each break is kept once."""
    while not shared.stop.wait(MONITOR_EVERY):
        try:
            breaks = _invariant_breaks(engine, project_id)
        except Exception as exc:
            found.setdefault(f"monitor query failed: {exc!r}", shared.monitor_snapshots + 1)
            return
        with shared.lock:
            shared.monitor_snapshots += 1
        for b in breaks:
            found.setdefault(b, shared.monitor_snapshots)


# --------------------------------------------------------------------------------------------------
# late submissions, deterministically: one single-task project per case, away from the crowd

# case -> overlap. "own": the late annotator's expired lease is still unreclaimed when it submits (the
# submission reclaims it and takes the freed slot: accepted). "reclaimed_free": another annotator's
# `next` reclaimed it first and took one of two slots (one is still free: accepted). "reclaimed_full":
# the other annotator took the only slot (409 no_free_slot).
LAB_CASES = {"own": 1, "reclaimed_free": 2, "reclaimed_full": 1}
LAB_EXPECTED = {"own": 201, "reclaimed_free": 201, "reclaimed_full": 409}


def _late_lab(urls: list[str], late: Any, other: Any, lab: dict[str, int], out: dict[str, Any]) -> None:
    """``late`` holds a lease in each lab project past its expiry; ``other`` steps in where the case says."""
    problems: list[str] = []
    outcomes: dict[str, Any] = {}
    out["problems"], out["outcomes"] = problems, outcomes
    clients = {who.user_id: [_client(u, who.token) for u in urls] for who in (late, other)}
    try:
        leased: dict[str, tuple[int, float]] = {}
        for n, (case, project_id) in enumerate(lab.items()):
            r = clients[late.user_id][n % 2].get(f"/api/v1/projects/{project_id}/next")
            if r.status_code != 200:
                problems.append(f"lab {case}: next -> {r.status_code} {r.text[:200]}")
                return
            leased[case] = (int(r.json()["id"]), _epoch(r.json()["lease_expires_at"]))
        wait = max(expires for _, expires in leased.values()) + 0.3 - time.time()
        time.sleep(max(wait, 0))
        for case in ("reclaimed_free", "reclaimed_full"):
            r = clients[other.user_id][0].get(f"/api/v1/projects/{lab[case]}/next")
            if r.status_code != 200 or int(r.json()["id"]) != leased[case][0]:
                problems.append(f"lab {case}: other annotator's next -> {r.status_code} {r.text[:200]}")
        for n, (case, (task_id, expires)) in enumerate(leased.items()):
            r = clients[late.user_id][(n + 1) % 2].post(
                f"/api/v1/tasks/{task_id}/annotations",
                json={"result": {"sentiment": "negative"}, "lead_time_ms": 7},
                headers={"Idempotency-Key": f"lab-{case}"},
            )
            code = r.json().get("error", {}).get("code") if r.status_code >= 400 else None
            outcomes[case] = {
                "task_id": task_id,
                "status": r.status_code,
                "code": code,
                "seconds_after_expiry": round(time.time() - expires, 2),
            }
            if r.status_code != LAB_EXPECTED[case] or (r.status_code == 409 and code != "no_free_slot"):
                problems.append(f"lab {case}: late submission -> {r.status_code} {r.text[:200]}")
        for case in ("reclaimed_free", "reclaimed_full"):
            r = clients[other.user_id][1].post(
                f"/api/v1/tasks/{leased[case][0]}/annotations",
                json={"result": {"sentiment": "positive"}, "lead_time_ms": 7},
                headers={"Idempotency-Key": f"lab-{case}"},
            )
            if r.status_code != 201:
                problems.append(f"lab {case}: other annotator's submission -> {r.status_code} {r.text[:200]}")
    except (httpx.HTTPError, ValueError, KeyError) as exc:
        problems.append(f"lab crashed: {exc!r}")
    finally:
        for pair in clients.values():
            for client in pair:
                client.close()


def _lab_breaks(engine: Engine, lab: dict[str, int], late_user: int, other_user: int) -> list[str]:
    problems = []
    expected = {  # case -> (annotators, late annotator's assignment state)
        "own": ({late_user}, "submitted"),
        "reclaimed_free": ({late_user, other_user}, "submitted"),
        "reclaimed_full": ({other_user}, "expired"),
    }
    with engine.connect() as conn:
        for case, project_id in lab.items():
            problems.extend(f"lab {case}: {b}" for b in _invariant_breaks(engine, project_id))
            annotators = set(
                conn.scalars(select(Annotation.annotator_id).where(Annotation.project_id == project_id))
            )
            state = conn.scalar(
                select(Assignment.state).where(
                    Assignment.project_id == project_id, Assignment.annotator_id == late_user
                )
            )
            if (annotators, state) != expected[case]:
                problems.append(
                    f"lab {case}: annotators {annotators}, late annotator's assignment {state}; "
                    f"expected {expected[case]}"
                )
    return problems


# --------------------------------------------------------------------------------------------------
# set-up through the API


def _setup_project(cluster: Cluster) -> tuple[int, list[dict[str, Any]], dict[str, int]]:
    url = cluster.servers[0].url
    with httpx.Client(
        base_url=url, headers={"Authorization": f"Bearer {cluster.admin_token}"}, timeout=120.0
    ) as admin:

        def ok(r: httpx.Response, status: int = 201) -> Any:
            assert r.status_code == status, f"{r.request.method} {r.request.url} -> {r.status_code} {r.text}"
            return r.json()

        workspace_id = ok(admin.post("/api/v1/workspaces", json={"name": "Concurrency"}))["id"]

        def person(i: int) -> dict[str, Any]:
            email = f"annotator{i:02d}@example.test"
            user = ok(admin.post("/api/v1/users", json={"email": email, "password": f"password-{i:02d}-x"}))
            token = ok(admin.post("/api/v1/tokens", json={"name": "sim", "user_email": email}))["token"]
            member = {"email": email, "role": "annotator"}
            ok(admin.post(f"/api/v1/workspaces/{workspace_id}/members", json=member))
            return {"user_id": int(user["id"]), "email": email, "token": token}

        with ThreadPoolExecutor(max_workers=8) as pool:  # password hashing dominates: in parallel
            people = list(pool.map(person, range(N_ANNOTATORS)))

        def project(name: str, overlap: int, n_tasks: int) -> int:
            body = {
                "workspace_id": workspace_id,
                "name": name,
                "schema": SENTIMENT_SCHEMA,
                "overlap": overlap,
                "lease_seconds": LEASE_SECONDS,
            }
            project_id = int(ok(admin.post("/api/v1/projects", json=body))["id"])
            tasks = [
                {"data": {"text": f"{name} {i}: the battery lasts {i % 17} hours"}} for i in range(n_tasks)
            ]
            imported = ok(admin.post(f"/api/v1/projects/{project_id}/tasks", json=tasks))
            assert imported["created"] == n_tasks, imported
            return project_id

        main = project("Two servers", OVERLAP, N_TASKS)
        lab = {case: project(f"Late lab {case}", overlap, 1) for case, overlap in LAB_CASES.items()}
        return main, people, lab


def _export(cluster: Cluster, project_id: int) -> list[dict[str, Any]]:
    r = httpx.get(
        f"{cluster.servers[1].url}/api/v1/projects/{project_id}/export",
        params={"format": "jsonl"},
        headers={"Authorization": f"Bearer {cluster.admin_token}"},
        timeout=120.0,
    )
    assert r.status_code == 200, f"export -> {r.status_code} {r.text[:500]}"
    return [orjson.loads(line) for line in r.content.splitlines() if line.strip()]


# --------------------------------------------------------------------------------------------------
# the test


@dataclass
class Run:
    """What the annotators' phase left for the checks."""

    project_id: int
    task_ids: list[int]
    urls: list[str]
    annotators: list[Annotator]
    shared: Shared
    lab: dict[str, int]
    lab_result: dict[str, Any]
    monitor_found: dict[str, int]
    quiet: bool
    hung: list[str]
    seconds: float


def _run_crowd(
    engine: Engine, cluster: Cluster, project_id: int, people: list[dict[str, Any]], lab: dict[str, int]
) -> Run:
    with engine.connect() as conn:
        task_ids = list(conn.scalars(select(Task.id).where(Task.project_id == project_id).order_by(Task.id)))
    assert len(task_ids) == N_TASKS
    shared = Shared(N_ANNOTATORS, deadline=time.monotonic() + RUN_SECONDS)
    urls = [s.url for s in cluster.servers]
    annotators = [
        Annotator(
            idx=i,
            user_id=p["user_id"],
            email=p["email"],
            token=p["token"],
            role=ROLES.get(i, "plain"),
            project_id=project_id,
            urls=urls,
            shared=shared,
            last_task_id=task_ids[-1],
        )
        for i, p in enumerate(people)
    ]
    monitor_found: dict[str, int] = {}
    lab_result: dict[str, Any] = {"problems": ["the lab never ran"], "outcomes": {}}
    lab_pair = (annotators[LATE_SUBMITTERS[0]], annotators[LATE_SUBMITTERS[1]])
    helpers = [
        threading.Thread(target=_monitor, args=(engine, project_id, shared, monitor_found), daemon=True),
        threading.Thread(target=_late_lab, args=(urls, *lab_pair, lab, lab_result), daemon=True),
    ]
    threads = [threading.Thread(target=a.run, name=a.name, daemon=True) for a in annotators]
    started = time.monotonic()
    for t in helpers + threads:
        t.start()
    # the coordinator: stop when the crowd is quiet, when an annotator has given up, or at the deadline
    while time.monotonic() < shared.deadline + HTTP_TIMEOUT:
        if shared.quiet() or not all(t.is_alive() for t in threads):
            break
        time.sleep(0.2)
    quiet = shared.quiet()
    shared.stop.set()
    for t in threads:
        t.join(timeout=HTTP_TIMEOUT + 10)
    for t in helpers:
        t.join(timeout=LEASE_SECONDS + 4 * HTTP_TIMEOUT)
    return Run(
        project_id,
        task_ids,
        urls,
        annotators,
        shared,
        lab,
        lab_result,
        monitor_found,
        quiet,
        hung=[t.name for t in threads if t.is_alive()],
        seconds=time.monotonic() - started,
    )


def _probes(engine: Engine, run: Run) -> list[str]:
    """On the finished project: nothing left for anyone, no free slot, replays still answer the same."""
    problems = []
    with engine.connect() as conn:
        rows_before = conn.scalar(select(func.count()).select_from(Annotation))

    def auth(a: Annotator, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {a.token}", **extra}

    for a in run.annotators[:4] + run.annotators[-2:]:
        for srv, url in enumerate(run.urls):
            r = httpx.get(
                f"{url}/api/v1/projects/{run.project_id}/next", headers=auth(a), timeout=HTTP_TIMEOUT
            )
            if r.status_code != 204:
                problems.append(
                    f"{a.name}: next on {'AB'[srv]} after the run -> {r.status_code} {r.text[:200]}"
                )
    outsider = run.annotators[-1]
    untouched = next((t for t in run.task_ids if t not in outsider.touched), None)
    if untouched is not None:
        r = httpx.post(
            f"{run.urls[0]}/api/v1/tasks/{untouched}/annotations",
            json={"result": {"sentiment": "neutral"}, "lead_time_ms": 1},
            headers=auth(outsider, **{"Idempotency-Key": "probe-full-task"}),
            timeout=HTTP_TIMEOUT,
        )
        if r.status_code != 409 or r.json().get("error", {}).get("code") != "no_free_slot":
            problems.append(
                f"submission without lease to full task {untouched} -> {r.status_code} {r.text[:200]}"
            )
    replayer = next(a for a in run.annotators if a.keys)
    old_key, old_id = next(iter(replayer.keys.items()))
    old_task = run.shared.acks[old_id].task_id
    r = httpx.post(
        f"{run.urls[1]}/api/v1/tasks/{old_task}/annotations",
        json=replayer.bodies[old_key],
        headers=auth(replayer, **{"Idempotency-Key": old_key}),
        timeout=HTTP_TIMEOUT,
    )
    if r.status_code != 201 or r.json()["id"] != old_id or r.headers.get("Idempotent-Replayed") != "true":
        problems.append(f"replay of key {old_key} after the run -> {r.status_code} {r.text[:200]}")
    r = httpx.post(
        f"{run.urls[1]}/api/v1/tasks/{old_task}/annotations",
        json={"result": {"sentiment": "neutral"}, "lead_time_ms": 1},
        headers=auth(replayer, **{"Idempotency-Key": old_key}),
        timeout=HTTP_TIMEOUT,
    )
    if r.status_code != 409 or r.json().get("error", {}).get("code") != "idempotency_key_reused":
        problems.append(f"key {old_key} with a different body -> {r.status_code} {r.text[:200]}")
    with engine.connect() as conn:
        rows_after = conn.scalar(select(func.count()).select_from(Annotation))
    if rows_after != rows_before:
        problems.append(
            f"the probes changed the annotation table: {rows_before} rows before, {rows_after} after"
        )
    return problems


def _storage(engine: Engine, run: Run) -> dict[str, list[Any]]:
    """The database at rest against everything the annotators were told."""
    shared, annotators = run.shared, run.annotators
    with engine.connect() as conn:
        stored = {
            row.id: row
            for row in conn.execute(
                select(
                    Annotation.id, Annotation.task_id, Annotation.annotator_id, Annotation.idempotency_key
                ).where(Annotation.project_id == run.project_id)
            )
        }
        states = {
            (row.task_id, row.annotator_id): row.state
            for row in conn.execute(
                select(Assignment.task_id, Assignment.annotator_id, Assignment.state).where(
                    Assignment.project_id == run.project_id
                )
            )
        }
    incomplete = [
        f"task {task_id}: {anns} annotations, slots_taken {slots}, {leased} leased rows"
        for task_id, _o, slots, _c, anns, leased, _l, _s in _task_counts(engine, run.project_id)
        if anns != OVERLAP or slots != OVERLAP or leased != 0
    ]
    acked = set(shared.acks)
    mismatched = [
        f"annotation {i}: acknowledged {shared.acks[i]}, stored {stored[i]}"
        for i in sorted(acked & set(stored))
        if (stored[i].task_id, stored[i].annotator_id, stored[i].idempotency_key)
        != (shared.acks[i].task_id, shared.acks[i].user_id, shared.acks[i].key)
    ]
    annotated = {(row.task_id, row.annotator_id) for row in stored.values()}
    disagree = []
    for idx, task_id, expected in [(i, t, "skipped") for i, t in shared.skipped] + [
        (i, t, "expired") for i, t in shared.abandoned
    ]:
        pair = (task_id, annotators[idx].user_id)
        if states.get(pair) != expected or pair in annotated:
            disagree.append(
                f"{annotators[idx].name} task {task_id}: state {states.get(pair)}, expected {expected}"
            )
    for late in shared.late:
        pair = (late["task_id"], late["user_id"])
        if late["outcome"] == "accepted":
            ok = states.get(pair) == "submitted" and late["annotation_id"] in stored
        else:
            ok = states.get(pair) == "expired" and pair not in annotated
        if not ok:
            disagree.append(f"late submission {late}: stored state {states.get(pair)}")
    expected_state = {
        "submitted": "submitted",
        "submitted (never served)": "submitted",
        "skipped": "skipped",
        "abandoned": "expired",
        "submitted too late": "expired",
    }
    for a in annotators:
        for task_id, what in a.touched.items():
            state = states.get((task_id, a.user_id))
            if what in expected_state and state != expected_state[what]:
                disagree.append(f"{a.name} {what} task {task_id} but its assignment is {state}")
    shared.stats["expired rows"] = sum(1 for s in states.values() if s == "expired")
    shared.stats["stored"] = len(stored)
    return {
        "invariant breaks at the end": _invariant_breaks(engine, run.project_id),
        f"tasks without exactly {OVERLAP} annotations at the end": incomplete,
        "acknowledged annotations missing from the database": sorted(acked - set(stored)),
        "stored annotations never acknowledged": [stored[i] for i in sorted(set(stored) - acked)],
        "acknowledged annotations stored differently": mismatched,
        "idempotency keys that created more than one annotation": [
            k for k, n in shared.created_per_key.items() if n > 1
        ],
        "assignment states that disagree with what the annotators did": disagree,
    }


def _export_problems(cluster: Cluster, run: Run) -> list[str]:
    exported = _export(cluster, run.project_id)
    acked = set(run.shared.acks)
    problems = []
    if len(exported) != N_TASKS:
        problems.append(f"{len(exported)} tasks exported, expected {N_TASKS}")
    ids: list[int] = []
    for line in exported:
        annotators = [x["annotator_id"] for x in line["annotations"]]
        ids.extend(int(x["id"]) for x in line["annotations"])
        if len(annotators) != OVERLAP or len(set(annotators)) != OVERLAP:
            problems.append(f"task {line['id']}: exported annotators {annotators}")
    twice = [i for i, n in Counter(ids).items() if n > 1]
    if twice:
        problems.append(f"{len(twice)} annotations exported twice, e.g. {twice[:5]}")
    if set(ids) != acked:
        extra, missing = sorted(set(ids) - acked), sorted(acked - set(ids))
        problems.append(
            f"export vs acknowledged: {len(extra)} never acknowledged (e.g. {extra[:5]}), "
            f"{len(missing)} missing (e.g. {missing[:5]})"
        )
    return problems


def _coverage(run: Run) -> list[str]:
    """The scenario exercised what it claims to."""
    shared = run.shared
    counts = {
        "abandoned leases": shared.stats["abandoned"],
        "skips": len(shared.skipped),
        "replays": shared.stats["replays"],
        "concurrent double submissions": shared.stats["double_submissions"],
        "late submissions": len(shared.late),
        "expired assignments": shared.stats["expired rows"],
        "live leases handed back by next": shared.stats["next_resumed"],
        "submissions of a task never served": shared.stats["unserved_submissions"],
        "monitor snapshots": shared.monitor_snapshots,
        "requests to server A": shared.requests["A"],
        "requests to server B": shared.requests["B"],
    }
    return [f"no {what}" for what, n in counts.items() if n < 1]


def _summary(run: Run, setup_seconds: float) -> str:
    shared = run.shared
    per_role: Counter[str] = Counter(run.annotators[a.annotator].role for a in shared.acks.values())
    late = Counter(item["outcome"] for item in shared.late)
    return (
        f"setup {setup_seconds:.1f}s, annotators {run.seconds:.1f}s (quiet: {run.quiet}); "
        f"requests A={shared.requests['A']} B={shared.requests['B']}; "
        f"{len(shared.acks)} annotations acknowledged {dict(per_role)}, {shared.stats['stored']} stored; "
        f"leases {shared.stats['leases']}, handed back {shared.stats['next_resumed']}, "
        f"skips {len(shared.skipped)}, abandoned {shared.stats['abandoned']}, "
        f"expired rows {shared.stats['expired rows']}, replays {shared.stats['replays']}, "
        f"double submissions {shared.stats['double_submissions']}, late in the crowd {dict(late)}, "
        f"leases expired before a normal submit {shared.stats['lease_expired_before_submit']}, "
        f"monitor snapshots {shared.monitor_snapshots}; lab {run.lab_result['outcomes']}"
    )


def test_32_annotators_on_two_servers_keep_every_invariant(cluster: Cluster) -> None:
    started = time.monotonic()
    project_id, people, lab = _setup_project(cluster)
    setup_seconds = time.monotonic() - started
    engine = create_engine(cluster.database_url, pool_size=2, max_overflow=2)
    try:
        run = _run_crowd(engine, cluster, project_id, people, lab)
        shared = run.shared
        sections: dict[str, list[Any]] = {
            "annotator threads still running": run.hung,
            "the crowd never became quiet": [] if run.quiet else [f"not quiet after {run.seconds:.0f}s"],
            "5xx answers": shared.server_errors,
            "dropped connections / timeouts": shared.transport_errors,
            "client-side invariant violations": shared.violations,
            "invariant breaks seen by the monitor while running": [
                f"[first in snapshot {n}] {b}" for b, n in run.monitor_found.items()
            ],
        }
        sections.update(_storage(engine, run))
        sections["export"] = _export_problems(cluster, run)
        sections["probes after the run"] = _probes(engine, run)
        sections["late-submission lab"] = list(run.lab_result["problems"]) + _lab_breaks(
            engine,
            lab,
            run.annotators[LATE_SUBMITTERS[0]].user_id,
            run.annotators[LATE_SUBMITTERS[1]].user_id,
        )
        sections["scenario coverage"] = _coverage(run)
        summary = _summary(run, setup_seconds)
        print(summary)
        failed = {title: items for title, items in sections.items() if items}
        if failed:
            report = "\n".join(f"{title}: {_examples(items)}" for title, items in failed.items())
            pytest.fail(f"{report}\n\nsummary: {summary}\n\n{cluster.logs()}", pytrace=False)
        assert len(shared.acks) == N_TASKS * OVERLAP
    finally:
        engine.dispose()
