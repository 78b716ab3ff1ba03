"""A small study with planted identifiers, human codings (some cutting a name), rule
suggestions, memos and a decision log, for the pseudonymisation tests."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.coding.memos import add_memo
from gtcode.store.open_coding import insert_human_coding, log_decision
from gtcode.store.project import Study

T1 = """访谈者：请介绍一下您自己。
王建国：我叫王建国，是青山县红星村的村支书，电话13812345678。
访谈者：平时跟谁打交道多？
王建国：跟县里的刘主任打交道，老王我也托过人情关系。宏达建材有限公司的老板也找过我。
"""
T2 = """访谈者：您认识王书记吗？
李秀英：认识，王书记是红星村的，他的车牌是冀F12345，邮箱wangjg@163.com。
访谈者：您是哪年出生的？
李秀英：我1975年8月出生，身份证号130602197508121234。张某某也认识他，对于书记来说这很正常。
"""
#: Every planted identifier and its kind.
PLANTED = {"王建国": "person", "刘主任": "person", "老王": "person", "王书记": "person",
           "李秀英": "person", "青山县": "place", "红星村": "place",
           "宏达建材有限公司": "org", "13812345678": "phone", "冀F12345": "plate",
           "wangjg@163.com": "email", "130602197508121234": "id_card",
           "1975年8月": "birth_date"}


def cli(*args: object, code: int = 0):
    result = CliRunner().invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def build(root: Path) -> Path:
    """STUDY under ``root`` with two transcripts, codings, memos; returns its path."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "in").mkdir(exist_ok=True)
    (root / "in" / "S01.txt").write_text(T1, encoding="utf-8")
    (root / "in" / "S02.txt").write_text(T2, encoding="utf-8")
    study = root / "study"
    cli("init", study, "-q")
    cli("import", study, root / "in", "-q")
    cli("open", study, "-q")
    with Study.open(study) as opened:
        _code(opened)
        add_memo(opened, "study", "王建国说青山县的事，电话13812345678。", author="li",
                 title="关于王建国")
    return study


def _code(opened: Study) -> None:
    with opened.write() as conn:
        log_decision(conn, coder="li", action="orphaned", segment_id=None, code_id="c0",
                     via="import --replace", details={"passage": "王建国的电话13812345678"})
        for source_id, text in conn.execute("SELECT id, text FROM sources").fetchall():
            segments = conn.execute("SELECT id, start, end FROM segments WHERE source_id = ? "
                                    "AND role = 'respondent'", (source_id,)).fetchall()
            for segment_id, start, end in segments:  # whole turns, and cuts through names
                spans = [(start, end), (start + 1, end - 2)]
                at = text.find("王建国", start, end)
                if at >= 0:
                    spans += [(at + 1, at + 8), (start, at + 2)]
                for n, (s, e) in enumerate(spans):
                    insert_human_coding(conn, source_id=source_id, segment_id=segment_id,
                                        start=s, end=e, code_id=f"c{n}", coder="li",
                                        status="accepted", codebook_hash=None)
