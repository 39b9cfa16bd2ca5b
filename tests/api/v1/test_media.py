"""GET /api/v1/projects/{project_id}/media/{path}: a project's media files, contained in the project's
directory, served inline only when a browser runs nothing from them, with ranges for seeking."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from consenso.services import media
from consenso.settings import Settings
from tests.api.v1.assertions import assert_error
from tests.conftest import Factory, World

SECRET = b"TOP SECRET: outside every project's media"
PNG = b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4
VIDEO = bytes(range(256)) * 40  # 10,240 bytes
SANDBOX = "sandbox; default-src 'none'"


@dataclass
class Media:
    world: World
    root: Path
    directory: Path  # the project's media directory
    secret: Path  # a file beside the media root

    def url(self, path: str, project_id: int | None = None) -> str:
        return f"/api/v1/projects/{project_id or self.world.project_id}/media/{path}"


@pytest.fixture
def files(world: World, settings: Settings, factory: Factory) -> Media:
    root = settings.resolved_media_root
    directory = root / str(world.workspace_id) / str(world.project_id)
    (directory / "sub" / "deeper").mkdir(parents=True)
    (directory / "picture.png").write_bytes(PNG)
    (directory / "sub" / "deeper" / "photo.JPG").write_bytes(b"\xff\xd8\xff\xe0 jpeg")
    (directory / "clip.mp4").write_bytes(VIDEO)
    (directory / "notes.txt").write_text("Notas: mañana\n", encoding="utf-8")
    (directory / "page.html").write_text("<script>fetch('/api/v1/auth/me')</script>")
    (directory / "drawing.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    (directory / "code.js").write_text("alert(1)")
    (directory / "feed.xml").write_text("<x/>")
    (directory / "blob.unknownext").write_bytes(b"?")
    (directory / "archive.txt.gz").write_bytes(b"\x1f\x8b")
    (directory / ".hidden.png").write_bytes(PNG)
    secret = root.parent / "secret.txt"
    secret.write_bytes(SECRET)
    # another project of the same workspace, with its own media
    other = factory.project(world.admin, world.workspace_id, name="Other")
    other_dir = root / str(world.workspace_id) / str(other)
    other_dir.mkdir(parents=True)
    (other_dir / "theirs.png").write_bytes(SECRET)
    # links: one that stays inside (served), three that leave (refused)
    (directory / "alias.png").symlink_to(directory / "picture.png")
    (directory / "escape.png").symlink_to(secret)
    (directory / "relative-escape.txt").symlink_to(Path("..") / ".." / ".." / "secret.txt")
    (directory / "neighbour.png").symlink_to(other_dir / "theirs.png")
    (directory / "linked-dir").symlink_to(root.parent, target_is_directory=True)
    return Media(world, root, directory, secret)


def test_an_annotator_of_the_project_gets_a_picture_inline_with_the_protective_headers(
    app_client: TestClient, files: Media
) -> None:
    r = app_client.get(files.url("picture.png"), headers=files.world.annotator.headers)

    assert r.status_code == 200, r.text
    assert r.content == PNG
    assert r.headers["content-type"] == "image/png"
    assert r.headers["content-disposition"] == 'inline; filename="picture.png"'
    assert r.headers["content-security-policy"] == SANDBOX
    assert r.headers["cross-origin-resource-policy"] == "same-origin"
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.headers["cache-control"] == "private, no-store"
    assert r.headers["accept-ranges"] == "bytes"


@pytest.mark.parametrize(
    ("path", "content_type", "body"),
    [
        ("sub/deeper/photo.JPG", "image/jpeg", b"\xff\xd8\xff\xe0 jpeg"),
        ("notes.txt", "text/plain; charset=utf-8", "Notas: mañana\n".encode()),
        ("clip.mp4", "video/mp4", VIDEO),
        ("alias.png", "image/png", PNG),  # a link that stays inside the project's directory
    ],
)
def test_media_and_plain_text_are_served_inline(
    app_client: TestClient, files: Media, path: str, content_type: str, body: bytes
) -> None:
    r = app_client.get(files.url(path), headers=files.world.viewer.headers)

    assert r.status_code == 200, r.text
    assert (r.headers["content-type"], r.content) == (content_type, body)
    assert r.headers["content-disposition"].startswith("inline;")
    assert r.headers["content-security-policy"] == SANDBOX


@pytest.mark.parametrize(
    "name", ["page.html", "drawing.svg", "code.js", "feed.xml", "blob.unknownext", "archive.txt.gz"]
)
def test_anything_a_browser_could_run_is_a_download_of_opaque_bytes(
    app_client: TestClient, files: Media, name: str
) -> None:
    r = app_client.get(files.url(name), headers=files.world.annotator.headers)

    assert r.status_code == 200, r.text
    assert r.headers["content-type"] == "application/octet-stream"
    assert r.headers["content-disposition"] == f'attachment; filename="{name}"'
    assert r.headers["content-security-policy"] == SANDBOX
    assert r.headers["x-content-type-options"] == "nosniff"
    assert r.content == (files.directory / name).read_bytes()


def test_a_range_request_gets_206_with_just_those_bytes(app_client: TestClient, files: Media) -> None:
    headers = {**files.world.annotator.headers, "Range": "bytes=1000-1999"}

    r = app_client.get(files.url("clip.mp4"), headers=headers)

    assert r.status_code == 206, r.text
    assert r.content == VIDEO[1000:2000]
    assert r.headers["content-range"] == f"bytes 1000-1999/{len(VIDEO)}"
    assert r.headers["content-type"] == "video/mp4"
    assert r.headers["content-security-policy"] == SANDBOX


# Each URL as sent on the wire (percent-escapes kept); the app sees it decoded once.
TRAVERSALS = [
    "%2e%2e/%2e%2e/%2e%2e/secret.txt",  # ../../../secret.txt
    "%2E%2E/%2E%2E/%2E%2E/secret.txt",
    "..%2f..%2f..%2fsecret.txt",
    "sub/%2e%2e/%2e%2e/%2e%2e/%2e%2e/secret.txt",
    # double-encoded: a server hands the app "%2e%2e" (refused for its "%"); the test client decodes twice
    "%252e%252e/%252e%252e/%252e%252e/secret.txt",
    "..%252f..%252f..%252fsecret.txt",
    "..%5c..%5c..%5csecret.txt",  # backslashes
    "%5c..%5c..%5csecret.txt",
    "%2Fetc%2Fpasswd",  # absolute
    "/etc/passwd",  # media//etc/passwd
    "picture.png%00.txt",  # NUL
    "sub/%2e/deeper/photo.JPG",  # a "." segment
    "sub//deeper/photo.JPG",  # an empty segment
    "sub",  # a directory
    "sub/",
    ".hidden.png",
    "escape.png",  # a link to a file outside the media root
    "relative-escape.txt",  # the same, by a relative link
    "neighbour.png",  # a link into another project's directory
    "linked-dir/secret.txt",  # through a linked directory that leads out
    "missing.png",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_every_way_out_of_the_projects_directory_is_404_as_a_missing_file(
    app_client: TestClient, files: Media, path: str
) -> None:
    missing = app_client.get(files.url("no-such-file.png"), headers=files.world.admin.headers)

    r = app_client.get(files.url(path), headers=files.world.admin.headers)

    assert_error(r, 404, "not_found")
    assert r.json() == missing.json()
    assert r.json()["error"]["message"] == "Media file not found."
    assert SECRET not in r.content


def test_an_absolute_path_to_the_secret_and_a_literal_dot_dot_are_refused(
    app_client: TestClient, files: Media
) -> None:
    for url in (files.url("/" + str(files.secret).lstrip("/")), files.url("../../../secret.txt")):
        r = app_client.get(url, headers=files.world.admin.headers)
        assert r.status_code == 404, (url, r.status_code)
        assert SECRET not in r.content


@pytest.mark.parametrize(
    "path",
    [
        "../x.png",
        "a/../../x.png",
        "/etc/passwd",
        "a\\b.png",
        "a%2fb.png",
        "a\x00.png",
        "a\x1f.png",
        "./a.png",
        "a/./b.png",
        "a//b.png",
        "a/",
        ".git/config",
        "",
        "x" * 1025,
    ],
)
def test_the_path_rule_refuses_before_the_file_system_is_asked(path: str) -> None:
    assert media.path_parts(path) is None


def test_the_path_rule_keeps_ordinary_names() -> None:
    assert media.path_parts("audio/es-CO/grabación 1.ogg") == ("audio", "es-CO", "grabación 1.ogg")
    assert media.path_parts("a..b.png") == ("a..b.png",)


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("a.png", ("image/png", True)),
        ("a.JPEG", ("image/jpeg", True)),
        ("a.webp", ("image/webp", True)),
        ("a.wav", ("audio/wav", True)),
        ("a.flac", ("audio/flac", True)),
        ("a.ogg", ("audio/ogg", True)),
        ("a.ogv", ("video/ogg", True)),
        ("a.webm", ("video/webm", True)),
        ("a.mp3", ("audio/mpeg", True)),
        ("a.html", ("application/octet-stream", False)),
        ("a.htm", ("application/octet-stream", False)),
        ("a.svg", ("application/octet-stream", False)),
        ("a.pdf", ("application/octet-stream", False)),
        ("a.txt.gz", ("application/octet-stream", False)),
        ("data:text,x.html", ("application/octet-stream", False)),
        ("noextension", ("application/octet-stream", False)),
    ],
)
def test_the_content_type_comes_from_the_extension_and_an_allow_list(
    name: str, expected: tuple[str, bool]
) -> None:
    assert media.content_type_of(name) == expected


def test_a_member_of_another_workspace_gets_404_as_for_no_project(
    app_client: TestClient, files: Media
) -> None:
    r = app_client.get(files.url("picture.png"), headers=files.world.outsider.headers)
    ghost = app_client.get(files.url("picture.png", project_id=2**62), headers=files.world.outsider.headers)

    assert_error(r, 404, "not_found")
    assert r.json() == ghost.json()
    assert r.json()["error"]["message"] == "Project not found."
    assert PNG not in r.content


def test_anonymous_gets_401(app_client: TestClient, files: Media) -> None:
    r = app_client.get(files.url("picture.png"))

    assert_error(r, 401, "not_authenticated")


def test_the_media_root_setting_moves_the_files(tmp_path: Path) -> None:
    assert Settings(data_dir=tmp_path).resolved_media_root == tmp_path / "media"
    assert Settings(data_dir=tmp_path, media_root=tmp_path / "elsewhere").resolved_media_root == (
        tmp_path / "elsewhere"
    )
