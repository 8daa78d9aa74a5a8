"""Curated SPARQL queries: ``queries/*.rq`` files with a small header.

Header lines come first, as comments::

    # title: The six member institutions
    # title@fr: Les six établissements membres
    # description: ...
    # sources: https://... https://...
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from .config import Settings

_HEADER = re.compile(r"^#\s*([A-Za-z@-]+)\s*:\s*(.*)$")


@dataclass(frozen=True)
class CuratedQuery:
    name: str
    text: str
    title: str = ""
    title_fr: str = ""
    description: str = ""
    sources: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)


def parse_curated(name: str, text: str) -> CuratedQuery:
    meta: dict[str, str] = {}
    for line in text.splitlines():
        if not line.startswith("#"):
            if line.strip():
                break
            continue
        match = _HEADER.match(line)
        if match:
            key = match.group(1).lower()
            meta[key] = (meta[key] + " " + match.group(2)).strip() if key in meta else \
                match.group(2).strip()
    return CuratedQuery(
        name=name, text=text, title=meta.pop("title", name),
        title_fr=meta.pop("title@fr", ""), description=meta.pop("description", ""),
        sources=tuple(meta.pop("sources", "").split()), extra=meta)


def curated_queries(settings: Settings) -> dict[str, CuratedQuery]:
    folder = Path(settings.queries_dir)
    found = {}
    for path in sorted(folder.glob("*.rq")):
        text = path.read_text(encoding="utf-8")
        if settings.base != "https://w3id.org/asu/":
            text = text.replace("https://w3id.org/asu/", settings.base)
        found[path.stem] = parse_curated(path.stem, text)
    return found
