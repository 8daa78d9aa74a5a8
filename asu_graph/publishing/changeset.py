"""The change set between two releases: added and removed triples, and a summary.

Triples are compared as the triple dumps hold them (the union of the named
graphs). Graphs without blank nodes are compared as plain sets; with blank
nodes, both sides are canonicalised first (rdflib.compare), since blank node
labels mean nothing across two files.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass

from rdflib import BNode, Graph
from rdflib.compare import to_canonical_graph


@dataclass(frozen=True)
class ChangeSet:
    added: Graph
    removed: Graph

    def summary(self) -> dict:
        """Counts per predicate and the subjects touched, for people and scripts."""
        per_predicate: dict[str, dict[str, int]] = {}
        for name, graph in (("added", self.added), ("removed", self.removed)):
            for predicate, count in Counter(str(p) for p in graph.predicates()).items():
                per_predicate.setdefault(predicate, {"added": 0, "removed": 0})[name] = count
        subjects = sorted(
            {
                str(s)
                for g in (self.added, self.removed)
                for s in g.subjects()
                if not isinstance(s, BNode)
            }
        )
        return {
            "added": len(self.added),
            "removed": len(self.removed),
            "predicates": dict(sorted(per_predicate.items())),
            "subjects": subjects,
        }


def _has_bnodes(graph: Graph) -> bool:
    return any(isinstance(t, BNode) for triple in graph for t in (triple[0], triple[2]))


def diff(old: Graph, new: Graph) -> ChangeSet:
    if _has_bnodes(old) or _has_bnodes(new):
        old, new = to_canonical_graph(old), to_canonical_graph(new)
    old_set, new_set = set(old), set(new)
    added, removed = Graph(), Graph()
    for triple in new_set - old_set:
        added.add(triple)
    for triple in old_set - new_set:
        removed.add(triple)
    return ChangeSet(added, removed)


def sorted_ntriples(graph: Graph) -> bytes:
    """N-Triples with one triple per line, sorted, so files diff and hash stably."""
    # rdflib's N-Triples writer, not Term.n3(): n3() writes a multi-line literal
    # as a Turtle long string, which is not N-Triples.
    text = graph.serialize(format="nt", encoding="utf-8").decode("utf-8")
    lines = sorted(line + "\n" for line in text.splitlines() if line.strip())
    return "".join(lines).encode("utf-8")


def summary_markdown(summary: dict, version: str, previous: str | None) -> str:
    """The readable summary written as ``changes.md`` next to the N-Triples files."""
    against = f"release {previous}" if previous else "nothing (first release)"
    lines = [
        f"# Changes in release {version}",
        "",
        f"Compared with {against}: {summary['added']} triples added, "
        f"{summary['removed']} removed, {len(summary['subjects'])} subjects touched.",
        "",
    ]
    if summary["predicates"]:
        lines += ["| predicate | added | removed |", "| --- | ---: | ---: |"]
        lines += [
            f"| <{p}> | {c['added']} | {c['removed']} |" for p, c in summary["predicates"].items()
        ]
        lines.append("")
    if summary["subjects"]:
        lines += ["## Subjects touched", ""]
        lines += [f"- <{s}>" for s in summary["subjects"]]
        lines.append("")
    lines += ["The triples themselves: `changes-added.nt` and `changes-removed.nt`."]
    return "\n".join(lines) + "\n"
