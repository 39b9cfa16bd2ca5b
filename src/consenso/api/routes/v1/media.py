"""GET /projects/{project_id}/media/{path}: a project's media file, contained and never served as a page."""

from __future__ import annotations

from typing import Final

from fastapi.responses import FileResponse

from consenso.api.deps import DB, AppSettings, CurrentPrincipal, PathId
from consenso.api.routes.v1.router import router
from consenso.services import media

# Whatever the file holds, a browser runs nothing from it (sandbox: no scripts, an opaque origin) and loads
# nothing it names; other sites may not embed it; no cache but the caller's browser memory keeps it.
MEDIA_HEADERS: Final = {
    "Content-Security-Policy": "sandbox; default-src 'none'",
    "Cross-Origin-Resource-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
    "Cache-Control": "private, no-store",
}


@router.get(
    "/projects/{project_id}/media/{path:path}",
    tags=["media"],
    summary="A media file of the project (inline for images, audio, video and text; else a download)",
    description="Members of the project's workspace (`view_project`). The file is "
    "`<CONSENSO_MEDIA_ROOT>/<workspace_id>/<project_id>/<path>`. A path that is absolute, holds `..`, a "
    "hidden segment, a backslash, `%` or a control character, or that resolves (links followed) outside "
    "the project's directory or to a directory answers 404, as a missing file does. PNG, JPEG, GIF, WebP, "
    "MP3, WAV, Ogg, FLAC, WebM, MP4 and plain text are served inline with their type (chosen by the "
    "extension); anything else as `application/octet-stream` with `Content-Disposition: attachment`. "
    "`Range` requests are answered with 206 (seeking in audio and video).",
    response_class=FileResponse,
    responses={
        200: {"content": {"application/octet-stream": {}}, "description": "The file"},
        206: {"content": {"application/octet-stream": {}}, "description": "The requested byte range"},
    },
)
def get_media(
    project_id: PathId, path: str, principal: CurrentPrincipal, db: DB, settings: AppSettings
) -> FileResponse:
    found = media.find_media(db, principal, project_id, path, settings.resolved_media_root)
    return FileResponse(
        found.path,
        media_type=found.content_type,
        headers=MEDIA_HEADERS,
        filename=found.filename,
        stat_result=found.stat,
        content_disposition_type="inline" if found.inline else "attachment",
    )
