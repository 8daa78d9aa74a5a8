"""Oxigraph server (the PyPI ``oxigraph`` package) behind an authenticating proxy.

The acceptance tests of ``remote_acceptance.py``: publish, same answers as the
embedded store for every curated query, readers switching only to a complete
release, outage and recovery, wrong password; plus a bearer token, and a
front end with refused credentials (502).
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from . import remote_acceptance as shared
from .remote_acceptance import Deployment, deploy

# The shared tests, in the order of ACCEPTANCE: the first ones compare with the
# embedded store before later ones publish other releases.
for _name in shared.ACCEPTANCE + [
    "test_bearer_token_instead_of_a_password",
    "test_refused_credentials_give_502_with_a_message",
]:
    globals()[_name] = getattr(shared, _name)


@pytest.fixture(scope="module")
def deployed(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    yield from deploy("oxigraph", tmp_path_factory)
