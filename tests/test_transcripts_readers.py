"""Reading transcripts: formats, encodings, normalisation and every error path."""

from __future__ import annotations

import codecs
import hashlib
import io
import zipfile

import pytest

from gtcode.errors import GtcodeError
from gtcode.transcripts import readers
from gtcode.transcripts.readers import read_transcript, to_simplified

ZH = ("问：您好，请您先简单介绍一下自己的工作经历。\n"
      "答：我是九二年参加工作的，先在乡政府当办事员，后来调到县里。那时候工资很低，"
      "家里老人生病，孩子上学，到处都要花钱。\n")
SECRET = "秘密"


def write(tmp_path, name, data):
    path = tmp_path / name
    path.write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))
    return path


def error(path, **kwargs) -> GtcodeError:
    with pytest.raises(GtcodeError) as info:
        read_transcript(path, **kwargs)
    return info.value


# -- encodings ---------------------------------------------------------------------

def test_utf8(tmp_path):
    doc = read_transcript(write(tmp_path, "a.txt", ZH))
    assert doc.text == ZH and doc.encoding == "utf-8"
    assert doc.name == "a.txt" and doc.kind == "txt" and doc.turns is None


def test_utf8_with_bom_is_stripped(tmp_path):
    doc = read_transcript(write(tmp_path, "a.txt", codecs.BOM_UTF8 + ZH.encode()))
    assert doc.text == ZH and doc.encoding == "utf-8-sig"


def test_gbk_is_detected_as_gb18030(tmp_path):
    doc = read_transcript(write(tmp_path, "a.txt", ZH.encode("gbk")))
    assert doc.text == ZH and doc.encoding == "gb18030"


def test_gb18030_with_four_byte_characters(tmp_path):
    text = ZH + "答：这个字𠀀在扩展区，㐀也是，还有欧元€和表情😀。\n"
    raw = text.encode("gb18030")
    assert b"\x95\x32\x82\x36" in raw  # U+20000 is a four-byte sequence
    doc = read_transcript(write(tmp_path, "a.txt", raw))
    assert doc.text == text and doc.encoding == "gb18030"


def test_big5_is_detected(tmp_path):
    text = ("問：您好，請您先簡單介紹一下自己的工作經歷。\n"
            "答：我是九二年參加工作的，先在鄉政府當辦事員，後來調到縣裡。\n")
    doc = read_transcript(write(tmp_path, "a.txt", text.encode("big5")))
    assert doc.text == text and doc.encoding == "cp950"


def test_big5_and_gbk_of_the_same_text_are_not_confused(tmp_path):
    text = "答：我們那時候的工資很低，家裡老人生病，孩子上學，到處都要花錢。\n"
    as_gbk = read_transcript(write(tmp_path, "g.txt", text.encode("gbk")))
    as_big5 = read_transcript(write(tmp_path, "b.txt", text.encode("big5")))
    assert as_gbk.text == as_big5.text == text
    assert (as_gbk.encoding, as_big5.encoding) == ("gb18030", "cp950")


@pytest.mark.parametrize("codec,bom", [("utf-16-le", codecs.BOM_UTF16_LE),
                                       ("utf-16-be", codecs.BOM_UTF16_BE),
                                       ("utf-32-le", codecs.BOM_UTF32_LE)])
def test_utf16_and_utf32_with_bom(tmp_path, codec, bom):
    doc = read_transcript(write(tmp_path, "a.txt", bom + ZH.encode(codec)))
    assert doc.text == ZH and doc.encoding == codec


@pytest.mark.parametrize("codec", ["utf-16-le", "utf-16-be"])
def test_utf16_without_bom_by_nul_pattern(tmp_path, codec):
    text = ZH + "一下，Q: 12 items\n"  # 一 is U+4E00: a NUL on the "wrong" side
    doc = read_transcript(write(tmp_path, "a.txt", text.encode(codec)))
    assert doc.text == text and doc.encoding == codec


def test_cp1252_english(tmp_path):
    text = "Interviewer: \u201cHello\u201d \u2014 caf\u00e9?\nRespondent: It\u2019s fine.\n"
    doc = read_transcript(write(tmp_path, "a.txt", text.encode("cp1252")))
    assert doc.text == text


def test_crlf_and_cr_become_lf(tmp_path):
    doc = read_transcript(write(tmp_path, "a.txt", "问：一\r\n答：二\r问：三\n".encode()))
    assert doc.text == "问：一\n答：二\n问：三\n"


def test_encoding_override(tmp_path):
    doc = read_transcript(write(tmp_path, "a.txt", "问：你好".encode("gbk")), encoding="gbk")
    assert doc.text == "问：你好" and doc.encoding == "gbk"


def test_raw_hash_is_sha256_of_bytes(tmp_path):
    raw = ZH.encode("gbk")
    assert read_transcript(write(tmp_path, "a.txt", raw)).raw_hash == \
        hashlib.sha256(raw).hexdigest()


def test_markdown_is_read_as_text(tmp_path):
    doc = read_transcript(write(tmp_path, "a.md", "# 标题\n\n**问**：你好"))
    assert doc.kind == "md" and doc.text == "# 标题\n\n**问**：你好"


# -- normalisation ------------------------------------------------------------------

def test_normalisation_nfc_controls_and_bom_inside(tmp_path):
    raw = "cafe\u0301\x07\t答\ufeff：好\x0b下一行\x00".encode("utf-8")
    doc = read_transcript(write(tmp_path, "a.txt", raw), encoding="utf-8")
    assert doc.text == "caf\u00e9\t答：好\n下一行"


def test_t2s_keeps_offsets(tmp_path):
    text = "問：這裡的幹部怎麼說？\n答：後來乾脆不說了，臺灣的朋友也這樣。\n"
    doc = read_transcript(write(tmp_path, "a.txt", text), t2s=True)
    assert len(doc.text) == len(text)
    assert doc.text == "问：这里的干部怎么说？\n答：后来干脆不说了，台湾的朋友也这样。\n"
    assert [i for i, ch in enumerate(text) if ch in "：\n？，。"] == \
        [i for i, ch in enumerate(doc.text) if ch in "：\n？，。"]


def test_t2s_falls_back_to_characters_when_a_phrase_changes_length(monkeypatch):
    class Stub:
        """``說這裡`` → ``说这`` as a phrase (shorter); ``X`` alone → ``XY`` (longer)."""

        def convert(self, text):
            if len(text) == 1:
                return {"說": "说", "裡": "里", "X": "XY"}.get(text, text)
            return text.replace("說這裡", "说这").replace("說", "说")

    monkeypatch.setattr(readers, "_t2s", lambda: Stub())
    # line 1 falls back to single characters (這 has no single conversion here);
    # line 2 converts as a phrase; a character converting to two is kept.
    assert to_simplified("他說這裡好\n好說\nX說這裡") == "他说這里好\n好说\nX说這里"


def test_t2s_on_a_turn_table_keeps_turn_spans(tmp_path):
    path = write(tmp_path, "t.csv", "說話人,內容\n問,這裡怎麼樣？\n受訪者,還行\n")
    doc = read_transcript(path, t2s=True)
    assert [doc.text[t.start:t.end] for t in doc.turns] == ["这里怎么样？", "还行"]
    assert [t.speaker for t in doc.turns] == ["问", "受访者"]


# -- .docx ---------------------------------------------------------------------------

def make_docx(path):
    import docx

    document = docx.Document()
    document.add_paragraph("访谈记录")
    table = document.add_table(rows=3, cols=2)
    for row, (key, value) in enumerate([("访谈编号", "S08"), ("访谈日期", "2023年6月3日"),
                                        ("合并", "")]):
        table.cell(row, 0).text = key
        table.cell(row, 1).text = value
    table.cell(2, 0).merge(table.cell(2, 1))
    document.add_paragraph("问：您好？")
    paragraph = document.add_paragraph("答：好的。")
    paragraph.add_run().add_break()
    paragraph.add_run("第二行")
    document.add_paragraph("")
    document.add_paragraph("继续说。")
    document.save(path)
    return path


def test_docx_paragraphs_and_tables_in_body_order(tmp_path):
    doc = read_transcript(make_docx(tmp_path / "a.docx"))
    assert doc.text.split("\n") == ["访谈记录", "访谈编号\tS08", "访谈日期\t2023年6月3日", "合并",
                                    "问：您好？", "答：好的。", "第二行", "", "继续说。"]
    assert doc.kind == "docx" and doc.encoding is None


def test_truncated_docx_is_E107(tmp_path):
    raw = make_docx(tmp_path / "a.docx").read_bytes()
    assert error(write(tmp_path, "b.docx", raw[: len(raw) // 2])).code == "E107"


def test_zip_without_a_document_is_E107(tmp_path):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("hello.txt", "x")
    assert error(write(tmp_path, "a.docx", buffer.getvalue())).code == "E107"


def test_docx_unpacking_too_large_is_E110(tmp_path):
    path = make_docx(tmp_path / "a.docx")
    assert error(path, max_bytes=path.stat().st_size + 10).code == "E110"


# -- turn tables: .csv and .xlsx --------------------------------------------------------

def test_csv_turn_table_with_chinese_headers(tmp_path):
    raw = "时间,说话人,内容\n00:01,访谈者,您好？\n00:05,受访者,\"好的, 我说\"\n,,\n00:09,受访者, 第二句 \n"
    doc = read_transcript(write(tmp_path, "t.csv", raw))
    assert doc.text == "访谈者：您好？\n受访者：好的, 我说\n受访者：第二句"
    assert [(t.speaker, doc.text[t.start:t.end], t.line, t.time) for t in doc.turns] == [
        ("访谈者", "您好？", 1, "00:01"), ("受访者", "好的, 我说", 2, "00:05"),
        ("受访者", "第二句", 3, "00:09")]


def test_csv_in_gbk_with_semicolons(tmp_path):
    raw = "发言人;发言内容\n问;你们那时候的工资有多少？\n答;很低，一个月才几百块钱。\n".encode("gbk")
    doc = read_transcript(write(tmp_path, "t.csv", raw))
    assert [doc.text[t.start:t.end] for t in doc.turns] == ["你们那时候的工资有多少？",
                                                          "很低，一个月才几百块钱。"]


def make_xlsx(path, rows):
    import openpyxl

    book = openpyxl.Workbook()
    for row in rows:
        book.active.append(row)
    book.save(path)
    return path


def test_xlsx_turn_table_with_english_headers(tmp_path):
    path = make_xlsx(tmp_path / "t.xlsx", [["Speaker", "Text"], ["Interviewer", "Why?"],
                                           [None, None], ["Respondent", "Because\nof money."],
                                           [None, "And debts."]])
    doc = read_transcript(path)
    assert doc.text == "Interviewer：Why?\nRespondent：Because of money.\nRespondent：And debts."
    assert [(t.speaker, doc.text[t.start:t.end], t.line) for t in doc.turns] == [
        ("Interviewer", "Why?", 1), ("Respondent", "Because of money.", 2),
        ("Respondent", "And debts.", 3)]


def test_table_without_speaker_or_text_column_is_E109(tmp_path):
    exc = error(write(tmp_path, "t.csv", "who said,what\nA,b\n"))
    assert exc.code == "E109" and exc.where == "row 1"


def test_truncated_xlsx_is_E107(tmp_path):
    raw = make_xlsx(tmp_path / "t.xlsx", [["speaker", "text"], ["A", "b"]]).read_bytes()
    assert error(write(tmp_path, "u.xlsx", raw[:200])).code == "E107"


def test_table_with_header_only_is_E105(tmp_path):
    assert error(write(tmp_path, "t.csv", "speaker,text\n")).code == "E105"


# -- errors --------------------------------------------------------------------------

def test_missing_file_is_E101(tmp_path):
    assert error(tmp_path / "nope.txt").code == "E101"


def test_unknown_extension_is_E102_listing_supported(tmp_path):
    exc = error(write(tmp_path, "a.rtf", "x"))
    assert exc.code == "E102" and ".docx" in exc.hint and ".xlsx" in exc.hint


def test_short_gbk_is_E103_suggesting_gb18030(tmp_path):
    exc = error(write(tmp_path, "a.txt", "问：你好".encode("gbk")))
    assert exc.code == "E103" and "--encoding gb18030" in exc.hint and "a.txt" in str(exc)


def test_mixed_encodings_are_E103(tmp_path):
    raw = ZH.encode("utf-8") + ZH.encode("gbk")
    assert error(write(tmp_path, "a.txt", raw)).code == "E103"


def test_utf8_with_one_stray_byte_is_E103(tmp_path):
    assert error(write(tmp_path, "a.txt", ZH.encode() + b"\xff\n")).code == "E103"


def test_bytes_that_do_not_decode_with_given_encoding_are_E104(tmp_path):
    raw = b"Q: one\nA: two\n" + f"{SECRET}：三".encode("gbk")
    exc = error(write(tmp_path, "a.txt", raw), encoding="utf-8")
    assert exc.code == "E104" and exc.where == "line 3" and "offset 14" in exc.message
    assert SECRET not in str(exc)


def test_bom_followed_by_bad_utf8_is_E104(tmp_path):
    exc = error(write(tmp_path, "a.txt", codecs.BOM_UTF8 + ZH.encode("gbk")))
    assert exc.code == "E104"


def test_truncated_gbk_is_E104_naming_the_line(tmp_path):
    exc = error(write(tmp_path, "a.txt", (ZH + "答：好").encode("gbk")[:-1]))
    assert exc.code == "E104" and exc.where == "line 3"


def test_image_is_E106(tmp_path):
    assert error(write(tmp_path, "a.txt", b"\x89PNG\r\n\x1a\n" + bytes(50))).code == "E106"


def test_nul_bytes_that_are_not_utf16_are_E106(tmp_path):
    assert error(write(tmp_path, "a.txt", b"abc\x00\x00\x00\x01\x02" * 20)).code == "E106"


def test_control_characters_are_E106(tmp_path):
    assert error(write(tmp_path, "a.txt", b"\x01\x02\x03\x04abc\x05\x06" * 5)).code == "E106"


@pytest.mark.parametrize("raw", [b"", b" \n\t\r\n", codecs.BOM_UTF8, "\u3000\n".encode()])
def test_empty_or_whitespace_is_E105(tmp_path, raw):
    assert error(write(tmp_path, "a.txt", raw)).code == "E105"


def test_too_large_is_E110(tmp_path):
    assert error(write(tmp_path, "a.txt", ZH), max_bytes=10).code == "E110"


def test_invalid_encoding_name_is_E112(tmp_path):
    assert error(write(tmp_path, "a.txt", ZH), encoding="no-such-codec").code == "E112"


def test_errors_never_quote_the_transcript(tmp_path):
    raw = f"问：{SECRET}".encode("gbk")
    for kwargs in ({}, {"encoding": "utf-8"}):
        assert SECRET not in str(error(write(tmp_path, "a.txt", raw), **kwargs))
