"""REFI-QDA export: schema validity, determinism, positions, and what goes where."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest
from lxml import etree

from gtcode.errors import GtcodeError
from gtcode.exchange.refi_common import CODEBOOK_NOTE_NAME, make_guid, schema_errors
from gtcode.exchange.refi_export import project_document
from gtcode.exchange.refi_qda import export_qdc, export_qdpx
from gtcode.store.open_coding import RULE_CODER
from refi_helpers import build_study, shared_dir

NS = {"q": "urn:QDA-XML:project:1.0"}
CB = {"c": "urn:QDA-XML:codebook:1.0"}


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """The test study exported both ways, plus a second qdpx and qdc for determinism."""
    tmp = tmp_path_factory.mktemp("refi-export")
    study = build_study(tmp)
    files = {
        "nvivo": export_qdpx(study, tmp / "nvivo.qdpx").path,
        "nvivo2": export_qdpx(study, tmp / "nvivo2.qdpx").path,
        "codepoints": export_qdpx(study, tmp / "cp.qdpx", positions="codepoints").path,
        "qdc": export_qdc(study, tmp / "book.qdc").path,
        "qdc2": export_qdc(study, tmp / "book2.qdc").path,
    }
    yield study, files
    study.close()


def _qde(path: Path) -> etree._Element:
    with zipfile.ZipFile(path) as archive:
        return etree.fromstring(archive.read("project.qde"))


def _xsd(name: str) -> etree.XMLSchema:
    shared = shared_dir()
    if shared is None:
        pytest.skip("shared/spec/refi-qda not found beside the clone (set GTCODE_SHARED)")
    return etree.XMLSchema(etree.parse(str(shared / "spec" / "refi-qda" / name)))


@pytest.mark.parametrize("which", ["nvivo", "codepoints"])
def test_project_validates_against_the_shared_xsd(exported, which):
    schema = _xsd("Project-mrt2019.xsd")
    root = _qde(exported[1][which])
    assert schema.validate(root), schema.error_log


def test_codebook_validates_against_the_shared_xsd(exported):
    schema = _xsd("Codebook-mrt2019.xsd")
    root = etree.parse(str(exported[1]["qdc"])).getroot()
    assert schema.validate(root), schema.error_log
    assert root.tag == "{urn:QDA-XML:codebook:1.0}CodeBook"


def test_shipped_xsds_are_the_shared_ones():
    shared = shared_dir()
    if shared is None:
        pytest.skip("shared/ not found beside the clone (set GTCODE_SHARED)")
    from gtcode.exchange.refi_common import schema_path
    for kind, name in (("project", "Project-mrt2019.xsd"), ("codebook", "Codebook-mrt2019.xsd")):
        assert schema_path(kind).read_bytes() == (shared / "spec" / "refi-qda" / name).read_bytes()


def test_two_exports_are_byte_identical(exported):
    files = exported[1]
    assert files["nvivo"].read_bytes() == files["nvivo2"].read_bytes()
    assert files["qdc"].read_bytes() == files["qdc2"].read_bytes()
    with zipfile.ZipFile(files["nvivo"]) as archive:
        infos = archive.infolist()
    assert [i.filename for i in infos][0] == "project.qde"
    assert [i.filename for i in infos][1:] == sorted(i.filename for i in infos[1:])
    assert {i.date_time for i in infos} == {(1980, 1, 1, 0, 0, 0)}


def test_sources_are_named_utf8_lf_files_referenced_internally(exported):
    study, files = exported
    root = _qde(files["nvivo"])
    sources = root.findall("q:Sources/q:TextSource", NS)
    assert [s.get("name") for s in sources] == ["S01.txt", "S02.txt", "E01.txt"]
    with zipfile.ZipFile(files["nvivo"]) as archive:
        for source in sources:
            guid = source.get("guid")
            assert guid == make_guid("source", source.get("name"))
            assert source.get("plainTextPath") == f"internal://{guid}.txt"
            data = archive.read(f"sources/{guid}.txt")
            assert not data.startswith(b"\xef\xbb\xbf") and b"\r" not in data
    with zipfile.ZipFile(files["nvivo"]) as archive:
        s02 = archive.read(f"sources/{make_guid('source', 'S02.txt')}.txt").decode("utf-8")
    assert s02 == "问：说说看。\n答：经费𠀁不够，只能找关系。\n问：然后呢？\n答：就这样。\n"


def _selection(root, source: str, coder_guid: str, code_guid: str):
    for sel in root.findall(f"q:Sources/q:TextSource[@name='{source}']/q:PlainTextSelection", NS):
        for coding in sel.findall("q:Coding", NS):
            ref = coding.find("q:CodeRef", NS).get("targetGUID")
            if coding.get("creatingUser") == coder_guid and ref == code_guid:
                return int(sel.get("startPosition")), int(sel.get("endPosition"))
    return None


@pytest.mark.parametrize(("which", "span"), [("nvivo", (14, 29)), ("codepoints", (13, 27))])
def test_positions_in_the_named_unit(exported, which, span):
    # S01 segment 2 is code points 13-27; 😀 precedes both ends, 𠀀 precedes the end
    root = _qde(exported[1][which])
    alice, gap = make_guid("user", "alice"), make_guid("code", "resource.funding.gap")
    assert _selection(root, "S01.txt", alice, gap) == span
    description = root.find("q:Description", NS).text
    assert f"(positions={which})" in description


def test_one_user_per_coder_and_the_rule_coder(exported):
    root = _qde(exported[1]["nvivo"])
    users = {u.get("name"): u.get("guid") for u in root.findall("q:Users/q:User", NS)}
    assert set(users) == {"alice", "bob", "carol", RULE_CODER, "gtcode"}
    assert users["bob"] == make_guid("user", "bob")


def test_rejected_suggestions_are_left_out(exported):
    root = _qde(exported[1]["nvivo"])
    rules, gap = make_guid("user", RULE_CODER), make_guid("code", "resource.funding.gap")
    favour = make_guid("code", "social.favour")
    assert _selection(root, "S02.txt", rules, gap) is None
    assert _selection(root, "S02.txt", rules, favour) is not None
    codings = root.findall(".//q:PlainTextSelection/q:Coding", NS)
    assert len(codings) == 8


def test_code_hierarchy_codable_colour_and_description(exported):
    root = _qde(exported[1]["nvivo"])
    core = root.find("q:CodeBook/q:Codes/q:Code", NS)
    assert core.get("name") == "压力驱动的基层腐败" and core.get("isCodable") == "false"
    resource = core.find("q:Code[@name='资源压力']", NS)
    assert resource.get("isCodable") == "true"  # a category, but bob coded it
    assert resource.get("color") == "#FF0000"
    text = resource.find("q:Description", NS).text
    assert "资源不足带来的压力" in text and "提到经费、项目" in text and "个人收入" in text
    social = core.find("q:Code[@name='人情压力']", NS)
    assert social.get("isCodable") == "false"
    leaf = resource.find("q:Code/q:Code", NS)
    assert leaf.get("name") == "缺钱 😀" and leaf.get("isCodable") == "true"
    assert len(root.findall(".//q:Code", NS)) == 6


def test_cases_and_typed_variables(exported):
    root = _qde(exported[1]["nvivo"])
    variables = {v.get("name"): (v.get("guid"), v.get("typeOfVariable"))
                 for v in root.findall("q:Variables/q:Variable", NS)}
    assert {n: t for n, (_g, t) in variables.items()} == {
        "年龄": "Integer", "性别": "Text", "党员": "Boolean", "入职": "Date", "得分": "Float"}
    by_guid = {g: n for n, (g, _t) in variables.items()}
    cases = {c.get("name"): c for c in root.findall("q:Cases/q:Case", NS)}
    assert list(cases) == ["S01", "S02", "E01"]

    def values(case):
        found = {}
        for holder in cases[case].findall("q:VariableValue", NS):
            ref, value = holder[0], holder[1]
            found[by_guid[ref.get("targetGUID")]] = (etree.QName(value).localname, value.text)
        return found

    assert values("S01") == {"年龄": ("IntegerValue", "45"), "性别": ("TextValue", "女"),
                             "党员": ("BooleanValue", "true"), "入职": ("DateValue", "2001-09-01"),
                             "得分": ("FloatValue", "3.5")}
    assert values("E01")["性别"] == ("TextValue", "=cmd")
    assert cases["S01"].find("q:Description", NS).text == "东部 村干部"
    refs = [r.get("targetGUID") for r in cases["S02"].findall("q:SourceRef", NS)]
    assert refs == [make_guid("source", "S02.txt")]


def test_memos_are_notes_linked_from_their_targets(exported):
    root = _qde(exported[1]["nvivo"])
    notes = {n.find("q:PlainTextContent", NS).text: n.get("guid")
             for n in root.findall("q:Notes/q:Note", NS)}
    assert len(notes) == 7  # five memos, the codebook and gtcode's study state
    code = root.find(".//q:Code[@name='资源压力']", NS)
    assert [r.get("targetGUID") for r in code.findall("q:NoteRef", NS)] == [notes["定义需要收紧"]]
    e01 = root.find("q:Sources/q:TextSource[@name='E01.txt']", NS)
    assert e01.find("q:NoteRef", NS).get("targetGUID") == notes["English source"]
    link = root.find("q:Links/q:Link", NS)
    assert (link.get("originGUID"), link.get("targetGUID")) == (notes["受访者谨慎"],
                                                              make_guid("case", "S02"))
    span = [s for s in root.findall(".//q:PlainTextSelection", NS)
            if s.find("q:NoteRef", NS) is not None]
    assert len(span) == 1 and span[0].find("q:NoteRef", NS).get("targetGUID") == notes[
        "𠀀 这里很关键"]
    project_refs = {r.get("targetGUID") for r in root.findall("q:NoteRef", NS)}
    assert notes["资源压力是核心。\n第二行 😀"] in project_refs
    book = root.find(f"q:Notes/q:Note[@name='{CODEBOOK_NOTE_NAME}']", NS)
    assert book.get("guid") in project_refs
    assert "resource.funding.gap" in book.find("q:PlainTextContent", NS).text


def test_sets_with_code_and_source_members(exported):
    root = _qde(exported[1]["nvivo"])
    sets = {s.get("name"): s for s in root.findall("q:Sets/q:Set", NS)}
    codes = [m.get("targetGUID") for m in sets["关键概念"].findall("q:MemberCode", NS)]
    assert codes == [make_guid("code", "resource.funding.gap"), make_guid("code", "social.favour")]
    sources = [m.get("targetGUID") for m in sets["中文访谈"].findall("q:MemberSource", NS)]
    assert sources == [make_guid("source", "S01.txt"), make_guid("source", "S02.txt")]


def test_qdc_holds_codes_and_code_sets(exported):
    root = etree.parse(str(exported[1]["qdc"])).getroot()
    assert len(root.findall(".//c:Code", CB)) == 6
    assert root.findall(".//c:NoteRef", CB) == []
    members = root.findall("c:Sets/c:Set/c:MemberCode", CB)
    assert [m.get("guid") for m in members] == [make_guid("code", "resource.funding.gap"),
                                                make_guid("code", "social.favour")]
    leaf = root.find(".//c:Code[@name='缺钱 😀']", CB)
    assert leaf.get("isCodable") == "true"


def test_codings_of_codes_outside_the_codebook_keep_a_code(tmp_path):
    study = build_study(tmp_path)
    with study.write() as conn:
        conn.execute("UPDATE codings SET code_id = 'gone.code' WHERE coder = 'carol'")
    qde, _files, report = project_document(study)
    assert not schema_errors(qde, "project")
    root = etree.fromstring(qde)
    assert root.find("q:CodeBook/q:Codes/q:Code[@name='gone.code']", NS) is not None
    assert any("gone.code" in w for w in report.warnings)
    study.close()


def test_unknown_position_unit_is_refused(tmp_path):
    study = build_study(tmp_path)
    with pytest.raises(GtcodeError) as error:
        export_qdpx(study, tmp_path / "x.qdpx", positions="bytes")
    assert error.value.code == "E112"
    assert not (tmp_path / "x.qdpx").exists()
    study.close()


def test_guids_are_uuid5_of_gtcode_namespace():
    import uuid

    from gtcode.exchange.refi_common import GTCODE_GUID_NAMESPACE
    for key in (("code", "resource"), ("coding", "S01.txt", 13, 27, "缺钱", "alice"),
                ("user", "😀")):
        expected = uuid.uuid5(GTCODE_GUID_NAMESPACE, "\x1f".join(map(str, key)))
        assert make_guid(*key) == str(expected)


def test_a_note_of_many_megabytes_still_validates(exported):
    """A large study's state Note is one text node over libxml2's 10 MB default limit
    (a 30 MB study's was 9 million characters on one line); checking the export must
    not fail on it (it did: ``gtcode run`` stopped with an lxml traceback)."""
    with zipfile.ZipFile(exported[1]["nvivo"]) as archive:
        qde = archive.read("project.qde")
    root = etree.fromstring(qde)
    text = root.find(".//{urn:QDA-XML:project:1.0}PlainTextContent")
    assert text is not None
    text.text = "状态" * 6_000_000  # 12 million characters, 36 MB of UTF-8
    big = etree.tostring(root, xml_declaration=True, encoding="utf-8")
    assert schema_errors(big, "project") == []


def test_a_project_that_fails_its_schema_check_is_not_written(tmp_path, monkeypatch):
    """The archive is compressed beside the check; when the check fails nothing is kept."""
    from gtcode.exchange import refi_export

    (tmp_path / "s").mkdir()
    study = build_study(tmp_path / "s")
    target = tmp_path / "out.qdpx"
    target.write_bytes(b"earlier")

    def refuse(xml, kind, file):
        raise GtcodeError("E504", "the project XML failed schema validation.", file=file)

    monkeypatch.setattr(refi_export, "check_schema", refuse)
    with pytest.raises(GtcodeError) as caught:
        export_qdpx(study, target)
    study.close()
    assert caught.value.code == "E504"
    assert target.read_bytes() == b"earlier"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out.qdpx", "s"]


@pytest.mark.parametrize("astral", [True, False])
def test_both_projects_of_one_run_equal_separate_exports(tmp_path, monkeypatch, astral):
    """Inside one remembered read the tree is shared between the units when they count alike
    (no character above U+FFFF); either way each project equals its own separate export."""
    from gtcode.exchange import refi_export

    (tmp_path / "s").mkdir()
    study = build_study(tmp_path / "s")
    if not astral:  # these sources hold emoji: say the units agree, as a BMP-only study does
        monkeypatch.setattr(refi_export, "units_agree", lambda texts: True)
    alone = {p: _qde(export_qdpx(study, tmp_path / f"{p}.qdpx", positions=p).path)
             for p in ("nvivo", "codepoints")}
    with study.snapshot(), study.remembering():
        shared = {p: _qde(export_qdpx(study, tmp_path / f"{p}-run.qdpx", positions=p).path)
                  for p in ("nvivo", "codepoints", "nvivo")}
    study.close()
    built = {p: etree.tostring(tree) for p, tree in shared.items()}
    if astral:
        assert built == {p: etree.tostring(tree) for p, tree in alone.items()}
    else:  # the code-point project written from the NVivo tree: only the Description differs
        positions = {p: [(s.get("startPosition"), s.get("endPosition")) for s in
                         tree.iterfind(".//q:PlainTextSelection", NS)]
                     for p, tree in shared.items()}
        assert positions["nvivo"] == positions["codepoints"]
        assert built["nvivo"] == etree.tostring(alone["nvivo"])
        for p, tree in shared.items():
            assert tree.find("q:Description", NS).text.endswith(f"(positions={p}).")


def test_the_check_of_the_built_tree_finds_what_parsing_the_bytes_finds(tmp_path):
    """export_qdpx checks the tree it built instead of parsing its serialised bytes again."""
    from gtcode.exchange.refi_common import check_schema, tree_errors
    from gtcode.exchange.refi_export import _project_tree, _serialise

    (tmp_path / "s").mkdir()
    study = build_study(tmp_path / "s")
    project, _report = _project_tree(study, "nvivo")
    study.close()
    root = project.root
    assert tree_errors(root, "project") == [] == schema_errors(_serialise(root), "project")
    check_schema(root, "project", "p.qdpx")  # no error
    source = root.find(".//{urn:QDA-XML:project:1.0}TextSource")
    del source.attrib["guid"]
    found = tree_errors(root, "project")
    assert found and "TextSource" in found[0] and "guid" in found[0]
    assert schema_errors(_serialise(root), "project")
    with pytest.raises(GtcodeError) as caught:
        check_schema(root, "project", "p.qdpx")
    assert caught.value.code == "E504" and "p.qdpx" in str(caught.value)
