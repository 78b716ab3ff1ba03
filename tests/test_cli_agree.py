"""``gtcode agree`` through the command line: known answers, exit codes, outputs.

Every published test vector (methods research notes, section 2.9) runs
through ``gtcode agree TABLE.csv --json`` and is compared to the digits
given there: the fixtures in ``tests/fixtures/reliability/`` and, for the
vectors published as tables of counts (TV-kappa3, TV-kappa4, TV-F2), tables
expanded here into one row per unit.
"""

from __future__ import annotations

import csv
import json
from decimal import Decimal
from pathlib import Path

import openpyxl
import pytest
from typer.testing import CliRunner

from agree_fixtures import build_study
from gtcode.cli import app
from gtcode.coding.sheet_io import COLUMNS

FIXTURES = Path(__file__).parent / "fixtures" / "reliability"
runner = CliRunner()


def agree(*args: object):
    return runner.invoke(app, ["agree", *map(str, args)])


def agree_json(*args: object) -> dict:
    result = agree(*args, "--json")
    assert result.exit_code == 0, result.output
    return json.loads(result.stdout)


def close(value: float | None, published: str) -> bool:
    """``value`` agrees with a published figure to the digits it was given."""
    digits = -Decimal(published).as_tuple().exponent
    return value is not None and abs(value - float(published)) <= 0.5 * 10 ** -digits + 1e-12


def write_table(path: Path, coders: list[str], rows: list[list[object]]) -> Path:
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["unit", *coders])
        for number, row in enumerate(rows, start=1):
            writer.writerow([f"u{number}", *("" if v is None else v for v in row)])
    return path


def from_contingency(table: list[list[int]]) -> list[list[int]]:
    """Two coders' rows from a contingency table (rows coder 1, columns coder 2)."""
    return [[i + 1, j + 1] for i, row in enumerate(table) for j, n in enumerate(row)
            for _ in range(n)]


def from_counts(counts: list[list[int]]) -> list[list[int]]:
    """Raters' rows from units x categories counts (Fleiss' layout)."""
    return [[c + 1 for c, n in enumerate(unit) for _ in range(n)] for unit in counts]


# -- the published vectors ---------------------------------------------------------------------

FIXTURE_CASES = [
    ("tv_alpha1.csv", "nominal", {"krippendorff_alpha": "0.691358"}),
    ("tv_alpha1.csv", "interval", {"krippendorff_alpha": "0.810845"}),
    ("tv_alpha1.csv", "ordinal", {"krippendorff_alpha": "0.806721"}),
    ("tv_alpha1.csv", "ratio", {"krippendorff_alpha": "0.808944"}),
    ("tv_alpha2.csv", "nominal", {"krippendorff_alpha": "0.743", "percent_agreement": "0.800"}),
    ("tv_alpha2.csv", "ordinal", {"krippendorff_alpha": "0.815"}),
    ("tv_alpha2.csv", "interval", {"krippendorff_alpha": "0.849"}),
    ("tv_alpha2.csv", "ratio", {"krippendorff_alpha": "0.797"}),
    ("tv_alpha3.csv", "nominal", {"percent_agreement": "0.600", "krippendorff_alpha": "0.0952",
                                  "cohen_kappa": "0.0909", "scott_pi": "0.0476",
                                  "brennan_prediger": "0.200"}),
    ("tv_fleiss1971.csv", "nominal", {"fleiss_kappa": "0.4302445",
                                      "krippendorff_alpha": "0.4334"}),
    ("tv_hayes2007.csv", "ordinal", {"krippendorff_alpha": "0.7598"}),
    ("tv_hayes2007.csv", "nominal", {"krippendorff_alpha": "0.4765"}),
    ("tv_hayes2007.csv", "interval", {"krippendorff_alpha": "0.7574"}),
    ("chinese_gb18030.csv", "nominal", {"percent_agreement": "0.75", "cohen_kappa": "0.5"}),
    ("chinese_utf8_bom.csv", "nominal", {"percent_agreement": "0.75", "cohen_kappa": "0.5"}),
]


@pytest.mark.parametrize(("name", "level", "expected"), FIXTURE_CASES)
def test_fixture_tables_give_the_published_figures(name, level, expected):
    data = agree_json(FIXTURES / name, "--level-of-measurement", level)
    assert data["level_of_measurement"] == level and data["unit"] == "table_row"
    for key, published in expected.items():
        assert close(data[key], published), (key, data[key], published)
    for key in ("percent_agreement", "cohen_kappa", "fleiss_kappa", "krippendorff_alpha",
                "n_units", "n_coders", "level_of_measurement", "unit"):
        assert key in data
    assert "per_code" not in data


def test_every_fixture_table_is_covered():
    tables = {p.name for p in FIXTURES.glob("*.csv")}
    covered = {name for name, _level, _expected in FIXTURE_CASES} | set(BAD_TABLES)
    assert tables == covered


def test_tv_alpha2_ignores_the_single_value_unit():
    data = agree_json(FIXTURES / "tv_alpha2.csv")
    assert (data["n_units"], data["n_pairable_units"], data["n_coders"]) == (12, 11, 4)
    assert data["cohen_kappa"] is None  # four coders


def test_tv_kappa3_cohen_1960(tmp_path):
    rows = from_contingency([[88, 14, 18], [10, 40, 10], [2, 6, 12]])
    data = agree_json(write_table(tmp_path / "k3.csv", ["c1", "c2"], rows))
    assert data["n_units"] == 200
    assert close(data["cohen_kappa"], "0.492") and close(data["cohen_kappa"], "0.49153")
    assert close(data["percent_agreement"], "0.70")


def test_tv_kappa4_sas_example(tmp_path):
    rows = from_contingency([[0, 4, 1], [0, 8, 0], [0, 1, 5]])
    data = agree_json(write_table(tmp_path / "k4.csv", ["c1", "c2"], rows))
    assert close(data["cohen_kappa"], "0.4842")


def test_tv_f2_wikipedia_fleiss(tmp_path):
    counts = [[0, 0, 0, 0, 14], [0, 2, 6, 4, 2], [0, 0, 3, 5, 6], [0, 3, 9, 2, 0],
              [2, 2, 8, 1, 1], [7, 7, 0, 0, 0], [3, 2, 6, 3, 0], [2, 5, 3, 2, 2],
              [6, 5, 2, 1, 0], [0, 2, 2, 3, 7]]
    coders = [f"r{i}" for i in range(1, 15)]
    data = agree_json(write_table(tmp_path / "f2.csv", coders, from_counts(counts)))
    assert data["n_coders"] == 14
    assert close(data["fleiss_kappa"], "0.2099") and close(data["fleiss_kappa"], "0.20993")


BAD_TABLES = ("bad_row_length.csv", "one_coder.csv", "no_units.csv")


@pytest.mark.parametrize("name", BAD_TABLES)
def test_malformed_tables_exit_1_with_e602(name):
    result = agree(FIXTURES / name, "--json")
    assert result.exit_code == 1 and "[E602]" in result.stderr and result.stdout == ""


# -- exit codes --------------------------------------------------------------------------------

def test_min_alpha_pass_and_fail():
    table = FIXTURES / "tv_alpha1.csv"
    assert agree(table, "--min-alpha", "0.667").exit_code == 0
    failed = agree(table, "--min-alpha", "0.800", "--json")
    assert failed.exit_code == 1 and "[E603]" in failed.stderr
    assert json.loads(failed.stdout)["krippendorff_alpha"] < 0.8  # the figures still print
    assert [line for line in failed.stderr.splitlines() if "Error" in line] == \
        [failed.stderr.strip().splitlines()[-1]]
    quiet = agree(table, "--min-alpha", "0.800", "--quiet")
    assert quiet.exit_code == 1 and len(quiet.stderr.strip().splitlines()) == 1
    assert agree(table, "--level-of-measurement", "interval", "--min-alpha", "0.8").exit_code \
        == 0


def test_usage_errors_exit_2(tmp_path):
    (tmp_path / "empty").mkdir()
    notes = tmp_path / "notes.txt"
    notes.write_text("x", encoding="utf-8")
    table = FIXTURES / "tv_alpha3.csv"
    for args in ([tmp_path / "empty"], [notes], [tmp_path / "missing.csv"],
                 [table, "--coders", "a,b"], [table, "--unit", "document"],
                 [table, table.with_suffix(".txt")]):
        result = agree(*args)
        assert result.exit_code == 2, args
    result = agree(notes)
    assert "notes.txt" in result.stderr


def test_bad_level_of_measurement_is_a_usage_error():
    result = agree(FIXTURES / "tv_alpha3.csv", "--level-of-measurement", "cardinal")
    assert result.exit_code == 2 and "Invalid value" in result.stderr and "'cardinal'" in result.stderr


def test_rich_table_by_default():
    result = agree(FIXTURES / "tv_alpha3.csv")
    assert result.exit_code == 0
    assert "Krippendorff" in result.stdout and "0.0952" in result.stdout
    assert "Cohen" in result.stdout and "0.0909" in result.stdout


# -- edge cases ------------------------------------------------------------------------------------

def test_perfect_agreement(tmp_path):
    data = agree_json(write_table(tmp_path / "p.csv", ["a", "b", "c"],
                                  [["x", "x", "x"], ["y", "y", "y"], ["z", "z", "z"]]))
    for key in ("percent_agreement", "fleiss_kappa", "krippendorff_alpha"):
        assert data[key] == pytest.approx(1.0)
    assert data["n_disagreements"] == 0


def test_one_category_only_is_undefined_not_nan(tmp_path):
    path = write_table(tmp_path / "one.csv", ["a", "b"], [["x", "x"], ["x", "x"]])
    result = agree(path, "--json", "--min-alpha", "0.1")
    assert result.exit_code == 1 and "[E603]" in result.stderr
    assert "NaN" not in result.stdout
    data = json.loads(result.stdout)
    assert data["percent_agreement"] == 1.0
    assert data["krippendorff_alpha"] is None and data["cohen_kappa"] is None
    assert data["alpha_verdict"] == "undefined"


def test_a_unit_with_a_single_coder_is_ignored(tmp_path):
    rows = [["1", "0"], ["1", "1"], ["0", "1"], ["0", "0"], ["0", "0"], ["0", "1"], ["0", "0"],
            ["0", "1"], ["0", "0"], ["0", "0"], ["1", None], [None, "0"]]
    data = agree_json(write_table(tmp_path / "single.csv", ["c1", "c2"], rows))
    assert (data["n_units"], data["n_pairable_units"]) == (12, 10)
    assert close(data["krippendorff_alpha"], "0.0952")  # as TV-alpha3 without the extra rows
    assert any("ignored" in note for note in data["notes"])


def test_no_overlap_at_all_is_e601(tmp_path):
    path = write_table(tmp_path / "apart.csv", ["a", "b"], [["x", None], [None, "y"]])
    result = agree(path, "--json")
    assert result.exit_code == 1 and "[E601]" in result.stderr


# -- the disagreement workbook ------------------------------------------------------------------

def test_table_disagreements_written_and_read_back(tmp_path):
    out = tmp_path / "out" / "d.xlsx"
    result = agree(FIXTURES / "tv_alpha3.csv", "--disagreements", out)
    assert result.exit_code == 0 and out.is_file()
    rows = [list(r) for r in openpyxl.load_workbook(out)["分歧 Disagreements"]
            .iter_rows(values_only=True)]
    assert [r[0] for r in rows[1:]] == ["u01", "u03", "u06", "u08"]
    assert rows[0][5:] == ["c1 的编码 Codes by c1", "c2 的编码 Codes by c2",
                           "争议编码 Codes in dispute"]
    assert rows[1][5:] == ["1", "0", "0\n1"]


# -- study mode ----------------------------------------------------------------------------------

@pytest.fixture(scope="module")
def study_dir(tmp_path_factory):
    path = tmp_path_factory.mktemp("cli-agree") / "study"
    build_study(path).close()
    return path


STUDY_CASES = [  # unit, level, (percent, kappa, alpha) pooled, worked out by hand
    ("segment", "concept", (7 / 9, 0.5, 38 / 72)),
    ("segment", "category", (5 / 6, 2 / 3, 24 / 35)),
    ("document", "concept", (2 / 3, 0.25, 0.3125)),
    ("document", "category", (0.5, -1 / 3, -1 / 6)),
    ("character", "concept", (0.75, 1 / 3, None)),
    ("character", "category", (0.75, 0.4, None)),
]


@pytest.mark.parametrize(("unit", "level", "expected"), STUDY_CASES)
def test_study_mode_known_answers(study_dir, unit, level, expected):
    data = agree_json(study_dir, "--coders", "ann,ben", "--unit", unit, "--level", level)
    assert (data["mode"], data["unit"], data["code_level"]) == ("study", unit, level)
    assert data["overall_method"] == "pooled" and data["per_code"]
    assert set(data["overall"]) == {"pooled", "unweighted_mean", "weighted_mean"}
    got = (data["percent_agreement"], data["cohen_kappa"], data["krippendorff_alpha"])
    assert got == pytest.approx(expected)


def test_study_mode_with_the_rule_coder(study_dir):
    data = agree_json(study_dir, "--coders", "ann,ben,gtcode-rules")
    assert data["n_coders"] == 3 and data["cohen_kappa"] is None
    assert data["units_per_coder"] == {"ann": 4, "ben": 4, "gtcode-rules": 5}
    assert data["fleiss_kappa"] is not None and data["krippendorff_alpha"] is not None
    pair = agree_json(study_dir, "--coders", "gtcode-rules,ann", "--overall", "unweighted_mean")
    assert pair["overall_method"] == "unweighted_mean"
    assert pair["krippendorff_alpha"] == pair["overall"]["unweighted_mean"]["krippendorff_alpha"]


def test_study_mode_all_units_and_min_alpha(study_dir):
    seen = agree_json(study_dir, "--coders", "ann,ben", "--all-units")
    assert seen["n_pairable_units"] == 5
    failed = agree(study_dir, "--coders", "ann,ben", "--min-alpha", "0.6")
    assert failed.exit_code == 1 and "[E603]" in failed.stderr
    assert agree(study_dir, "--coders", "ann,ben", "--min-alpha", "0.5").exit_code == 0


def test_study_mode_errors(study_dir):
    assert agree(study_dir).exit_code == 2  # --coders is required
    unknown = agree(study_dir, "--coders", "ann,zoe")
    assert unknown.exit_code == 1 and "[E306]" in unknown.stderr
    apart = agree(study_dir, "--coders", "ann,dan")
    assert apart.exit_code == 1 and "[E601]" in apart.stderr
    three = agree(study_dir, "--coders", "ann,ben,dan", "--unit", "character")
    assert three.exit_code == 1 and "[E112]" in three.stderr


def test_study_disagreements_written_and_read_back(study_dir, tmp_path):
    out = tmp_path / "study-d.xlsx"
    result = agree(study_dir, "--coders", "ann,ben", "--disagreements", out, "--unit", "document")
    assert result.exit_code == 0
    rows = [list(r) for r in openpyxl.load_workbook(out)["分歧 Disagreements"]
            .iter_rows(values_only=True)]
    # S01#4 and S02#2 were seen by one coder only: not disagreements.
    assert [r[:5] for r in rows[1:]] == [
        ["S01#2", "S01", "C1", "答", "答：天天都在跑项目。"],
        ["S01#3", "S01", "C1", "答", "=A1+1工资太低。"],
    ]
    assert rows[2][5:] == ["res.b 争资金", "（无编码 no code）", "res.b 争资金"]


# -- sheet mode ----------------------------------------------------------------------------------

def write_sheet(path: Path, rows: list[list[str]]) -> Path:
    headings = {k: h for k, h, _w in COLUMNS}
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([headings["segment"], headings["text"], headings["codes"],
                         headings["decision"]])
        writer.writerows([[*row, "" if row[2] else "无编码 none"] for row in rows])
    return path


def test_sheet_mode(tmp_path):
    ann = write_sheet(tmp_path / "ann.csv", [["S01#2", "t", "res.a"], ["S01#3", "t", "res.b"],
                                             ["S01#4", "t", "eco.a"], ["S02#1", "t", "res.b"]])
    ben = write_sheet(tmp_path / "ben.csv", [["S01#2", "t", "res.a; res.b"], ["S01#3", "t", ""],
                                             ["S02#1", "t", "res.b"], ["S02#2", "t", "eco.a"]])
    data = agree_json(ann, ben)
    assert (data["mode"], data["coders"]) == ("sheets", ["ann", "ben"])
    got = (data["percent_agreement"], data["cohen_kappa"], data["krippendorff_alpha"])
    assert got == pytest.approx((7 / 9, 0.5, 38 / 72))  # as the study: same decisions
    single = agree(ann)
    assert single.exit_code == 2 and "sheet" in single.stderr
    named = agree(ann, ben, "--coders", "[甲],乙")  # names are text, never rich markup
    assert named.exit_code == 0 and "[甲], 乙" in named.stdout


def test_study_rich_output(study_dir):
    result = agree(study_dir, "--coders", "ann,ben")
    assert result.exit_code == 0
    for text in ("Per code", "res.b 争资金", "unweighted_mean", "0.5278",
                 "Krippendorff's alpha (nominal) [pooled]"):
        assert text in result.stdout
    assert "they decided" in result.stderr and "they decided" not in result.stdout


def test_tab_separated_table(tmp_path):
    path = tmp_path / "t.tsv"
    rows = (FIXTURES / "tv_alpha3.csv").read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join(r.replace(",", "\t") for r in rows) + "\n", encoding="utf-8")
    assert close(agree_json(path)["krippendorff_alpha"], "0.0952")
