"""Tiny shared fixtures."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtcode.store.project import Study

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


@pytest.fixture
def empty_study(tmp_path: Path) -> Study:
    """A fresh study with no codebook copy, for store-level tests."""
    study = Study.create(tmp_path / "study")
    yield study
    study.close()
