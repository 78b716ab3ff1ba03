"""The detector: planted identifiers are found with their kind, everyday words are not,
already-masked names are left alone, and pseudonyms link the forms of one person."""

from __future__ import annotations

import pytest

from gtcode.privacy.apply import offset_map, splice
from gtcode.privacy.detect import detect, scan
from gtcode.privacy.pseudonyms import propose
from privacy_fixtures import PLANTED, T1, T2


def _found(text: str) -> dict[str, str]:
    return {f.term: f.kind for f in detect(text)}


def test_planted_identifiers_are_found_with_their_kind() -> None:
    found = _found(T1 + T2)
    for term, kind in PLANTED.items():
        assert found.get(term) == kind, term


@pytest.mark.parametrize("text", [
    "张某某也认识他。", "王某说过这件事。", "对于书记来说这很正常。", "过了一个小时才到。",
    "我们村的路不好走。", "县财政局的人来过。", "他当过老师。", "这是贫困县。",
])
def test_everyday_words_and_masked_names_are_not_candidates(text: str) -> None:
    assert detect(text) == []


@pytest.mark.parametrize(("text", "term", "kind"), [
    ("我的手机是138 1234 5678。", "138 1234 5678", "phone"),
    ("座机0312-5551234。", "0312-5551234", "phone"),
    ("Call me on +86 139-1234-5678.", "+86 139-1234-5678", "phone"),
    ("旧身份证130602750812123。", "130602750812123", "id_card"),
    ("号码13060219750812123X。", "13060219750812123X", "id_card"),
    ("车是京A·8B123。", "京A·8B123", "plate"),
    ("Write to li.ming@example.org please.", "li.ming@example.org", "email"),
    ("他生于1962年10月3日。", "1962年10月3日", "birth_date"),
    ("She was born on 3 October 1962.", "3 October 1962", "birth_date"),
    ("I met Mrs. Thompson yesterday.", "Mrs. Thompson", "person"),
    ("Sarah Miller said no.", "Sarah Miller", "person"),
    ("Wang Jianguo said no.", "Wang Jianguo", "person"),
    ("We drove to Qingshan County.", "Qingshan County", "place"),
    ("欧阳娜娜来了。", "欧阳娜娜", "person"),
    ("我去了保定市。", "保定市", "place"),
    ("Ring me on 07700 900123 tonight.", "07700 900123", "phone"),
    ("Her number is +44 20 7946 0958.", "+44 20 7946 0958", "phone"),
    ("身份证号码是 130602 19750812 123X。", "130602 19750812 123X", "id_card"),
    ("My NI number is AB 12 34 56 C.", "AB 12 34 56 C", "id_card"),
    ("The van was WX65 KFT.", "WX65 KFT", "plate"),
    ("我是1975年8月12日生的。", "1975年8月12日", "birth_date"),
    ("我生日是农历八月十五。", "农历八月十五", "birth_date"),
    ("My birthday is 12 March, so soon.", "12 March", "birth_date"),
    ("我叫田秀芬，今年五十岁。", "田秀芬", "person"),
    ("We moved to Harwell when I was ten.", "Harwell", "place"),
])

def test_forms_of_each_kind(text: str, term: str, kind: str) -> None:
    assert _found(text).get(term) == kind


def test_a_date_far_from_any_birth_word_is_not_a_birth_date() -> None:
    assert "2019年5月" not in _found("2019年5月我们开了一个很长很长很长很长的会，大家都来了。")


def test_pseudonyms_link_the_forms_of_one_person_and_use_no_real_surname() -> None:
    candidates = scan([T1, T2])
    propose(candidates)
    by_term = {c.term: c.pseudonym for c in candidates}
    stand_in = by_term["王建国"][0]
    assert by_term["王书记"] == stand_in + "书记"
    assert by_term["老王"] == "老" + stand_in
    assert by_term["刘主任"][0] != stand_in
    real = {c.term[0] for c in candidates if c.kind == "person"}
    assert stand_in not in real and by_term["李秀英"][0] not in real
    assert by_term["青山县"].endswith("县") and by_term["红星村"].endswith("村")
    assert len(set(by_term.values())) == len(by_term)  # different terms, different pseudonyms


def test_counts_are_every_occurrence_apply_would_replace() -> None:
    counts = {c.term: c.count for c in scan([T1, T2])}
    assert counts["王建国"] == T1.count("王建国") + T2.count("王建国")
    assert counts["红星村"] == 2


def test_known_pseudonyms_from_the_key_are_proposed_again() -> None:
    candidates = scan([T1])
    propose(candidates, {"王建国": ("甲某", "Jia X")})
    assert next(c for c in candidates if c.term == "王建国").pseudonym == "甲某"


def test_offsets_move_with_the_text_and_never_cut_a_pseudonym() -> None:
    text = "ab王建国cd王建国"
    edits = [(2, 5, "某"), (7, 10, "某某某某")]
    new = splice(text, edits)
    where = offset_map(edits)
    assert new == "ab某cd某某某某"
    assert [where(p, False) for p in (0, 2, 5, 7)] == [0, 2, 3, 5]
    assert where(3, False) == 2 and where(3, True) == 3  # inside a term: the whole pseudonym
    assert where(2, True) == 2 and where(10, True) == 9
    assert new[where(5, False):where(7, True)] == "cd"

def test_short_forms_of_found_names_and_places_are_candidates_too() -> None:
    text = ("我叫田国华，在青溪县工作。国华这个名字是我爸起的，青溪这地方不大。"
            "Then Sarah Miller came from Qingxi County; Miller said Qingxi was small.")
    terms = {c.term: c.kind for c in scan([text])}
    for term, kind in (("国华", "person"), ("青溪", "place"), ("Miller", "person"),
                       ("Qingxi", "place")):
        assert terms.get(term) == kind, term


def test_latin_terms_are_replaced_as_whole_words_only() -> None:
    from gtcode.privacy.detect import count_terms

    counts, _examples = count_terms(["Li Ming met Lily. Li said 1234 is not 12345."],
                                    ["Li", "1234"])
    assert counts == {"Li": 2, "1234": 1}
