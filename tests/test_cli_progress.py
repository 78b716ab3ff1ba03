"""Progress bars: shown on a terminal for the commands that take a while, never under -q
or when the output is not a terminal (a pipe, a file, a test runner)."""

from __future__ import annotations

import os
import pty
import select
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="needs a pseudo-terminal")


def on_a_terminal(*args: str) -> str:
    """What ``gtcode ARGS`` writes to stderr when stderr is a terminal."""
    master, slave = pty.openpty()
    env = {**os.environ, "COLUMNS": "100", "TERM": "xterm"}
    process = subprocess.Popen([sys.executable, "-m", "gtcode", *args], stdout=subprocess.DEVNULL,
                               stderr=slave, stdin=subprocess.DEVNULL, env=env)
    os.close(slave)
    chunks = []
    while True:
        ready, _, _ = select.select([master], [], [], 120)
        if not ready:
            process.kill()
            break
        try:
            chunk = os.read(master, 65536)
        except OSError:  # the terminal closed: the command ended
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(master)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode("utf-8", "replace")


@pytest.fixture(scope="module")
def study(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("progress") / "study"
    subprocess.run([sys.executable, "-m", "gtcode", "init", str(folder), "-q"], check=True)
    subprocess.run([sys.executable, "-m", "gtcode", "import", str(folder), str(SAMPLE), "-q"],
                   check=True)
    return folder


def test_open_shows_its_bars_on_a_terminal_and_none_under_quiet(study):
    shown = on_a_terminal("open", str(study), "--no-model")
    assert "Rule coding" in shown and "In-vivo phrases" in shown
    quiet = on_a_terminal("open", str(study), "--no-model", "-q")
    assert "Rule coding" not in quiet and "In-vivo" not in quiet


def test_export_shows_that_it_works(study, tmp_path):
    shown = on_a_terminal("export", str(study), "--to", "qdpx", "-o", str(tmp_path / "p.qdpx"))
    assert "Exporting qdpx" in shown


def test_no_bars_when_the_output_is_not_a_terminal(study):
    done = subprocess.run([sys.executable, "-m", "gtcode", "open", str(study), "--no-model"],
                          capture_output=True, text=True, check=True)
    assert "Rule coding" not in done.stderr and "\x1b[" not in done.stderr
