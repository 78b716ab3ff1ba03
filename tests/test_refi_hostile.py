"""Hostile REFI-QDA files are refused with a clear error code, and nothing is written."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from gtcode.errors import GtcodeError
from gtcode.exchange.refi_common import Limits
from gtcode.exchange.refi_qda import import_project, qdc_to_codebook_yaml
from hostile_xml import EXTERNAL, LAUGHS
from refi_helpers import make_zip

GUID = "00000000-0000-4000-8000-000000000001"
SOURCE = "00000000-0000-4000-8000-000000000002"
OK_QDE = (f'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><CodeBook><Codes>'
          f'<Code guid="{GUID}" name="c" isCodable="true"/></Codes></CodeBook></Project>').encode()


def refused(path: Path, target: Path, code: str, **kwargs) -> GtcodeError:
    """Import must fail with ``code`` and leave the target's folder as it was."""
    before = sorted(p.name for p in target.parent.iterdir())
    with pytest.raises(GtcodeError) as error:
        import_project(path, target, **kwargs)
    assert error.value.code == code, error.value.render()
    assert sorted(p.name for p in target.parent.iterdir()) == before
    return error.value


def test_zip_slip_entry(tmp_path):
    path = make_zip(tmp_path / "slip.qdpx", {"project.qde": OK_QDE, "../../evil.txt": b"x"})
    error = refused(path, tmp_path / "study", "E502")
    assert "evil.txt" in error.render()
    assert not (tmp_path.parent / "evil.txt").exists()


@pytest.mark.parametrize("name", ["/etc/cron.d/x", "C:/Windows/x.txt", "sources\\..\\..\\x"])
def test_absolute_and_backslash_entries(tmp_path, name):
    path = make_zip(tmp_path / "abs.qdpx", {"project.qde": OK_QDE, name: b"x"})
    refused(path, tmp_path / "study", "E502")


def test_symlink_entry(tmp_path):
    path = make_zip(tmp_path / "link.qdpx", {"project.qde": OK_QDE, "sources/a.txt": b"/etc"},
                    symlinks=("sources/a.txt",))
    refused(path, tmp_path / "study", "E502")


def test_zip_bomb_is_refused_before_inflating(tmp_path):
    path = tmp_path / "bomb.qdpx"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", OK_QDE)
        archive.writestr("sources/bomb.txt", b"\0" * (32 * 1024 ** 2))  # ~1000:1
    error = refused(path, tmp_path / "study", "E502")
    assert "bomb" in error.render()


def test_size_and_entry_caps(tmp_path):
    path = make_zip(tmp_path / "many.qdpx", {"project.qde": OK_QDE,
                                             **{f"sources/{i}.txt": b"x" * 100 for i in range(5)}})
    refused(path, tmp_path / "study", "E502", limits=Limits(max_entries=3))
    refused(path, tmp_path / "study", "E502", limits=Limits(max_total_bytes=400))


def test_billion_laughs(tmp_path):
    path = make_zip(tmp_path / "laughs.qdpx", {"project.qde": LAUGHS})
    refused(path, tmp_path / "study", "E502")


def test_external_entity(tmp_path):
    path = make_zip(tmp_path / "xxe.qdpx", {"project.qde": EXTERNAL})
    refused(path, tmp_path / "study", "E502")


def test_entities_in_a_codebook(tmp_path):
    path = tmp_path / "book.qdc"
    path.write_bytes(LAUGHS.replace(b"Project", b"CodeBook"))
    with pytest.raises(GtcodeError) as error:
        qdc_to_codebook_yaml(path)
    assert error.value.code == "E502"


def _source_at(plain_text_path: str) -> bytes:
    return (f'<Project xmlns="urn:QDA-XML:project:1.0" name="p"><Sources>'
            f'<TextSource guid="{SOURCE}" name="s" plainTextPath="{plain_text_path}"/>'
            f'</Sources></Project>').encode()


@pytest.mark.parametrize("reference", ["internal://../../secret.txt", "internal://a/b.txt",
                                       "relative://../secret.txt", "absolute:///etc/passwd",
                                       "file:///etc/passwd", "ftp://host/x.txt"])
def test_paths_out_of_the_archive(tmp_path, reference):
    path = make_zip(tmp_path / "p.qdpx", {"project.qde": _source_at(reference)})
    error = refused(path, tmp_path / "study", "E502")
    assert reference in error.render()


def test_bare_qde_may_not_read_outside_its_folder(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("confidential", encoding="utf-8")
    folder = tmp_path / "proj"
    folder.mkdir()
    (folder / "p.qde").write_bytes(_source_at(f"absolute://{secret}"))
    refused(folder / "p.qde", tmp_path / "study", "E502")
    (folder / "sources").mkdir()
    (folder / "sources" / "link.txt").symlink_to(secret)
    (folder / "p.qde").write_bytes(_source_at("link.txt"))
    refused(folder / "p.qde", tmp_path / "study", "E502")


def test_not_a_zip_and_not_xml(tmp_path):
    path = tmp_path / "x.qdpx"
    path.write_bytes(b"hello")
    refused(path, tmp_path / "study", "E501")
    path = make_zip(tmp_path / "y.qdpx", {"project.qde": b"<Project"})
    refused(path, tmp_path / "study", "E501")
    path = make_zip(tmp_path / "z.qdpx", {"readme.txt": b"x"})
    refused(path, tmp_path / "study", "E501")


def test_existing_study_is_not_touched(tmp_path):
    path = make_zip(tmp_path / "ok.qdpx", {"project.qde": OK_QDE})
    (tmp_path / "study").mkdir()
    (tmp_path / "study" / "notes.txt").write_text("mine", encoding="utf-8")
    refused(path, tmp_path / "study", "E302")
    assert (tmp_path / "study" / "notes.txt").read_text(encoding="utf-8") == "mine"


def test_a_codebook_is_not_a_project(tmp_path):
    path = tmp_path / "book.qdc"
    path.write_text('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>',
                    encoding="utf-8")
    refused(path, tmp_path / "study", "E501")
