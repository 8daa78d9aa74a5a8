"""Content negotiation rules (pure functions; the live behaviour is in test_protocol_http)."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from asu_graph.web import negotiation as neg


def test_most_specific_range_decides() -> None:
    ranges = neg.parse_accept("text/*;q=0.2, text/csv;q=0.9, */*;q=0.1")
    assert neg.quality(ranges, "text/csv") == 0.9
    assert neg.quality(ranges, "text/tab-separated-values") == 0.2
    assert neg.quality(ranges, "application/sparql-results+json") == 0.1


def test_q_zero_excludes_even_under_a_wildcard() -> None:
    assert neg.negotiate("text/turtle;q=0, */*", neg.GRAPH_OFFERS) == "json-ld"
    assert neg.negotiate("*/*;q=0", neg.GRAPH_OFFERS) is None


def test_ties_follow_the_server_order_and_defaults() -> None:
    assert neg.negotiate(None, neg.RESULT_OFFERS) == "json"
    assert neg.negotiate("", neg.GRAPH_OFFERS) == "turtle"
    assert neg.negotiate("garbage, ;;;", neg.GRAPH_OFFERS) == "turtle"
    assert neg.negotiate("text/csv, text/tab-separated-values", neg.RESULT_OFFERS) == "csv"


def test_format_words_depend_on_the_kind() -> None:
    assert neg.choose(neg.RESULT_OFFERS, neg.WORDS_BY_KIND["SELECT"], ["xml"], None) == "xml"
    assert neg.choose(neg.GRAPH_OFFERS, neg.WORDS_BY_KIND["GRAPH"], ["xml"], None) == "rdfxml"
    # SPARQLWrapper sends the word and the media type; the first that fits wins.
    assert (
        neg.choose(
            neg.RESULT_OFFERS,
            neg.WORDS_BY_KIND["SELECT"],
            ["tsv", "text/tab-separated-values"],
            None,
        )
        == "tsv"
    )
    assert neg.choose(neg.GRAPH_OFFERS, neg.WORDS_BY_KIND["GRAPH"], ["csv"], "*/*") is None


def test_406_message_is_bounded() -> None:
    message = neg.not_acceptable_message(
        "x", neg.RESULT_OFFERS, neg.WORDS_BY_KIND["SELECT"], "a/b," * 5000, []
    )
    assert len(message) < 1000 and "application/sparql-results+json" in message


CANONICAL = neg.canonical_types(neg.GRAPH_OFFERS)


@given(
    st.dictionaries(
        st.sampled_from(CANONICAL),
        st.integers(min_value=0, max_value=1000).map(lambda n: n / 1000),
        min_size=1,
    )
)
def test_the_chosen_type_has_the_highest_quality(qualities: dict[str, float]) -> None:
    header = ", ".join(f"{t};q={q}" for t, q in qualities.items())
    chosen = neg.negotiate(header, neg.GRAPH_OFFERS)
    best = max(qualities.values())
    if best == 0:
        assert chosen is None
    else:
        media = next(t for t, key in neg.GRAPH_OFFERS if key == chosen)
        assert qualities[media] == best
        # and the earliest of the equally rated canonical types
        tied = [t for t in CANONICAL if qualities.get(t) == best]
        assert media == tied[0]
