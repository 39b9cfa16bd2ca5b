"""Write the OpenAPI document and the Markdown API reference generated from it.

``python -m consenso.api.openapi_dump docs/openapi.json`` (``make openapi``) writes ``docs/openapi.json`` and
``docs/api.md``; a test fails when either is stale, so the reference always matches the code.
"""

from __future__ import annotations

import json
import sys
import tempfile
from pathlib import Path
from typing import Any

from consenso.api.app import create_app
from consenso.settings import Settings
from consenso.store.database import Database

METHODS = ("get", "post", "put", "patch", "delete")


def openapi_document() -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as tmp:
        db = Database(f"sqlite:///{tmp}/openapi.db")
        try:
            app = create_app(Settings(data_dir=Path(tmp), environment="test"), db=db)
            return app.openapi()
        finally:
            db.dispose()


def render_json(doc: dict[str, Any]) -> str:
    return json.dumps(doc, indent=2, sort_keys=True, ensure_ascii=False) + "\n"


def render_markdown(doc: dict[str, Any]) -> str:
    lines = [
        "# API reference (v1)",
        "",
        "Generated from the OpenAPI document by `make openapi`; do not edit by hand. The interactive version",
        "is served at `/docs`, the document itself at `/openapi.json` and in `docs/openapi.json`.",
        "",
        "Authentication: `Authorization: Bearer <token>` or the session cookie from `POST /api/v1/auth/login`",
        'plus the `X-CSRF-Token` header on writes. Every error is `{"error": {"code", "message", "details"}}`.',
        "",
        "| method | path | what it does | success |",
        "| --- | --- | --- | --- |",
    ]
    for path, item in sorted(doc["paths"].items()):
        for method in METHODS:
            op = item.get(method)
            if op is None:
                continue
            ok = sorted(code for code in op.get("responses", {}) if code.startswith("2"))
            summary = op.get("summary", "").replace("|", "\\|")
            lines.append(f"| {method.upper()} | `{path}` | {summary} | {', '.join(ok)} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str]) -> int:
    target = Path(argv[1] if len(argv) > 1 else "docs/openapi.json")
    doc = openapi_document()
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_json(doc))
    target.with_name("api.md").write_text(render_markdown(doc))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
