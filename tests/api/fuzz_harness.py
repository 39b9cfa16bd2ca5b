"""Run schemathesis over the app's own OpenAPI document, in-process, and report what it found.

The engine (examples, coverage, fuzzing and stateful phases, positive and negative data) runs against the
ASGI app with no network. Three witnesses are kept apart from schemathesis' own verdicts, so that a test built
on this cannot pass for lack of looking:

- every call, counted per operation of the document (``after_call`` hook on the schema);
- every response of status 500 or more, with the request as a curl command and the server's traceback;
- every failed check and every error the engine met (a case it could not build or send).

``Witness`` wraps the app as a server does: when an exception escapes the app after its 500 answer (Starlette
re-raises it for the server to log), the client keeps the 500 and the traceback is kept for the report.

Path ids are steered: half of the generated values of ``project_id``, ``task_id`` ... are replaced by ids of
rows the seed made, so that the fuzzer reaches the code behind the 404s (see ``KnownIds``).
"""

from __future__ import annotations

import traceback
from collections import Counter, defaultdict
from collections.abc import Awaitable, Callable, MutableMapping
from dataclasses import dataclass, field
from typing import Any

import schemathesis
from hypothesis import strategies as st
from schemathesis.engine import events, from_schema

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

SEED = 20261206  # fixed: the same cases on every run, locally and in CI
METHODS = ("get", "put", "post", "delete", "patch", "options", "head", "trace")

# The checks whose failures are collected (``FuzzReport.check_failures``); which of them fail a test is the
# test's choice.
CHECKS = (
    "not_a_server_error",
    "response_schema_conformance",
    "content_type_conformance",
    "status_code_conformance",
    "negative_data_rejection",
)


class Witness:
    """ASGI wrapper that keeps the traceback of any exception escaping the app and still answers the client."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.pending: list[str] = []  # tracebacks not yet claimed by a call (one worker: in call order)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception:
            self.pending.append(traceback.format_exc())
            if not started:
                await send({"type": "http.response.start", "status": 500, "headers": []})
                await send({"type": "http.response.body", "body": b""})


@dataclass(frozen=True)
class ServerError:
    operation: str
    status: int
    request: str  # a curl command (credentials masked)
    traceback: str | None

    def describe(self) -> str:
        tail = (self.traceback or "(no traceback: the app answered 5xx itself)").strip().splitlines()[-3:]
        return f"{self.status} {self.operation}\n  {self.request}\n  " + "\n  ".join(tail)


@dataclass
class FuzzReport:
    operations: list[str]  # "METHOD /path" of every operation of the document
    calls: Counter[str] = field(default_factory=Counter)
    statuses: dict[str, Counter[int]] = field(default_factory=lambda: defaultdict(Counter))
    server_errors: list[ServerError] = field(default_factory=list)
    check_failures: dict[tuple[str, str], list[str]] = field(default_factory=lambda: defaultdict(list))
    engine_errors: list[str] = field(default_factory=list)
    stop_reason: str = ""

    @property
    def total_calls(self) -> int:
        return sum(self.calls.values())

    def uncovered(self) -> list[str]:
        return [op for op in self.operations if self.calls[op] == 0]

    def reached(self, predicate: Callable[[int], bool]) -> list[str]:
        """Operations at least one call of which got a status matching ``predicate``."""
        return [op for op in self.operations if any(predicate(s) for s in self.statuses[op])]

    def failures_of(self, check: str) -> dict[str, list[str]]:
        return {op: msgs for (name, op), msgs in self.check_failures.items() if name == check}

    def summary(self) -> str:
        lines = [f"{self.total_calls} calls over {len(self.operations)} operations, stop: {self.stop_reason}"]
        lines += [
            f"  {self.calls[op]:4d} {op} {dict(sorted(self.statuses[op].items()))}" for op in self.operations
        ]
        return "\n".join(lines)


def document_operations(raw: dict[str, Any]) -> list[str]:
    """The operations of an OpenAPI document, read from its ``paths`` (not from schemathesis)."""
    return [
        f"{method.upper()} {path}"
        for path, item in raw["paths"].items()
        for method in item
        if method in METHODS
    ]


@dataclass(frozen=True)
class KnownIds:
    """Ids of seeded rows by path parameter name; the fuzzer picks one of them for about half of its cases."""

    by_name: dict[str, list[int]]

    def flatmap_path_parameters(self, context: Any, path_parameters: dict[str, Any] | None) -> Any:
        if not isinstance(path_parameters, dict):  # an operation without path parameters
            return st.just(path_parameters)
        choices: dict[str, Any] = {}
        for name, value in path_parameters.items():
            known = self.by_name.get(name)
            choices[name] = st.one_of(st.just(value), st.sampled_from(known)) if known else st.just(value)
        return st.fixed_dictionaries(choices)


def run_schemathesis(
    app: ASGIApp,
    *,
    token: str,
    known: KnownIds,
    max_examples: int,
    checks: tuple[str, ...] = CHECKS,
    stateful: bool = True,
    seed: int = SEED,
) -> FuzzReport:
    """Run every phase of the engine over the app's ``/openapi.json`` as the bearer of ``token``."""
    witness = Witness(app)
    config = schemathesis.Config.from_dict(
        {
            "seed": seed,
            "cache": {"enabled": False},  # no state kept between runs, nothing written to disk
            "workers": 1,
            "continue-on-failure": True,
            "headers": {"Authorization": f"Bearer {token}"},
            "generation": {
                "mode": "all",
                "max-examples": max_examples,
                "deterministic": True,
                "database": "none",  # no Hypothesis example database: no files in the repository
            },
            "checks": {"enabled": False, **{name: {"enabled": True} for name in checks}},
            "phases": {"stateful": {"enabled": stateful}},
        }
    )
    schema = schemathesis.openapi.from_asgi("/openapi.json", witness, config=config)
    report = FuzzReport(operations=document_operations(schema.raw_schema))

    def after_call(context: Any, case: Any, response: Any) -> None:
        label = case.operation.label
        report.calls[label] += 1
        report.statuses[label][response.status_code] += 1
        escaped = witness.pending.pop() if witness.pending else None
        witness.pending.clear()
        if response.status_code >= 500:
            report.server_errors.append(
                ServerError(label, response.status_code, case.as_curl_command(), escaped)
            )

    schema.hooks.register_hook_with_name(after_call, "after_call")
    schema.hooks.register_hook_with_name(known.flatmap_path_parameters, "flatmap_path_parameters")

    for event in from_schema(schema).execute():
        if isinstance(event, events.ScenarioFinished):
            for nodes in event.recorder.checks.values():
                for node in nodes:
                    if node.failure_info is not None:
                        failure = node.failure_info.failure
                        report.check_failures[(node.name, event.recorder.label)].append(
                            f"{failure.title}: {failure.message}\n  {node.failure_info.code_sample}"
                        )
        elif isinstance(event, events.NonFatalError):
            report.engine_errors.append(f"{event.label}: {event.info.format()}")
        elif isinstance(event, events.FatalError):
            report.engine_errors.append(f"fatal: {event.exception!r}")
        elif isinstance(event, events.EngineFinished):
            report.stop_reason = str(event.stop_reason)
    return report
