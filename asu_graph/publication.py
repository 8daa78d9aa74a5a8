"""The validated graph as published: dataset, store, version and report.

``prepare`` is the one-way flow sources -> graph -> validate -> store. It
raises ``InvalidData`` when the shapes fail, so nothing invalid is served.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import UTC, datetime
from functools import cached_property

from rdflib import Dataset
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

from asu_graph.config import Settings
from asu_graph.pipeline.build import dataset_version, load_dataset, load_shapes
from asu_graph.pipeline.validate import ValidationReport, validate_dataset
from asu_graph.store import Store, open_store


class InvalidData(Exception):
    def __init__(self, report: ValidationReport) -> None:
        super().__init__(report.text())
        self.report = report


@dataclass
class Publication:
    settings: Settings
    dataset: Dataset
    report: ValidationReport
    version: str
    modified: datetime
    store: Store | None = None
    timings: dict[str, float] = field(default_factory=dict)

    @cached_property
    def graph_names(self) -> frozenset[str]:
        """The named graphs this dataset publishes (what FROM / default-graph-uri may name)."""
        return frozenset(
            str(g.identifier)
            for g in self.dataset.graphs()
            if g.identifier != DATASET_DEFAULT_GRAPH_ID
        )

    @property
    def triple_count(self) -> int:
        return len(set(self.dataset.triples((None, None, None))))


def build_and_validate(settings: Settings) -> Publication:
    timings: dict[str, float] = {}
    start = time.perf_counter()
    dataset = load_dataset(settings)
    timings["load"] = time.perf_counter() - start
    start = time.perf_counter()
    report = validate_dataset(dataset, settings, load_shapes(settings))
    timings["validate"] = time.perf_counter() - start
    if not report.conforms:
        raise InvalidData(report)
    return Publication(
        settings,
        dataset,
        report,
        dataset_version(dataset),
        datetime.now(UTC).replace(microsecond=0),
        timings=timings,
    )


def prepare(settings: Settings, store: Store | None = None) -> Publication:
    """Build, validate and load the store named by ``settings.store``."""
    publication = build_and_validate(settings)
    start = time.perf_counter()
    publication.store = store or open_store(settings.store, settings)
    publication.store.load(publication.dataset)
    publication.timings["store"] = time.perf_counter() - start
    return publication
