"""The SHACL gate: nothing that fails the shapes is exported or served.

The rules live in ``ontology/shapes.ttl`` (SHACL Core and SHACL-SPARQL). Two
rules need the named graphs, which a SHACL engine never sees (it validates one
graph, the union): every data file has its source page in ``sources.ttl``, and
a property that takes one value per source has at most one value in each file
(two sources may disagree, one source may not). Those two are checked here and
reported in the same form.
"""

from __future__ import annotations

import json
from collections import defaultdict
from dataclasses import asdict, dataclass

from pyshacl import validate as shacl_validate
from rdflib import BNode, Dataset, Graph, Literal, URIRef

from asu_graph import formats
from asu_graph.config import Settings
from asu_graph.namespaces import FOAF, ORG, PROV, RDF, SCHEMA, SH
from asu_graph.pipeline.graphs import BuildError, quiet_ill_typed_literals, union_graph

PROV_DERIVED = PROV.wasDerivedFrom
FOAF_DOCUMENT = FOAF.Document

# Properties with one true value: a second value in the same file is a mistake;
# a second value from another file is a conflict between sources, published as is.
ONE_VALUE_PER_SOURCE = (
    SCHEMA.foundingDate,
    SCHEMA.dissolutionDate,
    SCHEMA.startDate,
    SCHEMA.endDate,
    SCHEMA.value,
    SCHEMA.currency,
    ORG.member,
    ORG.organization,
)


class ShapesError(BuildError):
    """The shapes themselves cannot be used (a broken rule, not broken data)."""


@dataclass(frozen=True)
class Violation:
    focus: str
    rule: str
    component: str
    severity: str
    message: str
    path: str | None = None
    value: str | None = None

    def line(self) -> str:
        where = f" on {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value else ""
        return (
            f"{self.severity}: <{self.focus}> breaks rule {self.rule}{where}: {self.message}{value}"
        )


@dataclass
class ValidationReport:
    conforms: bool
    violations: list[Violation]
    graph: Graph

    def text(self) -> str:
        if self.conforms:
            return "valid: the data conforms to the shapes"
        head = f"invalid: {len(self.violations)} problem(s)"
        return "\n".join([head, *(v.line() for v in self.violations)])

    def turtle(self) -> str:
        # The project's Turtle writer: a reported value keeps its lexical form.
        return formats.serialize(self.graph, "turtle").decode("utf-8")

    def json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "violations": [asdict(v) for v in self.violations]},
            indent=2,
            ensure_ascii=False,
        )

    def render(self, fmt: str) -> str:
        return {"text": self.text, "turtle": self.turtle, "json": self.json}[fmt]()


def _local(term: object) -> str:
    text = str(term)
    for sep in ("#", "/"):
        if sep in text:
            text = text.rsplit(sep, 1)[1] or text
    return text


def _shape_name(report: Graph, shape: object) -> str:
    # Shapes are named IRIs; a blank-node property shape is named after its parent.
    if isinstance(shape, URIRef):
        return _local(shape)
    for parent in report.subjects(SH.property, shape):
        if isinstance(parent, URIRef):
            return _local(parent)
    return str(shape)


class _FastQueryGraph(Graph):
    """An in-memory graph whose SPARQL queries run on an Oxigraph copy of it.

    The SHACL-SPARQL rules run one query per focus node, and Oxigraph's engine
    answers them many times faster than rdflib's; everything else (triple
    lookups, counting) stays in rdflib's memory store, where it is cheapest.
    The copy is read-only: SHACL validation never changes the data.
    """

    def __init__(self, data: Graph) -> None:
        super().__init__()
        self.addN((s, p, o, self) for s, p, o in data)
        self._engine = Graph(store="Oxigraph")
        self._engine.addN((s, p, o, self._engine) for s, p, o in data)

    def query(self, *args, **kwargs):  # type: ignore[no-untyped-def, override]
        return self._engine.query(*args, **kwargs)


def validate_graph(data: Graph, shapes: Graph) -> ValidationReport:
    with quiet_ill_typed_literals():
        conforms, report, text = shacl_validate(
            _FastQueryGraph(data),
            shacl_graph=shapes,
            inference="none",
            advanced=True,
            allow_warnings=True,
            inplace=True,
        )
    if not isinstance(report, Graph):
        raise ShapesError(f"the shapes cannot be applied: {text}")
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):

        def one(pred, _r=result):
            return report.value(_r, pred)

        path, value = one(SH.resultPath), one(SH.value)
        # a SHACL-SPARQL rule is named after its constraint (one shape may hold several)
        constraint = one(SH.sourceConstraint)
        rule = (
            _local(constraint)
            if isinstance(constraint, URIRef)
            else _shape_name(shapes, one(SH.sourceShape))
        )
        violations.append(
            Violation(
                focus=str(one(SH.focusNode)),
                rule=rule,
                component=_local(one(SH.sourceConstraintComponent)),
                severity=_local(one(SH.resultSeverity)),
                message=str(one(SH.resultMessage) or "constraint not met"),
                path=str(path) if isinstance(path, URIRef) else None,
                value=str(value) if value is not None else None,
            )
        )
    violations.sort(key=lambda v: (v.focus, v.rule, v.path or "", v.value or ""))
    return ValidationReport(bool(conforms), violations, report)


def _violation(
    focus: object, rule: str, message: str, path: object = None, value: object = None
) -> Violation:
    return Violation(
        focus=str(focus),
        rule=rule,
        component="GraphRule",
        severity="Violation",
        message=message,
        path=str(path) if path is not None else None,
        value=str(value) if value is not None else None,
    )


def graph_violations(dataset: Dataset, settings: Settings) -> list[Violation]:
    """The rules that need the named graphs (one graph per data file)."""
    # The descriptions belong in sources.ttl; a lone file (a test case, a new
    # source being drafted) may describe its own graph.
    sources = union_graph(dataset)
    found: list[Violation] = []
    for context in dataset.graphs():
        name = str(context.identifier)
        if not name.startswith(settings.graph_ns) or name == settings.graph_ns + "sources":
            continue
        if name == settings.graph_ns + "queries":
            continue  # built from queries/*.rq, whose headers name their own sources
        pages = set(sources.objects(context.identifier, PROV_DERIVED))
        if len(pages) != 1:
            found.append(
                _violation(
                    name,
                    "GraphSourceRule",
                    f"Graph source rule: the data file {_local(name)}.ttl must have exactly one "
                    f"source page in sources.ttl (prov:wasDerivedFrom), found {len(pages)}.",
                    PROV_DERIVED,
                )
            )
        for page in pages:
            if (page, RDF.type, FOAF_DOCUMENT) not in sources:
                found.append(
                    _violation(
                        page,
                        "GraphSourceRule",
                        f"Graph source rule: the source page of {_local(name)}.ttl is not "
                        "described in sources.ttl as a foaf:Document.",
                        RDF.type,
                        FOAF_DOCUMENT,
                    )
                )
        values: dict[tuple[object, object], set[object]] = defaultdict(set)
        for prop in ONE_VALUE_PER_SOURCE:
            for s, o in context.subject_objects(prop):
                values[(s, prop)].add(o)
        for (subject, prop), objects in values.items():
            if len(objects) > 1:
                shown = ", ".join(sorted(str(o) for o in objects))
                found.append(
                    _violation(
                        subject,
                        "OneValuePerSourceRule",
                        f"One value per source rule: {_local(name)}.ttl gives {len(objects)} "
                        f"values of {_local(prop)} for one resource; a source gives one value "
                        "(publish a "
                        "disagreeing source in its own file).",
                        prop,
                        shown,
                    )
                )
    return found


def validate_dataset(dataset: Dataset, settings: Settings, shapes: Graph) -> ValidationReport:
    """The shapes (``build.load_shapes``) on the union, then the named-graph rules."""
    report = validate_graph(union_graph(dataset), shapes)
    extra = graph_violations(dataset, settings)
    if not extra:
        return report
    report.graph.set(
        (next(report.graph.subjects(RDF.type, SH.ValidationReport)), SH.conforms, Literal(False))
    )
    for v in extra:
        node = BNode()
        report.violations.append(v)
        report.graph.add((node, RDF.type, SH.ValidationResult))
        report.graph.add((node, SH.focusNode, URIRef(v.focus)))
        report.graph.add((node, SH.resultMessage, Literal(v.message)))
    report.violations.sort(key=lambda v: (v.focus, v.rule, v.path or "", v.value or ""))
    return ValidationReport(False, report.violations, report.graph)
