"""The instructions a coding sheet carries (its first tab), in Chinese and English.

The same text is the help of ``gtcode sheet`` (and so ``docs/cli.md``): the
sheet, the command line and the docs say one thing.
"""

from __future__ import annotations

TITLE = ("gtcode 编码表：填写说明", "gtcode coding sheet: how to fill it in")

#: What each kind of sheet is, shown first.
MODE = {
    "review": ("本表显示机器的编码建议（及依据）。看过建议后做出的决定不是独立编码：用它检验与机器的一致性，"
               "只能说明你接受了多少建议，不能说明编码的信度。",
               "This sheet shows the machine's suggested codes (with their evidence). "
               "Decisions made after seeing them are not independent: agreement with the "
               "machine then measures how far you accepted its suggestions, not reliability."),
    "blind": ("本表为盲评表：不显示机器建议，也不显示其他编码者的决定。请只依据文本编码。",
              "This is a blind sheet: it shows no machine suggestion and no other coder's "
              "decision. Code from the text alone."),
}

#: The steps, as (Chinese, English) pairs.
STEPS: tuple[tuple[str, str], ...] = (
    ("每行是一个片段（话轮）。只有你做了标记的行才会被记录：在“决定 decision”列选一项，或在“编码 codes”列"
     "写编码。两列都留空的行为“未决定”，应用时什么也不记录。",
     "Each row is one segment (a turn). Only rows you mark are recorded: choose a word in "
     "决定 decision, or write codes in 编码 codes. A row with both left empty is undecided "
     "and records nothing when the sheet is applied."),
    ("决定 decision：接受 accept = 本行显示的机器建议都适用（可在“编码”列再写编码；写 -编码 可去掉其中一个）；"
     "拒绝 reject = 建议都不适用，“编码”列写的编码适用（不写即无编码）；无编码 none = 没有适用的编码。",
     "决定 decision: 接受 accept = the suggestions shown on the row apply (codes written in "
     "编码 codes are added; -CODE leaves one out); 拒绝 reject = none of the suggestions "
     "apply, the codes written in 编码 codes do (none written: no code); 无编码 none = no "
     "code applies."),
    ("编码 codes：写编码 id 或名称（中文或英文名均可，见“编码本 codebook”页），多个编码用 ; 分隔。"
     "只写编码、不选决定，等于“拒绝”：未写出的建议不适用。",
     "编码 codes: write code ids or names (Chinese or English; see the 编码本 codebook tab), "
     "several separated by ;. Codes without a decision word mean 拒绝 reject: the "
     "suggestions you did not write do not apply."),
    ("机器建议、依据、概率、你之前的编码：只供参考，请勿修改；改动的行会被拒绝。没有显示给你的建议，"
     "你的决定不会涉及它。",
     "机器建议 suggestion, 依据 evidence, 概率 probability and your earlier codes are for "
     "reading only: a row where they were changed is refused. A suggestion the sheet did not "
     "show you is never decided by your rows."),
    ("新概念 new concept：提议新的概念；备忘 memo：你的备忘。这两列不算编码决定，填写即保存。",
     "新概念 new concept proposes a new concept; 备忘 memo is your note. They are not coding "
     "decisions and are saved whenever filled in."),
    ("请勿修改“文本 text”列和隐藏列（文本校验、已显示）；可以排序、筛选，不需要的行可以删除或留空。",
     "Do not change the 文本 text column or the hidden columns; sorting, filtering and "
     "deleting rows are fine."),
    ("应用：gtcode sheet apply 研究文件夹 本表.xlsx --coder 你的名字。先检查所有行，有问题则什么也不记录；"
     "同一张表应用两次不会重复记录。",
     "Apply: gtcode sheet apply STUDY this-sheet.xlsx --coder YOUR-NAME. Every row is checked "
     "first and nothing is recorded if any row has a problem; applying the same sheet twice "
     "records nothing new."),
    ("独立的第二编码者请用盲评表：gtcode sheet export 研究文件夹 -o 盲评.xlsx --blind。"
     "gtcode agree 会标明每位编码者的决定是否盲评。",
     "For an independent second coder use a blind sheet: gtcode sheet export STUDY -o "
     "blind.xlsx --blind. gtcode agree says for each coder whether her decisions were "
     "made blind."),
)


def instruction_rows(mode: str) -> list[tuple[str, str]]:
    """The rows of the instructions tab: (Chinese, English), title and mode first."""
    return [TITLE, MODE[mode], *STEPS]


def help_text() -> str:
    """The instructions, Chinese and English, for ``gtcode sheet --help`` and docs/cli.md."""
    steps = "\n\n".join(f"{n}. {zh}\n\n{en}" for n, (zh, en) in enumerate(STEPS, start=1))
    return ("Review codings in a spreadsheet: export a sheet, fill it in, apply it back.\n\n"
            "The sheet's first tab (说明 instructions) says, in Chinese and English:\n\n"
            + steps)
