"""Finding an entity by what people type: names, acronyms and variants, in English and French.

The index is built from the validated dataset when the app is made, so a new
release re-indexes by itself and there is no search server to run. The data
is small (hundreds of names), so a scan over folded names answers in well
under a millisecond; what matters is that the matching is forgiving the way
people type: any case, with or without accents, the start of a word while
typing, one wrong letter, an acronym.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Dataset, Literal, URIRef

from asu_graph.namespaces import DCTERMS, FOAF, RDF, RDFS, SCHEMA, SKOS

# Name properties, strongest first: a match on an official name ranks above a
# match on a variant.
NAME_PROPERTIES: tuple[tuple[URIRef, str], ...] = (
    (SKOS.prefLabel, "name"),
    (RDFS.label, "name"),
    (SCHEMA.name, "name"),
    (FOAF.name, "name"),
    (SCHEMA.legalName, "name"),
    (SKOS.altLabel, "variant"),
    (SCHEMA.alternateName, "variant"),
    (SKOS.hiddenLabel, "variant"),
    (SKOS.notation, "variant"),
)
DESCRIPTION_PROPERTIES = (DCTERMS.description, SCHEMA.description, RDFS.comment)

_NOT_WORD = re.compile(r"[\W_]+")
# Words that say nothing about which entity is meant (English and French).
STOP_WORDS = frozenset("a an and at d de des du en et for in l la le les of on pour the".split())


def fold(text: str) -> str:
    """Lower case, accents and punctuation removed, spaces collapsed: how names are compared."""
    decomposed = unicodedata.normalize("NFKD", text)
    bare = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join(_NOT_WORD.sub(" ", bare.casefold()).split())


def _one_edit_apart(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by one substitution, insertion, deletion or swap."""
    if a == b:
        return True
    la, lb = len(a), len(b)
    if abs(la - lb) > 1:
        return False
    if la == lb:
        diff = [i for i in range(la) if a[i] != b[i]]
        if len(diff) == 1:
            return True
        return (
            len(diff) == 2
            and diff[1] == diff[0] + 1
            and a[diff[0]] == b[diff[1]]
            and a[diff[1]] == b[diff[0]]
        )
    if la > lb:
        a, b = b, a
    i = 0
    while i < len(a) and a[i] == b[i]:
        i += 1
    return a[i:] == b[i + 1 :]


@dataclass(frozen=True)
class Name:
    text: str
    folded: str
    words: tuple[str, ...]
    lang: str | None
    kind: str  # "name" or "variant"


@dataclass
class Entry:
    iri: str
    names: list[Name] = field(default_factory=list)
    types: list[str] = field(default_factory=list)
    descriptions: dict[str, str] = field(default_factory=dict)  # lang -> text

    def label(self, lang: str) -> str:
        for kind in ("name", "variant"):
            for wanted in (lang, None, "en"):
                for name in self.names:
                    if name.kind == kind and name.lang == wanted:
                        return name.text
        return self.names[0].text if self.names else self.iri

    def description(self, lang: str) -> str | None:
        return (
            self.descriptions.get(lang)
            or self.descriptions.get("")
            or self.descriptions.get("en")
            or next(iter(self.descriptions.values()), None)
        )


@dataclass(frozen=True)
class Hit:
    entry: Entry
    score: float
    matched: str  # the name that matched, as written in the data


def _score(query: str, words: tuple[str, ...], name: Name) -> float:
    """How well a folded query matches one name (0: not at all)."""
    if not words:
        return 0.0
    if query == name.folded:
        return 100.0
    if name.folded.startswith(query):
        return 85.0 - min(10.0, (len(name.folded) - len(query)) / 4)
    # every query word is the start of some word of the name (typing, word order free)
    pool = list(name.words)
    matched = typo = 0
    for word in words:
        found = next((w for w in pool if w.startswith(word)), None)
        if found is None and len(word) >= 4:
            # one wrong letter, on whole words or on the typed start of a longer word
            found = next(
                (
                    w
                    for w in pool
                    if _one_edit_apart(word, w)
                    or (len(w) > len(word) and _one_edit_apart(word, w[: len(word)]))
                ),
                None,
            )
            if found is not None:
                typo += 1
        if found is not None:
            matched += word not in STOP_WORDS
            pool.remove(found)
    content = sum(1 for w in words if w not in STOP_WORDS) or len(words)
    if matched == content:
        coverage = sum(len(w) for w in words) / max(1, len(name.folded.replace(" ", "")))
        return 60.0 + 20.0 * min(1.0, coverage) - 15.0 * typo
    if matched >= 2 and matched / content >= 0.6:
        # most words of a longer text, as in "Muséum national d'histoire naturelle, Paris"
        covered = 1 - len(pool) / max(1, len(name.words))
        return 30.0 + 25.0 * matched / content * covered - 10.0 * typo
    if len(query) >= 3 and query in name.folded:
        return 30.0
    return 0.0


class SearchIndex:
    """Entities of the dataset's ``id/`` namespace, by every name they carry."""

    def __init__(self, entries: Iterable[Entry]) -> None:
        self.entries = [e for e in entries if e.names]

    @classmethod
    def from_dataset(cls, dataset: Dataset, id_ns: str) -> SearchIndex:
        entries: dict[str, Entry] = {}

        def entry(iri: str) -> Entry:
            return entries.setdefault(iri, Entry(iri))

        seen: set[tuple[str, str, str | None]] = set()
        for rank, (prop, kind) in enumerate(NAME_PROPERTIES):
            for s, o in dataset.subject_objects(prop, unique=True):
                if not (isinstance(s, URIRef) and str(s).startswith(id_ns)):
                    continue
                if not isinstance(o, Literal) or not str(o).strip():
                    continue
                key = (str(s), str(o), o.language)
                if key in seen:
                    continue
                seen.add(key)
                folded = fold(str(o))
                entry(str(s)).names.append(
                    Name(
                        str(o), folded, tuple(folded.split()), o.language, kind if rank else "name"
                    )
                )
        for iri, e in entries.items():
            node = URIRef(iri)
            e.types = sorted({str(t) for t in dataset.objects(node, RDF.type, unique=True)})
            for prop in DESCRIPTION_PROPERTIES:
                for o in dataset.objects(node, prop, unique=True):
                    if isinstance(o, Literal):
                        e.descriptions.setdefault(o.language or "", str(o))
        return cls(entries.values())

    def search(self, text: str, *, limit: int = 10, types: Iterable[str] = ()) -> list[Hit]:
        query = fold(text)
        if not query:
            return []
        words = tuple(query.split())
        wanted = set(types)
        hits: list[Hit] = []
        for e in self.entries:
            if wanted and not wanted.intersection(e.types):
                continue
            best, matched = 0.0, ""
            for name in e.names:
                score = _score(query, words, name)
                if name.kind == "variant":
                    score -= 2.0  # an official name beats a variant at the same strength
                if score > best:
                    best, matched = score, name.text
            if best > 0:
                hits.append(Hit(e, best, matched))
        hits.sort(key=lambda h: (-h.score, len(h.entry.label("en")), h.entry.iri))
        return hits[:limit]
