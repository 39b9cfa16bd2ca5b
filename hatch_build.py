"""Hatch build hook: put the web app into the wheel (and the sdist).

The web app's source is ``web/`` (Svelte + TypeScript); ``npm run build`` writes it to
``src/consenso/web/``, which git ignores and which ``[tool.hatch.build.targets.*] artifacts`` puts into
the wheel and the sdist anyway. Building a wheel or an sdist from a checkout runs the npm build when
that output is missing (``npm ci`` first when ``web/node_modules`` is missing too), so ``pip install .``
gives a server with its UI. A wheel built from an sdist finds the output already there and needs no
Node.js. Editable installs (``pip install -e``, as ``make`` does) skip the hook: the Makefile rebuilds
the UI when its sources change.

``CONSENSO_SKIP_WEB_BUILD=1`` builds without the UI (the server then shows its API notes at ``/``).
"""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

BUILT_INDEX = Path("src/consenso/web/index.html")
WEB_SOURCE = Path("web")


class WebAppBuildHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        if self.target_name == "wheel" and version == "editable":
            return
        root = Path(self.root)
        if (root / BUILT_INDEX).exists():
            return
        if os.environ.get("CONSENSO_SKIP_WEB_BUILD") == "1":
            self.app.display_warning("CONSENSO_SKIP_WEB_BUILD=1: building without the web app")
            return
        web = root / WEB_SOURCE
        if not (web / "package.json").exists():
            raise RuntimeError(
                f"{BUILT_INDEX} is missing and there is no {WEB_SOURCE}/ to build it from; "
                "set CONSENSO_SKIP_WEB_BUILD=1 to build without the web app"
            )
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "building the web app needs Node.js (20.19+) and npm on PATH; "
                "set CONSENSO_SKIP_WEB_BUILD=1 to build without the web app"
            )
        if not (web / "node_modules").is_dir():
            self.app.display_info("web app: npm ci")
            subprocess.run([npm, "ci", "--no-audit", "--no-fund"], cwd=web, check=True)  # noqa: S603
        self.app.display_info("web app: npm run build")
        subprocess.run([npm, "run", "build"], cwd=web, check=True)  # noqa: S603
        if not (root / BUILT_INDEX).exists():
            raise RuntimeError(f"npm run build did not write {BUILT_INDEX}")
