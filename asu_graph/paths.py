"""Where the vocabulary, the facts, the curated queries and the query editor live.

An installed wheel carries them under ``asu_graph/_bundled``; a source checkout
(or an editable install) reads them from the repository's top-level folders,
and the editor from ``node_modules`` (installed by ``npm ci`` from
``package-lock.json``; the wheel build copies it in, see ``hatch_build.py``).
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE = Path(__file__).resolve().parent
_BUNDLED = _PACKAGE / "_bundled"
_CHECKOUT = _PACKAGE.parent


def resource_dir(name: str) -> Path:
    """Folder ``name`` (``ontology``, ``data`` or ``queries``) of this installation."""
    for root in (_BUNDLED, _CHECKOUT):
        candidate = root / name
        if candidate.is_dir():
            return candidate
    raise FileNotFoundError(f"the {name!r} folder is not part of this installation")


YASGUI_PACKAGE = Path("node_modules") / "@zazuko" / "yasgui" / "build"


def yasgui_folders() -> list[Path]:
    """Where this installation may hold the query editor's files, in order."""
    return [_BUNDLED / "yasgui", _CHECKOUT / YASGUI_PACKAGE]
