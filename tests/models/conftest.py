"""An empty database of each kind, for the tests of one migration."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import fresh_database


@pytest.fixture(params=["postgresql", "sqlite"])
def url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database of each kind: the test migrates it to the revision it starts from."""
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'calendar.sqlite3'}"
        return
    with fresh_database("ic_migration", revision=None) as url:
        yield url
