"""benchmarks/bench_anonymize.py measures any folder given with --data (the blind set
too): recall and precision per kind and the review file's size, never transcript text."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _bench():
    spec = importlib.util.spec_from_file_location("bench_anonymize",
                                                  ROOT / "benchmarks" / "bench_anonymize.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_folder_given_is_measured_and_only_figures_are_printed(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture) -> None:
    one = "答：我叫田秀芬，电话13912345678。\n"
    two = "Sarah Miller said no.\n"
    (tmp_path / "interview-a.txt").write_text(one, encoding="utf-8")  # named in gold only
    (tmp_path / "P02.txt").write_text(two, encoding="utf-8")
    (tmp_path / "README.txt").write_text("not a transcript 王建国", encoding="utf-8")
    rows = ["source,kind,text,start,end",
            f"interview-a.txt,person,田秀芬,{one.index('田秀芬')},{one.index('田秀芬') + 3}",
            f"interview-a.txt,phone,13912345678,{one.index('139')},{one.index('139') + 11}",
            "P02.txt,person,Sarah Miller,0,12"]
    (tmp_path / "gold.csv").write_text("\n".join(rows) + "\n", encoding="utf-8")
    monkeypatch.setattr(sys, "argv", ["bench", "--data", str(tmp_path), "--repeat", "1"])
    assert _bench().main() == 0
    out = capsys.readouterr().out
    assert "2 transcripts" in out  # README.txt is no transcript
    assert "| person | 2 | 2 | 1.000 |" in out and "| phone | 1 | 1 | 1.000 |" in out
    assert "Review file: " in out and "characters per CPU second" in out
    for text in ("田秀芬", "13912345678", "Sarah", "王建国"):
        assert text not in out
