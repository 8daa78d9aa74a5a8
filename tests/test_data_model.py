"""The data model on its own: ontology, facts, shapes and curated queries.

Plain rdflib and pyshacl only, so that a change to the vocabulary or the facts
is checked independently of the application code.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import Dataset, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, RDF, RDFS, SKOS, XSD

from asu_graph.pipeline.validate import validate_graph

ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY = ROOT / "ontology" / "asu.ttl"
SHAPES = ROOT / "ontology" / "shapes.ttl"
DATA = ROOT / "data"
QUERIES = ROOT / "queries"
BROKEN = ROOT / "tests" / "broken"

BASE = "https://w3id.org/asu/"
ID = Namespace(BASE + "id/")
ASU = Namespace(BASE + "ontology#")
ASUSH = Namespace(BASE + "shapes#")
GRAPH = Namespace(BASE + "graph/")
ORG = Namespace("http://www.w3.org/ns/org#")
SCHEMA = Namespace("https://schema.org/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SH = Namespace("http://www.w3.org/ns/shacl#")
PRIMARY = URIRef("https://www.mnhn.fr/en/alliance-sorbonne-universite")
IBEES_PAGE = URIRef(
    "https://www.mnhn.fr/en/biodiversity-evolution-ecology-and-society-initiative-ibees"
)

MEMBERS = {
    ID[s]
    for s in (
        "sorbonne-universite",
        "mnhn",
        "insead",
        "utc",
        "pspbb",
        "france-education-international",
    )
}
RESEARCH_ORGANISATIONS = {ID[s] for s in ("cnrs", "inserm", "inria", "ird")}
MUSEUM_INSTITUTES = {ID[s] for s in ("su-ite", "opus", "iscd", "scai", "ocean-institute")}
CALLS = {
    ID["call-structuring-training-through-research"],
    ID["call-integration-development-idex-isite"],
}


def load_dataset() -> Dataset:
    dataset = Dataset(default_union=True)
    dataset.graph(URIRef(BASE + "ontology")).parse(ONTOLOGY, format="turtle")
    for path in sorted(DATA.glob("*.ttl")):
        dataset.graph(GRAPH[path.stem]).parse(path, format="turtle")
    return dataset


def union_graph(dataset: Dataset) -> Graph:
    union = Graph()
    for triple in dataset.triples((None, None, None)):
        union.add(triple)
    return union


def validate(data: Graph) -> tuple[bool, Graph]:
    # the gate's own entry point, so that these tests check what `asu-graph validate` runs
    report = validate_graph(data, Graph().parse(SHAPES, format="turtle"))
    return report.conforms, report.graph


def violations(data: Graph) -> set[tuple[URIRef, str]]:
    report = validate_graph(data, Graph().parse(SHAPES, format="turtle"))
    return {(URIRef(v.focus), v.rule) for v in report.violations}


@pytest.fixture(scope="module")
def dataset() -> Dataset:
    return load_dataset()


@pytest.fixture(scope="module")
def union(dataset: Dataset) -> Graph:
    return union_graph(dataset)


def id_entities(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects() if isinstance(s, URIRef) and str(s).startswith(str(ID))}


# --------------------------------------------------------------------------- shapes


def test_real_data_conforms(union: Graph) -> None:
    conforms, report = validate(union)
    assert conforms, report.serialize(format="turtle")


def test_every_shape_is_named_and_has_a_message() -> None:
    shapes = Graph().parse(SHAPES, format="turtle")
    found = set(shapes.subjects(RDF.type, SH.NodeShape)) | set(
        shapes.subjects(RDF.type, SH.PropertyShape)
    )
    assert len(found) >= 10
    for shape in found:
        assert isinstance(shape, URIRef) and str(shape).startswith(str(ASUSH)), shape
        messages = [m for m in shapes.objects(shape, SH.message) if m.language == "en"]
        assert messages, f"{shape} has no English sh:message"
    for node in set(shapes.objects(None, SH.property)) | set(
        shapes.objects(None, SH.qualifiedValueShape)
    ):
        assert isinstance(node, URIRef), "blank-node shape"


def broken_cases() -> list[Path]:
    return sorted(p for p in BROKEN.glob("*.ttl") if p.name != "valid-control.ttl")


def test_there_are_enough_broken_cases() -> None:
    assert len(broken_cases()) >= 8


def header(path: Path, key: str) -> str:
    for line in path.read_text(encoding="utf-8").splitlines():
        match = re.match(rf"^#\s*{key}:\s*(\S+)\s*$", line)
        if match:
            return match.group(1)
    raise AssertionError(f"{path.name} has no '# {key}:' line")


def with_ontology(path: Path) -> Graph:
    graph = Graph().parse(ONTOLOGY, format="turtle")
    graph.parse(path, format="turtle")
    return graph


@pytest.mark.parametrize("path", broken_cases(), ids=lambda p: p.stem)
def test_broken_file_is_rejected_for_the_right_reason(path: Path) -> None:
    focus = URIRef(header(path, "focus"))
    rule = header(path, "rule")
    reported = violations(with_ontology(path))
    assert reported, f"{path.name} should not conform"
    assert (focus, rule) in reported, f"{path.name}: expected ({focus}, {rule}), got {reported}"


def test_valid_control_conforms() -> None:
    conforms, report = validate(with_ontology(BROKEN / "valid-control.ttl"))
    assert conforms, report.serialize(format="turtle")


def test_shapes_catch_a_mistake_in_the_real_data(union: Graph) -> None:
    """Remove one French label from the real data: the union must stop conforming."""
    broken = Graph()
    for triple in union:
        broken.add(triple)
    broken.remove((ID.mnhn, RDFS.label, Literal("Muséum national d'Histoire naturelle", lang="fr")))
    conforms, _ = validate(broken)
    assert not conforms


# --------------------------------------------------------------------------- labels, vocabulary


def test_every_id_entity_has_labels_and_source(union: Graph) -> None:
    entities = id_entities(union)
    assert len(entities) > 30
    for entity in entities:
        for prop in (RDFS.label, SKOS.prefLabel):
            langs = [o.language for o in union.objects(entity, prop) if isinstance(o, Literal)]
            assert "en" in langs and "fr" in langs, f"{entity} {prop}"
        pref = [o.language for o in union.objects(entity, SKOS.prefLabel)]
        assert sorted(pref) == sorted(set(pref)), f"{entity} has two prefLabels in a language"
        assert (entity, PROV.wasDerivedFrom, None) in union, entity


def test_every_entity_in_every_file_cites_the_page_of_its_graph(dataset: Dataset) -> None:
    sources = dataset.graph(GRAPH.sources)
    for path in sorted(DATA.glob("*.ttl")):
        if path.stem == "sources":
            continue
        graph = dataset.graph(GRAPH[path.stem])
        pages = set(sources.objects(GRAPH[path.stem], PROV.wasDerivedFrom))
        assert len(pages) == 1, f"graph {path.stem} must name exactly one source page"
        page = pages.pop()
        assert (page, RDF.type, URIRef("http://xmlns.com/foaf/0.1/Document")) in sources
        for subject in {s for s in graph.subjects() if isinstance(s, URIRef)}:
            assert set(graph.objects(subject, PROV.wasDerivedFrom)) == {page}, (path.stem, subject)
            assert set(graph.objects(subject, URIRef("http://purl.org/dc/terms/source"))) == {page}


def test_ontology_terms_are_documented_in_two_languages() -> None:
    onto = Graph().parse(ONTOLOGY, format="turtle")
    terms = {
        s
        for kind in (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
        for s in onto.subjects(RDF.type, kind)
    }
    assert len(terms) >= 15
    for term in terms:
        assert str(term).startswith(str(ASU)), term
        for prop in (RDFS.label, RDFS.comment):
            langs = {o.language for o in onto.objects(term, prop)}
            assert {"en", "fr"} <= langs, f"{term} {prop}"
        assert (term, RDFS.isDefinedBy, URIRef(BASE + "ontology")) in onto
        parents = set(onto.objects(term, RDFS.subPropertyOf))
        assert PROV.wasDerivedFrom not in parents
        assert URIRef("http://purl.org/dc/terms/source") not in parents


def test_exactly_six_members_both_directions(union: Graph) -> None:
    assert len(list(union.triples((None, ORG.hasMember, None)))) == 6
    assert set(union.objects(ID["alliance-sorbonne-universite"], ORG.hasMember)) == MEMBERS
    assert set(union.subjects(ORG.memberOf, ID["alliance-sorbonne-universite"])) == MEMBERS
    for organisation in RESEARCH_ORGANISATIONS:
        assert (ID["alliance-sorbonne-universite"], ORG.linkedTo, organisation) in union
        assert (ID["alliance-sorbonne-universite"], ORG.hasMember, organisation) not in union


def test_identity_links_are_the_verified_ones_as_exact_match(union: Graph) -> None:
    # skos:exactMatch, not owl:sameAs: ROR's record of Sorbonne Université carries
    # the old alliance's 2010 founding year, which owl:sameAs would import.
    assert not list(union.subject_objects(OWL.sameAs))
    links = {(s, o) for s, o in union.subject_objects(SKOS.exactMatch)}
    assert (ID["sorbonne-universite"], URIRef("http://www.wikidata.org/entity/Q41497113")) in links
    assert (ID.inserm, URIRef("https://ror.org/02vjkv261")) in links
    assert (ID.inria, URIRef("https://ror.org/02kvxyf05")) in links
    assert not any(s == ID.scai for s, _ in links)
    assert not any(s in (ID.pspbb, ID["france-education-international"]) for s, _ in links)
    assert len(links) == 18


def test_research_organisation_memberships_are_dated(union: Graph) -> None:
    """The timeline's founding members (2012) and later members (2014), as org:Membership."""
    time = Namespace("http://www.w3.org/2006/time#")
    started = {}
    for membership in union.subjects(RDF.type, ORG.Membership):
        member = union.value(membership, ORG.member)
        assert union.value(membership, ORG.organization) == ID["alliance-sorbonne-universite"]
        interval = union.value(membership, ORG.memberDuring)
        year = union.value(union.value(interval, time.hasBeginning), time.inXSDGYear)
        started[member] = str(year)
    assert started == {
        ID.mnhn: "2012",
        ID.utc: "2012",
        ID.insead: "2012",
        ID.cnrs: "2012",
        ID.inserm: "2012",
        ID.ird: "2012",
        ID.inria: "2014",
        ID["france-education-international"]: "2014",
        ID.pspbb: "2014",
    }


def test_conflicting_sources_are_both_published(dataset: Dataset) -> None:
    """Two pages give two creation years of the institute: each claim sits in its page's graph."""
    ite = ID["su-ite"]
    claims = {
        (str(o), g.identifier)
        for g in dataset.graphs()
        for o in g.objects(ite, SCHEMA.foundingDate)
    }
    assert claims == {("2017", GRAPH["su-ite"]), ("2015", GRAPH["su-institutes-news"])}


def test_the_two_endowment_figures_are_both_published(dataset: Dataset) -> None:
    """900 million euros on the MNHN page, 800 million on Paris-Sorbonne's: one claim per graph."""
    claims = {
        (str(dataset.value(amount, SCHEMA.value)), g.identifier)
        for g in dataset.graphs()
        for amount in g.objects(ID["idex-super"], ASU.initialCapital)
    }
    assert claims == {
        ("900000000", GRAPH["mnhn-idex-super"]),
        ("800000000", GRAPH["paris-sorbonne-idex-edito"]),
    }


def preferred_names(dataset: Dataset, entity: URIRef) -> set[tuple[str, str, URIRef]]:
    return {
        (str(o), o.language or "", g.identifier)
        for g in dataset.graphs()
        for o in g.objects(entity, SKOS.prefLabel)
    }


def test_official_names_sit_in_the_graph_of_the_page_that_gives_them(dataset: Dataset) -> None:
    """Each official name is published in its own page's graph, the short forms stay variants."""
    assert preferred_names(dataset, ID.inserm) == {
        ("French Institute of Health and Medical Research", "en", GRAPH["identifiers-ror"]),
        (
            "Institut National de la Santé et de la Recherche Médicale",
            "fr",
            GRAPH["identifiers-ror"],
        ),
    }
    assert preferred_names(dataset, ID.ird) == {
        ("Institute of Research for Development", "en", GRAPH["identifiers-ror"]),
        ("Institut de Recherche pour le Développement", "fr", GRAPH["identifiers-ror"]),
    }
    assert preferred_names(dataset, ID["france-education-international"]) == {
        ("France Éducation international", "en", GRAPH.fei),
        ("France Éducation international", "fr", GRAPH.fei),
    }
    pspbb = "Pôle supérieur d'enseignement artistique de Paris Boulogne-Billancourt"
    assert preferred_names(dataset, ID.pspbb) == {
        (pspbb, "en", GRAPH["alliance-timeline"]),
        (pspbb, "fr", GRAPH["alliance-timeline"]),
    }
    assert preferred_names(dataset, ID["universite-paris-6"]) == {
        ("Pierre and Marie Curie University", "en", GRAPH["upmc-merger-news"]),
        ("Université Pierre-et-Marie-Curie", "fr", GRAPH["upmc-wikipedia"]),
    }
    assert (
        "Intégration et développement des IdEx et des ISITE",
        "fr",
        GRAPH["pia3-calls-results"],
    ) in preferred_names(dataset, ID["call-integration-development-idex-isite"])
    assert (
        "Structuration de la formation par la recherche dans les initiatives d'excellence",
        "fr",
        GRAPH["pia3-calls-results"],
    ) in preferred_names(dataset, ID["call-structuring-training-through-research"])
    # the primary page's forms are kept as alternative labels
    union = union_graph(dataset)
    for entity, short in (
        (ID.inserm, "Inserm"),
        (ID.ird, "IRD"),
        (ID["universite-paris-6"], "Paris 6"),
    ):
        assert Literal(short, lang="en") in set(union.objects(entity, SKOS.altLabel))
    for entity, acronym in (
        (ID["call-structuring-training-through-research"], "SFRI"),
        (ID["call-integration-development-idex-isite"], "IDéES"),
    ):
        assert Literal(acronym, lang="fr") in set(union.objects(entity, ASU.acronym))


def test_the_idex_funder_comes_from_the_timeline(dataset: Dataset) -> None:
    timeline = dataset.graph(GRAPH["alliance-timeline"])
    assert (ID["idex-super"], SCHEMA.funder, ID["french-state"]) in timeline


def test_the_alliance_change_into_a_comue_is_a_dated_event(dataset: Dataset) -> None:
    event = ID["alliance-sorbonne-universite-comue"]
    decree = dataset.graph(GRAPH["comue-decree"])
    assert (event, RDF.type, ORG.ChangeEvent) in decree
    assert decree.value(event, SCHEMA.startDate) == Literal("2015-07-01", datatype=XSD.date)
    assert (ID["alliance-sorbonne-universite"], ORG.changedBy, event) in decree


# --------------------------------------------------------------------------- curated queries


def run(dataset: Dataset, name: str) -> list[dict[str, object]]:
    text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    return [row.asdict() for row in dataset.query(text)]


def test_every_query_has_a_header_and_runs(dataset: Dataset) -> None:
    names = {p.stem for p in QUERIES.glob("*.rq")}
    assert names >= {
        "members",
        "research-organisations",
        "museum-institutes",
        "pia3-calls-2020",
        "idex-added-funding",
        "ibees-leader",
        "sorbonne-universite-predecessors",
        "fact-source",
    }
    for name in names:
        text = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
        for key in ("title", "title@fr", "description", "sources"):
            assert re.search(rf"^# {re.escape(key)}: \S", text, re.M), f"{name}: no {key}"
        if re.search(r"^# federated: true", text, re.M):
            continue  # calls another endpoint with SERVICE: never run by the tests
        assert run(dataset, name), f"{name} returns nothing"


def test_query_members(dataset: Dataset) -> None:
    rows = run(dataset, "members")
    assert {r["member"] for r in rows} == MEMBERS
    assert len(rows) == 6


def test_query_research_organisations(dataset: Dataset) -> None:
    rows = run(dataset, "research-organisations")
    assert {r["organisation"] for r in rows} == RESEARCH_ORGANISATIONS
    # full names from the ROR records; the short names stay alternative labels
    assert {str(r["name_en"]) for r in rows} == {
        "French National Centre for Scientific Research",
        "French Institute of Health and Medical Research",
        "French Institute for Research in Computer Science and Automation",
        "Institute of Research for Development",
    }


def test_query_museum_institutes(dataset: Dataset) -> None:
    rows = run(dataset, "museum-institutes")
    assert {r["institute"] for r in rows} == MUSEUM_INSTITUTES
    founded = {r["institute"] for r in rows if r["founder"].toPython() is True}
    assert founded == {ID["ocean-institute"]}


def test_query_pia3_calls(dataset: Dataset) -> None:
    rows = run(dataset, "pia3-calls-2020")
    assert {r["call"] for r in rows} == CALLS
    assert {str(r["title"]) for r in rows} == {
        "Structuring training through research in initiatives of excellence",
        "Integration and development of IdEx and ISITE",
    }
    assert all(r.get("aim") for r in rows)
    # the call, the winning project and the award are distinct resources
    first = ID["project-structuring-training-through-research"]
    assert (first, ASU.answersCall, ID["call-structuring-training-through-research"]) in dataset
    assert dataset.value(first, ASU.numberOfInstitutes) == Literal(9, datatype=XSD.integer)
    assert dataset.value(first, ASU.numberOfInitiatives) == Literal(11, datatype=XSD.integer)


def test_query_idex_added_funding(dataset: Dataset) -> None:
    rows = run(dataset, "idex-added-funding")
    assert len(rows) == 1
    row = rows[0]
    assert row["value"] == Literal("38000000", datatype=XSD.decimal)
    assert row["value"].toPython() == 38000000
    assert str(row["currency"]) == "EUR"
    assert row["duration"] == Literal("P10Y", datatype=XSD.duration)


def test_query_ibees_leader(dataset: Dataset) -> None:
    rows = run(dataset, "ibees-leader")
    assert {r["leader"] for r in rows} == {ID.mnhn}
    assert str(rows[0]["leader_fr"]) == "Muséum national d'Histoire naturelle"


def test_query_predecessors(dataset: Dataset) -> None:
    rows = run(dataset, "sorbonne-universite-predecessors")
    assert {r["predecessor"] for r in rows} == {ID["universite-paris-6"], ID["universite-paris-4"]}
    assert {r.get("event") for r in rows} == {ID["sorbonne-universite-merger"]}


def test_query_fact_source(dataset: Dataset) -> None:
    rows = run(dataset, "fact-source")
    assert {(r["graph"], r["page"]) for r in rows} == {
        (GRAPH.institutes, PRIMARY),
        (GRAPH.ibees, IBEES_PAGE),
    }
