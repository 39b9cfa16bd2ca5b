"""Media files of a project (images, audio, video, text the tasks point at), found only inside the project's
own directory, and how each may be served.

Layout: ``<media_root>/<workspace_id>/<project_id>/<path>``, ``media_root`` being ``CONSENSO_MEDIA_ROOT``
(default ``<data_dir>/media``). Operators (or an importer) put the files there; a task refers to one by its
``<path>`` and the web app fetches ``GET /api/v1/projects/{project_id}/media/{path}``.

Containment (``find_media``): a ``path`` is refused before the file system is asked when it is empty, longer
than ``MAX_PATH_CHARS``, absolute, or holds a backslash, a ``%`` (a second, encoded layer of traversal such as
``%2e%2e`` or ``%2f``: the URL was decoded once already), a control character (NUL included), an empty
segment, or a segment that starts with a dot (``.``, ``..`` and hidden files). What is left is resolved with
every symbolic link followed (``Path.resolve(strict=True)``) and must be a regular file inside the project's
resolved directory: a link out of it (to another project, to ``/etc``) is refused, a directory too. Every
refusal is the same ``NotFound`` as a missing file, so a caller learns nothing about what exists outside.

Serving (``MediaFile``): the content type comes from the file's extension only (never from its bytes), from
a table of our own over the standard library's built-in one (``mimetypes.MimeTypes`` without the host's
``/etc/mime.types``, so every host answers alike). Only ``INLINE_TYPES`` (pictures, sound, video and plain
text, none of which a browser runs) are served inline; everything else, HTML, SVG, JavaScript, XML, PDF,
compressed files and unknown extensions, is served as ``application/octet-stream`` to be downloaded
(``attachment``): a file someone uploaded must never become a page of our origin, where its scripts would
run with the viewer's session.
"""

from __future__ import annotations

import mimetypes
import os
import stat
import unicodedata
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Final

from consenso.core.errors import NotFound
from consenso.core.permissions import Action
from consenso.services.access import project_for
from consenso.services.principal import Principal
from consenso.store.database import Database

MAX_PATH_CHARS: Final = 1024
ATTACHMENT_TYPE: Final = "application/octet-stream"

# What a browser may show from our origin: media and plain text, which run no script.
INLINE_TYPES: Final = frozenset(
    {
        "image/png",
        "image/jpeg",
        "image/gif",
        "image/webp",
        "audio/mpeg",
        "audio/wav",
        "audio/ogg",
        "audio/flac",
        "audio/webm",
        "video/mp4",
        "video/webm",
        "video/ogg",
        "text/plain",
    }
)
# Extensions of those types that the standard library's built-in table lacks or names otherwise
# (.wav is "audio/x-wav" there; .opus files are Ogg).
_OUR_TYPES: Final = {
    ".webp": "image/webp",
    ".wav": "audio/wav",
    ".ogg": "audio/ogg",
    ".oga": "audio/ogg",
    ".opus": "audio/ogg",
    ".flac": "audio/flac",
    ".weba": "audio/webm",
    ".ogv": "video/ogg",
}


@dataclass(frozen=True, slots=True)
class MediaFile:
    """A file found inside a project's media directory and how to serve it."""

    path: Path  # resolved: every link followed, inside the project's directory
    stat: os.stat_result
    filename: str
    content_type: str  # an INLINE_TYPES member, or ATTACHMENT_TYPE
    inline: bool


@cache
def _types() -> mimetypes.MimeTypes:
    # the built-in table (MimeTypes reads no host file unless named), then ours; built on first use
    table = mimetypes.MimeTypes()
    for extension, content_type in _OUR_TYPES.items():
        table.add_type(content_type, extension)
    return table


def content_type_of(filename: str) -> tuple[str, bool]:
    """The content type to send for ``filename`` and whether it may be shown inline, by its extension only.

    Only the extension is looked up (the standard library would read a name such as ``data:…`` as a URL), and
    a compressed file (``.gz``, ``.br`` …) is never inline: its type is not what the browser would get.
    """
    extension = Path(filename).suffix.lower()
    guessed, encoding = _types().guess_type("media" + extension, strict=True)
    if guessed in INLINE_TYPES and encoding is None:
        return guessed, True
    return ATTACHMENT_TYPE, False


def path_parts(path: str) -> tuple[str, ...] | None:
    """The segments of a requested media ``path`` (already URL-decoded once), or None when it is refused."""
    if not path or len(path) > MAX_PATH_CHARS or path.startswith("/"):
        return None
    if "\\" in path or "%" in path or any(unicodedata.category(c) == "Cc" for c in path):
        return None
    parts = tuple(path.split("/"))
    if any(not part or part.startswith(".") for part in parts):
        return None
    return parts


def project_media_dir(media_root: Path, workspace_id: int, project_id: int) -> Path:
    """Where a project's media files live (not resolved)."""
    return media_root / str(workspace_id) / str(project_id)


def _contained_file(directory: Path, parts: tuple[str, ...]) -> tuple[Path, os.stat_result] | None:
    try:
        base = directory.resolve(strict=True)
        target = directory.joinpath(*parts).resolve(strict=True)
        info = target.stat()
    except (OSError, RuntimeError):  # missing, not a directory, no permission, too long, a link loop
        return None
    if target == base or not target.is_relative_to(base) or not stat.S_ISREG(info.st_mode):
        return None
    return target, info


def find_media(db: Database, principal: Principal, project_id: int, path: str, media_root: Path) -> MediaFile:
    """The media file ``path`` of the project, for a member who may view the project (``view_project``).

    ``NotFound`` (404) when the caller is not a member (as for a project that does not exist), and the same
    ``NotFound`` for a file that is missing or refused by the containment rules of the module doc.
    """
    with db.read() as session:
        project, _ = project_for(session, principal, project_id, Action.VIEW_PROJECT)
        workspace_id = project.workspace_id
    parts = path_parts(path)
    found = None
    if parts is not None:
        found = _contained_file(project_media_dir(media_root, workspace_id, project_id), parts)
    if parts is None or found is None:
        raise NotFound("not_found", kind_key="kind_media_file")
    target, info = found
    # the type by the file actually read (a link's target), the name as asked for
    content_type, inline = content_type_of(target.name)
    return MediaFile(target, info, parts[-1], content_type, inline)
