"""Sources -> graph: load the vocabulary and the fact files into one RDF dataset.

Each ``data/{stem}.ttl`` holds the facts of one source page and becomes the
named graph ``{base}graph/{stem}``; ``data/sources.ttl`` says which page each
graph was derived from, so the source of any single triple can be asked with
``GRAPH``. The ontology is the named graph ``{base}ontology``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from .config import DEFAULT_BASE, Settings


class BuildError(Exception):
    """A source file is missing or cannot be parsed."""


def _read_turtle(path: Path, settings: Settings) -> str:
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        raise BuildError(f"{path}: file not found") from None
    except UnicodeDecodeError as exc:
        raise BuildError(f"{path}: not UTF-8 ({exc.reason} at byte {exc.start})") from None
    if settings.base != DEFAULT_BASE:
        # The files are written against the default base; a deployment under
        # another domain gets the same graph with its own IRIs.
        text = text.replace(DEFAULT_BASE, settings.base)
    return text


@contextmanager
def quiet_ill_typed_literals() -> Iterator[None]:
    """Silence rdflib's traceback for a literal such as "2018-13-01"^^xsd:date.

    Such a value is kept as written, and the gate reports it with the resource
    and the rule it breaks; the traceback would only bury that answer.
    """
    logger = logging.getLogger("rdflib.term")
    level = logger.level
    logger.setLevel(logging.CRITICAL)
    try:
        yield
    finally:
        logger.setLevel(level)


def _parse_into(graph: Graph, path: Path, settings: Settings) -> None:
    text = _read_turtle(path, settings)
    try:
        with quiet_ill_typed_literals():
            graph.parse(data=text, format="turtle", publicID=settings.base)
    except Exception as exc:  # rdflib raises several unrelated types for bad syntax
        raise BuildError(f"{path}: not valid Turtle: {exc}") from None


def data_files(settings: Settings) -> list[Path]:
    folder = Path(settings.data_dir)
    if not folder.is_dir():
        raise BuildError(f"{folder}: data folder not found")
    files = sorted(folder.glob("*.ttl"))
    if not files:
        raise BuildError(f"{folder}: no *.ttl fact files")
    return files


def load_dataset(settings: Settings, *, include_ontology: bool = True) -> Dataset:
    """Parse the ontology and every fact file into a dataset (union default graph)."""
    dataset = Dataset(default_union=True)
    if include_ontology:
        ontology = Path(settings.ontology_dir) / "asu.ttl"
        _parse_into(dataset.graph(URIRef(settings.ontology_iri)), ontology, settings)
    for path in data_files(settings):
        graph = dataset.graph(URIRef(settings.graph_ns + path.stem))
        _parse_into(graph, path, settings)
    _add_curated_queries(dataset, settings)
    _bind_prefixes(dataset, settings)
    return dataset


def _add_curated_queries(dataset: Dataset, settings: Settings) -> None:
    # The curated queries are data too ({base}graph/queries), so clients find
    # them through the endpoint; a broken query file stops the build.
    from .queries import CuratedQueryError, queries_graph, queries_graph_iri

    try:
        queries_graph(settings, dataset.graph(queries_graph_iri(settings)))
    except CuratedQueryError as exc:
        raise BuildError(str(exc)) from None


def load_shapes(settings: Settings) -> Graph:
    shapes = Graph()
    _parse_into(shapes, Path(settings.ontology_dir) / "shapes.ttl", settings)
    return shapes


def _bind_prefixes(dataset: Dataset, settings: Settings) -> None:
    dataset.bind("asu", settings.ontology_ns, replace=True)
    dataset.bind("id", settings.id_ns, replace=True)
    dataset.bind("graph", settings.graph_ns, replace=True)
    for prefix, ns in PREFIXES.items():
        dataset.bind(prefix, ns, override=False)


PREFIXES: dict[str, str] = {
    "org": "http://www.w3.org/ns/org#",
    "schema": "https://schema.org/",
    "dcterms": "http://purl.org/dc/terms/",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "prov": "http://www.w3.org/ns/prov#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "owl": "http://www.w3.org/2002/07/owl#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dcat": "http://www.w3.org/ns/dcat#",
    "void": "http://rdfs.org/ns/void#",
    "sh": "http://www.w3.org/ns/shacl#",
}


def project_prefixes(settings: Settings) -> dict[str, str]:
    """Prefixes a query writer expects (also pre-filled in the query page)."""
    return {"asu": settings.ontology_ns, "id": settings.id_ns, **PREFIXES}


def dataset_version(dataset: Dataset) -> str:
    """Content hash of the dataset: equal data gives an equal version (for ETags)."""
    lines = sorted(
        " ".join(term.n3() for term in (s, p, o, g))
        for s, p, o, g in dataset.quads((None, None, None, None))
    )
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return digest[:16]
