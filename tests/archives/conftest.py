"""Archive tests' fixtures: a local HTTP server for archive files, a second fresh warehouse
to compare with, and the demo's sources at the URLs the archived pages claim."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from autonews.core import Source
from autonews.sources import DEMO_SOURCES, load_sources
from tests.archives.warcs import BASE, FileServer


@pytest.fixture
def file_server(tmp_path: Path) -> Iterator[FileServer]:
    root = tmp_path / "served"
    root.mkdir()
    server = FileServer(root)
    yield server
    server.stop()


@pytest.fixture
def archived_sources() -> dict[str, Source]:
    """The demo's sources at `BASE`, the site the archives in these tests captured."""
    return {s.id: s for s in load_sources(DEMO_SOURCES, {"demo_url": BASE})}
