"""Fixtures of the enrichment tests: the enricher, loaded once."""

from __future__ import annotations

import pytest

from enrichment import Enricher


@pytest.fixture(scope="session")
def enricher() -> Enricher:
    return Enricher()
