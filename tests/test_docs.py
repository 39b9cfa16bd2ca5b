"""The docs are part of the product: these tests fail when they drift from the code."""

from __future__ import annotations

import re
from pathlib import Path

from consenso.api.openapi_dump import openapi_document, render_json, render_markdown
from consenso.api.permissions_map import END, START, update_document
from consenso.cli.main import app as cli_app

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text()


def test_openapi_reference_is_current() -> None:
    doc = openapi_document()
    assert (ROOT / "docs" / "openapi.json").read_text() == render_json(doc), "run `make openapi`"
    assert (ROOT / "docs" / "api.md").read_text() == render_markdown(doc), "run `make openapi`"


def test_permission_matrix_in_the_security_doc_is_current() -> None:
    security = (ROOT / "docs" / "security.md").read_text()
    assert security.count(START) == 1 and security.count(END) == 1, "run `make permissions`"
    assert update_document(security) == security, "run `make permissions`"


def test_every_operation_has_a_summary_and_documents_errors() -> None:
    doc = openapi_document()
    for path, item in doc["paths"].items():
        for method, op in item.items():
            assert op.get("summary"), f"{method.upper()} {path} has no summary"
            if path != "/api/v1/health":
                assert "401" in op["responses"], f"{method.upper()} {path} does not document 401"


def test_readme_starts_with_the_two_commands_and_ci_runs_the_test_one() -> None:
    first_block = re.search(r"```bash\n(.*?)```", README, re.S)
    assert first_block is not None
    commands = [line.split("#")[0].strip() for line in first_block.group(1).splitlines() if line.strip()]
    assert commands == ["make run", "make test"]
    makefile = (ROOT / "Makefile").read_text()
    assert re.search(r"^run:", makefile, re.M) and re.search(r"^test:", makefile, re.M)
    assert "make test" in (ROOT / ".ci" / "run").read_text()


def test_api_paths_named_in_the_readme_exist() -> None:
    templates = [re.sub(r"\{[^}]+\}", r"[^/]+", p) for p in openapi_document()["paths"]]
    named = set(re.findall(r"(/api/v1/[A-Za-z0-9_/{}.-]*[A-Za-z0-9_}])", README))
    assert named, "the README tour names API paths"
    for path in named:
        concrete = re.sub(r"\{[^}]+\}", "1", path)
        assert any(re.fullmatch(t, concrete) for t in templates), f"README names {path}, which is not a route"


def test_cli_commands_named_in_the_readme_exist() -> None:
    import typer.main

    group = typer.main.get_command(cli_app)
    names = set(group.commands)  # type: ignore[attr-defined]
    for sub in ("user", "token", "db"):
        names |= {f"{sub} {c}" for c in group.commands[sub].commands}  # type: ignore[attr-defined]
    used = set(re.findall(r"\bconsenso ((?:user|token|db) [a-z][a-z-]*|[a-z]+)", README))
    assert used, "the README tour shows consenso commands"
    assert used <= names, f"README uses commands that do not exist: {sorted(used - names)}"
    for command in ("demo", "serve", "import", "export", "user add", "token create", "db upgrade"):
        assert command in names
