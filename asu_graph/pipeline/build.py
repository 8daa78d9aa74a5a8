"""Sources -> graph: load the vocabulary and the fact files into one RDF dataset.

Each ``data/{stem}.ttl`` holds the facts of one source page and becomes the
named graph ``{base}graph/{stem}``; ``data/sources.ttl`` says which page each
graph was derived from, so the source of any single triple can be asked with
``GRAPH``. The ontology is the named graph ``{base}ontology``.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from asu_graph.config import DEFAULT_BASE, Settings
from asu_graph.namespaces import PREFIXES
from asu_graph.pipeline.graphs import BuildError, quiet_ill_typed_literals


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
    from asu_graph.pipeline.curated import CuratedQueryError, queries_graph, queries_graph_iri

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


def dataset_version(dataset: Dataset) -> str:
    """Content hash of the dataset: equal data gives an equal version (for ETags)."""
    lines = sorted(
        " ".join(term.n3() for term in (s, p, o, g))
        for s, p, o, g in dataset.quads((None, None, None, None))
    )
    digest = hashlib.sha256("\n".join(lines).encode("utf-8")).hexdigest()
    return digest[:16]
