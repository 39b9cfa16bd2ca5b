"""``consenso quality PROJECT [--method NAME] [--json]``: the quality report as tables or as the API's JSON."""

from __future__ import annotations

import orjson
import pytest
from fastapi.testclient import TestClient

from consenso.core.aggregation import AGGREGATORS
from consenso.core.quality import ANNOTATOR_LIMIT, DEFAULT_METHOD
from consenso.store.database import Database
from tests.cli.conftest import RunCli, assert_failed, assert_ok
from tests.conftest import Factory
from tests.quality_project import QUALITY_SCHEMA, QualityProject, make_quality_project


@pytest.fixture
def qp(factory: Factory, db: Database) -> QualityProject:
    return make_quality_project(factory, db)


def cells(stdout: str) -> list[list[str]]:
    """The rows of every table printed, as lists of stripped cell texts."""
    return [
        [cell.strip() for cell in line.strip().strip("│┃").split("│" if "│" in line else "┃")]
        for line in stdout.splitlines()
        if line.strip().startswith(("│", "┃"))
    ]


def test_tables_per_control_in_english(run_cli: RunCli, qp: QualityProject) -> None:
    result = run_cli(["quality", str(qp.project_id), "--method", "majority_vote"])

    assert_ok(result)
    assert result.stderr == ""
    lines = result.stdout.splitlines()
    assert lines[0] == f"Project {qp.project_id}: 13 annotations by 3 annotators; aggregation: majority_vote."
    rows = cells(result.stdout)
    a, b, c = (who.id for who in qp.annotators)
    for row in (
        ["Items with 2+ answers", "4", ""],
        ["Percent agreement", f"{7 / 12:.3f}", ""],
        ["Krippendorff's alpha (nominal)", f"{39 / 94:.3f}", ""],
        ["Fleiss' kappa", f"{17 / 47:.3f}", ""],
        ["Aggregation", "majority_vote: 5 items, mean confidence 0.800, 2 below 0.7", ""],
        ["Label", "Count", "Fleiss' kappa", "Krippendorff's alpha (nominal)"],
        ["positive", "6", f"{11 / 35:.3f}", "0.371"],
        ["Annotator", "Annotations", "Agreement with aggregate", "Skill"],
        [str(a), "5", "0.750", "0.800"],
        [str(b), "4", "1.000", "1.000"],
        [str(c), "4", "0.500", "0.500"],
        ["Krippendorff's alpha (ordinal)", "0.640", ""],
        ["Span F1, exact", f"{13 / 27:.3f}", ""],
        ["Span F1, overlap", f"{19 / 27:.3f}", ""],
        ["PER", "6", "0.667", "1.000"],
        # topics: a vote per label; confidence of the chosen set 2/3, 2/3, 1, 1
        ["Aggregation", "majority: 4 items, mean confidence 0.833, 2 below 0.7", ""],
        # entities: PER 0-3 (3 of 3 votes), PER 0-3 (3 of 3), ORG 19-23 (2 of 3)
        [
            "Aggregation",
            "token_vote: 3 items, 3 spans, mean support 0.889, 1 with a span below 0.7",
            "majority_vote does not apply to spans controls; token_vote was used instead.",
        ],
        # multi_choice and spans have no agreement with the aggregate per annotator: only the count
        ["Annotator", "Annotations"],
    ):
        assert row in rows, row
    for title in (
        "Control 'sentiment' (choice)",
        "Control 'stars' (rating)",
        "Control 'topics' (multi_choice)",
    ):
        assert any(line.strip() == title for line in lines), title
    assert lines[-1] == "Control 'comment' (text): Free text has no agreement measure."


def test_multi_choice_names_the_method_used_in_place_of_the_one_asked_for(
    run_cli: RunCli, qp: QualityProject
) -> None:
    english = cells(run_cli(["quality", str(qp.project_id), "--method", "mace"]).stdout)
    spanish = cells(run_cli(["quality", str(qp.project_id), "--method", "mace"], CONSENSO_LANG="es").stdout)

    assert [
        "Aggregation",
        "majority: 4 items, mean confidence 0.833, 2 below 0.7",
        "mace does not apply to multi_choice controls; majority was used instead.",
    ] in english
    assert [
        "Agregación",
        "majority: 4 elementos, confianza media 0.833, 2 por debajo de 0.7",
        "mace no se aplica a los controles multi_choice; se usó majority en su lugar.",
    ] in spanish


def test_the_default_method_and_a_capped_annotator_list(run_cli: RunCli, qp: QualityProject) -> None:
    result = run_cli(["quality", str(qp.project_id), "--annotators", "1"])

    assert_ok(result)
    assert result.stdout.splitlines()[0].endswith(f"aggregation: {DEFAULT_METHOD}.")
    assert (
        result.stdout.count("Showing 1 of 3 annotators (the most productive first; --annotators N for more).")
        == 4
    )


def test_json_is_the_api_response(run_cli: RunCli, qp: QualityProject, app_client: TestClient) -> None:
    result = run_cli(["quality", str(qp.project_id), "--json", "--method", "majority_vote"])

    assert_ok(result)
    body = orjson.loads(result.stdout)
    api = app_client.get(
        f"/api/v1/projects/{qp.project_id}/quality",
        params={"method": "majority_vote"},
        headers=qp.admin.headers,
    )
    assert body == api.json()
    assert body["annotator_limit"] == ANNOTATOR_LIMIT
    assert body["methods"] == list(AGGREGATORS)
    assert body["controls"][0]["percent_agreement"] == {"value": pytest.approx(7 / 12), "reason": None}


def test_spanish(run_cli: RunCli, qp: QualityProject, factory: Factory) -> None:
    result = run_cli(["quality", str(qp.project_id), "--method", "majority_vote"], CONSENSO_LANG="es")

    assert_ok(result)
    lines = result.stdout.splitlines()
    assert lines[0] == f"Proyecto {qp.project_id}: 13 anotaciones de 3 anotadores; agregación: majority_vote."
    rows = cells(result.stdout)
    assert ["Acuerdo porcentual", f"{7 / 12:.3f}", ""] in rows
    assert [
        "Agregación",
        "majority_vote: 5 elementos, confianza media 0.800, 2 por debajo de 0.7",
        "",
    ] in rows
    assert ["Anotador", "Anotaciones", "Acuerdo con el agregado", "Habilidad"] in rows
    assert [
        "Agregación",
        "token_vote: 3 elementos, 3 fragmentos, apoyo medio 0.889, 1 con un fragmento por debajo de 0.7",
        "majority_vote no se aplica a los controles spans; se usó token_vote en su lugar.",
    ] in rows
    assert lines[-1] == "Control 'comment' (text): El texto libre no tiene medida de acuerdo."

    empty = factory.project(qp.admin, qp.workspace_id, schema=QUALITY_SCHEMA, name="Vacío")
    as_json = run_cli(["quality", str(empty), "--json"], CONSENSO_LANG="es")
    assert_ok(as_json)
    assert (
        orjson.loads(as_json.stdout)["reasons"]["no_annotations"]
        == "Nadie ha respondido todavía a este control."
    )
    tables = run_cli(["quality", str(empty)], CONSENSO_LANG="es")
    assert [
        "Acuerdo porcentual",
        "— (sin respuestas)",
        "Nadie ha respondido todavía a este control.",
    ] in cells(tables.stdout)


def test_an_unknown_method_fails_naming_the_valid_ones(run_cli: RunCli, qp: QualityProject) -> None:
    result = run_cli(["quality", str(qp.project_id), "--method", "glad"])

    assert_failed(
        result, f"Error: Aggregation method 'glad' does not exist; use one of: {', '.join(AGGREGATORS)}."
    )


def test_an_unknown_project_fails(run_cli: RunCli, qp: QualityProject) -> None:
    result = run_cli(["quality", str(qp.project_id + 1000)], CONSENSO_LANG="es")

    assert_failed(result, "Error: Proyecto: no se encontró.")
