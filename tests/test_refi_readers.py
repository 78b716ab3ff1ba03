"""Our project.qdpx opened by programs other than gtcode (issue 16).

Independent readers installed with the ``test`` extra, run on the export of a
study with emoji and CJK Extension B text, several codes on one passage,
typed case attributes and memos:

- **qc** (PyPI ``qualitative-coding``, the open-source CLI whose 1.3.2 export
  is in shared/samples/refi): its REFI-QDA import validates ``project.qde``
  against its own copy of the schema with ``xmlschema`` (another validator
  than gtcode's lxml), then brings in users, the code tree, the sources and
  every coding. qc has no cases or variables (it logs them as unsupported) and
  files every selection on line 0 (its ``get_line_for_position`` returns on the
  first line; a qc bug), so for qc we check which codes each coder applied in
  each source.
- **pyqdpx** (PyPI): reads each ``PlainTextSelection`` with its first
  ``Coding`` only and counts positions as NVivo does. It saw only the first
  code of a shared selection before issue 16; now every coding is a selection
  of its own, and each one's text is checked.
- **QualCoder** is not on any package registry this project can install from
  (``pip index versions qualcoder``: no matching distribution), and its source
  cannot be vendored here, so :func:`qualcoder_reading` replays what its
  importer (``refi.py``: ``parse_users``, ``parse_variables``, ``parse_cases``,
  ``load_text_source``, ``load_codings_for_text``, ``parse_notes``) assumes, as
  strictly: a Note without ``creationDateTime`` or ``modifiedDateTime`` stops
  it with an AttributeError, a Case needs a name, a Coding's first child is its
  CodeRef, text is sliced as ``fulltext[pos0:pos1]`` in code points.
"""

from __future__ import annotations

import sys
import xml.etree.ElementTree as ET
import zipfile
from collections import defaultdict
from pathlib import Path

import pytest

from gtcode.exchange.refi_qda import export_qdpx
from gtcode.store import refi as rdb
from gtcode.store.codes import list_codes
from gtcode.store.sources import list_cases, list_sources
from refi_helpers import build_study

NS = "{urn:QDA-XML:project:1.0}"
needs_qc = pytest.mark.skipif(sys.version_info >= (3, 14),
                              reason="qc (qualitative-coding) supports Python 3.11-3.13")


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    work = tmp_path_factory.mktemp("readers")
    study = build_study(work)
    paths = {unit: work / f"{unit}.qdpx" for unit in ("nvivo", "codepoints")}
    for unit, path in paths.items():
        export_qdpx(study, path, positions=unit)
    conn = study.conn
    facts = {
        "sources": {s.name: s.text for s in list_sources(conn)},
        "codes": {c.id: c.name for c in list_codes(conn)},
        "codings": rdb.export_codings(conn),
        "cases": dict(list_cases(conn)),
    }
    study.close()
    return paths, facts


def _passages(facts) -> list[tuple[str, str, str, str]]:
    """(source, passage, code name, coder) of every coding exported."""
    return sorted((c.source, facts["sources"][c.source][c.start:c.end],
                   facts["codes"][c.code_id], c.coder) for c in facts["codings"])


@needs_qc
def test_qc_imports_our_project(exported, tmp_path, monkeypatch):
    from qualitative_coding.corpus import QCCorpus
    from qualitative_coding.refi_qda.reader import REFIQDAReader

    paths, facts = exported
    dest = tmp_path / "qc"
    dest.mkdir()
    monkeypatch.chdir(dest)
    monkeypatch.setenv("PYTHONBREAKPOINT", "0")  # qc 1.7.8 left a breakpoint() in its reader
    REFIQDAReader(str(paths["codepoints"])).unpack_project(dest)  # validates, then imports
    corpus = QCCorpus(dest / "settings.yaml")
    for name, text in facts["sources"].items():
        assert (dest / "corpus" / name).read_text(encoding="utf-8") == text
    codebook = (dest / "codebook.yaml").read_text(encoding="utf-8")
    import yaml

    names: list[str] = []

    def walk(node):
        if isinstance(node, dict):
            for key, value in node.items():
                names.append(key)
                walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        else:
            names.append(node)

    walk(yaml.safe_load(codebook))
    assert set(names) >= set(facts["codes"].values())
    wanted: dict[tuple[str, str], set[str]] = defaultdict(set)
    for coding in facts["codings"]:
        wanted[(coding.source, coding.coder)].add(facts["codes"][coding.code_id])
    with corpus.session():
        for (source, coder), codes in wanted.items():
            assert corpus.get_codes(file_list=[source], coder=coder) == codes, (source, coder)


def test_pyqdpx_sees_every_coding_with_its_text(exported):
    from pyqdpx import QDPX

    paths, facts = exported
    project = QDPX(str(paths["nvivo"])).get_project()
    seen = []
    for source in project.sources.values():
        for selection in source.coded_selections.values():
            seen.append((source.name, selection.text.replace("\u200b", ""),
                         selection.code.name, selection.user.name))
    assert sorted(seen) == _passages(facts)
    assert any(ord(ch) > 0xFFFF for _s, text, _c, _u in seen for ch in text)


def qualcoder_reading(path: Path) -> dict:
    """Read a .qdpx with the assumptions of QualCoder's REFI-QDA import (see module doc)."""
    with zipfile.ZipFile(path) as archive:
        root = ET.fromstring(archive.read("project.qde"))
        files = {n: archive.read(n) for n in archive.namelist()}
    users = {u.get("guid"): u.get("name") for u in root.iter(f"{NS}User")}
    assert all(users.values()), "a User without a name"
    codes = {c.get("guid"): c.get("name") for c in root.iter(f"{NS}Code")}
    variables = {}
    for var in root.iter(f"{NS}Variable"):
        assert var.get("name") and var.get("typeOfVariable"), "a Variable without name or type"
        variables[var.get("guid")] = var.get("name")
    cases: dict[str, dict[str, str]] = {}
    for case in root.iter(f"{NS}Case"):
        assert case.get("name") is not None, "QualCoder takes a nameless Case for file values"
        values = cases.setdefault(case.get("name"), {})
        for value in case.findall(f"{NS}VariableValue"):
            ref, content = list(value)
            values[variables[ref.get("targetGUID")]] = content.text
    codings = []
    for source in root.iter(f"{NS}TextSource"):
        for key in ("creationDateTime", "creatingUser", "modifyingUser", "modifiedDateTime"):
            assert source.get(key), f"TextSource without {key}"
        name = source.get("plainTextPath").split("internal:/")[1]
        fulltext = files["sources" + name].decode("utf-8")
        for selection in source.findall(f"{NS}PlainTextSelection"):
            pos0, pos1 = int(selection.get("startPosition")), int(selection.get("endPosition"))
            owner = users[selection.get("creatingUser")]
            assert selection.get("creationDateTime").replace("T", " ").replace("Z", "")
            found = selection.findall(f"{NS}Coding")
            if not found:
                continue  # an annotation (a memo on a segment)
            assert len(found) == 1, "one Coding per PlainTextSelection, as NVivo writes"
            code_ref = list(found[0])[0]  # QualCoder reads the first child as the CodeRef
            assert code_ref.tag == f"{NS}CodeRef"
            assert found[0].get("creatingUser") and found[0].get("creationDateTime")
            codings.append((source.get("name"), fulltext[pos0:pos1],
                            codes[code_ref.get("targetGUID")], owner))
    notes = 0
    for note in root.iter(f"{NS}Note"):
        create_date = note.get("creationDateTime") or note.get("modifiedDateTime")
        create_date.replace("T", " ").replace("Z", "")  # AttributeError on None, as in QualCoder
        assert users[note.get("creatingUser") or note.get("modifyingUser")]
        notes += 1
    return {"cases": cases, "codings": sorted(codings), "notes": notes, "codes": codes}


def test_qualcoder_assumptions_hold(exported):
    paths, facts = exported
    read = qualcoder_reading(paths["codepoints"])
    assert read["codings"] == _passages(facts)
    assert read["cases"] == {case: {k: v for k, v in values.items() if v is not None}
                             for case, values in facts["cases"].items()}
    assert sum(len(v) for v in read["cases"].values()) > 0
    assert read["notes"] >= 3
    assert set(read["codes"].values()) >= set(facts["codes"].values())


def test_the_nvivo_variant_is_misplaced_for_code_point_readers(exported):
    """Why ``gtcode run`` writes both: a code-point reader misplaces codings after an emoji."""
    paths, facts = exported
    read = qualcoder_reading(paths["nvivo"])
    assert read["codings"] != _passages(facts)
