"""Import and open coding on a Dask cluster (``--scheduler``): the same study, or a clean failure.

A LocalCluster of two real worker processes is started once for the module; one test
starts ``local:2`` from the command line, and the dead-worker test has a cluster of its
own (its workers are made to die).
"""

from __future__ import annotations

import json
import logging
import shutil
import subprocess
import sys
from pathlib import Path

import cloudpickle
import dask
import pytest
from distributed import Client, LocalCluster
from typer.testing import CliRunner

import dask_helpers
from crash_helpers import dump
from gtcode import cluster as gtcluster
from gtcode import importer
from gtcode.cli import app
from gtcode.coding import open_coding, workers
from gtcode.coding.open_coding import open_code
from gtcode.errors import GtcodeError
from gtcode.exports.registry import export
from gtcode.importer import import_files
from gtcode.workspace import init_study, open_study, study_codebook

SAMPLE = Path(__file__).resolve().parents[1] / "data" / "sample"
#: A few sample transcripts, Chinese and English: enough tasks, quick stages.
FEW = ("S01.txt", "S02.txt", "S03.txt", "E01.txt")


def _start(**config) -> LocalCluster:
    with dask.config.set(config):
        return LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                            dashboard_address="127.0.0.1:0", silence_logs=logging.CRITICAL)


@pytest.fixture(scope="module")
def address():
    """A running scheduler with two worker processes (as `--scheduler tcp://...` finds it)."""
    with _start() as cluster:
        yield cluster.scheduler_address


@pytest.fixture
def small_tasks(monkeypatch):
    """One file per import task, one source per coding task: more tasks than workers."""
    monkeypatch.setattr(importer, "TASK_BYTES", 1)
    monkeypatch.setattr(workers, "CHUNK", 1)


def _few(folder: Path) -> Path:
    if not folder.exists():
        folder.mkdir()
        for name in FEW:
            shutil.copy(SAMPLE / name, folder / name)
    return folder


def _study(folder: Path, scheduler=None):
    study = init_study(folder, "six-pressures")
    import_files(study, [_few(folder.parent / "in")], scheduler=scheduler)
    return study


def test_import_and_open_on_a_cluster_store_what_one_process_stores(tmp_path, address,
                                                                      small_tasks):
    found = []
    for name, scheduler in (("here", None), ("cluster", address)):
        study = _study(tmp_path / name, scheduler)
        report = open_code(study, study_codebook(study), jobs=1, scheduler=scheduler,
                           embeddings=False)
        paths = [export(study, fmt, tmp_path / f"{name}-{fmt}.csv").paths[0]
                 for fmt in ("csv", "segments")]
        found.append((dump(study.db_path), [p.read_bytes() for p in paths],
                      (report.codings, report.model_codings, report.hits, report.window_checks,
                       report.by_code, len(report.invivo.candidates))))
        study.close()
    here, there = found
    assert here[0]["rule_codings"] and here[0]["model_codings"] and here[0]["candidates"]
    assert here[0]["segments"] and len(here[0]["sources"]) == len(FEW)
    for table in here[0]:  # every table, ids included (wall-clock columns left out)
        assert there[0][table] == here[0][table], table
    assert there[1] == here[1]  # codings.csv and segments.csv, byte for byte
    assert there[2] == here[2]
    with Client(address) as client:  # 4 coding tasks on 2 workers: each built its engine once
        built = [counts.get("engine", 0) for counts in client.run(gtcluster.builds).values()]
    assert sum(built) >= 1 and max(built) == 1


def test_gtcode_run_on_a_local_cluster_writes_the_same_exports(tmp_path):
    from gtcode.pipeline import run

    files = _few(tmp_path / "in")
    run([files], tmp_path / "here", embeddings=False)
    result = CliRunner().invoke(app, ["run", str(files), "--out", str(tmp_path / "there"),
                                      "--no-embeddings", "--scheduler", "local:2", "-q"])
    assert result.exit_code == 0, result.output
    for name in ("codings.csv", "segments.csv"):
        assert (tmp_path / "there" / name).read_bytes() == (tmp_path / "here" / name).read_bytes()
    here, there = (dump(tmp_path / side / "study" / "gtcode.db") for side in ("here", "there"))
    assert here["rule_codings"] and there == here


def _cli(*args: str):
    result = CliRunner().invoke(app, list(args))
    return result.exit_code, result.stderr


def test_a_worker_that_dies_fails_the_command_and_leaves_the_study(tmp_path, small_tasks):
    study = _study(tmp_path / "study")
    study.close()
    before = dump(tmp_path / "study" / "gtcode.db")
    cloudpickle.register_pickle_by_value(dask_helpers)  # the workers cannot import the tests
    with _start(**{"distributed.scheduler.allowed-failures": 0}) as cluster, \
            Client(cluster) as client:
        client.register_plugin(dask_helpers.DieOnSecondCall("gtcode.coding.per_source",
                                                            "cluster_code"))
        client.register_plugin(dask_helpers.DieOnSecondCall("gtcode.importer", "parse_sources"),
                               name="import")
        code, err = _cli("open", str(tmp_path / "study"), "--scheduler",
                         cluster.scheduler_address, "--no-embeddings", "-q")
        assert code == 1 and "[E952]" in err and len(err.strip().splitlines()) == 1, err
        assert dump(tmp_path / "study" / "gtcode.db") == before
        code, err = _cli("import", str(tmp_path / "study"), str(SAMPLE / "S04.txt"),
                         str(SAMPLE / "S05.txt"), str(SAMPLE / "S06.txt"), "--scheduler",
                         cluster.scheduler_address, "-q")
        assert code == 1 and "[E952]" in err and len(err.strip().splitlines()) == 1, err
    assert dump(tmp_path / "study" / "gtcode.db") == before


def test_a_worker_of_another_gtcode_is_refused(tmp_path, address, monkeypatch):
    study = _study(tmp_path / "study")
    before = dump(study.db_path)
    monkeypatch.setattr(open_coding, "signature", lambda engine: ("0.0.0", "x", "lemmas"))
    with pytest.raises(GtcodeError) as raised:
        open_code(study, study_codebook(study), scheduler=address, model=False)
    assert raised.value.code == "E954"
    study.close()
    assert dump(tmp_path / "study" / "gtcode.db") == before


def test_a_worker_of_another_gtcode_version_is_refused_by_any_command(tmp_path, address,
                                                                     monkeypatch):
    study = init_study(tmp_path / "study", "six-pressures")
    monkeypatch.setattr(gtcluster, "__version__", "0.0.0")
    with pytest.raises(GtcodeError) as raised:
        import_files(study, [SAMPLE / "S01.txt"], scheduler=address)
    assert raised.value.code == "E954"
    assert study.conn.execute("SELECT COUNT(*) FROM sources").fetchone()[0] == 0
    study.close()


def test_a_scheduler_without_workers_is_one_line(tmp_path, monkeypatch):
    _study(tmp_path / "study").close()
    monkeypatch.setattr(gtcluster, "CONNECT_TIMEOUT", 1)
    with LocalCluster(n_workers=0, host="127.0.0.1", dashboard_address="127.0.0.1:0",
                      silence_logs=logging.CRITICAL) as empty:
        code, err = _cli("open", str(tmp_path / "study"), "--scheduler",
                         empty.scheduler_address, "-q")
    assert code == 1 and "[E951]" in err and "no Dask worker" in err


def test_a_bad_scheduler_address_is_one_line(tmp_path):
    _study(tmp_path / "study").close()
    before = dump(tmp_path / "study" / "gtcode.db")
    commands = (["open", str(tmp_path / "study")],
                ["import", str(tmp_path / "study"), str(SAMPLE / "S04.txt")],
                ["run", str(SAMPLE / "S04.txt"), "--out", str(tmp_path / "out")])
    # a malformed address, a bad local count, a scheduler nobody runs (port 1)
    for command, scheduler in [*((c, "nope") for c in commands), (commands[0], "local:0"),
                               (commands[1], "local:x"), (commands[2], "tcp://127.0.0.1:1")]:
        code, err = _cli(*command, "--scheduler", scheduler, "-q")
        assert code == 1 and "[E951]" in err and len(err.strip().splitlines()) == 1, err
    assert dump(tmp_path / "study" / "gtcode.db") == before
    assert not (tmp_path / "out" / "study").exists()


def test_jobs_and_scheduler_are_one_or_the_other(tmp_path):
    code, _err = _cli("open", str(tmp_path), "--jobs", "2", "--scheduler", "local:1")
    assert code == 2


def test_addresses():
    assert gtcluster.parse_address("local:3") == ("local", 3)
    assert gtcluster.parse_address("tcp://10.0.0.5:8786") == ("tcp://10.0.0.5:8786", None)
    assert gtcluster.parse_address("scheduler.lab:8786") == ("scheduler.lab:8786", None)
    for bad in ("local:", "local:-1", "http://x:1", "x", "tcp://x"):
        with pytest.raises(GtcodeError):
            gtcluster.parse_address(bad)


def test_without_scheduler_dask_is_not_imported(tmp_path):
    study = tmp_path / "study"
    probe = (
        "import sys\nfrom gtcode.cli import app\n"
        f"for argv in (['init', {str(study)!r}, '-q'],\n"
        f"             ['import', {str(study)!r}, {str(SAMPLE / 'S01.txt')!r}, '-q'],\n"
        f"             ['open', {str(study)!r}, '--no-model', '-q']):\n"
        "    try:\n        app(argv, standalone_mode=False)\n"
        "    except SystemExit:\n        pass\n"
        "print(__import__('json').dumps([m for m in sys.modules\n"
        "    if m.split('.')[0] in ('dask', 'distributed', 'tornado')]))\n")
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True,
                          check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
    with open_study(study) as opened:  # the commands did run
        assert opened.conn.execute("SELECT COUNT(*) FROM rule_codings").fetchone()[0] > 0


def test_without_dask_the_option_says_how_to_install_it(monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # as if not installed
    with pytest.raises(GtcodeError) as raised:
        gtcluster.Cluster("local:1")
    assert raised.value.code == "E953" and "gtcode[dask]" in raised.value.render()
    # printed as written: rich markup must not eat "[dask]" (nor any bracket in a file name)
    from gtcode.cli import _common

    with _common.err.capture() as shown:
        _common.fail(raised.value)
    assert "pip install 'gtcode[dask]'" in shown.get()


def test_the_scheduler_help_shows_the_extra():
    from typer.testing import CliRunner

    from gtcode.cli import app

    shown = CliRunner().invoke(app, ["open", "--help"], env={"COLUMNS": "200"}).output
    assert "gtcode[dask]" in " ".join(shown.split())
