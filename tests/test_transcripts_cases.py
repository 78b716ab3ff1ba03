"""Case sheets: NVivo classification layout, type inference, errors, matching to sources."""

from __future__ import annotations

import datetime as dt

import pytest

from gtcode.errors import GtcodeError
from gtcode.transcripts.cases import infer_type, match_cases, read_cases


def write(tmp_path, name, text, encoding="utf-8"):
    path = tmp_path / name
    path.write_bytes(text.encode(encoding))
    return path


def error(path) -> GtcodeError:
    with pytest.raises(GtcodeError) as info:
        read_cases(path)
    return info.value


NVIVO = (",gender,age,amount,married,interviewed,note\n"
         "S01,男,56,38.5,是,2023-05-12,村支书\n"
         "S02,女,50,62,否,2023/5/16,\n"
         "S03,男,,45.80,是,2023年5月19日,副镇长\n")


def test_nvivo_layout_with_empty_first_header_and_inferred_types(tmp_path):
    table = read_cases(write(tmp_path, "cases.csv", NVIVO))
    assert table.names == ["S01", "S02", "S03"] and table.case_header == ""
    assert table.attribute_types == {"gender": "text", "age": "integer", "amount": "float",
                                     "married": "boolean", "interviewed": "date", "note": "text"}
    first, second, third = table.rows
    assert first.row == 2 and first.file is None
    assert second.attributes == {"gender": "女", "age": "50", "amount": "62", "married": "false",
                                 "interviewed": "2023-05-16", "note": None}
    assert third.typed() == {"gender": "男", "age": None, "amount": 45.8, "married": True,
                             "interviewed": dt.date(2023, 5, 19), "note": "副镇长"}


def test_classification_name_as_first_header_and_gbk(tmp_path):
    text = "受访者分类,性别\n张某某,男\n李某,女\n"
    table = read_cases(write(tmp_path, "cases.csv", text, "gbk"))
    assert table.case_header == "受访者分类" and table.names == ["张某某", "李某"]


def test_xlsx_with_real_dates_numbers_and_booleans(tmp_path):
    import openpyxl

    book = openpyxl.Workbook()
    for row in [["Person", "file", "age", "since", "pilot"],
                ["Wang", "S01.txt", 56, dt.datetime(2008, 3, 1), True],
                [None, None, None, None, None],
                ["Li", "S02.txt", 50.0, dt.datetime(2010, 1, 2), False]]:
        book.active.append(row)
    book.save(tmp_path / "cases.xlsx")
    table = read_cases(tmp_path / "cases.xlsx")
    assert table.file_header == "file"
    assert table.attribute_types == {"age": "integer", "since": "date", "pilot": "boolean"}
    assert [(r.name, r.row, r.file) for r in table.rows] == [("Wang", 2, "S01.txt"),
                                                             ("Li", 4, "S02.txt")]
    assert table.rows[1].attributes == {"age": "50", "since": "2010-01-02", "pilot": "false"}


@pytest.mark.parametrize("values,kind", [
    (["1", "2", ""], "integer"), (["1", "2.5"], "float"), (["007", "8"], "text"),
    (["yes", "No"], "boolean"), (["2023-01-02", "2023/1/3"], "date"), (["2023-02-30"], "text"),
    ([""], "text"), (["1", "x"], "text"), (["-3", "+4"], "integer"), (["1e3"], "float"),
])
def test_type_inference(values, kind):
    assert infer_type(values) == kind


# -- errors ---------------------------------------------------------------------------

def test_duplicate_and_empty_case_names_are_reported_together_with_rows(tmp_path):
    exc = error(write(tmp_path, "c.csv", "case,age\nS01,1\n,2\nS01,3\n"))
    assert exc.code == "E111" and exc.file.endswith("c.csv")
    assert exc.problems == ["row 3: the case name (column 1, 'case') is empty",
                            "row 4: case 'S01' already appears in row 2"]


def test_duplicate_column_headers_are_E111(tmp_path):
    exc = error(write(tmp_path, "c.csv", "case,age,Age\nS01,1,2\n"))
    assert exc.code == "E111" and "row 1" in exc.problems[0] and "'Age'" in exc.problems[0]


def test_values_without_header_are_E111(tmp_path):
    exc = error(write(tmp_path, "c.csv", "case,age,\nS01,1,x\n"))
    assert exc.code == "E111" and "column 3" in exc.problems[0]


@pytest.mark.parametrize("text", ["case,age\n", "", "\n\n"])
def test_no_rows_is_E111(tmp_path, text):
    assert error(write(tmp_path, "c.csv", text)).code == "E111"


def test_unsupported_case_file_is_E102(tmp_path):
    assert error(write(tmp_path, "c.txt", "case\nS01\n")).code == "E102"


# -- matching -------------------------------------------------------------------------------

def test_match_by_file_column_with_or_without_extension(tmp_path):
    table = read_cases(write(tmp_path, "c.csv", "case,file\n王某,S01.txt\n李某,S02\n赵某,S99.txt\n"))
    match = match_cases(table, ["S01.txt", "S02.docx", "S03.txt"])
    assert match == {"S01.txt": "王某", "S02.docx": "李某"}
    assert match.mapping == dict(match)
    assert match.unmatched_cases == ["赵某"] and match.unmatched_sources == ["S03.txt"]
    assert len(match.warnings) == 2


def test_match_by_stem_when_there_is_no_file_column(tmp_path):
    table = read_cases(write(tmp_path, "c.csv", NVIVO))
    match = match_cases(table, ["S01.txt", "S02.docx", "S03.md"])
    assert match == {"S01.txt": "S01", "S02.docx": "S02", "S03.md": "S03"}
    assert match.unmatched_cases == [] and match.warnings == []


def test_no_match_at_all_is_E111_listing_names(tmp_path):
    table = read_cases(write(tmp_path, "c.csv", NVIVO))
    with pytest.raises(GtcodeError) as info:
        match_cases(table, ["A.txt", "B.txt"])
    assert info.value.code == "E111" and "S01" in info.value.message
    assert "A.txt" in info.value.message and info.value.file.endswith("c.csv")


@pytest.mark.parametrize("header, names", [
    ("file,case_id,gender", ["P01", "P02"]),          # the natural sheet: names from case_id
    ("gender,受访者编号,文件", ["P01", "P02"]),        # any order, Chinese headers
    ("source,Case ID,gender", ["P01", "P02"]),
    ("文件,编号,gender", ["P01", "P02"]),
    ("file,name,gender", ["P01", "P02"]),              # after a file column, name names the case
])
def test_the_case_column_is_found_by_its_header(tmp_path, header, names):
    cols = header.split(",")
    values = {"file": ["zh01.txt", "zh02.txt"], "gender": ["男", "女"]}
    rows = []
    for i in range(2):
        row = []
        for c in cols:
            key = "gender" if c == "gender" else ("file" if c in ("file", "文件", "source")
                                                   else "case")
            row.append(values[key][i] if key != "case" else f"P0{i + 1}")
        rows.append(",".join(row))
    table = read_cases(write(tmp_path, "c.csv", header + "\n" + "\n".join(rows) + "\n"))
    assert table.names == names
    assert [r.file for r in table.rows] == ["zh01.txt", "zh02.txt"]
    assert list(table.attribute_types) == ["gender"]
    assert match_cases(table, ["zh01.txt", "zh02.txt"]) == {"zh01.txt": "P01",
                                                            "zh02.txt": "P02"}


def test_a_file_column_alone_names_each_case_after_its_file(tmp_path):
    table = read_cases(write(tmp_path, "c.csv", "file,gender\nS01.txt,男\nS02.docx,女\n"))
    assert table.names == ["S01", "S02"] and table.file_header == "file"
    assert table.rows[1].attributes == {"gender": "女"}


@pytest.mark.parametrize("text, why", [
    ("case,编号,gender\nA,1,男\n", "'case' (column 1) and '编号' (column 2) could both name"),
    ("case,file,source\nA,a.txt,a.txt\n", "could both be the file column"),
    (",case,gender\nA,B,男\n", "the first column has no header"),
    ("file,name,id\na.txt,A,1\n", "'name' (column 2) and 'id' (column 3)"),
])
def test_ambiguous_sheets_are_refused_showing_the_layouts(tmp_path, text, why):
    exc = error(write(tmp_path, "c.csv", text))
    assert exc.code == "E111" and exc.where == "row 1" and why in exc.message
    assert "accepted layouts" in exc.hint and "NVivo" in exc.hint
