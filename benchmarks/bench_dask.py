"""Import and open coding in one process, in the fork pool and on a Dask LocalCluster.

Usage: python benchmarks/bench_dask.py [--mb 100] [--workers 2] [--corpus generated|resampled]

In one run on one machine, on a corpus written by benchmarks/corpus.py (generated
interviews) or resampled_corpus.py (turns resampled from data/):

1. each command as the process a user starts: wall seconds, peak resident MB, and CPU
   seconds of the command with the child processes it waited for (GNU time; the fork
   pool's workers and a `local:N` cluster's are among them): `gtcode import` of the
   corpus into a new study, then `gtcode open --no-embeddings` on one study, in one
   process (`--jobs 1`), in the fork pool (`--jobs N`, open only), with
   `--scheduler local:N` (the cluster started by the command), and with the address of a
   LocalCluster(N) already running: there the command's own CPU seconds are the part
   no number of workers can share out, and the workers' CPU seconds are measured on
   the workers (psutil). The stored rule and model suggestions are checked to be the
   same whichever ran them (a digest of the rows, ids included);
2. the single writer alone: the same rows written into a study in one transaction,
   after they were computed (the sources with their segments, then the rule
   suggestions), in MB of source text per second: the rate no number of workers
   can raise.

The 1 GB run the issue asks for: python benchmarks/bench_dask.py --mb 1000 --no-running-cluster
"""

from __future__ import annotations

import argparse
import hashlib
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_open import GTCODE, start
from corpus import generate
from resampled_corpus import write_corpus


def corpus(kind: str, folder: Path, megabytes: float) -> tuple[Path, float]:
    """The corpus folder and its size in MB."""
    files = folder / "corpus"
    if kind == "generated":
        generate(files, megabytes)
    else:
        write_corpus(files, megabytes)
    return files, sum(p.stat().st_size for p in files.iterdir()) / 1e6


def suggestions(study: Path) -> str:
    """A digest of the stored rule and model suggestions (ids included)."""
    digest = hashlib.sha256()
    with sqlite3.connect(study / "gtcode.db") as conn:
        for table in ("rule_codings", "model_codings"):
            for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1, 2, 3"):
                digest.update(repr(row).encode())
    return digest.hexdigest()[:16]


WRITER = """
import sys, time
from pathlib import Path
from gtcode.coding.per_source import code_sources
from gtcode.coding.rules import RuleEngine
from gtcode.importer import ImportOptions, expand_inputs, parse_source, store_document
from gtcode.store import open_coding as db
from gtcode.store.sources import next_position
from gtcode.workspace import init_study, study_codebook

study = init_study(Path(sys.argv[2]), "six-pressures")
parsed = [parse_source(path, path.read_bytes(), ImportOptions())  # as the workers send them
          for path in expand_inputs([Path(sys.argv[1])])]
mb = sum(len(p.doc.text.encode()) for p in parsed) / 1e6
begin = time.perf_counter()
with study.write() as conn:  # as import_files stores them
    position = next_position(conn)
    for number, p in enumerate(parsed):
        store_document(conn, p.doc, p.seg, language=p.language, chash=p.content_hash,
                       position=position + number)
sources = time.perf_counter() - begin
engine = RuleEngine(study_codebook(study))
rows = [part.rows for source in db.iter_source_spans(study.conn, roles=("respondent", "unknown"))
        for part in code_sources(engine, [source])[0]]
begin = time.perf_counter()
with study.write() as conn:
    for found in rows:
        db.insert_rule_codings(conn, found)
codings = time.perf_counter() - begin
print(mb, sources, codings, sum(map(len, rows)))
"""


def writer(files: Path, folder: Path) -> tuple[float, float, float, int]:
    """(MB of text, seconds to store the sources, seconds to store the rule rows, rows)."""
    done = subprocess.run([sys.executable, "-c", WRITER, str(files), str(folder / "writer")],
                          check=True, capture_output=True, text=True)
    mb, sources, codings, rows = done.stdout.split()
    return float(mb), float(sources), float(codings), int(rows)


def measured(args: list[str]) -> tuple[float, float, float]:
    """Wall seconds, peak resident MB and CPU seconds (user + system) of one process and
    the child processes it waited for (GNU time)."""
    with tempfile.NamedTemporaryFile(suffix=".time") as report:
        begin = time.perf_counter()
        subprocess.run(["/usr/bin/time", "-f", "%M %U %S", "-o", report.name, *args],
                       check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        seconds = time.perf_counter() - begin
        peak, user, system = Path(report.name).read_text().split()[-3:]
        return seconds, int(peak) / 1024, float(user) + float(system)


def worker_cpu(client) -> float:
    """CPU seconds the cluster's worker processes have used so far."""
    def used() -> float:
        import psutil

        times = psutil.Process().cpu_times()
        return times.user + times.system

    return sum(client.run(used).values())


def row(label: str, mb: float, args: list[str], client=None, check: Path | None = None) -> None:
    before = worker_cpu(client) if client is not None else 0.0
    seconds, peak, cpu = measured(args)
    workers = f"{worker_cpu(client) - before:.0f}" if client is not None else ""
    print(f"| {label} | {seconds:.1f} | {mb / seconds:.2f} | {cpu:.0f} | {workers} | "
          f"{peak:.0f} | {suggestions(check) if check else ''} |", flush=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--mb", type=float, default=100.0)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--corpus", choices=("generated", "resampled"), default="generated")
    parser.add_argument("--no-running-cluster", action="store_true",
                        help="leave out the runs on an already running LocalCluster (they "
                             "split the command's CPU from the workers'; at 1 GB each takes "
                             "as long as the local:N run)")
    args = parser.parse_args()
    work = start("dask")
    from distributed import Client, LocalCluster

    try:
        files, mb = corpus(args.corpus, work, args.mb)
        n = str(args.workers)
        print(f"corpus: {args.corpus}, {mb:.1f} MB in {len(list(files.iterdir()))} files; "
              f"{args.workers} workers")
        print("| command | wall s | MB/s | CPU s, command (+ its child processes) | CPU s, "
              "running cluster's workers | peak MB, command | suggestions |")
        print("|---|---:|---:|---:|---:|---:|---|")
        with LocalCluster(n_workers=args.workers, threads_per_worker=1, host="127.0.0.1",
                          dashboard_address="127.0.0.1:0", silence_logs=50) as cluster, \
                Client(cluster) as client:
            running = ["--scheduler", cluster.scheduler_address]
            imports = [("one process", [], None),
                       (f"--scheduler local:{n}", ["--scheduler", f"local:{n}"], None),
                       (f"--scheduler of a running LocalCluster({n})", running, client)]
            opens = [("--jobs 1", ["--jobs", "1"], None),
                     (f"--jobs {n} (fork pool)", ["--jobs", n], None),
                     (f"--scheduler local:{n}", ["--scheduler", f"local:{n}"], None),
                     (f"--scheduler of a running LocalCluster({n})", running, client)]
            if args.no_running_cluster:
                imports, opens = imports[:-1], opens[:-1]
            for label, option, on in imports:
                study = work / f"import-{len(option)}-{on is not None}"
                subprocess.run([*GTCODE, "init", str(study), "-q"], check=True)
                row(f"import, {label}", mb, [*GTCODE, "import", str(study), str(files), "-q",
                                             *option], on)
            study = work / "import-0-False"
            for label, option, on in opens:
                row(f"open --no-embeddings {label}", mb,
                    [*GTCODE, "open", str(study), "--no-embeddings", "-q", *option], on, study)
        text, sources, codings, rows = writer(files, work)
        print(f"single writer: {text:.1f} MB of text; storing the sources with their segments "
              f"{sources:.1f} s ({text / sources:.1f} MB/s); storing {rows:,} rule suggestions "
              f"{codings:.2f} s ({text / codings:.1f} MB/s of coded text)")
    finally:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
