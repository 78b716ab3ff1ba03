"""Speaker-turn, paragraph and sentence segmentation."""

from __future__ import annotations

import csv
from pathlib import Path

import pytest

from gtcode.errors import GtcodeError
from gtcode.transcripts.model import Document, Turn
from gtcode.transcripts.readers import read_transcript
from gtcode.transcripts.segment import segment_document

SAMPLE = Path(__file__).resolve().parent.parent / "data" / "sample"


def doc_of(text: str, turns=None) -> Document:
    return Document("t.txt", Path("t.txt"), "txt", text, "utf-8", "0" * 64, turns=turns)


def seg(text: str, **kwargs):
    return segment_document(doc_of(text), **kwargs)


def turns(text: str, **kwargs) -> list[tuple]:
    """(speaker, role, line, utterance) per segment, the utterance sliced by the span."""
    result = seg(text, **kwargs)
    assert [s.idx for s in result.segments] == list(range(1, len(result.segments) + 1))
    return [(s.speaker, s.role, s.line, text[s.start:s.end]) for s in result.segments]


def spoken(text: str, **kwargs) -> list[str]:
    return [t[3] for t in turns(text, **kwargs)]


# -- labels ---------------------------------------------------------------------------

@pytest.mark.parametrize("ask,answer", [
    ("问", "答"), ("访谈者", "受访者"), ("Q", "A"), ("I", "R"), ("Interviewer", "Respondent"),
    ("研究者", "张某某"), ("采访者", "被访者"), ("主持人", "李某"), ("研究者", "P03"),
    ("Interviewer", "R1"), ("访谈者", "王书记"),
])
@pytest.mark.parametrize("colon", ["：", ":", " ： ", ": ", "\t"])
def test_label_conventions(ask, answer, colon):
    text = f"{ask}{colon}你好吗？\n{answer}{colon}还行。\n{ask}{colon}后来呢？\n{answer}{colon}后来就出事了。\n"
    assert turns(text) == [(ask, "interviewer", 1, "你好吗？"), (answer, "respondent", 2, "还行。"),
                           (ask, "interviewer", 3, "后来呢？"),
                           (answer, "respondent", 4, "后来就出事了。")]


def test_markdown_bold_labels():
    assert turns("**问**：你好？\n**答：**好的\n") == [("问", "interviewer", 1, "你好？"),
                                                  ("答", "respondent", 2, "好的")]


def test_full_width_letters_and_case_are_known_labels():
    assert [t[1] for t in turns("Ｑ：一？\nａ：二\n")] == ["interviewer", "respondent"]


@pytest.mark.parametrize("line", [
    "[00:12:31] 答：很大。", "00:12:31 答：很大。", "(12:31) 答：很大。", "（12:31）答：很大。",
    "[12:31] 答：很大。", "答：[00:12:31] 很大。", "答：00:12:31 很大。", "答（12:31）：很大。",
    "答 [00:12:31]: 很大。", "【00:12:31】答：很大。", "[00:12:31.250] 答：很大。",
])
def test_timestamps_before_or_after_the_label(line):
    text = f"[00:12:20] 问：压力大吗？\n{line}\n"
    assert turns(text) == [("问", "interviewer", 1, "压力大吗？"), ("答", "respondent", 2, "很大。")]


def test_label_line_with_only_a_timestamp():
    text = "Interviewer 00:00:05\nSo tell me.\n\nRespondent 00:00:09\nWell,\nI think.\n"
    assert turns(text) == [("Interviewer", "interviewer", 1, "So tell me."),
                           ("Respondent", "respondent", 4, "Well,\nI think.")]


def test_utterance_on_the_line_after_the_label():
    assert spoken("问：\n  你好？\n答：\n[00:00:03]\n好的。  \n") == ["你好？", "好的。"]


# -- header, title, notes --------------------------------------------------------------

HEADER = """某县干部访谈记录
访谈日期：2023年5月12日
访谈时间：14:30-15:45
访谈地点: 某县纪委
访谈人：R1
受访者编号：R07
Interview no.: 7

[00:00:05] 问：您好，请先介绍一下自己。
答：我是九二年参加工作的。
问：后来呢？
答：后来调到县里。
"""


def test_header_block_goes_to_metadata_not_turns():
    result = seg(HEADER)
    assert result.metadata == {"title": "某县干部访谈记录", "访谈日期": "2023年5月12日",
                               "访谈时间": "14:30-15:45", "访谈地点": "某县纪委",
                               "访谈人": "R1", "受访者编号": "R07", "Interview no.": "7"}
    assert [(s.speaker, s.line) for s in result.segments] == [("问", 9), ("答", 10), ("问", 11),
                                                            ("答", 12)]


def test_header_without_recurring_labels_ends_at_the_question_answer_pair():
    text = "访谈人：李老师\n受访者：张某某\n\n问：您好？\n答：好。\n"
    result = seg(text)
    assert result.metadata == {"访谈人": "李老师", "受访者": "张某某"}
    assert [(s.speaker, s.line) for s in result.segments] == [("问", 4), ("答", 5)]


def test_header_label_that_recurs_as_speaker_starts_the_turns():
    text = "Date: 2023-07-21\nInterviewer: J. Smith\nInterviewer: Thanks for coming?\n" \
           "Respondent: Sure.\n"
    result = seg(text)
    assert result.metadata == {"Date": "2023-07-21"}
    assert [s.line for s in result.segments] == [2, 3, 4]


def test_tab_separated_header_rows_from_a_docx_table():
    text = "访谈记录\n访谈编号\tS08\n访谈日期\t2023年6月3日\n问：您好？\n答：好的。\n问：再见？\n答：再见。\n"
    result = seg(text)
    assert result.metadata == {"title": "访谈记录", "访谈编号": "S08", "访谈日期": "2023年6月3日"}
    assert result.segments[0].line == 4


def test_closing_note_leaves_the_last_turn():
    text = "问：谢谢？\n答：不谢。\n问：今天就到这儿。\n答：好。\n\n（访谈结束，录音时长14分08秒）\n"
    result = seg(text)
    assert text[result.segments[-1].start:result.segments[-1].end] == "好。"
    assert result.metadata == {"closing": "（访谈结束，录音时长14分08秒）"}


# -- continuation and false labels -----------------------------------------------------------

def test_multi_paragraph_turn_spans_to_the_last_continuation_line():
    text = "问：压力大吗？\n\n答：很大。\n\n第二段也是我说的。\n第三行。  \n\n问：为什么？\n答：因为穷。"
    assert spoken(text) == ["压力大吗？", "很大。\n\n第二段也是我说的。\n第三行。", "为什么？", "因为穷。"]
    assert [s.line for s in seg(text).segments] == [1, 3, 8, 9]


@pytest.mark.parametrize("quote", [
    "他说：你别管", "老王说：你别管", "我觉得：这样不行", "第一：资源太少", "领导：你别管",
    "比如：过年过节", "他们问：行不行", "He said: leave it", "note: this", "下午3:00开的会",
    "网址是 http://example.com", "这是一句很长很长的话不像标签吧：对", "那么，我们：怎么办",
])
def test_sentences_with_colons_inside_a_turn_are_not_turns(quote):
    text = f"问：后来怎么样？\n答：他找到我。\n{quote}\n我就没再说了。\n问：然后呢？\n答：然后就出事了。\n"
    assert spoken(text) == ["后来怎么样？", f"他找到我。\n{quote}\n我就没再说了。", "然后呢？",
                            "然后就出事了。"]


def test_a_quote_that_starts_with_a_pronoun_recurring_is_still_not_a_turn():
    text = "问：怎么说？\n答：开始。\n他说：你别管。\n他说：真的别管。\n问：然后？\n答：完了。\n"
    assert len(seg(text).segments) == 4


def test_single_name_after_turns_begin_is_continuation_but_known_role_is_a_turn():
    text = "问：一？\n答：二。\n王书记：你这个事要办好。\n问：三？\n答：四。\n受访者：补充一句。\n"
    result = turns(text)
    assert [t[0] for t in result] == ["问", "答", "问", "答", "受访者"]
    assert result[1][3] == "二。\n王书记：你这个事要办好。"


# -- roles --------------------------------------------------------------------------------

def test_roles_of_unknown_names_from_questions_and_who_speaks_first():
    text = "李某：你当时怎么想的？\n钱某：没想那么多。\n李某：后来呢？\n钱某：后来就出事了。\n"
    assert [t[1] for t in turns(text)] == ["interviewer", "respondent"] * 2


def test_names_without_questions_are_respondents():
    text = "张三：我先说。\n李四：我也说。\n张三：说完了。\n李四：好。\n"
    assert {t[1] for t in turns(text)} == {"respondent"}


def test_interviewer_labels_override_and_the_rest_are_respondents():
    text = "甲：你好。\n乙：你好？\n甲：说说吧。\n乙：说什么？\n"
    result = turns(text, interviewer_labels=["甲"])
    assert [t[1] for t in result] == ["interviewer", "respondent"] * 2


def test_respondent_labels_override_and_the_rest_are_interviewers():
    text = "问：一？\n答：二。\n问：三？\n答：四。\n"
    result = turns(text, respondent_labels=["问"])
    assert [t[1] for t in result] == ["respondent", "interviewer"] * 2


def test_labels_named_by_the_caller_count_even_once():
    text = "主讲：欢迎大家？\n嘉宾：谢谢。\n"
    result = turns(text, interviewer_labels=["主讲"], respondent_labels=["嘉宾"])
    assert result == [("主讲", "interviewer", 1, "欢迎大家？"), ("嘉宾", "respondent", 2, "谢谢。")]


def test_numbered_role_labels():
    text = "Interviewer 1: Hello?\nRespondent 2: Hi.\nInterviewer 1: Bye?\nRespondent 2: Bye.\n"
    assert [t[1] for t in turns(text)] == ["interviewer", "respondent"] * 2


# -- table transcripts, errors -------------------------------------------------------------------

def test_table_turns_become_segments_directly():
    text = "访谈者：您好？\n张三：好的。\n：无名"
    table = (Turn("访谈者", 4, 7, 1), Turn("张三", 11, 14, 2), Turn("", 16, 18, 3))
    result = segment_document(doc_of(text, table))
    assert [(s.speaker, s.role, s.line, text[s.start:s.end]) for s in result.segments] == [
        ("访谈者", "interviewer", 1, "您好？"), ("张三", "respondent", 2, "好的。"),
        (None, "unknown", 3, "无名")]


def test_no_turns_is_E108_naming_the_file():
    with pytest.raises(GtcodeError) as info:
        seg("这是一段没有标签的文字。\n另一段。\n")
    assert info.value.code == "E108" and info.value.file == "t.txt"
    assert "--segment paragraph" in info.value.hint and "--interviewer-labels" in info.value.hint


def test_unknown_mode_is_E112():
    with pytest.raises(GtcodeError) as info:
        seg("问：一", mode="word")
    assert info.value.code == "E112"


# -- paragraph and sentence modes ---------------------------------------------------------

def test_paragraph_mode_blank_line_blocks():
    text = "第一段第一行\n第一段第二行\n\n\n  第二段。  \n"
    result = seg(text, mode="paragraph")
    assert [(text[s.start:s.end], s.line, s.role, s.kind) for s in result.segments] == [
        ("第一段第一行\n第一段第二行", 1, "unknown", "paragraph"), ("第二段。", 5, "unknown", "paragraph")]


def test_paragraph_mode_single_lines_without_blank_lines():
    text = "一\n二\n问：三\n"
    result = seg(text, mode="paragraph")
    assert [(text[s.start:s.end], s.speaker, s.role) for s in result.segments] == [
        ("一", None, "unknown"), ("二", None, "unknown"), ("三", "问", "interviewer")]


def test_sentence_mode_chinese():
    text = "问：你好。最近怎么样？\n\n答：还行！就是忙。"
    result = seg(text, mode="sentence")
    assert [(text[s.start:s.end], s.role, s.line, s.kind) for s in result.segments] == [
        ("你好。", "interviewer", 1, "sentence"), ("最近怎么样？", "interviewer", 1, "sentence"),
        ("还行！", "respondent", 3, "sentence"), ("就是忙。", "respondent", 3, "sentence")]


def test_sentence_mode_english():
    text = "This is one. This is two!\nAnd three"
    result = seg(text, mode="sentence", lang="en")
    assert [(text[s.start:s.end], s.line) for s in result.segments] == [
        ("This is one.", 1), ("This is two!", 1), ("And three", 2)]


# -- the sample transcripts ----------------------------------------------------------------------

@pytest.mark.parametrize("folder", ["sample", "dev", "holdout", "holdout2"])
def test_every_gold_respondent_line_is_a_respondent_segment(folder):
    """The segmenter finds exactly the respondent turns of every labelled transcript
    (segmentation only: no rule coding runs here)."""
    data = SAMPLE.parent / folder
    labels = data / "labels.csv"
    if not labels.exists():
        pytest.skip(f"data/{folder}/labels.csv not written yet")
    gold: dict[str, set[int]] = {}
    with labels.open(encoding="utf-8", newline="") as handle:
        for row in csv.DictReader(handle):
            gold.setdefault(row["file"], set()).add(int(row["line"]))
    for name, lines in sorted(gold.items()):
        doc = read_transcript(data / name)
        result = segment_document(doc)
        respondent = {s.line for s in result.segments if s.role == "respondent"}
        assert lines <= respondent, (name, sorted(lines - respondent))
        assert respondent == lines, (name, sorted(respondent - lines))
        for s in result.segments:
            utterance = doc.text[s.start:s.end]
            assert utterance == utterance.strip() and utterance
