"""The SHACL gate: nothing that fails the shapes is exported or served."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass

from pyshacl import validate as shacl_validate
from rdflib import Dataset, Graph, URIRef

from .graphs import union_graph
from .namespaces import RDF, SH


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
        return (f"{self.severity}: <{self.focus}> breaks rule {self.rule}{where}: "
                f"{self.message}{value}")


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
        return self.graph.serialize(format="turtle")

    def json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "violations": [asdict(v) for v in self.violations]},
            indent=2, ensure_ascii=False)

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


def validate_graph(data: Graph, shapes: Graph) -> ValidationReport:
    conforms, report, _ = shacl_validate(
        data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True)
    violations = []
    for result in report.subjects(RDF.type, SH.ValidationResult):
        def one(pred, _r=result):
            return report.value(_r, pred)
        path, value = one(SH.resultPath), one(SH.value)
        violations.append(Violation(
            focus=str(one(SH.focusNode)),
            rule=_shape_name(shapes, one(SH.sourceShape)),
            component=_local(one(SH.sourceConstraintComponent)),
            severity=_local(one(SH.resultSeverity)),
            message=str(one(SH.resultMessage) or "constraint not met"),
            path=str(path) if isinstance(path, URIRef) else None,
            value=str(value) if value is not None else None,
        ))
    violations.sort(key=lambda v: (v.focus, v.rule, v.path or "", v.value or ""))
    return ValidationReport(bool(conforms), violations, report)


def validate_dataset(dataset: Dataset, shapes: Graph) -> ValidationReport:
    """Validate the union of the dataset's graphs against the shapes (``build.load_shapes``)."""
    return validate_graph(union_graph(dataset), shapes)
