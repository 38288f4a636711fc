"""Fixtures of the importer's tests."""

from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def sync_jobs(settings):
    """Uploads are read during the request (tests that need the background thread say so)."""
    settings.KEHOACH_JOBS = "sync"


@pytest.fixture
def media(settings, tmp_path) -> Path:
    settings.MEDIA_ROOT = tmp_path / "media"
    return Path(settings.MEDIA_ROOT)
