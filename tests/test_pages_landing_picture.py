"""The landing picture in headless Chromium, on a desktop and on a 390 px phone.

Every kind of entity the data links to the alliance is drawn (its members and
partners, institutes and initiatives, the Idex, PIA3, the calls, the funding),
each with its full name, no node over another, all inside the frame, and
every line ends in an arrow pointing from the subject to the object.
"""

from __future__ import annotations

import pytest
from rdflib import URIRef

from .test_linked_data import DATA, ID, SKOS

pytestmark = pytest.mark.browser

ASU = "https://w3id.org/asu/ontology#"
SCHEMA = "https://schema.org/"


def expected_nodes() -> dict[str, str]:
    """The entities the picture must show, from the data: IRI -> English name."""
    wanted: set[URIRef] = set()
    for p in ("holds", "won", "underProgramme", "obtainedThrough"):
        for s, o in DATA.subject_objects(URIRef(ASU + p)):
            wanted |= {s, o}
    for s, o in DATA.subject_objects(URIRef(SCHEMA + "fundedItem")):
        if any(DATA.objects(s, URIRef(ASU + "obtainedThrough"))):
            wanted |= {s, o}
    assert ID["idex-super"] in wanted and ID["pia3"] in wanted
    return {
        str(n): str(next(o for o in DATA.objects(n, SKOS.prefLabel) if o.language == "en"))
        for n in wanted
    }


@pytest.mark.parametrize("width", [1200, 390])
def test_every_kind_drawn_named_apart_inside_with_arrows(server: str, browser, width: int) -> None:
    context = browser.new_context(
        viewport={"width": width, "height": 900}, locale="en-GB", is_mobile=width < 500
    )
    try:
        page = context.new_page()
        page.goto(server + "/?lang=en")
        page.wait_for_selector("figure.graph-view[data-state=settled]", timeout=30000)
        drawn = dict(
            page.eval_on_selector_all(
                "figure.graph-view g.node",
                "gs => gs.map(g => [g.dataset.iri, "
                "[...g.querySelectorAll('tspan')].map(t => t.textContent.trim()).join(' ')])",
            )
        )
        for iri, name in expected_nodes().items():
            assert iri in drawn, f"{name} is not drawn"
            # the full name (wrapped on lines) is written, not an acronym
            assert drawn[iri].replace("\u2026", "") in name or drawn[iri] == name, drawn[iri]
        groups = set(page.eval_on_selector_all("g.node", "gs => gs.map(g => g.dataset.group)"))
        assert {"alliance", "member", "programme", "call", "funding"} <= groups

        boxes = page.evaluate("""() => {
            const frame = document.querySelector('figure.graph-view svg').getBoundingClientRect();
            const nodes = [...document.querySelectorAll('figure.graph-view g.node')].map(g => {
              const b = g.getBoundingClientRect();
              return {iri: g.dataset.iri, l: b.left, r: b.right, t: b.top, b: b.bottom}; });
            return {frame: {l: frame.left, r: frame.right, t: frame.top, b: frame.bottom}, nodes};
          }""")
        frame = boxes["frame"]
        for n in boxes["nodes"]:
            assert n["l"] >= frame["l"] - 1 and n["r"] <= frame["r"] + 1, f"{n['iri']} sticks out"
            assert n["t"] >= frame["t"] - 1 and n["b"] <= frame["b"] + 1, f"{n['iri']} sticks out"
        nodes = boxes["nodes"]
        for i, a in enumerate(nodes):
            for b in nodes[i + 1 :]:
                overlap_x = min(a["r"], b["r"]) - max(a["l"], b["l"])
                overlap_y = min(a["b"], b["b"]) - max(a["t"], b["t"])
                assert overlap_x <= 1 or overlap_y <= 1, f"{a['iri']} is over {b['iri']}"

        # Every line has an arrowhead at its object's end.
        lines = page.eval_on_selector_all(
            "figure.graph-view line",
            "ls => ls.map(l => [l.getAttribute('marker-end'), "
            "l.dataset.source, l.dataset.target, l.dataset.kind])",
        )
        assert lines and all(m and m.startswith("url(#arrow-") for m, *_ in lines)
        holds = [(s, t) for _, s, t, k in lines if k == "holds"]
        assert (str(ID["alliance-sorbonne-universite"]), str(ID["idex-super"])) in holds
        # The page does not scroll sideways.
        assert page.evaluate(
            "document.documentElement.scrollWidth <= document.documentElement.clientWidth"
        )
    finally:
        context.close()
