"""A tiny hand-built study for ``gtcode agree``: two human coders, the rule
coder, an imported NVivo user, and a coder who shares no segment with ann.

Every segment is 10 characters long, so character-level figures are easy to
work out by hand:

    S01 (case C1): #1 [0,10) interviewer, #2 [10,20), #3 [20,30), #4 [30,40)
    S02 (case C2): #1 [0,10), #2 [10,20)          (all others respondent)

Codes (codebook ``BOOK_YAML``): res.a, res.b under category res; eco.a under
category eco.

    segment  rules   ann                        ben                 dan
    S01#2    res.a   res.a                      res.a, res.b        -
    S01#3    eco.a   res.b (eco.a rejected)     - (eco.a rejected)  -
    S01#4    -       eco.a (added)              not seen            -
    S02#1    res.b   res.b                      res.b               -
    S02#2    -       not seen                   eco.a               eco.a

``nv`` (imported) coded res.a on S01 [15, 25), linked to no segment.
"""

from __future__ import annotations

from pathlib import Path

from gtcode.store.meta import now_iso
from gtcode.store.project import Study
from gtcode.workspace import init_study

BOOK_YAML = """\
name: 一致性测试编码本
version: "1"
language: zh
codes:
  - id: core
    name: 核心范畴
    level: core
    children:
      - id: res
        name: 资源压力
        level: category
        children:
          - id: res.a
            name: 跑项目
            level: concept
          - id: res.b
            name: 争资金
            level: concept
      - id: eco
        name: 经济压力
        level: category
        children:
          - id: eco.a
            name: 工资低
            level: concept
"""

TEXTS = {
    "S01": ["问：平时都忙些什么？", "答：天天都在跑项目。", "=A1+1工资太低", "答：还要到处争资金。"],
    "S02": ["答：项目资金很难争。", "答：工资低得可怜啊。"],
}
ROLES = {("S01", 1): "interviewer"}
CASES = {"S01": "C1", "S02": "C2"}

RULES = {("S01", 2): ["res.a"], ("S01", 3): ["eco.a"], ("S02", 1): ["res.b"]}
#: (source, idx) -> [(code, status)] of each human coder.
HUMANS = {
    "ann": {("S01", 2): [("res.a", "accepted")],
            ("S01", 3): [("eco.a", "rejected"), ("res.b", "accepted")],
            ("S01", 4): [("eco.a", "accepted")],
            ("S02", 1): [("res.b", "accepted")]},
    "ben": {("S01", 2): [("res.a", "accepted"), ("res.b", "accepted")],
            ("S01", 3): [("eco.a", "rejected")],
            ("S02", 1): [("res.b", "accepted")],
            ("S02", 2): [("eco.a", "accepted")]},
    "dan": {("S02", 2): [("eco.a", "accepted")]},
}


def _pad(text: str) -> str:
    assert len(text) <= 10
    return text.ljust(10, "。")


def _insert_sources(conn) -> dict[tuple[str, int], tuple[int, int, int, int]]:
    """Insert sources and segments; return (source, idx) -> (source id, seg id, start, end)."""
    places = {}
    for position, (name, turns) in enumerate(TEXTS.items(), start=1):
        conn.execute("INSERT INTO cases(name, position) VALUES (?, ?)", (CASES[name], position))
        case_id = conn.execute("SELECT id FROM cases WHERE name = ?", (CASES[name],)).fetchone()[0]
        text = "".join(_pad(t) for t in turns)
        source_id = conn.execute(
            "INSERT INTO sources(name, kind, raw_hash, content_hash, text, position, case_id, "
            "imported_at) VALUES (?, 'txt', 'r', 'c', ?, ?, ?, ?)",
            (name, text, position, case_id, now_iso())).lastrowid
        for idx in range(1, len(turns) + 1):
            start, end = (idx - 1) * 10, idx * 10
            role = ROLES.get((name, idx), "respondent")
            seg_id = conn.execute(
                "INSERT INTO segments(source_id, idx, start, end, speaker, role, line) "
                "VALUES (?, ?, ?, ?, ?, ?, ?)",
                (source_id, idx, start, end, "问" if role == "interviewer" else "答", role,
                 idx)).lastrowid
            places[(name, idx)] = (source_id, seg_id, start, end)
    return places


def _coding(conn, place, code, origin, coder, status, *, span=None, segment=True) -> None:
    source_id, seg_id, start, end = place
    start, end = span or (start, end)
    conn.execute(
        "INSERT INTO codings(source_id, segment_id, start, end, code_id, origin, coder, status, "
        "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (source_id, seg_id if segment else None, start, end, code, origin, coder, status,
         now_iso(), now_iso()))


def build_study(path: Path) -> Study:
    """Create the study described in the module docstring and return it open."""
    book = path.parent / f"{path.name}-codebook.yaml"
    book.write_text(BOOK_YAML, encoding="utf-8")
    study = init_study(path, book)
    with study.write() as conn:
        places = _insert_sources(conn)
        conn.execute("INSERT INTO coders(name, kind) VALUES ('gtcode-rules', 'rule')")
        for key, codes in RULES.items():
            for code in codes:
                _coding(conn, places[key], code, "rule", "gtcode-rules", "suggested")
        for coder, decisions in HUMANS.items():
            conn.execute("INSERT INTO coders(name, kind) VALUES (?, 'human')", (coder,))
            for key, codes in decisions.items():
                for code, status in codes:
                    _coding(conn, places[key], code, "human", coder, status)
                    action = "reject" if status == "rejected" else "accept"
                    conn.execute("INSERT INTO decisions(at, coder, action, segment_id, code_id, "
                                 "via) VALUES (?, ?, ?, ?, ?, 'test')",
                                 (now_iso(), coder, action, places[key][1], code))
        conn.execute("INSERT INTO coders(name, kind) VALUES ('nv', 'import')")
        _coding(conn, places[("S01", 2)], "res.a", "import", "nv", "accepted", span=(15, 25),
                segment=False)
    return study
