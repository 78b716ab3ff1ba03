"""The on-disk index cache: hits, misses, damage, and turning it off."""

from __future__ import annotations

import pickle

import pytest

from gtcode import cache
from gtcode.coding.rules.boundaries import EdgeWords, edge_words

LEXICON = {"老人": 5, "老": 0, "人情": 3, "情绪": 4, "情": 0, "世故": 2, "世": 0, "故事": 3,
           "故": 0}


@pytest.fixture
def folder(tmp_path, monkeypatch):
    monkeypatch.setenv("GTCODE_CACHE_DIR", str(tmp_path / "cache"))
    return tmp_path / "cache"


def counting(value):
    calls = []

    def build():
        calls.append(1)
        return value
    return build, calls


def test_second_call_loads_what_the_first_built(folder):
    build, calls = counting({"a": (1, 2)})
    assert cache.cached("t", "k1", build) == {"a": (1, 2)}
    assert cache.cached("t", "k1", build) == {"a": (1, 2)}
    assert len(calls) == 1
    assert [p.name for p in folder.iterdir()] == ["t-k1.pickle"]


def test_a_damaged_or_foreign_entry_is_rebuilt(folder):
    build, calls = counting([1])
    cache.cached("t", "k2", build)
    (folder / "t-k2.pickle").write_bytes(b"not a pickle")
    assert cache.cached("t", "k2", build) == [1]
    (folder / "t-k2.pickle").write_bytes(pickle.dumps(("another key", [9])))
    assert cache.cached("t", "k2", build) == [1]
    assert len(calls) == 3


@pytest.mark.parametrize("value", ["", "off", "OFF", "0"])
def test_the_cache_can_be_turned_off(monkeypatch, tmp_path, value):
    monkeypatch.setenv("GTCODE_CACHE_DIR", value)
    monkeypatch.chdir(tmp_path)
    assert cache.cache_dir() is None
    build, calls = counting(3)
    assert cache.cached("t", "k", build) + cache.cached("t", "k", build) == 6
    assert len(calls) == 2 and list(tmp_path.iterdir()) == []


def test_an_unwritable_cache_is_no_error(tmp_path, monkeypatch):
    blocker = tmp_path / "file"
    blocker.write_text("in the way", encoding="utf-8")
    monkeypatch.setenv("GTCODE_CACHE_DIR", str(blocker / "cache"))
    build, calls = counting("v")
    assert cache.cached("t", "k", build) == "v" and len(calls) == 1
    assert blocker.read_text(encoding="utf-8") == "in the way"


def test_default_folder_follows_the_platform(monkeypatch, tmp_path):
    monkeypatch.delenv("GTCODE_CACHE_DIR", raising=False)
    monkeypatch.setattr(cache.sys, "platform", "linux")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache.cache_dir() == tmp_path / "xdg" / "gtcode"
    monkeypatch.setattr(cache.sys, "platform", "win32")
    monkeypatch.setenv("LOCALAPPDATA", str(tmp_path / "local"))
    assert cache.cache_dir() == tmp_path / "local" / "gtcode" / "Cache"


def test_keys_differ_by_every_part():
    keys = {cache.cache_key("a", "b"), cache.cache_key("ab"), cache.cache_key("a", "c"),
            cache.cache_key("b", "a")}
    assert len(keys) == 4


def test_edge_words_from_disk_equal_freshly_built(folder):
    terms = ["人情", "世故", "情绪"]
    fresh = EdgeWords(terms, LEXICON)
    first = edge_words(terms, LEXICON, fingerprint="test-lexicon 1")
    assert len(list(folder.iterdir())) == 1
    edge_words.__globals__["_CACHE"].clear()  # the in-process copy: force the disk
    loaded = edge_words(terms, LEXICON, fingerprint="test-lexicon 1")
    assert loaded is not first
    assert (loaded.left, loaded.right) == (fresh.left, fresh.right) == (first.left, first.right)
    assert loaded.crosses("人情", "老人情绪", 1, 3)
    # another lexicon fingerprint is another entry
    edge_words.__globals__["_CACHE"].clear()
    edge_words(terms, LEXICON, fingerprint="test-lexicon 2")
    assert len(list(folder.iterdir())) == 2
