"""The codebook cache: an unchanged codebook is not parsed again; any edit is.

``load_codebook`` keeps each valid codebook it parsed in the cache, valid for
the same bytes, size and modification time. These tests count the parses
(``parse_yaml`` calls) to see when the cache served the codebook.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gtcode.codebook import load_codebook, validate
from gtcode.codebook.builtin import builtin_path
from gtcode.errors import GtcodeError


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GTCODE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


@pytest.fixture
def parses(monkeypatch):
    calls: list[str] = []
    real = validate.parse_yaml

    def counting(text, file=None):
        calls.append(str(file))
        return real(text, file)

    monkeypatch.setattr(validate, "parse_yaml", counting)
    return calls


@pytest.fixture
def book_file(tmp_path) -> Path:
    path = tmp_path / "codebook.yaml"
    shutil.copyfile(builtin_path("six-pressures"), path)
    return path


def same_size_edit(path: Path, old: str, new: str) -> None:
    """Replace ``old`` by ``new`` (same length in bytes), keeping the file's times."""
    before = path.stat()
    text = path.read_text(encoding="utf-8")
    assert old in text and len(old.encode()) == len(new.encode())
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    os.utime(path, ns=(before.st_atime_ns, before.st_mtime_ns))
    after = path.stat()
    assert (after.st_size, after.st_mtime_ns) == (before.st_size, before.st_mtime_ns)


def test_an_unchanged_codebook_is_parsed_once(folder, parses, book_file):
    first = load_codebook(book_file)
    second = load_codebook(book_file)
    assert len(parses) == 1
    assert second == first and second.hash == first.hash
    assert second.source_path == book_file and second.warnings == first.warnings
    assert second is not first  # a fresh object: changing one never changes the other
    assert [p.name.split("-")[0] for p in folder.iterdir()] == ["codebook"]


def test_the_built_in_codebook_is_cached_too(folder, parses):
    load_codebook("six-pressures")
    load_codebook("six-pressures")
    assert len(parses) == 1


def test_a_touch_that_changes_only_the_time_parses_again(folder, parses, book_file):
    load_codebook(book_file)
    stat = book_file.stat()
    os.utime(book_file, ns=(stat.st_atime_ns, stat.st_mtime_ns + 1_000_000_000))
    load_codebook(book_file)
    assert len(parses) == 2
    load_codebook(book_file)
    assert len(parses) == 2  # and the new entry serves the next load
    assert len(list(folder.iterdir())) == 1  # one entry per file, replaced, not piled up


def test_an_edit_that_keeps_size_and_time_is_seen(folder, parses, book_file):
    first = load_codebook(book_file)
    same_size_edit(book_file, "name: 办事资源压力", "name: 办事条件压力")
    second = load_codebook(book_file)
    assert len(parses) == 2
    assert "办事条件压力" in [code.name for code in second.codes]
    assert second.hash != first.hash


def test_a_broken_edit_is_never_served_from_the_cache(folder, parses, book_file):
    load_codebook(book_file)
    same_size_edit(book_file, "name: 办事资源压力", "name: [办事资源压xx")
    with pytest.raises(GtcodeError) as raised:
        load_codebook(book_file)
    assert raised.value.code == "E201" and str(book_file) in raised.value.render()
    with pytest.raises(GtcodeError):  # broken codebooks are not cached: parsed every time
        load_codebook(book_file)
    assert len(parses) == 3


def test_a_codebook_with_problems_is_not_cached(folder, parses, book_file):
    text = book_file.read_text(encoding="utf-8")
    book_file.write_text(text.replace("level: category", "level: catgeory", 1), encoding="utf-8")
    for _ in range(2):
        with pytest.raises(GtcodeError) as raised:
            load_codebook(book_file)
        assert raised.value.code == "E202"
    assert len(parses) == 2 and not any(folder.glob("codebook-*"))


def test_the_same_codebook_under_another_path_is_its_own_entry(folder, parses, book_file,
                                                                 tmp_path):
    other = tmp_path / "other.yaml"
    shutil.copyfile(book_file, other)
    assert load_codebook(other).source_path == other
    assert load_codebook(book_file).source_path == book_file
    assert len(parses) == 2


def test_a_damaged_entry_is_parsed_again(folder, parses, book_file):
    load_codebook(book_file)
    for entry in folder.iterdir():
        entry.write_bytes(b"not a pickle")
    assert load_codebook(book_file).hash
    assert len(parses) == 2


def test_with_the_cache_off_every_load_parses(monkeypatch, parses, book_file):
    monkeypatch.setenv("GTCODE_CACHE_DIR", "off")
    load_codebook(book_file)
    load_codebook(book_file)
    assert len(parses) == 2
