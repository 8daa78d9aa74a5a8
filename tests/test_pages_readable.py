"""Values written for people on HTML pages: numbers, money, durations, dates, per language."""

from __future__ import annotations

import pytest
from rdflib import Literal
from rdflib.namespace import XSD

from asu_graph.web import create_app
from asu_graph.web.readable import readable

NNBSP = "\u202f"


@pytest.mark.parametrize(
    ("lexical", "datatype", "lang", "currency", "shown"),
    [
        ("38000000", XSD.decimal, "en", "EUR", "€38,000,000"),
        ("38000000", XSD.decimal, "fr", "EUR", f"38{NNBSP}000{NNBSP}000\u00a0€"),
        ("900000000", XSD.integer, "en", None, "900,000,000"),
        ("12.50", XSD.decimal, "en", None, "12.5"),
        ("12.50", XSD.decimal, "fr", None, "12,5"),
        ("-1234", XSD.integer, "en", "CHF", "-1,234\u00a0CHF"),
        ("P10Y", XSD.duration, "en", None, "10 years"),
        ("P10Y", XSD.duration, "fr", None, "10 ans"),
        ("P1Y6M", XSD.duration, "en", None, "1 year and 6 months"),
        ("P1Y6M", XSD.duration, "fr", None, "1 an et 6 mois"),
        ("PT1H30M", XSD.duration, "en", None, "1 hour and 30 minutes"),
        ("2018-03-19", XSD.date, "en", None, "19 March 2018"),
        ("2018-03-01", XSD.date, "fr", None, "1er mars 2018"),
        ("2019-11", XSD.gYearMonth, "fr", None, "novembre 2019"),
        ("2012", XSD.gYear, "en", None, "2012"),
        ("true", XSD.boolean, "fr", None, "oui"),
        # what cannot be read stays as written
        ("P", XSD.duration, "en", None, "P"),
        ("2018-13-01", XSD.date, "en", None, "2018-13-01"),
        ("abc", XSD.decimal, "en", None, "abc"),
        ("plain", None, "en", None, "plain"),
    ],
)
def test_readable_values(
    lexical: str, datatype: object, lang: str, currency: str | None, shown: str
) -> None:
    assert readable(Literal(lexical, datatype=datatype), lang, currency) == shown


def test_amount_page_shows_money_and_words_and_keeps_the_term_on_hover() -> None:
    client = create_app().test_client()
    en = client.get("/page/idex-super-pia3-funding-amount?lang=en").get_data(as_text=True)
    assert ">€38,000,000</span>" in en and ">10 years</span>" in en
    assert 'title="&#34;38000000&#34;^^xsd:decimal"' in en
    assert ">xsd:decimal<" not in en  # datatype names are not shown as text
    fr = client.get("/page/idex-super-pia3-funding-amount?lang=fr").get_data(as_text=True)
    assert f">38{NNBSP}000{NNBSP}000\u00a0€</span>" in fr and ">10 ans</span>" in fr


def test_a_broader_property_does_not_repeat_narrower_rows() -> None:
    client = create_app().test_client()
    page = client.get("/page/mnhn?lang=en").get_data(as_text=True)
    statements = page.split('class="statements"', 1)[1].split("</section>", 1)[0]
    assert "/ontology#involvedIn" in statements
    assert "org#linkedTo" not in statements  # every linkedTo value is already shown
    # the RDF still has them
    data = client.get("/data/mnhn.nt").get_data(as_text=True)
    assert "http://www.w3.org/ns/org#linkedTo" in data
