"""Wheel build hook: the query editor's files go into the wheel.

The query page serves YASGUI (``@zazuko/yasgui``, pinned by
``package-lock.json``) from the installed package, so a ``pip install .`` of
a fresh clone must carry its two files. When ``node_modules`` does not hold
them yet, the hook installs the locked packages with ``npm ci`` (runtime
packages only when nothing is installed, so the test tools are not pulled in).
"""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path
from typing import Any

from hatchling.builders.hooks.plugin.interface import BuildHookInterface

PACKAGE = Path("node_modules") / "@zazuko" / "yasgui" / "build"
FILES = ("yasgui.min.js", "yasgui.min.css", "yasgui.min.js.map")
TARGET = "asu_graph/_bundled/yasgui"


class QueryEditorHook(BuildHookInterface):
    PLUGIN_NAME = "custom"

    def initialize(self, version: str, build_data: dict[str, Any]) -> None:
        # An editable install reads the checkout's node_modules directly.
        if self.target_name != "wheel" or version == "editable":
            return
        root = Path(self.root)
        folder = root / PACKAGE
        if not all((folder / name).is_file() for name in FILES):
            self._npm_ci(root)
        missing = [name for name in FILES if not (folder / name).is_file()]
        if missing:
            raise RuntimeError(f"npm ci did not install {', '.join(missing)} in {PACKAGE}")
        for name in FILES:
            build_data["force_include"][str(folder / name)] = f"{TARGET}/{name}"

    def _npm_ci(self, root: Path) -> None:
        npm = shutil.which("npm")
        if npm is None:
            raise RuntimeError(
                "building the wheel needs the query editor's files from package-lock.json: "
                "install Node.js with npm, or run 'npm ci' before 'pip install .'"
            )
        command = [npm, "ci", "--ignore-scripts", "--no-audit", "--no-fund"]
        if not (root / "node_modules").exists():
            command.append("--omit=dev")
        self.app.display_info("installing the query editor's files: " + " ".join(command[1:]))
        subprocess.run(command, cwd=root, check=True)
