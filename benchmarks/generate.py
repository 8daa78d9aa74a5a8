"""Synthetic university-alliance data, LUBM-like, in the project's vocabulary.

The shape follows the real data (alliances as ``asu:Alliance`` with
``org:hasMember``, universities as ``org:FormalOrganization`` +
``schema:CollegeOrUniversity``, ``asu:Institute``, ``asu:hasResearchPartner``,
``skos:prefLabel`` in English and French, ``prov:wasDerivedFrom`` on every
graph) and adds what the Alliance graph will grow into: departments and
research groups (``org:OrganizationalUnit``), people (``foaf:Person``) with
``org:Membership`` roles, courses (``schema:Course`` / ``schema:CourseInstance``)
and publications (``schema:ScholarlyArticle`` with ``dcterms:`` metadata)
about topics in a ``skos:broader`` hierarchy.

Every synthetic IRI is under ``http://bench.example.org/`` so generated
entities can never be mistaken for Alliance facts. The real data is
included too (its named graphs), so the curated queries have their answers.

Output is N-Quads (one named graph per university, like one graph per source
in the real data), deterministic for a given size and seed.
"""

from __future__ import annotations

import hashlib
import random
from collections.abc import Iterator
from pathlib import Path
from typing import TextIO

SYN = "http://bench.example.org/"
ID = SYN + "id/"
GRAPH = SYN + "graph/"

RDF = "http://www.w3.org/1999/02/22-rdf-syntax-ns#"
RDFS = "http://www.w3.org/2000/01/rdf-schema#"
XSD = "http://www.w3.org/2001/XMLSchema#"
ORG = "http://www.w3.org/ns/org#"
SCHEMA = "https://schema.org/"
FOAF = "http://xmlns.com/foaf/0.1/"
DCT = "http://purl.org/dc/terms/"
SKOS = "http://www.w3.org/2004/02/skos/core#"
PROV = "http://www.w3.org/ns/prov#"
ASU = "https://w3id.org/asu/ontology#"

TYPE = RDF + "type"

GIVEN = [
    "Alice",
    "Bruno",
    "Chloé",
    "David",
    "Emma",
    "François",
    "Gabrielle",
    "Hugo",
    "Inès",
    "Jules",
    "Karima",
    "Louis",
    "Manon",
    "Nathan",
    "Olivia",
    "Paul",
    "Quentin",
    "Rose",
    "Samir",
    "Théo",
    "Ursula",
    "Victor",
    "Wassim",
    "Yasmine",
    "Zoé",
    "Marc",
    "Marie",
]
FAMILY = [
    "Martin",
    "Bernard",
    "Dubois",
    "Thomas",
    "Robert",
    "Richard",
    "Petit",
    "Durand",
    "Leroy",
    "Moreau",
    "Simon",
    "Laurent",
    "Lefebvre",
    "Michel",
    "Garcia",
    "David",
    "Bertrand",
    "Roux",
    "Vincent",
    "Fournier",
    "Morel",
    "Girard",
    "Andre",
    "Mercier",
]
FIELDS = [
    "biology",
    "chemistry",
    "physics",
    "mathematics",
    "computer science",
    "ecology",
    "geology",
    "history",
    "linguistics",
    "philosophy",
    "medicine",
    "economics",
    "oceanography",
    "climate science",
    "sociology",
    "engineering",
    "music",
    "law",
]
WORDS = [
    "network",
    "model",
    "dynamics",
    "evolution",
    "graph",
    "ocean",
    "climate",
    "data",
    "learning",
    "protein",
    "archive",
    "signal",
    "species",
    "energy",
    "language",
    "structure",
    "inference",
    "sediment",
    "museum",
    "collection",
    "genome",
    "policy",
]
ROLES = ["professor", "lecturer", "researcher", "doctoral-student", "student"]

REAL_DATA_NOTE = "the Alliance facts from data/ (their own named graphs)"


class QuadWriter:
    """Writes N-Quads lines and counts them."""

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self.count = 0
        self.graph = ""

    def iri(self, s: str, p: str, o: str) -> None:
        self.out.write(f"<{s}> <{p}> <{o}> <{self.graph}> .\n")
        self.count += 1

    def lit(self, s: str, p: str, value: str, *, lang: str = "", datatype: str = "") -> None:
        text = value.replace("\\", "\\\\").replace('"', '\\"')
        suffix = f"@{lang}" if lang else (f"^^<{datatype}>" if datatype else "")
        self.out.write(f'<{s}> <{p}> "{text}"{suffix} <{self.graph}> .\n')
        self.count += 1


def _labels(w: QuadWriter, s: str, en: str, fr: str) -> None:
    w.lit(s, RDFS + "label", en, lang="en")
    w.lit(s, RDFS + "label", fr, lang="fr")
    w.lit(s, SKOS + "prefLabel", en, lang="en")
    w.lit(s, SKOS + "prefLabel", fr, lang="fr")


def _source(w: QuadWriter, graph: str) -> None:
    page = SYN + "page/" + graph.rsplit("/", 1)[-1]
    w.iri(graph, TYPE, PROV + "Entity")
    w.iri(graph, PROV + "wasDerivedFrom", page)
    w.iri(graph, DCT + "source", page)


class Generator:
    """Emits universities one department at a time until the target is reached."""

    UNIVERSITIES_PER_ALLIANCE = 8
    TOPICS = 120
    RESEARCH_ORGANISATIONS = 6

    def __init__(self, w: QuadWriter, target: int, seed: int) -> None:
        self.w = w
        self.target = target
        self.rng = random.Random(seed)
        self.publications: list[str] = []

    # -- shared entities ---------------------------------------------------------
    def topics(self) -> None:
        w = self.w
        w.graph = GRAPH + "topics"
        _source(w, w.graph)
        scheme = ID + "topics"
        w.iri(scheme, TYPE, SKOS + "ConceptScheme")
        _labels(w, scheme, "Research topics", "Thèmes de recherche")
        for t in range(self.TOPICS):
            topic = f"{ID}topic-{t}"
            w.iri(topic, TYPE, SKOS + "Concept")
            w.iri(topic, SKOS + "inScheme", scheme)
            field = FIELDS[t % len(FIELDS)]
            w.lit(topic, SKOS + "prefLabel", f"{field} {t}", lang="en")
            w.lit(topic, SKOS + "prefLabel", f"{field} {t} (fr)", lang="fr")
            if t >= len(FIELDS):
                # a hierarchy a few levels deep for skos:broader* paths
                w.iri(topic, SKOS + "broader", f"{ID}topic-{(t - len(FIELDS)) // 2}")

    def research_organisations(self) -> None:
        w = self.w
        w.graph = GRAPH + "research-organisations"
        _source(w, w.graph)
        for r in range(self.RESEARCH_ORGANISATIONS):
            ro = f"{ID}research-organisation-{r}"
            w.iri(ro, TYPE, ASU + "ResearchOrganisation")
            w.iri(ro, TYPE, ORG + "FormalOrganization")
            _labels(w, ro, f"Research organisation {r}", f"Organisme de recherche {r}")
            w.lit(ro, SKOS + "altLabel", f"RO{r}", lang="en")

    def alliance(self, a: int) -> None:
        w = self.w
        w.graph = f"{GRAPH}alliance-{a}"
        _source(w, w.graph)
        alliance = f"{ID}alliance-{a}"
        w.iri(alliance, TYPE, ASU + "Alliance")
        w.iri(alliance, TYPE, ORG + "FormalOrganization")
        _labels(w, alliance, f"Alliance {a}", f"Alliance {a}")
        w.lit(alliance, SCHEMA + "foundingDate", str(2000 + a % 20), datatype=XSD + "gYear")
        for r in self.rng.sample(range(self.RESEARCH_ORGANISATIONS), 3):
            ro = f"{ID}research-organisation-{r}"
            w.iri(alliance, ASU + "hasResearchPartner", ro)
            w.iri(ro, ASU + "researchPartnerOf", alliance)
            w.iri(alliance, ORG + "linkedTo", ro)
        for i in range(2):
            institute = f"{ID}institute-{a}-{i}"
            w.iri(institute, TYPE, ASU + "Institute")
            w.iri(institute, TYPE, ORG + "OrganizationalUnit")
            w.iri(institute, ORG + "unitOf", alliance)
            w.iri(alliance, ORG + "hasUnit", institute)
            field = FIELDS[(a * 2 + i) % len(FIELDS)]
            _labels(w, institute, f"Institute of {field} {a}", f"Institut {field} {a}")

    # -- one university --------------------------------------------------------
    def university(self, u: int) -> Iterator[None]:
        """Writes the university, then yields after each department."""
        w, rng = self.w, self.rng
        a = u // self.UNIVERSITIES_PER_ALLIANCE
        if u % self.UNIVERSITIES_PER_ALLIANCE == 0:
            self.alliance(a)
        alliance = f"{ID}alliance-{a}"
        w.graph = f"{GRAPH}university-{u}"
        _source(w, w.graph)
        univ = f"{ID}university-{u}"
        w.iri(univ, TYPE, ORG + "FormalOrganization")
        w.iri(univ, TYPE, SCHEMA + "CollegeOrUniversity")
        _labels(w, univ, f"University {u}", f"Université {u}")
        w.lit(univ, DCT + "description", f"Synthetic university number {u}.", lang="en")
        w.lit(univ, SCHEMA + "foundingDate", str(1900 + rng.randrange(120)), datatype=XSD + "gYear")
        w.iri(univ, ORG + "memberOf", alliance)
        w.iri(alliance, ORG + "hasMember", univ)
        institute = f"{ID}institute-{a}-{rng.randrange(2)}"
        w.iri(univ, ASU + "involvedIn", institute)
        if u % self.UNIVERSITIES_PER_ALLIANCE < 2:
            w.iri(univ, ASU + "leads", institute)
            w.iri(institute, SCHEMA + "founder", univ)
        for d in range(20):
            self.department(u, d, univ)
            yield

    def department(self, u: int, d: int, univ: str) -> None:
        w, rng = self.w, self.rng
        dept = f"{ID}department-{u}-{d}"
        field = FIELDS[(u + d) % len(FIELDS)]
        w.iri(dept, TYPE, ORG + "OrganizationalUnit")
        _labels(w, dept, f"Department of {field}", f"Département de {field}")
        w.iri(dept, ORG + "unitOf", univ)
        w.iri(univ, ORG + "hasUnit", dept)
        w.iri(dept, ORG + "subOrganizationOf", univ)
        topic_ids = [rng.randrange(self.TOPICS) for _ in range(3)]
        for t in topic_ids:
            w.iri(dept, DCT + "subject", f"{ID}topic-{t}")
        groups = []
        for g in range(rng.randint(2, 4)):
            group = f"{ID}group-{u}-{d}-{g}"
            groups.append(group)
            w.iri(group, TYPE, ORG + "OrganizationalUnit")
            w.lit(group, SKOS + "prefLabel", f"{field.capitalize()} group {g}", lang="en")
            w.iri(group, ORG + "subOrganizationOf", dept)
            w.iri(group, ORG + "unitOf", dept)

        faculty = [
            self.person(u, d, p, dept, rng.choice(ROLES[:3]), rng.choice(groups))
            for p in range(rng.randint(8, 14))
        ]
        w.iri(faculty[0], ORG + "headOf", dept)
        students = [
            self.person(u, d, p, dept, rng.choice(ROLES[3:]), None)
            for p in range(len(faculty), len(faculty) + rng.randint(20, 40))
        ]

        for c in range(rng.randint(5, 10)):
            course = f"{ID}course-{u}-{d}-{c}"
            w.iri(course, TYPE, SCHEMA + "Course")
            w.lit(course, SCHEMA + "name", f"{field.capitalize()} {100 + c}", lang="en")
            w.lit(course, SCHEMA + "courseCode", f"U{u}D{d}C{c}")
            w.iri(course, SCHEMA + "provider", dept)
            w.lit(
                course,
                SCHEMA + "numberOfCredits",
                str(rng.choice((3, 6, 9))),
                datatype=XSD + "integer",
            )
            run = f"{course}-{2020 + c % 5}"
            w.iri(course, SCHEMA + "hasCourseInstance", run)
            w.iri(run, TYPE, SCHEMA + "CourseInstance")
            w.lit(run, SCHEMA + "startDate", f"{2020 + c % 5}-09-01", datatype=XSD + "date")
            w.iri(run, SCHEMA + "instructor", rng.choice(faculty))
            for student in rng.sample(students, min(len(students), rng.randint(5, 15))):
                w.iri(run, SCHEMA + "attendee", student)
            if rng.random() < 0.2:
                # a few attendees from elsewhere, so "same department" joins filter something
                w.iri(run, SCHEMA + "attendee", f"{ID}person-{u}-{(d + 1) % 20}-20")

        for author in faculty:
            for _ in range(rng.randint(2, 6)):
                self.publication(u, d, author, faculty + students, topic_ids)

    def person(self, u: int, d: int, p: int, dept: str, role: str, group: str | None) -> str:
        w, rng = self.w, self.rng
        person = f"{ID}person-{u}-{d}-{p}"
        given, family = rng.choice(GIVEN), rng.choice(FAMILY)
        w.iri(person, TYPE, FOAF + "Person")
        w.lit(person, FOAF + "name", f"{given} {family}")
        w.lit(person, FOAF + "givenName", given)
        w.lit(person, FOAF + "familyName", family)
        if rng.random() < 0.7:
            w.iri(
                person,
                FOAF + "mbox",
                f"mailto:{given.lower()}.{family.lower()}.{u}{d}{p}@bench.example.org",
            )
        w.iri(person, ORG + "memberOf", group or dept)
        if group:
            w.iri(person, ORG + "memberOf", dept)
        membership = f"{person}-membership"
        w.iri(membership, TYPE, ORG + "Membership")
        w.iri(membership, ORG + "member", person)
        w.iri(membership, ORG + "organization", dept)
        w.iri(membership, ORG + "role", f"{ID}role/{role}")
        w.lit(
            membership,
            SCHEMA + "startDate",
            f"{2000 + rng.randrange(24)}-{rng.randint(1, 12):02d}-01",
            datatype=XSD + "date",
        )
        return person

    def publication(
        self, u: int, d: int, author: str, colleagues: list[str], topics: list[int]
    ) -> None:
        w, rng = self.w, self.rng
        pub = f"{ID}publication-{u}-{d}-{len(self.publications)}"
        title = " ".join(rng.choice(WORDS) for _ in range(4)).capitalize()
        w.iri(pub, TYPE, SCHEMA + "ScholarlyArticle")
        w.lit(pub, DCT + "title", title, lang="en")
        w.iri(pub, DCT + "creator", author)
        for other in rng.sample(colleagues, rng.randint(0, 3)):
            if other != author:
                w.iri(pub, DCT + "creator", other)
        w.lit(
            pub,
            DCT + "issued",
            f"{2005 + rng.randrange(20)}-{rng.randint(1, 12):02d}-15",
            datatype=XSD + "date",
        )
        w.iri(pub, DCT + "subject", f"{ID}topic-{rng.choice(topics)}")
        if self.publications and rng.random() < 0.5:
            w.iri(pub, SCHEMA + "citation", rng.choice(self.publications[-500:]))
        self.publications.append(pub)

    def run(self) -> None:
        self.topics()
        self.research_organisations()
        u = 0
        while True:
            for _ in self.university(u):
                if self.w.count >= self.target:
                    return
            u += 1


def real_quads() -> str:
    """The Alliance facts as N-Quads (ontology and data graphs), from data/."""
    from asu_graph.config import Settings
    from asu_graph.pipeline.build import load_dataset

    return load_dataset(Settings.from_env()).serialize(format="nquads")


def generate(path: Path, triples: int, seed: int = 42, include_real: bool = True) -> int:
    """Write about ``triples`` quads to ``path`` (N-Quads); returns the exact count."""
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".partial")
    with open(partial, "w", encoding="utf-8", newline="\n") as out:
        w = QuadWriter(out)
        if include_real:
            real = real_quads()
            out.write(real)
            w.count += sum(1 for line in real.splitlines() if line.strip())
        Generator(w, triples, seed).run()
        count = w.count
    partial.replace(path)  # a half-written file never looks finished
    return count


def parse_size(text: str) -> int:
    """``100k`` -> 100000, ``1m`` -> 1000000, ``5000`` -> 5000."""
    text = text.strip().lower()
    factor = {"k": 1_000, "m": 1_000_000}.get(text[-1:], 1)
    number = text[:-1] if factor != 1 else text
    try:
        value = int(float(number) * factor)
    except ValueError:
        raise ValueError(f"not a size: {text!r} (examples: 5000, 100k, 1m)") from None
    if value <= 0:
        raise ValueError(f"size must be positive: {text!r}")
    return value


def data_file(folder: Path, size: str, seed: int) -> Path:
    # The name carries a digest of this generator and of the real data, so a
    # change to either never reuses a stale file.
    digest = hashlib.sha256(Path(__file__).read_bytes() + real_quads().encode()).hexdigest()
    return folder / f"alliance-{size.lower()}-seed{seed}-{digest[:8]}.nq"


def ensure_data(folder: Path, size: str, seed: int) -> Path:
    """The data file for this size and seed, generated once and then reused."""
    path = data_file(folder, size, seed)
    if not path.exists():
        generate(path, parse_size(size), seed)
    return path
