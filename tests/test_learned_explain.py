"""The learned coder's strongest n-grams, named when a suggestion is shown.

``gtcode open`` stores the label each suggestion came from; the review sheet
names its strongest n-grams from the turn's text and the model that coded.
Known answers: the names ``gtcode open`` stored before this change (gtcode at
fc3ae05, the sample interviews, the built-in model without embeddings).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.coding.learned import builtin
from gtcode.coding.learned.coder import _evidence_under
from gtcode.coding.learned.explain import coding_model, label_marker, strongest_names
from gtcode.coding.learned.features import Grams
from gtcode.store import learned as learned_db
from gtcode.store.project import Study

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
runner = CliRunner()
EVIDENCE = "依据 evidence"
PROBABILITY = "概率 probability"

#: Evidence cells of the review sheet as gtcode showed them when `gtcode open` stored
#: the names (fc3ae05): rule terms, then the strongest n-grams in «».
STORED_BEFORE = {
    "S01.txt#18": "resource.project_chasing: 落到我们村, «、», «个项目», «里»\n"
                  "resource.gifts_for_funds: 打点, «、», «个项目», «里»",
    "S02.txt#8": "work_conflict.targets_veto: 通报, 上面压, «节点», «通», «表»\n"
                 "work_conflict.scapegoat: 约谈, «节点», «通», «表»\n"
                 "work_conflict.caught_in_middle: 夹在中间, «节点», «通», «表»",
    "E02.txt#22": "political_future.career_ceiling: ceiling, «. a», « i », «i t»",
}


def cli(*args: object, code: int = 0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


def sheet(study: Path, out: Path) -> dict[str, dict[str, str]]:
    cli("sheet", "export", study, "-o", out, "-q")
    with open(out, encoding="utf-8-sig") as handle:
        return {row["片段 segment"]: row for row in csv.DictReader(handle)}


@pytest.fixture(scope="module")
def opened(tmp_path_factory):
    """The sample interviews, opened with the built-in model (no embeddings)."""
    work = tmp_path_factory.mktemp("explain")
    study = work / "study"
    cli("init", study, "-q")
    cli("import", study, *sorted(p for p in SAMPLE.iterdir() if p.suffix in (".txt", ".docx")),
        "-q")
    cli("open", study, "-q", "--no-embeddings")
    return work, study


def test_open_stores_labels_and_the_sheet_names_what_open_used_to_store(opened):
    work, study = opened
    with Study.open(study) as s:
        features = {f for (f,) in s.conn.execute("SELECT features FROM model_codings")}
        assert coding_model(s).fingerprint() == builtin.load(False).fingerprint()
    assert features <= {label_marker(label) for label in builtin.LABELS} | {"[]"}
    assert features & {label_marker(label) for label in builtin.LABELS}
    rows = sheet(study, work / "sheet.csv")
    for segment, evidence in STORED_BEFORE.items():
        assert rows[segment][EVIDENCE] == evidence
    # --next names only the rows it shows, the same way
    cli("sheet", "export", study, "-o", work / "next.csv", "--next", "5", "-q")
    with open(work / "next.csv", encoding="utf-8-sig") as handle:
        picked = list(csv.DictReader(handle))
    assert picked and all(row[EVIDENCE] == rows[row["片段 segment"]][EVIDENCE]
                          for row in picked)


def test_names_stored_by_an_older_gtcode_are_shown_as_they_are(opened, tmp_path):
    _work, study = opened
    copy = tmp_path / "old"
    import shutil

    shutil.copytree(study, copy)
    with Study.open(copy) as s, s.write() as conn:
        segment = conn.execute("SELECT g.id FROM segments g JOIN sources s ON s.id = "
                               "g.source_id WHERE s.name = 'S01.txt' AND g.idx = 18"
                               ).fetchone()[0]
        conn.execute("UPDATE model_codings SET features = ? WHERE segment_id = ?",
                     (json.dumps(["旧的", "名字"], ensure_ascii=False), segment))
    row = sheet(copy, tmp_path / "old.csv")["S01.txt#18"]
    assert row[EVIDENCE] == ("resource.project_chasing: 落到我们村, «旧的», «名字»\n"
                             "resource.gifts_for_funds: 打点, «旧的», «名字»")


def test_without_the_model_that_coded_no_names_are_made_up(opened, tmp_path):
    _work, study = opened
    copy = tmp_path / "gone"
    import shutil

    shutil.copytree(study, copy)
    with Study.open(copy) as s, s.write() as conn:
        conn.execute("UPDATE meta SET value = 'another model' WHERE key = ?",
                     (learned_db.MODEL_FINGERPRINT_KEY,))
    row = sheet(copy, tmp_path / "gone.csv")["S01.txt#18"]
    assert row[EVIDENCE] == "resource.project_chasing: 落到我们村\nresource.gifts_for_funds: 打点"
    assert row[PROBABILITY] == "1.00\n1.00"


def test_a_retrained_model_leaves_the_names_of_the_suggestions_it_did_not_make(tmp_path):
    study = tmp_path / "study"
    cli("init", study, "-q")
    cli("import", study, *sorted(SAMPLE.glob("*.txt")), "-q")
    cli("learn", study, "--labels", SAMPLE / "labels.csv", "--no-embeddings", "--no-builtin",
        "-q")
    cli("open", study, "-q", "--no-embeddings")
    first = sheet(study, tmp_path / "first.csv")
    assert any("«" in row[EVIDENCE] for row in first.values())
    cli("learn", study, "--labels", SAMPLE / "labels.csv", "--no-embeddings", "-q")
    with Study.open(study) as s:
        assert learned_db.load_model(s.conn, learned_db.CODED_MODEL) is not None
    assert sheet(study, tmp_path / "second.csv") == first
    cli("learn", study, "--forget", "-q")
    assert sheet(study, tmp_path / "third.csv") == first
    cli("open", study, "-q", "--no-embeddings")  # the built-in model codes now
    with Study.open(study) as s:
        assert learned_db.load_model(s.conn, learned_db.CODED_MODEL) is None


def test_names_depend_on_the_turn_alone_not_on_the_batch():
    model = builtin.load(False)
    texts = ["逢年过节都要送礼，讲人情世故，不送不行。", "上面压下来的指标，完不成就一票否决。",
             "The targets come from above and I take the blame."]
    labels = [["social_favour", "subculture"], ["work_conflict"], ["work_conflict"]]
    together = strongest_names(model, texts, labels)
    assert [strongest_names(model, [t], [mine])[0] for t, mine in zip(texts, labels)] == together
    assert set(together[0]) <= {"social_favour", "subculture"}
    assert all(len(names) <= 3 and all(n in texts[i].lower() for n in names)
               for i, found in enumerate(together) for names in found.values())
    assert together[1]["work_conflict"]  # a turn that names its category has strong n-grams


def test_grams_counted_without_places_count_the_same():
    texts = ["送礼送礼，人情", "", "ab ab c"]
    placed, bare = Grams(texts), Grams(texts, where=False)
    a, b = placed.counts(), bare.counts()
    assert (a != b).nnz == 0 and np.array_equal(a.indptr, b.indptr)
    with pytest.raises(ValueError):
        bare.text({(0, int(a.indices[0]))})


def test_a_suggestions_evidence_is_its_hits_by_start_and_term():
    from gtcode.coding.learned.turns import Turn

    one = '[{"term": "送礼", "start": 9, "end": 11, "lang": "zh"}]'
    two = ('[{"term": "人情", "start": 2, "end": 4, "lang": "zh"}, '
           '{"term": "b", "start": 20, "end": 21, "lang": "en"}]')
    hits = {"cat.a": one, "cat.b": two, "other": one}
    lineage = {"cat.a": frozenset({"cat.a", "cat"}), "cat.b": frozenset({"cat.b", "cat"}),
               "other": frozenset({"other"})}.__getitem__
    turn = Turn(1, "", "x", frozenset(hits))
    assert _evidence_under(turn, "cat.a", hits, lineage) is one  # written by the rules as is
    merged = json.loads(_evidence_under(turn, "cat", hits, lineage))
    assert [h["start"] for h in merged] == [2, 9, 20]
    assert _evidence_under(turn, "cat.b", hits, lineage) == two
    assert _evidence_under(turn, "none", hits, lineage) == "[]"
