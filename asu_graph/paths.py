"""Where the vocabulary, the facts and the curated queries live.

An installed wheel carries them under ``asu_graph/_bundled``; a source checkout
(or an editable install) reads them from the repository's top-level folders.
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
