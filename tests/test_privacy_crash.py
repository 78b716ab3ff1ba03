"""A killed ``gtcode anonymize --apply`` leaves the study as it was (or wholly applied).

The apply runs in its own process (a fork of :class:`crash_helpers.Zygote`) and is
killed with SIGKILL at spread-out moments of a measured run: before the backup,
while the key is written, inside the one transaction, while the file is scrubbed.
After every kill the study's tables are either exactly as before or exactly as
after a finished run, the database passes SQLite's integrity check, and the
original text is still there whenever the study was left as before.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest

from crash_helpers import Zygote, dump, integrity
from privacy_fixtures import T1, T2, build, cli

pytestmark = pytest.mark.slow

#: Kills at these fractions of a measured, unkilled run.
FRACTIONS = (0.05, 0.15, 0.3, 0.45, 0.6, 0.7, 0.8, 0.9, 0.97)


def _state(study: Path) -> dict:
    """The tables, with what differs between two equal runs left out (times, file names)."""
    tables = dump(study / "gtcode.db")
    tables["meta"] = [r for r in tables["meta"]
                      if r[0] not in ("privacy_check", "privacy_applied")]
    tables["decisions"] = [r[:3] for r in tables["decisions"]]
    return tables


@pytest.fixture(scope="module")
def start(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("privacy-crash") / "w"
    study = build(root)
    more = root / "more"
    more.mkdir()
    for n in range(8):  # enough text that the apply takes a while
        (more / f"M{n:02}.txt").write_text((T1 + T2) * 10, encoding="utf-8")
    cli("import", study, more, "--segment", "turn", "-q")
    cli("anonymize", study, "-q")
    shutil.copy(study / "private" / "anonymize-review.yaml", root / "review.yaml")
    return root


def _argv(work: Path) -> list[str]:
    return ["anonymize", "study", "--apply", "review.yaml", "--key", "key.yaml", "-q"]


def test_a_killed_apply_leaves_the_study_as_it_was_or_wholly_applied(start, tmp_path) -> None:
    before = _state(start / "study")
    zygote = Zygote()
    try:
        reference = tmp_path / "reference"
        shutil.copytree(start, reference)
        run = zygote.run(_argv(reference), reference)
        assert run["rc"] == 0, run
        after = _state(reference / "study")
        assert after != before
        seen = {"before": 0, "after": 0}
        for n, fraction in enumerate(FRACTIONS):
            work = tmp_path / f"kill{n}"
            shutil.copytree(start, work)
            result = zygote.run(_argv(work), work, delay=run["seconds"] * fraction)
            db = work / "study" / "gtcode.db"
            assert integrity(db) == "ok"
            now = _state(work / "study")
            assert now in (before, after), f"kill at {fraction:.2f} left a partial effect"
            seen["before" if now == before else "after"] += 1
            if now == before:
                texts = sqlite3.connect(db).execute("SELECT text FROM sources").fetchall()
                assert any("王建国" in t for (t,) in texts)
                rerun = zygote.run(_argv(work), work)  # the review file is still there
                assert rerun["rc"] == 0 and _state(work / "study") == after
            assert result["killed"] or result["rc"] == 0
        assert seen["before"] >= 3, seen  # most kills came before the commit
    finally:
        zygote.close()
