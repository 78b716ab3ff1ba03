"""NVivo spreadsheets: the classification sheet and the matrix-coding layout."""

from __future__ import annotations

import openpyxl
import pytest

from gtcode.errors import GtcodeError
from gtcode.exports.nvivo import matrix_coding, write_classification, write_matrix
from refi_helpers import build_study


@pytest.fixture(scope="module")
def study(tmp_path_factory):
    built = build_study(tmp_path_factory.mktemp("nvivo"))
    yield built
    built.close()


def test_classification_sheet_xlsx(study, tmp_path):
    path = tmp_path / "cases.xlsx"
    assert write_classification(study, path, classification="受访者") == 3
    sheet = openpyxl.load_workbook(path).active
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    assert sheet.title == "受访者"
    assert rows == [["受访者", "年龄", "性别", "党员", "入职", "得分"],
                    ["S01", 45, "女", "true", "2001-09-01", 3.5],
                    ["S02", 38, "男", "false", None, -0.25],
                    ["E01", None, "=cmd", None, "2010-01-31", 12]]
    assert sheet["C4"].data_type == "s"  # "=cmd" is text, never a formula
    again = tmp_path / "again.xlsx"
    write_classification(study, again, classification="受访者")
    assert again.read_bytes() == path.read_bytes()


def test_classification_sheet_csv_is_utf8_without_bom(study, tmp_path):
    path = tmp_path / "cases.csv"
    write_classification(study, path)
    data = path.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    assert data.decode("utf-8") == ("Person,年龄,性别,党员,入职,得分\n"
                                    "S01,45,女,true,2001-09-01,3.5\n"
                                    "S02,38,男,false,,-0.25\n"
                                    "E01,,=cmd,,2010-01-31,12\n")  # verbatim by default
    write_classification(study, path, excel_safe=True)
    assert path.read_text(encoding="utf-8").endswith("E01,,'=cmd,,2010-01-31,12\n")


@pytest.mark.parametrize(("cell", "expected"), [
    ("references", [[1, 1], [1, 1], [1, 0]]),
    ("presence", [[1, 1], [1, 1], [1, 0]]),
    ("words", [[12, 10], [15, 10], [5, 0]]),
    ("row_pct", [[50.0, 50.0], [50.0, 50.0], [100.0, 0.0]]),
    ("col_pct", [[33.33, 50.0], [33.33, 50.0], [33.33, 0.0]]),
])
def test_matrix_by_case(study, cell, expected):
    # S02's rejected suggestion does not count; carol's coding spans two turns and
    # counts once, at its own span (15 words: both turns' text it covers)
    frame = matrix_coding(study, rows="case", cell=cell, level="category")
    assert list(frame.index) == ["S01", "S02", "E01"]
    assert list(frame.columns) == ["resource", "social"]
    assert frame.to_numpy().tolist() == expected
    assert frame.attrs["labels"] == {"resource": "资源压力", "social": "人情压力"}


def test_matrix_by_attribute_and_concept_level(study):
    frame = matrix_coding(study, rows="性别", cell="references", level="category")
    assert list(frame.index) == ["女", "男", "=cmd"]
    assert frame.to_numpy().tolist() == [[1, 1], [1, 1], [1, 0]]
    concepts = matrix_coding(study, level="concept")
    assert concepts.loc["S01", "resource.funding.gap"] == 1
    assert concepts.loc["S02", "social.favour"] == 1


def test_matrix_files_read_back(study, tmp_path):
    write_matrix(study, tmp_path / "m.csv", level="concept", cell="presence")
    lines = (tmp_path / "m.csv").read_text(encoding="utf-8").splitlines()
    assert lines[0] == "case,资源压力,经费短缺,缺钱 😀,人情往来 𠀀"  # carol coded 经费短缺
    assert lines[1:] == ["S01,1,0,1,1", "S02,0,1,0,1", "E01,0,0,1,0"]
    write_matrix(study, tmp_path / "m.xlsx", cell="row_pct")
    rows = [[c.value for c in r] for r in openpyxl.load_workbook(tmp_path / "m.xlsx").active
            .iter_rows()]
    assert rows == [["case", "资源压力", "人情压力"], ["S01", 50, 50], ["S02", 50, 50],
                    ["E01", 100, 0]]


def test_bad_options_are_refused(study, tmp_path):
    with pytest.raises(GtcodeError) as error:
        matrix_coding(study, cell="colour")
    assert error.value.code == "E112"
    with pytest.raises(GtcodeError) as error:
        matrix_coding(study, rows="no such attribute")
    assert error.value.code == "E306"
    with pytest.raises(GtcodeError) as error:
        write_classification(study, tmp_path / "x.ods")
    assert error.value.code == "E112"
