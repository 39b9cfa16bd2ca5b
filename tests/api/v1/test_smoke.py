from fastapi.testclient import TestClient

from tests.conftest import World


def test_annotator_loop_round_trip(app_client: TestClient, world: World) -> None:
    r = app_client.get(f"/api/v1/projects/{world.project_id}/next", headers=world.annotator.headers)
    assert r.status_code == 200, r.text
    task = r.json()
    r = app_client.post(
        f"/api/v1/tasks/{task['id']}/annotations",
        json={"result": {"sentiment": "positive"}, "lead_time_ms": 5},
        headers=world.annotator.headers,
    )
    assert r.status_code == 201, r.text
    assert r.json()["result"] == {"sentiment": "positive"}
