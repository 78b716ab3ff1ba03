"""A built wheel is complete: installed without ``-e`` into a fresh virtual environment,
it runs ``gtcode run data/sample`` and writes a ``project.qdpx`` that validates.

The wheel is built from a copy of the source tree (the repository stays clean),
without build isolation, so nothing is downloaded while testing. The fresh
environment gets gtcode from the wheel alone; its dependencies (spaCy, pandas,
...) are borrowed from the test environment by a ``.pth`` line, which does not
run that environment's editable-install hook, so the ``src/`` tree is never on
the path. The check that counts: the XSDs, the built-in codebook and every
module come from the wheel.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

from gtcode.exchange.refi_common import schema_errors

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
COPIED = ("src", "codebooks", "pyproject.toml", "README.md", "LICENSE")

pytestmark = pytest.mark.slow


def _run(args: list[str], **kwargs) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "PYTHONHOME")}
    done = subprocess.run(args, capture_output=True, text=True, env=env, timeout=600, **kwargs)
    assert done.returncode == 0, f"{args}\n{done.stdout}\n{done.stderr}"
    return done


@pytest.fixture(scope="module")
def wheel(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tree = tmp_path_factory.mktemp("tree")
    for name in COPIED:
        source = REPO / name
        if source.is_dir():
            shutil.copytree(source, tree / name, symlinks=True,
                            ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
        else:
            shutil.copy2(source, tree / name)
    dist = tmp_path_factory.mktemp("dist")
    _run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
          "--wheel-dir", str(dist), str(tree)])
    (built,) = dist.glob("gtcode-*.whl")
    return built


def test_the_wheel_holds_the_package_data(wheel: Path) -> None:
    names = set(zipfile.ZipFile(wheel).namelist())
    for needed in ("gtcode/data/refi_qda/Project-mrt2019.xsd",
                   "gtcode/data/refi_qda/Codebook-mrt2019.xsd",
                   "gtcode/codebook/data/six-pressures.yaml",
                   "gtcode/coding/rules/engine.py", "gtcode/exchange/refi_import.py"):
        assert needed in names, needed


def test_the_installed_wheel_runs_the_sample(wheel: Path, tmp_path: Path) -> None:
    venv = tmp_path / "venv"
    _run([sys.executable, "-m", "venv", "--without-pip", str(venv)])
    python = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    _run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet",
          "--no-deps", "--no-index", str(wheel)])
    site = Path(_run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()"
                      "['purelib'])"]).stdout.strip())
    borrowed = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site / "borrowed-deps.pth").write_text("\n".join(sorted(borrowed)) + "\n", encoding="utf-8")

    where = _run([str(python), "-c", "import gtcode, gtcode.exchange.refi_common as r; "
                  "print(gtcode.__file__); print(r.schema_path('project'))"],
                 cwd=tmp_path).stdout.split()
    assert all(Path(p).is_relative_to(venv) for p in where), where

    gtcode = venv / ("Scripts/gtcode.exe" if os.name == "nt" else "bin/gtcode")
    out = tmp_path / "out"
    _run([str(gtcode), "run", str(SAMPLE), "--cases", str(SAMPLE / "cases.csv"),
          "--out", str(out)], cwd=tmp_path)
    with zipfile.ZipFile(out / "project.qdpx") as archive:
        xml = archive.read("project.qde")
    assert schema_errors(xml, "project") == []
    check = ("import sys, zipfile; from gtcode.exchange.refi_common import schema_errors; "
             "xml = zipfile.ZipFile(sys.argv[1]).read('project.qde'); "
             "print(len(schema_errors(xml, 'project')))")
    assert _run([str(python), "-c", check, str(out / "project.qdpx")],
                cwd=tmp_path).stdout.strip() == "0"
