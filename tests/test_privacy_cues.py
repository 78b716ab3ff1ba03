"""Names and places found by the words around them (chinese_cues), the forms of a found
name said alone, and everyday words that must stay out. Fixtures written for these tests."""

from __future__ import annotations

import pytest

from gtcode.privacy.detect import detect, scan


def _found(text: str) -> dict[str, str]:
    return {f.term: f.kind for f in detect(text)}


@pytest.mark.parametrize(("text", "term"), [
    ("我们科长邵明轩，人很和气。", "邵明轩"),  # a role word before, a pause after
    ("问：谁管这个？\n答：鲍永胜，当时的站长。", "鲍永胜"),  # a turn opens with the name
    ("俺男人屈德旺，在外头打工。", "屈德旺"),
    ("那天蒋文涛书记来了。", "蒋文涛"),  # a full name before a title
    ("访谈对象：邝志强，男，五十岁。", "邝志强"),
    ("周局，您先坐。", "周局"),  # a surname and a short title
])
def test_full_names_jieba_cuts_apart_are_found_by_their_cues(text: str, term: str) -> None:
    assert _found(text).get(term) == "person"


@pytest.mark.parametrize(("text", "term"), [
    ("原石岭镇党委书记，后来调走了。", "石岭镇"),  # a level after 原, cut apart by jieba
    ("我是杨柳县郝庄镇的人。", "郝庄镇"),  # the next level right after a found place
    ("我们开车去青龙水库钓鱼。", "青龙水库"),  # a landmark suffix
    ("他是巴林人，做茶叶生意。", "巴林"),  # 是 X 人
    ("侄儿在柏川开出租。", "柏川"),  # 在 X 开
])
def test_places_are_found_by_their_cues(text: str, term: str) -> None:
    assert _found(text).get(term) == "place"


@pytest.mark.parametrize(("text", "term"), [
    ("在东门的聚贤楼酒店吃饭。", "聚贤楼酒店"),  # a whole-word suffix after a proper stem
    ("请了金桥律师事务所的律师。", "金桥律师事务所"),
])
def test_organisations_with_a_proper_stem_are_found(text: str, term: str) -> None:
    assert _found(text).get(term) == "org"


def test_an_organisation_name_may_hold_a_verb_like_development() -> None:
    found = _found("进了一个公司，华兴鑫达农业开发有限公司，搞大棚。")
    assert any(k == "org" and t.endswith("农业开发有限公司") for t, k in found.items())


def test_a_found_name_brings_its_given_name_and_familiar_forms() -> None:
    text = ("答：鲍永胜，当时的站长。后来领导拍拍我说，永胜啊，好好干。"
            "大家都叫我胜哥。我表弟邓小军。小军说他不干了。")
    terms = {c.term: c.kind for c in scan([text])}
    for term in ("鲍永胜", "永胜", "胜哥", "邓小军", "小军"):
        assert terms.get(term) == "person", term


@pytest.mark.parametrize("text", [
    "那时候我们都很忙。", "我看了就明白了。", "以前就是种麦、种玉米。", "好的，谢谢您。",
    "那段时间他很忙。", "见了我妈叫阿姨。", "镇里的领导知道这些吗？", "我在河里摸鱼，在这里长大。",
    "农村公路修好了。", "毕业后在一家外贸公司上班。", "那时候镇长不在。", "每亩给五十块辛苦费。",
    "从全局看，这是对的。", "山多地少，种苞谷。", "那阵子正好防汛。", "天刚黎明，雾很大。",
    "张某某，男，当时的会计。", "答：李某，当时的站长。", "他讲究王道，按规矩来。",
    "和大家一样，都很高兴。", "我们去了那边，参观了大棚。",
])
def test_everyday_words_and_masked_names_stay_out(text: str) -> None:
    assert _found(text) == {}, _found(text)


@pytest.mark.parametrize(("text", "term", "kind"), [
    ("办公室座机(0715) 6623 4410，有事打。", "(0715) 6623 4410", "phone"),
    ("他手机是幺三九 八七六五 四三二一，你记一下。", "幺三九 八七六五 四三二一", "phone"),
    ("邮箱是zhangwei88 艾特 163 点 com，发过去。", "zhangwei88 艾特 163 点 com", "email"),
    ("My email is tom dot reed at example dot org if you need it.",
     "tom dot reed at example dot org", "email"),
    ("The car plate was Su E 7K210 and I forgot it.", "Su E 7K210", "plate"),
    ("She studied at the University of Durham for a year.", "University of Durham", "org"),
    ("We had tea in a café near Morley station.", "Morley", "place"),
])
def test_spoken_and_translated_forms_are_found(text: str, term: str, kind: str) -> None:
    assert _found(text).get(term) == kind


def test_an_english_full_name_brings_its_given_name_and_familiar_form() -> None:
    text = ("Dr Hamid Qureshi signed it. Later Hamid phoned. Margaret Dowling was there; "
            "Maggie said no, and Mrs Dowling agreed.")
    terms = {c.term: c.kind for c in scan([text])}
    for term in ("Hamid", "Maggie", "Mrs Dowling"):
        assert terms.get(term) == "person", term


@pytest.mark.parametrize("text", [
    "Let me look at this dot com business.", "我们三个人一起去的。", "信用社贷了五万。",
    "在县城开了个店。", "账本在支书那里。", "县里领导来检查，中午吃饭。", "梁股长，您先说。",
    "喺外国读大学。", "大头是支书和会计拿了。", "批宅基地、修门面、工程验收。",
])
def test_more_everyday_phrases_stay_out(text: str) -> None:
    found = {t: k for t, k in _found(text).items() if t not in ("梁股长",)}
    assert found == {}, found
    assert "股长" not in {c.term for c in scan([text])}


@pytest.mark.parametrize(("text", "term", "kind"), [
    ("老周和小吴都来了。", "小吴", "person"),  # jieba glues 和 to 小吴
    ("他在石河子打工，过年才回来。", "石河子", "place"),  # a place cue wins over jieba's nr
    ("他是湖南邵阳人，说话快。", "邵阳", "place"),  # a name jieba tags nr after a province
    ("通过远大建筑工程有限责任公司走的账。", "远大建筑工程有限责任公司", "org"),
])
def test_cues_decide_the_kind_and_registered_companies_are_found(text: str, term: str,
                                                                 kind: str) -> None:
    assert _found(text).get(term) == kind


def test_a_generic_company_after_a_measure_word_stays_out() -> None:
    assert not any(k == "org" for k in _found("他开了一家建筑工程有限公司。").values())


@pytest.mark.parametrize(("text", "term", "kind"), [
    ("他儿子莫文韬在县里上班。", "莫文韬", "person"),  # a role word before, 在 after
    ("工行石岭支行的客户经理。", "工行石岭支行", "org"),  # a bank's branch
])
def test_names_after_a_role_word_and_bank_branches(text: str, term: str, kind: str) -> None:
    assert _found(text).get(term) == kind


def test_a_conjunction_does_not_join_a_name_and_a_kin_word_is_no_given_name() -> None:
    found = _found("兰嫂和杨姨都在。书记和大家说了。")
    assert found.get("杨姨") == "person"
    assert not {"和杨姨", "杨姨都", "和大家"} & set(found)


def test_a_company_said_without_its_legal_form_or_trade_is_a_candidate_too() -> None:
    text = "钱走的是瑞丰隆路桥工程有限公司的账。后来瑞丰隆路桥又中了标，瑞丰隆的老板请客。"
    terms = {c.term: c.kind for c in scan([text])}
    for term in ("瑞丰隆路桥", "瑞丰隆"):
        assert terms.get(term) == "org", term
    assert "外贸" not in {c.term for c in scan(["他在一家外贸公司上班，外贸不好做。"])}


@pytest.mark.parametrize(("text", "term", "kind"), [
    ("My colleague Tomasz Nowak joined us.", "Tomasz Nowak", "person"),  # after a role word
    ("Chief Inspector Morris came.", "Inspector Morris", "person"),
    ("I was born on 12 March 1975 in Harrogate.", "Harrogate", "place"),  # after a year
])
def test_english_names_after_a_role_word_or_title_and_places_after_a_year(
        text: str, term: str, kind: str) -> None:
    assert _found(text).get(term) == kind


@pytest.mark.parametrize("text", ["The Chief Executive Officer resigned.",
                                  "He has a brother, Spring Festival or not."])
def test_role_words_before_everyday_capitals_find_no_one(text: str) -> None:
    assert _found(text) == {}


def test_a_place_jieba_cuts_after_a_numeral_is_found_between_its_cues() -> None:
    assert _found("有空到九龙坡一带看看。").get("九龙坡") == "place"  # 九 / 龙坡
    assert _found("我去五金店那边买东西。") == {}  # a kind of shop, no place's name
