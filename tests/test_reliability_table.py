"""Reading reliability-data CSV tables: encodings, delimiters and malformed files."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtcode.errors import GtcodeError
from gtcode.reliability import (
    agreement_report,
    parse_reliability_csv,
    read_reliability_csv,
    report_from_csv,
)

FIXTURES = Path(__file__).parent / "fixtures" / "reliability"
CHINESE = [("压力", "压力"), ("支持", "压力"), ("支持", "支持"), ("压力", None), ("支持", "支持")]


@pytest.mark.parametrize(
    ("name", "encoding"),
    [("chinese_gb18030.csv", "gb18030"), ("chinese_utf8_bom.csv", "utf-8-sig")],
)
def test_chinese_tables_decode(name: str, encoding: str) -> None:
    table = read_reliability_csv(FIXTURES / name)
    assert table.encoding == encoding
    assert table.coders == ("编码员甲", "编码员乙")
    assert not table.has_unit_column
    assert table.units == ("1", "2", "3", "4", "5")
    assert list(table.matrix) == CHINESE


def test_plain_utf8_without_bom(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("unit,甲,乙\nu1,是,是\nu2,否,是\n".encode())
    table = read_reliability_csv(path)
    assert table.encoding == "utf-8" and table.units == ("u1", "u2")


def test_utf16_with_bom(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes("ann\tben\na\ta\nb\ta\n".encode("utf-16"))
    table = read_reliability_csv(path)
    assert table.encoding == "utf-16" and table.delimiter == "\t"
    assert table.matrix == (("a", "a"), ("b", "a"))


@pytest.mark.parametrize("delimiter", [";", "\t", ","])
def test_delimiter_is_detected(delimiter: str) -> None:
    text = (
        delimiter.join(["Unit", "ann", "ben"]) + "\n" + delimiter.join(["u1", "a, b", "c"]) + "\n"
    )
    if delimiter == ",":
        text = 'Unit,ann,ben\nu1,"a, b",c\n'
    table = parse_reliability_csv(text)
    assert table.delimiter == delimiter
    assert table.has_unit_column and table.matrix == (("a, b", "c"),)


def test_cells_are_stripped_and_blank_lines_skipped() -> None:
    table = parse_reliability_csv("ann , ben\n a ,  \n\n b,b\n,\n")
    assert table.coders == ("ann", "ben")
    assert table.matrix == (("a", None), ("b", "b"))


@pytest.mark.parametrize(
    ("name", "where"),
    [("bad_row_length.csv", "row 3"), ("one_coder.csv", "row 1"), ("no_units.csv", None)],
)
def test_malformed_fixture_files_name_file_and_row(name: str, where: str | None) -> None:
    with pytest.raises(GtcodeError) as err:
        read_reliability_csv(FIXTURES / name)
    assert err.value.code == "E602"
    assert err.value.file is not None and err.value.file.endswith(name)
    assert err.value.where == where


@pytest.mark.parametrize(
    ("text", "where"),
    [
        ("", None),
        ("\n\n", None),
        ("unit,ann,ann\nu1,a,a\n", "row 1"),
        ("unit,ann,\nu1,a,a\n", "row 1"),
        ("unit,ann,ben\nu1,a,a\nu1,b,b\n", "row 3"),
        ("unit,ann,ben\n,a,a\n", "row 2"),
        ("ann,ben\na,a,a\n", "row 2"),
    ],
)
def test_malformed_text_raises_e602(text: str, where: str | None) -> None:
    with pytest.raises(GtcodeError) as err:
        parse_reliability_csv(text, file="t.csv")
    assert err.value.code == "E602"
    assert err.value.where == where


def test_missing_and_binary_files(tmp_path: Path) -> None:
    with pytest.raises(GtcodeError) as err:
        read_reliability_csv(tmp_path / "absent.csv")
    assert err.value.code == "E101"
    binary = tmp_path / "sheet.xlsx"
    binary.write_bytes(b"PK\x03\x04\x00\x00binary")
    with pytest.raises(GtcodeError) as err:
        read_reliability_csv(binary)
    assert err.value.code == "E106"


def test_undecodable_file_raises_e104(tmp_path: Path) -> None:
    path = tmp_path / "t.csv"
    path.write_bytes(b"ann,ben\n\xff\xff,\x81\n")
    with pytest.raises(GtcodeError) as err:
        read_reliability_csv(path)
    assert err.value.code == "E104"


def test_report_from_chinese_csv() -> None:
    report = report_from_csv(FIXTURES / "chinese_gb18030.csv")
    # 4 co-coded units, 3 agreements; categories pooled 4 x 压力 + 4 x 支持 of 8 values.
    assert report.n_units == 5 and report.n_pairable_units == 4
    assert report.percent_agreement == pytest.approx(0.75)
    assert report.cohen_kappa is not None and report.cohen_kappa.value == pytest.approx(0.5)
    table = read_reliability_csv(FIXTURES / "chinese_gb18030.csv")
    assert agreement_report(table.matrix, table.coders).to_dict() == report.to_dict()
