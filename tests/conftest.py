"""Shared fixtures."""

import pytest


@pytest.fixture
def shared_dir():
    """The ../shared folder beside the project (read-only data), or a skip."""
    from pathlib import Path

    path = Path(__file__).resolve().parent.parent.parent / "shared"
    if not path.is_dir():
        pytest.skip(f"{path} is absent: tests that read the shared data are skipped")
    return path
