"""Tiny shared fixtures."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from gtcode.store.project import Study

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"


@pytest.fixture(scope="session", autouse=True)
def _private_cache(tmp_path_factory: pytest.TempPathFactory) -> None:
    """Index caches (:mod:`gtcode.cache`) go to a folder of the test session, not home."""
    os.environ["GTCODE_CACHE_DIR"] = str(tmp_path_factory.mktemp("gtcode-cache"))


@pytest.fixture
def empty_study(tmp_path: Path) -> Study:
    """A fresh study with no codebook copy, for store-level tests."""
    study = Study.create(tmp_path / "study")
    yield study
    study.close()


@pytest.fixture(scope="session")
def sample_run(tmp_path_factory: pytest.TempPathFactory):
    """``gtcode run data/sample --cases data/sample/cases.csv`` once per session.

    Returns the pipeline's ``RunReport``: ``.study`` is OUT/study, ``.outputs``
    the files written under OUT (report.html among them). Treat it as read-only.
    """
    from gtcode.pipeline import run

    out = tmp_path_factory.mktemp("sample-run")
    return run([SAMPLE], out, cases=SAMPLE / "cases.csv")
