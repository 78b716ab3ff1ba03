"""Helpers for the crash-safety and concurrency tests: a forking runner and study states.

:class:`Zygote` is a process that has imported gtcode once and forks one child
per command, each running ``gtcode.cli.app`` with the command line exactly as
``python -m gtcode`` does, optionally killing it with SIGKILL after a delay or
running several at once. Forking skips the ~0.8 s of Python start-up per
command, so the tests spend their time inside the commands.
"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
#: Columns holding wall-clock times: the one thing a re-run may change.
TIME_COLUMNS = {"imported_at", "loaded_at", "created_at", "updated_at", "applied_at", "at"}

ZYGOTE = r"""
import json, os, signal, sys, time
from gtcode.cli import app
import gtcode.coding.open_coding, gtcode.coding.sheet, gtcode.exchange.refi_qda
import gtcode.exports.workbook, gtcode.importer
from gtcode.transcripts import nlp
nlp.tokenize("先把分词词典读进来", "zh")
print(json.dumps({"ready": True}), flush=True)


def child(run):
    null = os.open(os.devnull, os.O_WRONLY)
    os.dup2(null, 1)
    if not run.get("stderr"):
        os.dup2(null, 2)
    else:
        err = os.open(run["stderr"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC)
        os.dup2(err, 2)
    os.chdir(run["cwd"])
    time.sleep(run.get("start", 0.0))
    code = 0
    try:
        app(run["argv"], prog_name="gtcode")
    except SystemExit as exc:
        code = exc.code if isinstance(exc.code, int) else 1
    except BaseException:
        import traceback
        traceback.print_exc()
        code = 99
    sys.stderr.flush()
    os._exit(code)


for line in sys.stdin:
    job = json.loads(line)
    sys.stdout.flush()
    began = time.perf_counter()
    pids = []
    for run in job["runs"]:
        pid = os.fork()
        if pid == 0:
            child(run)
        pids.append(pid)
    statuses = {}
    delay = job.get("kill_after")
    while len(statuses) < len(pids):
        for pid in pids:
            if pid not in statuses:
                done, status = os.waitpid(pid, os.WNOHANG)
                if done:
                    statuses[pid] = status
        if delay is not None and time.perf_counter() - began >= delay:
            for pid in pids:
                if pid not in statuses:
                    os.kill(pid, signal.SIGKILL)
                    statuses[pid] = os.waitpid(pid, 0)[1]
        time.sleep(0.0005)
    results = []
    for pid in pids:
        status = statuses[pid]
        results.append({
            "killed": os.WIFSIGNALED(status),
            "rc": os.WEXITSTATUS(status) if os.WIFEXITED(status) else -os.WTERMSIG(status)})
    print(json.dumps({"results": results, "seconds": time.perf_counter() - began}),
          flush=True)
"""


def env() -> dict[str, str]:
    """The environment for a child ``python``: this checkout's ``src`` first."""
    return {**os.environ, "PYTHONPATH": str(SRC) + os.pathsep + os.environ.get("PYTHONPATH", "")}


class Zygote:
    """A process with gtcode imported that forks one child per command."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-c", ZYGOTE], stdin=subprocess.PIPE,
                                     stdout=subprocess.PIPE, text=True, env=env())
        assert json.loads(self.proc.stdout.readline()) == {"ready": True}

    def run(self, argv: list[str], cwd: Path, delay: float | None = None) -> dict:
        """Run ``gtcode ARGV`` in ``cwd``; SIGKILL it after ``delay`` seconds if still running.

        Returns ``{"killed", "rc", "seconds"}``.
        """
        answer = self.together([{"argv": argv, "cwd": cwd}], kill_after=delay)
        return {**answer["results"][0], "seconds": answer["seconds"]}

    def together(self, runs: list[dict], kill_after: float | None = None) -> dict:
        """Run several commands at once (each ``{"argv", "cwd", "start", "stderr"}``)."""
        job = {"runs": [{**r, "cwd": str(r["cwd"]),
                         "stderr": str(r["stderr"]) if r.get("stderr") else None}
                        for r in runs], "kill_after": kill_after}
        self.proc.stdin.write(json.dumps(job) + "\n")
        self.proc.stdin.flush()
        return json.loads(self.proc.stdout.readline())

    def close(self) -> None:
        self.proc.stdin.close()
        self.proc.wait(timeout=30)


def integrity(db: Path) -> str:
    conn = sqlite3.connect(db)
    try:
        return conn.execute("PRAGMA integrity_check").fetchone()[0]
    finally:
        conn.close()


def dump(db: Path) -> dict[str, list[tuple]]:
    """Every table's rows, sorted, without wall-clock columns (or meta keys ending _at)."""
    conn = sqlite3.connect(db)
    try:
        tables = [r[0] for r in conn.execute(
            "SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        result = {}
        for table in tables:
            cols = [r[1] for r in conn.execute(f"PRAGMA table_info('{table}')")
                    if r[1] not in TIME_COLUMNS]
            order = ", ".join(str(i + 1) for i in range(len(cols)))
            rows = conn.execute(f"SELECT {', '.join(cols)} FROM '{table}' ORDER BY {order}")
            result[table] = [r for r in rows if not (table == "meta" and r[0].endswith("_at"))]
        return result
    finally:
        conn.close()


def temp_files(folder: Path) -> list[Path]:
    """gtcode's write-then-rename temp files anywhere under ``folder``."""
    return sorted(p for p in folder.rglob("*") if ".gtcode-tmp" in p.name)
