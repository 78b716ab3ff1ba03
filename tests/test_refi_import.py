"""REFI-QDA import: round trips, real exports from other programs, positions, codebooks."""

from __future__ import annotations

from pathlib import Path

import pytest

from gtcode.codebook import load_codebook
from gtcode.errors import GtcodeError
from gtcode.exchange.refi_codes import slugify
from gtcode.exchange.refi_export import project_document
from gtcode.exchange.refi_qda import (
    export_qdc,
    export_qdpx,
    import_project,
    qdc_to_codebook_yaml,
)
from gtcode.store import refi as rdb
from gtcode.store import sources as db
from gtcode.store.codings import iter_codings
from gtcode.store.project import Study
from refi_helpers import build_study, make_zip, shared_dir, snapshot

G = "00000000-0000-4000-8000-{:012d}"  # readable GUIDs for hand-made projects


def qde(origin: str, body: str, name: str = "p") -> bytes:
    return (f'<?xml version="1.0" encoding="utf-8"?>\n<Project xmlns="urn:QDA-XML:project:1.0" '
            f'name="{name}" origin="{origin}">{body}</Project>').encode()


CODES = (f'<CodeBook><Codes><Code guid="{G.format(1)}" name="Feelings" isCodable="false">'
         f'<Code guid="{G.format(2)}" name="正面" isCodable="true" color="#0a0"/></Code>'
         f'</Codes></CodeBook>')
USERS = f'<Users><User guid="{G.format(9)}" name="Ann"/></Users>'


def source_xml(start: int, end: int, *, path: str = "internal://{g}.txt", code: int = 2,
               extra: str = "") -> str:
    guid = G.format(100)
    return (f'<Sources><TextSource guid="{guid}" name="one" plainTextPath="{path.format(g=guid)}">'
            f'<PlainTextSelection guid="{G.format(200)}" startPosition="{start}" '
            f'endPosition="{end}"><Coding guid="{G.format(300)}" creatingUser="{G.format(9)}">'
            f'<CodeRef targetGUID="{G.format(code)}"/></Coding></PlainTextSelection>{extra}'
            f'</TextSource></Sources>')


# BOM + CRLF + an emoji and a CJK Extension B character, as NVivo for Windows writes
RAW = "\ufeffI: 你好😀\r\nR: 我觉得𠀀很好。\r\nI: 谢谢\r\n".encode("utf-8")
PASSAGE = "我觉得𠀀很好"


def nvivo_like(tmp_path: Path, origin: str, start: int, end: int, folder: str = "Sources",
               name: str = "p.qdpx") -> Path:
    return make_zip(tmp_path / name, {
        "project.qde": qde(origin, USERS + CODES + source_xml(start, end)),
        f"{folder}/{G.format(100)}.txt": RAW})


def codings_of(study_dir: Path) -> list[tuple[str, str, str]]:
    with Study.open(study_dir) as study:
        return [(c.text, c.code_id, c.coder) for c in iter_codings(study.conn)]


# -- round trips ------------------------------------------------------------------------

@pytest.mark.parametrize("positions", ["nvivo", "codepoints"])
def test_round_trip_keeps_everything(tmp_path, positions):
    study = build_study(tmp_path)
    export_qdpx(study, tmp_path / "out.qdpx", positions=positions)
    report = import_project(tmp_path / "out.qdpx", tmp_path / "back")
    assert report.positions == positions
    with Study.open(tmp_path / "back") as back:
        before, after = snapshot(study), snapshot(back)
        for key in before:
            assert after[key] == before[key], key
        # gtcode's own Note brings back who coded what, and how
        assert {c.origin for c in iter_codings(back.conn)} == {
            c.origin for c in iter_codings(study.conn)}
        assert {(n, k) for n, k, _g in rdb.list_coders(back.conn)} >= {
            (n, k) for n, k, _g in rdb.list_coders(study.conn)}
    assert len(before["codings"]) == 8
    study.close()


def test_round_trip_keeps_guids(tmp_path):
    study = build_study(tmp_path)
    export_qdpx(study, tmp_path / "out.qdpx")
    import_project(tmp_path / "out.qdpx", tmp_path / "back")
    first, _files, _report = project_document(study)
    with Study.open(tmp_path / "back") as back:
        second, _files, _report = project_document(back)
    guids = lambda xml: sorted(set(__import__("re").findall(rb'guid="([0-9a-f-]{36})"', xml)))  # noqa
    assert guids(first) == guids(second)
    study.close()


def test_round_trip_of_an_edited_tree_keeps_known_ids(tmp_path):
    study = build_study(tmp_path)
    qde_bytes, files, _report = project_document(study)
    edited = qde_bytes.replace('name="人情往来 𠀀"'.encode(), 'name="人情往来（改）"'.encode())
    make_zip(tmp_path / "edited.qdpx", {"project.qde": edited, **files})
    import_project(tmp_path / "edited.qdpx", tmp_path / "back")
    book = load_codebook(tmp_path / "back" / "codebook.yaml")
    assert book.get("social.favour").name == "人情往来（改）"
    assert book.get("resource.funding.gap").rules is not None  # rules carried over
    assert book.get("pressure").level == "core"
    study.close()


# -- positions ----------------------------------------------------------------------------------

@pytest.mark.parametrize(("origin", "start", "end"), [
    ("NVivo for Windows 12.6", 12, 19),        # UTF-16 units, CRLF = 2, BOM not counted
    ("ATLAS.ti for Windows 23.2.3", 10, 16),   # code points, CRLF = 1
])
def test_positions_by_origin_with_bom_and_crlf(tmp_path, origin, start, end):
    report = import_project(nvivo_like(tmp_path, origin, start, end), tmp_path / "s")
    assert [(text, coder) for text, _code, coder in codings_of(tmp_path / "s")] == [
        (PASSAGE, "Ann")]
    assert report.positions_how.startswith("from the origin")
    with Study.open(tmp_path / "s") as study:
        text = db.list_sources(study.conn)[0].text
    assert text == "I: 你好😀\nR: 我觉得𠀀很好。\nI: 谢谢\n"


def test_positions_option_overrides_the_origin(tmp_path):
    path = nvivo_like(tmp_path, "NVivo for Windows 12.6", 12, 19)
    report = import_project(path, tmp_path / "s", positions="codepoints")
    # code point 19 falls between CR and LF: the end is widened to the whole line end
    assert [c[0] for c in codings_of(tmp_path / "s")] == ["觉得𠀀很好。\n"]
    assert report.positions == "codepoints" and any("widened" in w for w in report.warnings)


@pytest.mark.parametrize(("unit", "span"), [("nvivo", (23, 34)), ("codepoints", (18, 29))])
def test_unit_detected_from_word_boundaries(tmp_path, unit, span):
    raw = "😀😀 alpha beta\n😀😀😀 gamma delta\n\nzeta eta theta iota kappa\n".encode()
    path = make_zip(tmp_path / "x.qdpx", {
        "project.qde": qde("SomeTool 1.0", USERS + CODES + source_xml(*span)),
        f"sources/{G.format(100)}.txt": raw})
    report = import_project(path, tmp_path / "s")
    assert report.positions == unit and "detected" in report.positions_how
    assert [c[0] for c in codings_of(tmp_path / "s")] == ["gamma delta"]


def test_position_outside_the_text_is_refused(tmp_path):
    path = nvivo_like(tmp_path, "NVivo for Windows 12.6", 12, 500)
    with pytest.raises(GtcodeError) as error:
        import_project(path, tmp_path / "s")
    assert error.value.code == "E503" and G.format(200) in error.value.render()
    assert not (tmp_path / "s").exists()


def test_coding_of_an_unknown_code_is_refused(tmp_path):
    path = make_zip(tmp_path / "x.qdpx", {
        "project.qde": qde("x", USERS + CODES + source_xml(0, 2, code=77)),
        f"sources/{G.format(100)}.txt": RAW})
    with pytest.raises(GtcodeError) as error:
        import_project(path, tmp_path / "s")
    assert error.value.code == "E503" and G.format(300) in error.value.render()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.qdpx"]


# -- containers and variants ------------------------------------------------------------------------

def test_bare_qde_with_a_sources_folder_beside_it(tmp_path):
    folder = tmp_path / "proj"
    (folder / "Sources").mkdir(parents=True)
    (folder / "Sources" / f"{G.format(100)}.txt").write_bytes(RAW)
    (folder / "export.qde").write_bytes(qde("NVivo 12", USERS + CODES + source_xml(12, 19)))
    import_project(folder / "export.qde", tmp_path / "s")
    assert [c[0] for c in codings_of(tmp_path / "s")] == [PASSAGE]


def test_nameless_source_with_a_plain_path_and_whole_source_coding(tmp_path):
    guid = G.format(100)
    body = (USERS + CODES + f'<Sources><TextSource guid="{guid}" plainTextPath="notes.txt">'
            f'<Coding guid="{G.format(301)}"><CodeRef targetGUID="{G.format(2)}"/></Coding>'
            f'</TextSource></Sources>')
    path = make_zip(tmp_path / "x.zip", {"project.qde": qde("qc 1.3.2", body),
                                         "sources/notes.txt": "第一段。\n\n第二段。".encode()})
    import_project(path, tmp_path / "s")
    with Study.open(tmp_path / "s") as study:
        assert [s.name for s in db.list_sources(study.conn)] == ["notes.txt"]
        assert study.conn.execute("SELECT COUNT(*) FROM segments").fetchone()[0] == 2
    assert codings_of(tmp_path / "s") == [("第一段。\n\n第二段。", "code_" + slugify("正面")[5:],
                                           "Ann")]


def test_cases_variables_notes_and_sets_from_another_program(tmp_path):
    v1, v2, case, note, set_ = (G.format(n) for n in (500, 501, 600, 700, 800))
    body = (USERS + CODES
            + f'<Variables><Variable guid="{v1}" name="Age" typeOfVariable="Integer"/>'
            f'<Variable guid="{v2}" name="Site" typeOfVariable="Text"/></Variables>'
            f'<Cases><Case guid="{case}" name="P1"><VariableValue><VariableRef targetGUID="{v1}"/>'
            f'<IntegerValue>41</IntegerValue></VariableValue><SourceRef targetGUID="{G.format(100)}"/>'
            f'</Case></Cases>'
            + source_xml(12, 19, extra=f'<NoteRef targetGUID="{note}"/>')
            + f'<Notes><Note guid="{note}" name="Obs" creatingUser="{G.format(9)}">'
            f'<PlainTextContent>看这里</PlainTextContent></Note></Notes>'
            f'<Sets><Set guid="{set_}" name="All"><MemberCode targetGUID="{G.format(2)}"/>'
            f'<MemberSource targetGUID="{G.format(100)}"/></Set></Sets>')
    path = make_zip(tmp_path / "x.qdpx", {"project.qde": qde("NVivo 14", body),
                                          f"sources/{G.format(100)}.txt": RAW})
    report = import_project(path, tmp_path / "s")
    assert report.counts["cases"] == 1 and report.counts["memos"] == 1
    with Study.open(tmp_path / "s") as study:
        assert db.list_cases(study.conn) == [("P1", {"Age": "41", "Site": None})]
        assert db.attribute_types(study.conn) == {"Age": "integer", "Site": "text"}
        memo = rdb.list_memos(study.conn)[0]
        assert (memo.target_type, memo.target, memo.author, memo.title, memo.text) == (
            "source", "one", "Ann", "Obs", "看这里")
        code_id = study.conn.execute("SELECT id FROM codes WHERE name = '正面'").fetchone()[0]
        assert [(s.name, s.members) for s in rdb.list_sets(study.conn)] == [
            ("All", (("code", code_id), ("source", "one")))]


def test_deep_trees_become_a_valid_codebook_and_keep_their_nesting(tmp_path):
    nested = "".join(f'<Code guid="{G.format(10 + d)}" name="L{d}" isCodable="true">'
                     for d in range(6)) + "</Code>" * 6
    path = make_zip(tmp_path / "x.qdpx", {
        "project.qde": qde("x", f"<CodeBook><Codes>{nested}</Codes></CodeBook>")})
    import_project(path, tmp_path / "s")
    book = load_codebook(tmp_path / "s" / "codebook.yaml")
    assert [(c.id, c.level, c.parent) for c in book.codes] == [
        ("l0", "category", None), ("l1", "subcategory", "l0"), ("l2", "concept", "l1"),
        ("l3", "concept", "l1"), ("l4", "concept", "l1"), ("l5", "concept", "l1")]
    with Study.open(tmp_path / "s") as study:
        xml, _files, _report = project_document(study)
    assert b'name="L4" isCodable="true">\n' in xml or b'name="L5"' in xml
    depth = xml.split(b'name="L5"')[0].count(b"<Code ") - xml.split(b'name="L5"')[0].count(
        b"</Code>")
    assert depth == 6  # L5 is nested under L4 again on re-export


# -- the three real exports (shared/samples/refi) ----------------------------------------------

SAMPLES = {
    "qc-1.3.2__demo.qdpx": {"sources": 2, "codes": 262, "selections": 158, "codings": 205},
    "maxqda-24.7__2025-06-16_ICLS_Conf_Themes_ALL_just10.zip": {
        "sources": 10, "codes": 307, "sets": 2, "codings": 0},
    "atlas-win-23.2.3__target-atlas-project.qdpx": {"sources": 0, "codes": 3, "codings": 0},
}


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_real_exports_import_with_the_readme_counts(tmp_path, name):
    shared = shared_dir()
    if shared is None:
        pytest.skip("shared/samples/refi not found beside the clone (set GTCODE_SHARED)")
    report = import_project(shared / "samples" / "refi" / name, tmp_path / "s")
    for key, value in SAMPLES[name].items():
        assert report.counts[key] == value, key
    book = load_codebook(tmp_path / "s" / "codebook.yaml")
    assert len(book.codes) == SAMPLES[name]["codes"]


# -- codebooks (.qdc) --------------------------------------------------------------------------------

@pytest.mark.parametrize("namespace", ["urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:0:4",
                                       "urn:QDA-XML:codebook:1:0"])
def test_qdc_to_codebook_yaml_reads_every_namespace(tmp_path, namespace):
    path = tmp_path / "book.qdc"
    path.write_text(
        f'<?xml version="1.0"?><CodeBook xmlns="{namespace}" origin="ATLAS.ti"><Codes>'
        f'<Code guid="{G.format(1)}" name="资源压力" isCodable="false" color="#f00">'
        f'<Description>定义</Description>'
        f'<Code guid="{G.format(2)}" name="Funding gap" isCodable="true"/></Code></Codes>'
        f'<Sets><Set guid="{G.format(3)}" name="s"><MemberCode guid="{G.format(2)}"/></Set></Sets>'
        f'</CodeBook>', encoding="utf-8")
    text = qdc_to_codebook_yaml(path)
    book_path = tmp_path / "codebook.yaml"
    book_path.write_text(text, encoding="utf-8")
    book = load_codebook(book_path)
    top = slugify("资源压力")
    assert top.startswith("code_") and len(top) == 11
    assert [(c.id, c.level, c.parent, c.color) for c in book.codes] == [
        (top, "category", None, "#FF0000"), ("funding_gap", "concept", top, None)]
    assert book.codes[0].definition == "定义"


def test_slugs_are_ascii_ids():
    assert slugify("THEME - Anti-deficit, Strengths-Based") == "theme_anti_deficit_strengths_based"
    assert slugify("2022 commits") == "c_2022_commits"
    assert slugify("Café") == "cafe"
    assert slugify("人情") == slugify("人情") != slugify("面子")


def test_a_gtcode_qdc_comes_back_with_its_levels_and_guidance(tmp_path):
    study = build_study(tmp_path)
    export_qdc(study, tmp_path / "b.qdc")
    path = tmp_path / "codebook.yaml"
    path.write_text(qdc_to_codebook_yaml(tmp_path / "b.qdc"), encoding="utf-8")
    book = load_codebook(path)
    assert [(c.name, c.level) for c in book.codes] == [
        ("压力驱动的基层腐败", "core"), ("资源压力", "category"), ("经费短缺", "subcategory"),
        ("缺钱 😀", "concept"), ("人情压力", "category"), ("人情往来 𠀀", "concept")]
    resource = book.codes[1]
    assert (resource.definition, resource.include, resource.exclude, resource.color) == (
        "资源不足带来的压力", "提到经费、项目", "个人收入", "#FF0000")
    study.close()


def test_mapped_text_known_answers():
    from gtcode.exchange.positions import UNITS, MappedText, UnitCounter

    # decomposed é (NFC joins it), CRLF, an emoji, a control character (dropped)
    mapped = MappedText("Cafe\u0301\r\n😀\x07ok")
    assert mapped.text == "Café\n😀ok"
    offsets = {name: [mapped.to_index(u, UNITS[name], is_end=False) for u in range(13)]
               for name in ("nvivo", "codepoints", "atlas")}
    # unit offset of each character of the normalised text, per unit
    assert [u for u, found in enumerate(offsets["nvivo"]) if found and found[1]] == [
        0, 1, 2, 3, 5, 7, 9, 11, 12]
    assert [u for u, found in enumerate(offsets["atlas"]) if found and found[1]] == [
        0, 1, 2, 3, 5, 6, 7, 9, 10]
    assert mapped.to_index(8, UNITS["nvivo"], is_end=False) == (5, False)  # inside 😀
    assert mapped.to_index(8, UNITS["nvivo"], is_end=True) == (6, False)
    assert mapped.to_index(13, UNITS["nvivo"], is_end=True) is None
    assert mapped.length(UNITS["codepoints"]) == 11
    count = UnitCounter("a😀𠀀b", UNITS["nvivo"])
    assert [count(i) for i in range(5)] == [0, 1, 3, 5, 6]


def test_inline_text_duplicate_names_and_missing_files(tmp_path):
    a, b, c = (G.format(n) for n in (100, 101, 102))
    body = (f'<Users><User guid="{G.format(8)}" name="Ann"/><User guid="{G.format(9)}" '
            f'name="Ann"/></Users>' + CODES
            + f'<Sources><TextSource guid="{a}" name="t"><PlainTextContent>问：好吗？\n答：好。'
            f'</PlainTextContent><PlainTextSelection guid="{G.format(200)}" startPosition="8" '
            f'endPosition="10"><Coding guid="{G.format(300)}" creatingUser="{G.format(9)}">'
            f'<CodeRef targetGUID="{G.format(2)}"/></Coding></PlainTextSelection></TextSource>'
            f'<TextSource guid="{b}" name="t" plainTextPath="internal://{b}.txt"/>'
            f'<TextSource guid="{c}" name="gone" plainTextPath="internal://{c}.txt"/>'
            f'</Sources>')
    path = make_zip(tmp_path / "x.qdpx", {"project.qde": qde("x", body),
                                          f"sources/{b}.txt": "第二个".encode()})
    report = import_project(path, tmp_path / "s")
    assert report.counts["sources"] == 2 and report.counts["coders"] == 2
    assert any("'gone'" in w and "missing" in w for w in report.warnings)
    with Study.open(tmp_path / "s") as study:
        assert [s.name for s in db.list_sources(study.conn)] == ["t", "t (2)"]
    assert [(t, coder) for t, _c, coder in codings_of(tmp_path / "s")] == [("好。", "Ann (2)")]
