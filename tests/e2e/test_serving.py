"""The server serves the built web app: its page at `/` (always revalidated), its hashed files under
`/assets/` (cached for good), both under the CSP that allows no inline script or style."""

from __future__ import annotations

import re

import httpx

from tests.e2e.conftest import BUILT_INDEX, Server


def test_the_page_and_its_assets_are_served_with_the_csp(server: Server) -> None:
    page = httpx.get(f"{server.url}/")
    assert page.status_code == 200
    assert page.text == BUILT_INDEX.read_text()
    assert page.headers["cache-control"] == "no-cache"
    assert "script-src 'self';" in page.headers["content-security-policy"]
    assets = re.findall(r'(?:src|href)="(/assets/[^"]+)"', page.text)
    assert any(a.endswith(".js") for a in assets) and any(a.endswith(".css") for a in assets), assets
    assert "<script>" not in page.text and "<style" not in page.text and " style=" not in page.text
    for asset in assets:
        response = httpx.get(f"{server.url}{asset}")
        assert response.status_code == 200, asset
        assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
        assert response.content == (BUILT_INDEX.parent / asset.lstrip("/")).read_bytes()
    assert httpx.get(f"{server.url}/assets/missing.js").status_code == 404
