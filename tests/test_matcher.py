"""The folded matcher gives exactly the hits of a plain pyahocorasick automaton."""

from __future__ import annotations

import random

import ahocorasick

from gtcode.coding.rules.matcher import OTHER, Matcher

KEYS = ["人情", "人情世故", "情", "老人", "世故", "送礼", "礼", "工资太低", "a股", "ab", "b",
        "𠀀人", "人情味", "味"]


def plain_hits(keys, text):
    automaton = ahocorasick.Automaton()
    for value, key in enumerate(keys):
        automaton.add_word(key, value)
    automaton.make_automaton()
    return list(automaton.iter(text))


def test_same_hits_in_the_same_order_as_a_plain_automaton():
    rng = random.Random(3)
    pieces = KEYS + list("的了是在不，。老绪 \n") + ["\ufdd1", OTHER, "\ud800", "İ", "ｱ", "z"]
    matcher = Matcher(list(zip(KEYS, range(len(KEYS)))), frequency=lambda c: ord(c) % 7)
    for _ in range(500):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(0, 40)))
        assert matcher.find(text) == plain_hits(KEYS, text), text


def test_fold_keeps_offsets_and_pattern_characters():
    matcher = Matcher([("人情", 0), ("ab", 1)])
    text = "老人情绪ab𠀀c\ud800"
    folded = matcher.fold(text)
    assert len(folded) == 2 * len(text)
    assert folded[1::2] == f"{OTHER}人情{OTHER}ab{OTHER}{OTHER}{OTHER}"
    assert matcher.find(text) == [(2, 0), (5, 1)]


def test_keys_with_the_stand_in_character_are_matched_unfolded():
    matcher = Matcher([(OTHER + "x", 0)])
    assert matcher.fold("abc") == "abc"
    assert matcher.shift == 0 and matcher.find("a" + OTHER + "x") == [(2, 0)]


def test_no_keys():
    assert Matcher([]).find("人情") == []
    assert Matcher([("", 0)]).find("人情") == []


def test_many_keys_over_every_bucket():
    rng = random.Random(8)
    alphabet = [chr(0x4E00 + i) for i in range(120)] + list("abc，。")
    keys = sorted({"".join(rng.choice(alphabet) for _ in range(rng.randint(1, 4)))
                   for _ in range(400)})
    matcher = Matcher(list(zip(keys, range(len(keys)))), frequency=lambda c: -ord(c))
    assert matcher.shift == 1
    text_chars = alphabet + ["x", "\n", "𠀀"]
    for _ in range(200):
        text = "".join(rng.choice(text_chars) for _ in range(rng.randint(0, 60)))
        assert matcher.find(text) == plain_hits(keys, text), text
