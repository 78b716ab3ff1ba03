"""The outputs of ``gtcode run`` shared with a forked process (gtcode.exports.parallel)."""

from __future__ import annotations

import hashlib
import os
import re
import time
import zipfile
from pathlib import Path

import pytest

from gtcode.errors import GtcodeError
from gtcode.exports import parallel, registry
from gtcode.pipeline import _run_exports, run
from gtcode.store.project import Study

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"

pytestmark = pytest.mark.skipif(not parallel.can_fork(), reason="needs fork and two CPUs")


def _parts(out: Path) -> dict[str, str]:
    """Every output's content (each zip member apart), the folder's name and timestamps
    normalised, hashed."""
    found = {}
    for path in sorted(p for p in out.rglob("*") if p.is_file()):
        rel = path.relative_to(out).as_posix()
        if rel.startswith("study/"):
            continue
        if zipfile.is_zipfile(path):
            with zipfile.ZipFile(path) as archive:
                for name in sorted(archive.namelist()):
                    found[f"{rel}!{name}"] = _hash(archive.read(name), out)
        else:
            found[rel] = _hash(path.read_bytes(), out)
    return found


def _hash(data: bytes, out: Path) -> str:
    data = data.replace(str(out).encode(), b"OUT").replace(out.name.encode(), b"OUT")
    data = re.sub(rb"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z?", b"TIME", data)
    return hashlib.sha256(data).hexdigest()


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    """The sample run written by one process and by two."""
    done = {}
    for workers in (1, 2):
        out = tmp_path_factory.mktemp(f"run-{workers}")
        done[workers] = (out, run([SAMPLE], out, cases=SAMPLE / "cases.csv",
                                  embeddings=False, workers=workers))
    return done


def test_two_processes_write_the_same_files_as_one(runs):
    (one, serial), (two, forked) = runs[1], runs[2]
    assert [p.relative_to(one) for p in serial.outputs] == \
        [p.relative_to(two) for p in forked.outputs]
    assert serial.warnings == forked.warnings and serial.stages == forked.stages
    serial_parts, forked_parts = _parts(one), _parts(two)
    assert len(serial_parts) > 50 and any(k.startswith("sheet.xlsx!") for k in serial_parts)
    assert serial_parts == forked_parts


def _jobs(out: Path):
    return [(name, out / filename, opts) for name, filename, opts in _run_exports("both", False)]


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.iterdir() if p.name.startswith("."))


def test_an_error_in_the_child_is_raised_and_leaves_no_half_written_file(runs, tmp_path,
                                                                         monkeypatch):
    study_dir = runs[1][0] / "study"

    def broken(study, book, path, options, progress):
        with open(path.with_name(".sheet.partial"), "w") as handle:  # a temp file as writers do
            handle.write("x")
        path.with_name(".sheet.partial").unlink()
        raise GtcodeError("E701", "the disk is full.", file=path)

    monkeypatch.setitem(registry.EXPORTERS, "sheet",
                        registry.EXPORTERS["sheet"].__class__(broken, "sheet.xlsx", "x"))
    parent = os.getpid()
    with Study.open(study_dir) as study, study.snapshot(), pytest.raises(GtcodeError) as error:
        parallel.export_all(study, _jobs(tmp_path), workers=2)
    assert os.getpid() == parent  # the child never returns into the caller's code
    assert error.value.code == "E701" and "sheet.xlsx" in str(error.value)
    assert not (tmp_path / "sheet.xlsx").exists() and _leftovers(tmp_path) == []
    # the parent's share was written (as one process would have, had the sheet come last)
    assert (tmp_path / "report.html").is_file()


def test_a_failure_in_both_processes_raises_the_parents(runs, tmp_path, monkeypatch):
    study_dir = runs[1][0] / "study"

    def failing(code):
        def write(study, book, path, options, progress):
            raise GtcodeError(code, "failed.", file=path)
        return write

    for name, code in (("csv", "E701"), ("report", "E112")):  # csv (child), report (parent)
        old = registry.EXPORTERS[name]
        monkeypatch.setitem(registry.EXPORTERS, name,
                            registry.EXPORTERS[name].__class__(failing(code), old.filename, "x"))
    with Study.open(study_dir) as study, study.snapshot(), pytest.raises(GtcodeError) as error:
        parallel.export_all(study, _jobs(tmp_path), workers=2)
    assert error.value.code == "E112" and "report.html" in str(error.value)
    assert _leftovers(tmp_path) == []


def test_an_unpicklable_error_in_the_child_is_named(runs, tmp_path, monkeypatch):
    study_dir = runs[1][0] / "study"

    class Odd(Exception):
        def __reduce__(self):
            raise TypeError("cannot pickle")

    def odd(study, book, path, options, progress):
        raise Odd("strange")

    monkeypatch.setitem(registry.EXPORTERS, "segments",
                        registry.EXPORTERS["segments"].__class__(odd, "segments.csv", "x"))
    with Study.open(study_dir) as study, study.snapshot(), \
            pytest.raises(RuntimeError, match="Odd in a forked export: strange"):
        parallel.export_all(study, _jobs(tmp_path), workers=2)


def test_a_failure_here_stops_the_child_and_its_temporary_file_goes(runs, tmp_path,
                                                                    monkeypatch):
    study_dir = runs[1][0] / "study"
    from gtcode.files import atomic_output

    def slow(study, book, path, options, progress):
        with atomic_output(path) as tmp:
            tmp.write_bytes(b"partial")
            time.sleep(60)
        raise AssertionError("not reached")

    def failing(study, book, path, options, progress):
        time.sleep(0.5)  # the child is inside its atomic_output by now
        raise GtcodeError("E701", "failed.", file=path)

    monkeypatch.setitem(registry.EXPORTERS, "csv",
                        registry.EXPORTERS["csv"].__class__(slow, "codings.csv", "x"))
    monkeypatch.setitem(registry.EXPORTERS, "report",
                        registry.EXPORTERS["report"].__class__(failing, "report.html", "x"))
    start = time.monotonic()
    with Study.open(study_dir) as study, study.snapshot(), pytest.raises(GtcodeError):
        parallel.export_all(study, _jobs(tmp_path), workers=2)
    assert time.monotonic() - start < 30
    assert not (tmp_path / "codings.csv").exists() and _leftovers(tmp_path) == []


def test_one_worker_or_no_snapshot_forks_nothing(runs, tmp_path, monkeypatch):
    def no_fork():
        raise AssertionError("forked")

    monkeypatch.setattr(os, "fork", no_fork)
    jobs = [job for job in _jobs(tmp_path) if job[0] in ("csv", "qdc")]
    with Study.open(runs[1][0] / "study") as study:
        with study.snapshot():
            written = parallel.export_all(study, jobs, workers=1)
        assert [w.paths[0].name for w in written] == ["codings.csv", "codebook.qdc"]
        (tmp_path / "codings.csv").unlink()
        written = parallel.export_all(study, jobs, workers=2)  # no snapshot: one process
        assert (tmp_path / "codings.csv").is_file()
