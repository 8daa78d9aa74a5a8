"""Every curated query gives the expected answer, over HTTP and on the command line.

The expected rows are written out from the fact files (data/*.ttl), so a change
of data or of a query that alters an answer shows up here. The same answers
are asked from the live endpoint (requests and SPARQLWrapper) and from
``asu-graph query NAME --format json``.
"""

from __future__ import annotations

import json
import os
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest
import requests
from rdflib import Graph, URIRef
from rdflib.namespace import FOAF, RDF
from SPARQLWrapper import JSON, SPARQLWrapper

from asu_graph.config import Settings
from asu_graph.pipeline.curated import curated_queries

from .support import ROOT, run_cli

ID = "https://w3id.org/asu/id/"
GRAPH = "https://w3id.org/asu/graph/"
QUERY = "https://w3id.org/asu/query/"
ASU = "https://w3id.org/asu/ontology#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
MNHN_PAGE = "https://www.mnhn.fr/en/alliance-sorbonne-universite"
IBEES_PAGE = "https://www.mnhn.fr/en/biodiversity-evolution-ecology-and-society-initiative-ibees"
ROR = "https://github.com/ror-community/ror-records"
MUSEUM = "Muséum national d'Histoire naturelle"


def i(slug: str) -> str:
    return ID + slug


# name -> (columns compared, expected rows in the query's order)
EXPECTED: dict[str, tuple[tuple[str, ...], list[tuple[str, ...]]]] = {
    "members": (
        ("member", "name_en", "name_fr"),
        [
            (
                i("france-education-international"),
                "France Éducation international",
                "France Éducation international",
            ),
            (i("insead"), "INSEAD", "INSEAD"),
            (i("mnhn"), MUSEUM, MUSEUM),
            (
                i("pspbb"),
                "Pôle supérieur d'enseignement artistique de Paris Boulogne-Billancourt",
                "Pôle supérieur d'enseignement artistique de Paris Boulogne-Billancourt",
            ),
            (i("sorbonne-universite"), "Sorbonne University", "Sorbonne Université"),
            (
                i("utc"),
                "University of Technology of Compiègne",
                "Université de technologie de Compiègne",
            ),
        ],
    ),
    "research-organisations": (
        ("organisation", "name_en"),
        [
            (i("inria"), "French Institute for Research in Computer Science and Automation"),
            (i("inserm"), "French Institute of Health and Medical Research"),
            (i("cnrs"), "French National Centre for Scientific Research"),
            (i("ird"), "Institute of Research for Development"),
        ],
    ),
    "museum-institutes": (
        ("institute", "name_fr", "founder"),
        [
            (i("opus"), "Observatoire des patrimoines", "false"),
            (i("iscd"), "Institut des sciences du calcul et des données", "false"),
            (i("su-ite"), "Institut de la transition environnementale", "false"),
            (i("ocean-institute"), "Institut de l'Océan", "true"),
            (i("scai"), "Sorbonne Center for Artificial Intelligence", "false"),
        ],
    ),
    "pia3-calls-2020": (
        ("call", "title", "year"),
        [
            (
                i("call-integration-development-idex-isite"),
                "Integration and development of IdEx and ISITE",
                "2020",
            ),
            (
                i("call-structuring-training-through-research"),
                "Structuring training through research in initiatives of excellence",
                "2020",
            ),
        ],
    ),
    "idex-added-funding": (
        ("grant", "value", "currency", "duration"),
        [
            (i("idex-super-pia3-funding"), "38000000", "EUR", "P10Y"),
        ],
    ),
    "ibees-leader": (
        ("leader", "leader_fr", "aim"),
        [
            (
                i("mnhn"),
                MUSEUM,
                "Lay solid groundwork for knowing and understanding how biodiversity changes.",
            ),
        ],
    ),
    "sorbonne-universite-predecessors": (
        ("predecessor", "name_fr", "event"),
        [
            (
                i("universite-paris-6"),
                "Université Pierre-et-Marie-Curie",
                i("sorbonne-universite-merger"),
            ),
            (i("universite-paris-4"), "Université Paris-Sorbonne", i("sorbonne-universite-merger")),
        ],
    ),
    "fact-source": (
        ("graph", "page"),
        [
            (GRAPH + "institutes", MNHN_PAGE),
            (GRAPH + "ibees", IBEES_PAGE),
        ],
    ),
    "institutes": (
        ("institute", "organisation", "role", "founded"),
        [
            (i("opus"), i("mnhn"), "involved", "2016"),
            (i("iscd"), i("mnhn"), "involved", ""),
            # two sources, two creation years: both claims are published
            (i("su-ite"), i("mnhn"), "involved", "2015"),
            (i("su-ite"), i("mnhn"), "involved", "2017"),
            (i("ocean-institute"), i("mnhn"), "founder", ""),
            (i("ocean-institute"), i("sorbonne-universite"), "founder", ""),
            (i("scai"), i("mnhn"), "involved", "2019-06-18"),
        ],
    ),
    "museum-action-areas": (
        ("area", "name_fr"),
        [
            (i("opening-research-data"), "Ouverture des données de la recherche"),
            (i("promoting-student-life"), "Promotion de la vie étudiante"),
            (
                i("supporting-research-and-participatory-science"),
                "Soutien à la recherche et aux sciences participatives",
            ),
            (i("transforming-education"), "Transformation de la formation"),
        ],
    ),
    "idex-funded-items": (
        ("item", "name_en", "held_since"),
        [
            (i("cross-disciplinary-projects"), "Cross-disciplinary projects", "2018"),
            (
                i("digital-transformation-of-knowledge"),
                "Digital transformation and dissemination of knowledge",
                "2018",
            ),
            (i("international-partnerships"), "Setting up international partnerships", "2018"),
        ],
    ),
    "funding-amounts": (
        ("amount", "value", "currency", "duration", "relation", "relates_to"),
        [
            # two pages, two figures for the endowment: both claims are published
            (
                i("idex-super-initial-capital"),
                "900000000",
                "EUR",
                "",
                "initial capital",
                i("idex-super"),
            ),
            (
                i("idex-super-initial-capital-paris-sorbonne"),
                "800000000",
                "EUR",
                "",
                "initial capital",
                i("idex-super"),
            ),
            (
                i("idex-super-pia3-funding-amount"),
                "38000000",
                "EUR",
                "P10Y",
                "amount",
                i("idex-super"),
            ),
            (
                i("idex-super-probation-amount"),
                "30700000",
                "EUR",
                "P4Y",
                "probationary funding",
                i("idex-super"),
            ),
        ],
    ),
    "timeline": (
        ("date", "event_en", "subject"),
        [
            ("2010-06", "founded", i("alliance-sorbonne-universite")),
            ("2010-06", "launched", i("alliance-sorbonne-universite-creation")),
            ("2012", "selected", i("idex-super")),
            ("2015", "founded", i("su-ite")),
            ("2015-07-01", "launched", i("alliance-sorbonne-universite-comue")),
            ("2016", "founded", i("opus")),
            ("2017", "founded", i("su-ite")),
            ("2017-02-16", "launched", i("pia3")),
            ("2018-01-01", "founded", i("sorbonne-universite")),
            ("2018-03-19", "confirmed for good", i("idex-super")),
            ("2019-06-18", "founded", i("scai")),
            ("2020", "won", i("call-integration-development-idex-isite")),
            ("2020", "won", i("call-structuring-training-through-research")),
        ],
    ),
    "graph-sources": (
        ("graph", "page"),
        [
            (GRAPH + "alliance", MNHN_PAGE),
            (
                GRAPH + "alliance-timeline",
                "http://www.sorbonne-universites.fr/a-propos-de/"
                "lassociation-sorbonne-universite-en-quelques-dates.html",
            ),
            (
                GRAPH + "comue-decree",
                "http://legifrance.gouv.fr/eli/decret/2015/6/10/MENS1503044D/jo/texte",
            ),
            (
                GRAPH + "fei",
                "https://www.france-education-international.fr/hub/qui-sommes-nous?langue=fr",
            ),
            (GRAPH + "ibees", IBEES_PAGE),
            (GRAPH + "identifiers-ror", ROR),
            (
                GRAPH + "idex-confirmation",
                "https://www.letudiant.fr/educpros/actualite/"
                "idex-les-quatre-projets-franciliens-dans-la-course-toulouse-sort-du-jeu.html",
            ),
            (GRAPH + "idex-super", MNHN_PAGE),
            (GRAPH + "institutes", MNHN_PAGE),
            (GRAPH + "mnhn-idex-super", "https://www.mnhn.fr/en/idex-super"),
            (
                GRAPH + "ocean-institute",
                "https://institut-ocean.sorbonne-universite.fr/en/"
                "qui-sommes-nous/about-ocean-institute",
            ),
            (
                GRAPH + "opus",
                "https://institut-opus.sorbonne-universite.fr/actualites-opus/opus-2025-2029",
            ),
            (GRAPH + "paris-sorbonne-idex-edito", "http://www.paris-sorbonne.fr/edito-idex"),
            (
                GRAPH + "pia3-calls-results",
                "http://occitania-connection.com/investissements-davenir/",
            ),
            (
                GRAPH + "pia3-launch",
                "http://www.letudiant.fr/educpros/actualite/"
                "investissements-avenir-coup-envoi-pia-3.html",
            ),
            (
                GRAPH + "scai",
                "https://www.sorbonne-universite.fr/index.php/en/newsroom/actualites/"
                "sorbonne-university-launches-its-center-dedicated-ai",
            ),
            (
                GRAPH + "su-idex-super",
                "https://sorbonne-universite.fr/en/university/about-us/idex-super",
            ),
            (
                GRAPH + "su-institutes-news",
                "https://www.sorbonne-universite.fr/en/news/"
                "taking-broader-view-our-institutes-and-initiatives",
            ),
            (
                GRAPH + "su-ite",
                "https://ite.sorbonne-universite.fr/en/whats-institute-environmental-transition",
            ),
            (
                GRAPH + "su-merger",
                "https://www.letudiant.fr/educpros/actualite/"
                "fusion-lancee-upmc-universite-paris-sorbonne.html",
            ),
            (
                GRAPH + "upmc-merger-news",
                "https://www.universityworldnews.com/post.php?story=20160414193020643",
            ),
            (
                GRAPH + "upmc-wikipedia",
                "https://fr.wikipedia.org/wiki/"
                "Universit%C3%A9_Pierre-et-Marie-Curie?oldid=65183496",
            ),
        ],
    ),
    "external-identifiers": (
        ("organisation", "ror", "wikidata"),
        [
            (i("alliance-sorbonne-universite"), "", ""),
            (i("france-education-international"), "", ""),
            (i("inria"), "https://ror.org/02kvxyf05", "http://www.wikidata.org/entity/Q1146208"),
            (i("inserm"), "https://ror.org/02vjkv261", "http://www.wikidata.org/entity/Q1474517"),
            (i("cnrs"), "https://ror.org/02feahw73", "http://www.wikidata.org/entity/Q280413"),
            (i("french-state"), "", ""),
            (i("insead"), "https://ror.org/00ghzk478", "http://www.wikidata.org/entity/Q1136829"),
            (i("iscd"), "https://ror.org/00y16rm59", "http://www.wikidata.org/entity/Q123694968"),
            (i("ird"), "https://ror.org/05q3vnk25", "http://www.wikidata.org/entity/Q2910510"),
            (i("mnhn"), "https://ror.org/03wkt5x30", "http://www.wikidata.org/entity/Q838691"),
            (i("universite-paris-6"), "", ""),
            (i("pspbb"), "", ""),
            (
                i("sorbonne-universite"),
                "https://ror.org/02en5vm52",
                "http://www.wikidata.org/entity/Q41497113",
            ),
            (i("utc"), "https://ror.org/04y5kwa70", "http://www.wikidata.org/entity/Q622906"),
            (i("universite-paris-4"), "", ""),
        ],
    ),
    "entities-per-class": (
        ("class", "class_fr", "entities"),
        [
            (ORG + "FormalOrganization", "", "14"),
            (SCHEMA + "Organization", "", "12"),
            (ORG + "Membership", "", "9"),
            (ASU + "ActionArea", "domaine d'action", "7"),
            (ORG + "OrganizationalUnit", "", "6"),
            (ASU + "Institute", "institut", "5"),
            (SCHEMA + "CollegeOrUniversity", "", "4"),
            (SCHEMA + "MonetaryAmount", "", "4"),
            (SCHEMA + "ResearchOrganization", "", "4"),
            (ASU + "ResearchOrganisation", "organisme de recherche", "4"),
            (ORG + "ChangeEvent", "", "3"),
            ("http://www.w3.org/2006/time#Instant", "", "2"),
            ("http://www.w3.org/2006/time#Interval", "", "2"),
            (ORG + "Role", "", "2"),
            (SCHEMA + "ResearchProject", "", "2"),
            (ASU + "CallForProjects", "appel à projets", "2"),
            (ASU + "FundedProject", "projet financé", "2"),
            (SCHEMA + "MonetaryGrant", "", "1"),
            (ASU + "Alliance", "alliance", "1"),
            (ASU + "ExcellenceInitiative", "initiative d'excellence (Idex)", "1"),
            (ASU + "Initiative", "initiative", "1"),
            (ASU + "InvestmentProgramme", "programme d'investissement", "1"),
        ],
    ),
}

# Queries with many rows: the first rows and the count.
EXPECTED_HEAD: dict[str, tuple[tuple[str, ...], list[tuple[str, ...]], int]] = {
    "entity-sources": (
        ("entity", "pages"),
        [
            (i("idex-super"), "6"),
            (i("universite-paris-6"), "4"),
            (i("alliance-sorbonne-universite"), "3"),
            (i("france-education-international"), "3"),
            (i("su-ite"), "3"),
            (i("mnhn"), "3"),
            (i("sorbonne-universite"), "3"),
        ],
        56,
    ),
    "vocabulary": (
        ("term", "kind", "label_fr", "label_en"),
        [
            (ASU + "Alliance", "class", "alliance", "alliance"),
            (ASU + "CallForProjects", "class", "appel à projets", "call for projects"),
            (ASU + "ActionArea", "class", "domaine d'action", "area of action"),
        ],
        34,
    ),
}

FEDERATED = {"wikidata-inception"}


def names() -> list[str]:
    return sorted(curated_queries(Settings.from_env(), federated=True))


def values(results: dict) -> list[dict[str, str]]:
    return [{k: v["value"] for k, v in row.items()} for row in results["results"]["bindings"]]


def check_answer(name: str, results: dict) -> None:
    rows = values(results)
    if name in EXPECTED:
        columns, expected = EXPECTED[name]
        got = [tuple(row.get(c, "") for c in columns) for row in rows]
        assert got == expected, name
    else:
        columns, head, count = EXPECTED_HEAD[name]
        got = [tuple(row.get(c, "") for c in columns) for row in rows]
        assert got[: len(head)] == head, name
        assert len(rows) == count, name


def test_at_least_fifteen_and_each_has_an_expected_answer() -> None:
    found = set(names())
    assert len(found) >= 15
    assert found == set(EXPECTED) | set(EXPECTED_HEAD) | FEDERATED


def test_headers_are_complete_and_name_real_sources() -> None:
    sources = Graph().parse(ROOT / "data" / "sources.ttl")
    documents = {str(d) for d in sources.subjects(RDF.type, FOAF.Document)}
    for query in curated_queries(Settings.from_env(), federated=True).values():
        assert query.title and query.title_fr and query.description, query.name
        assert query.sources and set(query.sources) <= documents, query.name


def post(server: str, text: str) -> requests.Response:
    return requests.post(
        server + "/sparql",
        data={"query": text},
        headers={"Accept": "application/sparql-results+json"},
        timeout=30,
    )


@pytest.mark.parametrize("name", sorted(set(EXPECTED) | set(EXPECTED_HEAD)))
def test_live_endpoint_answer(server: str, name: str) -> None:
    text = (ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8")
    response = post(server, text)
    assert response.status_code == 200, response.text
    check_answer(name, response.json())


def test_sparqlwrapper_gets_the_same_answers(server: str) -> None:
    client = SPARQLWrapper(server + "/sparql")
    client.setReturnFormat(JSON)
    for name in ("members", "timeline", "funding-amounts"):
        client.setQuery((ROOT / "queries" / f"{name}.rq").read_text(encoding="utf-8"))
        check_answer(name, client.query().convert())


@pytest.fixture(scope="module")
def cli_answers() -> dict[str, object]:
    """``asu-graph query NAME --format json`` for every query, a few processes at a time."""
    wanted = sorted(set(EXPECTED) | set(EXPECTED_HEAD))
    with ThreadPoolExecutor(max_workers=max(2, os.cpu_count() or 2)) as pool:
        done = pool.map(lambda n: run_cli("query", n, "--format", "json"), wanted)
        return dict(zip(wanted, done, strict=True))


@pytest.mark.parametrize("name", sorted(set(EXPECTED) | set(EXPECTED_HEAD)))
def test_cli_answer(cli_answers: dict, name: str) -> None:
    result = cli_answers[name]
    assert result.returncode == 0, result.stderr
    check_answer(name, json.loads(result.stdout))


def test_value_datatypes_survive(server: str) -> None:
    text = (ROOT / "queries" / "funding-amounts.rq").read_text(encoding="utf-8")
    rows = post(server, text).json()["results"]["bindings"]
    assert {r["value"]["datatype"] for r in rows} == {"http://www.w3.org/2001/XMLSchema#decimal"}
    assert {r["duration"]["datatype"] for r in rows if "duration" in r} == {
        "http://www.w3.org/2001/XMLSchema#duration"
    }


# -- published as data ----------------------------------------------------------


def test_queries_are_discoverable_through_the_endpoint(server: str) -> None:
    text = """
    PREFIX sh: <http://www.w3.org/ns/shacl#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    SELECT ?query ?text ?en ?fr ?description WHERE {
      GRAPH <https://w3id.org/asu/graph/queries> {
        ?query a sh:SPARQLExecutable, sh:SPARQLSelectExecutable ;
               sh:select ?text ; dcterms:description ?description ;
               rdfs:label ?en, ?fr ; dcterms:title ?en, ?fr .
        FILTER(LANG(?en) = "en" && LANG(?fr) = "fr" && LANG(?description) = "en")
      }
    }"""
    rows = values(post(server, text).json())
    curated = curated_queries(Settings.from_env(), federated=True)
    assert {r["query"] for r in rows} == {QUERY + name for name in curated}
    for row in rows:
        query = curated[row["query"][len(QUERY) :]]
        assert row["text"] == query.body
        assert (row["en"], row["fr"], row["description"]) == (
            query.title,
            query.title_fr,
            query.description,
        )


def test_published_text_gives_the_same_answer(server: str) -> None:
    text = """PREFIX sh: <http://www.w3.org/ns/shacl#>
    SELECT ?text WHERE { <https://w3id.org/asu/query/institutes> sh:select ?text }"""
    published = values(post(server, text).json())[0]["text"]
    check_answer("institutes", post(server, published).json())


def test_published_sources_and_federated_marker(server: str) -> None:
    text = """PREFIX dcterms: <http://purl.org/dc/terms/>
    PREFIX schema: <https://schema.org/>
    SELECT ?query ?source ?keyword WHERE {
      ?query dcterms:isPartOf <https://w3id.org/asu/graph/queries> .
      OPTIONAL { ?query dcterms:source ?source }
      OPTIONAL { ?query schema:keywords ?keyword }
    }"""
    rows = values(post(server, text).json())
    curated = curated_queries(Settings.from_env(), federated=True)
    for name, query in curated.items():
        mine = [r for r in rows if r["query"] == QUERY + name]
        assert {r["source"] for r in mine} == set(query.sources), name
        assert {r.get("keyword") for r in mine} == ({"federated"} if query.federated else {None})


def test_the_queries_graph_is_in_the_dumps(server: str) -> None:
    # the graph goes through the same build, validation and export as the facts
    text = "ASK { GRAPH <https://w3id.org/asu/graph/queries> { ?s ?p ?o } }"
    assert post(server, text).json()["boolean"] is True


# -- the federated example ------------------------------------------------------


def test_endpoint_refuses_the_federated_query(server: str) -> None:
    text = (ROOT / "queries" / "wikidata-inception.rq").read_text(encoding="utf-8")
    response = post(server, text)
    assert response.status_code == 400  # a status whose message SPARQLWrapper shows
    assert "SERVICE <https://query.wikidata.org/sparql> is refused" in response.text


def test_federated_query_is_not_run_without_asking() -> None:
    result = run_cli("query", "wikidata-inception")
    assert result.returncode == 3
    assert "--allow-service" in result.stderr and "SERVICE" in result.stderr


def test_federated_query_runs_on_your_machine_with_allow_service(
    server: str, tmp_path: Path
) -> None:
    """The same query with Wikidata's endpoint swapped for a local one: the join works."""
    source = (ROOT / "queries" / "wikidata-inception.rq").read_text(encoding="utf-8")
    assert "SERVICE <https://query.wikidata.org/sparql>" in source
    folder = tmp_path / "queries"
    folder.mkdir()
    (folder / "wikidata-inception.rq").write_text(
        source.replace("https://query.wikidata.org/sparql", server + "/sparql"), encoding="utf-8"
    )
    result = run_cli(
        "query",
        "wikidata-inception",
        "--allow-service",
        "--format",
        "json",
        env={"ASU_QUERIES_DIR": str(folder)},
    )
    assert result.returncode == 0, result.stderr
    rows = values(json.loads(result.stdout))
    # one row per organisation with a Wikidata item (the local endpoint has no P571)
    assert [r["organisation"] for r in rows][:2] == [i("inria"), i("inserm")]
    assert len(rows) == 9 and not any("inception" in r for r in rows)


# -- the command line -----------------------------------------------------------


def test_queries_lists_name_and_title() -> None:
    result = run_cli("queries")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    curated = curated_queries(Settings.from_env(), federated=True)
    assert len(lines) == len(curated)
    for line, query in zip(lines, curated.values(), strict=True):
        assert line.split()[0] == query.name and query.title in line
    french = run_cli("queries", "--lang", "fr")
    assert "Membres de l'Alliance Sorbonne Université" in french.stdout


def test_queries_json() -> None:
    result = run_cli("queries", "--format", "json")
    assert result.returncode == 0, result.stderr
    listed = json.loads(result.stdout)
    by_name = {q["name"]: q for q in listed}
    assert set(by_name) == set(names())
    assert by_name["members"]["title_fr"] == "Membres de l'Alliance Sorbonne Université"
    assert by_name["members"]["query"].startswith("PREFIX")
    assert by_name["wikidata-inception"]["federated"] is True
    assert {q["form"] for q in listed} == {"SELECT"}


def test_query_table_is_readable() -> None:
    result = run_cli("query", "members")
    assert result.returncode == 0, result.stderr
    lines = result.stdout.splitlines()
    assert lines[0].split(" | ")[0].strip() == "member"
    assert any(line.startswith("id:mnhn ") and MUSEUM in line for line in lines)
    assert lines[-1] == "(6 rows)"
    assert "https://w3id.org" not in result.stdout  # IRIs shortened with the prefixes


def test_query_table_fits_the_terminal() -> None:
    result = run_cli("query", "institutes", env={"COLUMNS": "72"})
    assert result.returncode == 0, result.stderr
    assert max(len(line) for line in result.stdout.splitlines()) <= 72
    assert "involved" in result.stdout and result.stdout.endswith("(7 rows)\n")


@pytest.mark.parametrize(
    "fmt,first", [("csv", "member,name_en,name_fr"), ("tsv", "?member\t?name_en\t?name_fr")]
)
def test_query_csv_and_tsv(fmt: str, first: str) -> None:
    result = run_cli("query", "members", "--format", fmt)
    assert result.returncode == 0, result.stderr
    lines = result.stdout.strip().splitlines()
    assert lines[0].strip() == first and len(lines) == 7


def test_unknown_query_name_lists_the_names() -> None:
    result = run_cli("query", "membres")
    assert result.returncode == 3
    assert "unknown query 'membres'" in result.stderr
    assert "Did you mean 'members'?" in result.stderr
    for name in names():
        assert name in result.stderr


def test_unknown_format_is_a_usage_error() -> None:
    result = run_cli("query", "members", "--format", "yaml")
    assert result.returncode == 2
    assert "unknown format 'yaml'" in result.stderr


def write_query(folder: Path, name: str, text: str) -> Path:
    folder.mkdir(exist_ok=True)
    (folder / f"{name}.rq").write_text(text, encoding="utf-8")
    return folder


GOOD_HEADER = (
    f"# title: Members\n# title@fr: Membres\n# description: members\n# sources: {MNHN_PAGE}\n"
)


@pytest.mark.parametrize(
    "text,message",
    [
        (
            "# title: Members\n# description: d\n# sources: https://example.org/\n"
            "SELECT * {?s ?p ?o}\n",
            "header line(s) missing: '# title@fr: ...'",
        ),
        (GOOD_HEADER + "SELECT * WHERE { ?s ?p }\n", "not valid SPARQL"),
        (
            GOOD_HEADER.replace(MNHN_PAGE, "somewhere") + "SELECT * {?s ?p ?o}\n",
            "sources must be web addresses",
        ),
    ],
)
def test_broken_query_file_stops_listing_and_build(tmp_path: Path, text: str, message: str) -> None:
    folder = write_query(tmp_path / "queries", "broken", text)
    env = {"ASU_QUERIES_DIR": str(folder)}
    listed = run_cli("queries", env=env)
    assert listed.returncode == 3, listed.stderr
    assert "broken.rq" in listed.stderr and message in listed.stderr
    built = run_cli("validate", env=env)
    assert built.returncode == 3 and message in built.stderr


def test_query_names_are_slugs(tmp_path: Path) -> None:
    folder = write_query(tmp_path / "queries", "Bad_Name", GOOD_HEADER + "SELECT * {?s ?p ?o}\n")
    result = run_cli("queries", env={"ASU_QUERIES_DIR": str(folder)})
    assert result.returncode == 3 and "lower-case letters, digits and hyphens" in result.stderr


def test_queries_follow_the_base(tmp_path: Path) -> None:
    """Under another base the curated queries and their resources use it too."""
    result = run_cli(
        "query", "members", "--format", "csv", env={"ASU_BASE": "https://data.example.org/asu/"}
    )
    assert result.returncode == 0, result.stderr
    assert "https://data.example.org/asu/id/mnhn" in result.stdout
    listed = run_cli(
        "query",
        "SELECT ?q WHERE { GRAPH ?g { ?q a "
        "<http://www.w3.org/ns/shacl#SPARQLExecutable> } } LIMIT 1",
        "--format",
        "csv",
        env={"ASU_BASE": "https://data.example.org/asu/"},
    )
    assert URIRef(listed.stdout.splitlines()[1]).startswith("https://data.example.org/asu/query/")
