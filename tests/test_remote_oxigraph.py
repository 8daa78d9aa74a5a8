"""Oxigraph server (the PyPI ``oxigraph`` package) behind an authenticating proxy.

The acceptance tests of ``remote_acceptance.py``: publish, same answers as the
embedded store for every curated query, readers switching only to a complete
release, outage and recovery, wrong password; plus a bearer token.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from .remote_acceptance import (  # noqa: F401 - the shared tests, run against this store
    Deployment,
    deploy,
    test_bearer_token_instead_of_a_password,
    test_counts_graph_provenance_and_formats_match,
    test_entity_data_comes_from_the_store,
    test_every_curated_query_answers_as_on_the_embedded_store,
    test_publish_writes_a_verified_release_and_points_at_it,
    test_publishing_the_current_version_again_changes_nothing,
    test_readers_switch_only_to_a_complete_release,
    test_store_outage_gives_503_then_answers_again,
    test_wrong_password_is_refused_and_changes_nothing,
)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    yield from deploy("oxigraph", tmp_path_factory)
