"""The learned coder: features, training, cross-validation by source, storage, and its CLI.

Known answers on tiny fixtures (n-gram counts, folds, kappa), a small synthetic
training set with concrete predictions, and the whole loop on the sample
interviews: decisions from a sheet, ``gtcode learn``, ``gtcode open`` with the
study's model, ``--next``, ``evaluate --coder``, staleness, backup and restore.
"""

from __future__ import annotations

import csv
import random
import shutil
import socket
import sys
from pathlib import Path

import numpy as np
import pytest
from typer.testing import CliRunner

from gtcode.cli import app
from gtcode.coding.learned import builtin, embed
from gtcode.coding.learned import turns as turns_module
from gtcode.coding.learned.features import (
    Grams,
    fit_idf,
    fold,
    ngram_counts,
    rule_columns,
    tfidf,
)
from gtcode.coding.learned.model import FeatureSpec, LearnedModel
from gtcode.coding.learned.train import (
    TrainingSet,
    choose_threshold,
    group_folds,
    kappa,
    train,
)
from gtcode.errors import GtcodeError
from gtcode.reliability.cohen import cohen_kappa_from_table
from gtcode.store import open_coding as segments_db
from gtcode.store.project import Study
from sheet_helpers import col, mark_xlsx, xlsx_rows

REPO = Path(__file__).resolve().parents[1]
SAMPLE = REPO / "data" / "sample"
runner = CliRunner()


def cli(*args: object, code: int = 0):
    result = runner.invoke(app, [str(a) for a in args])
    assert result.exit_code == code, result.output
    return result


# -- features -------------------------------------------------------------------------------

def test_fold_lowers_folds_full_width_and_collapses_space():
    assert fold("ＡＢ  c\n\t工资") == "ab c 工资"


def test_ngram_counts_count_every_one_to_three_gram():
    counts = ngram_counts(["abca", ""])
    # a×2 b c | ab bc ca | abc bca: 8 distinct n-grams, 9 in all; the empty turn has none
    assert counts.shape == (2, 1 << 18)
    assert counts[0].nnz == 8 and counts[0].sum() == 9 and counts[0].max() == 2
    assert counts[1].nnz == 0
    again = ngram_counts(["abca"])
    assert (again[0] != counts[0]).nnz == 0  # the same text, the same columns
    batch = Grams(["zz", "ABca"])
    found = batch.text({(1, int(c)) for c in counts[0].indices})
    assert set(found.values()) == {"a", "b", "c", "ab", "bc", "ca", "abc", "bca"}
    assert (batch.counts()[1] != counts[0]).nnz == 0  # a batch counts as each turn alone
    assert not batch.text({(0, int(c)) for c in counts[0].indices})  # no n-gram crosses turns


def test_tfidf_rows_have_unit_length_and_unseen_ngrams_weigh_nothing():
    train_counts = ngram_counts(["工资太低", "工资还行"])
    idf = fit_idf(train_counts)
    rows = tfidf(ngram_counts(["工资太低", "天气"]), idf)
    assert np.isclose(np.linalg.norm(rows[0].toarray()), 1.0)
    assert rows[1].nnz == 0  # 天 and 气 were never seen: no evidence, no weight
    assert idf[ngram_counts(["天"]).indices[0]] == 0


def test_rule_columns_roll_hits_up_to_their_labels():
    matrix = rule_columns([{"economic.low_pay"}, set()], ["economic", "resource"],
                          {"economic.low_pay": ["economic.low_pay", "economic", "core"]})
    assert matrix.tolist() == [[1.0, 0.0], [0.0, 0.0]]


# -- cross-validation and its statistic --------------------------------------------------

def test_group_folds_never_split_a_source():
    rng = random.Random(3)
    groups = [f"S{rng.randrange(12):02d}" for _ in range(300)]
    folds = group_folds(groups, 5)
    assert sorted(np.concatenate(folds).tolist()) == list(range(300))
    for name in set(groups):
        homes = {i for i, fold_ in enumerate(folds) if any(groups[j] == name for j in fold_)}
        assert len(homes) == 1
    assert [f.tolist() for f in group_folds(groups, 5)] == [f.tolist() for f in folds]
    with pytest.raises(GtcodeError) as info:
        group_folds(["S01"] * 4)
    assert info.value.code == "E803"


def test_kappa_is_cohens_kappa():
    rng = np.random.default_rng(5)
    truth, decided = rng.random(200) < 0.3, rng.random(200) < 0.4
    tp = int(np.sum(truth & decided))
    fn = int(np.sum(truth & ~decided))
    fp = int(np.sum(~truth & decided))
    tn = int(np.sum(~truth & ~decided))
    expected = cohen_kappa_from_table([[tp, fn], [fp, tn]]).value
    assert kappa(truth, decided) == pytest.approx(expected)


# -- training on a small synthetic set -----------------------------------------------------

MONEY = ["工资太低，家里缺钱", "房贷压得喘不过气，钱不够花", "孩子上学要花钱，工资不够",
         "欠了一屁股债，只好想办法弄钱"]
CAREER = ["领导不提拔我，干了二十年还是股级", "同批的人都升了，就我没上去", "想往上走，得给领导送礼",
          "眼看要退二线了，再不提就没机会了"]
PLAIN = ["今天天气不错", "监狱里伙食还行", "家里人来看过我两次", "每天在车间干活"]


def synthetic(sources: int = 6) -> TrainingSet:
    texts, groups, targets = [], [], []
    for s in range(sources):
        for i, text in enumerate(MONEY + CAREER + PLAIN):
            texts.append(f"{text}。{'答' * (s % 3)}")
            groups.append(f"S{s:02d}")
            targets.append([i < 4, 4 <= i < 8])
    return TrainingSet(texts, groups, ["economic", "political_future"],
                       ["category", "category"], np.array(targets, dtype=np.int8))


SPEC = FeatureSpec(rules=False)


def test_training_is_deterministic_and_the_stored_model_predicts_the_same():
    data = synthetic()
    first, second = train(data, SPEC), train(data, SPEC)
    assert first.to_bytes() == second.to_bytes()
    back = LearnedModel.from_bytes(first.to_bytes())
    counts = ngram_counts(["我缺钱还房贷", "领导一直不提拔", "天气不错"])
    p1 = first.probabilities(first.design(counts))
    assert np.allclose(back.probabilities(back.design(counts)), p1)
    decided = first.decide(p1)
    assert decided.tolist() == [[True, False], [False, True], [False, False]]
    assert p1[0, 0] > 0.5 > p1[0, 1] and p1[1, 1] > 0.5 > p1[1, 0]
    assert {s.label: s.positives for s in first.scores} == {"economic": 24,
                                                            "political_future": 24}
    assert all(s.kappa is not None and s.kappa > 0.8 for s in first.scores)
    assert first.meta["groups"] == 6 and first.meta["data_hash"] == data.data_hash()


def test_cross_validation_folds_hold_whole_sources():
    data = synthetic()
    model = train(data, SPEC, folds=4)
    for fold_ in model.cross_validation.folds:
        inside = {data.groups[i] for i in fold_}
        outside = {g for i, g in enumerate(data.groups) if i not in set(fold_.tolist())}
        assert not inside & outside


def test_min_kappa_refuses_a_label():
    model = train(synthetic(), SPEC, min_kappa=1.01)
    assert all(not s.suggested for s in model.scores)
    probabilities = model.probabilities(model.design(ngram_counts(["我缺钱还房贷"])))
    assert not model.decide(probabilities).any()


def with_shipped(data: TrainingSet, own: int = 3) -> TrainingSet:
    """The first ``own`` sources as a study's own turns, the rest as shipped (anchored)."""
    names = sorted(set(data.groups))[:own]
    data.anchored = np.array([g not in names for g in data.groups])
    return data


def test_the_own_turns_weight_is_chosen_by_grouped_cross_validation_and_stored():
    data = with_shipped(synthetic())
    model = train(data, SPEC, own_weights=(1.0, 3.0))
    tried = model.meta["own_weights_tried"]
    assert set(tried) == {"1", "3"}
    assert model.meta["own_weight"] == max((1.0, 3.0), key=lambda w: (tried[f"{w:g}"], -w))
    back = LearnedModel.from_bytes(model.to_bytes())
    assert back.meta["own_weight"] == model.meta["own_weight"]
    assert train(data, SPEC, own_weights=(1.0, 3.0)).to_bytes() == model.to_bytes()
    light, heavy = train(data, SPEC), train(data, SPEC, own_weights=(3.0,))
    assert light.meta["own_weight"] == 1.0 and heavy.meta["own_weight"] == 3.0
    assert not np.allclose(light.coef, heavy.coef)  # the weight reaches the fit
    assert "own_weight" not in train(synthetic(), SPEC, own_weights=(1.0, 3.0)).meta


def test_thresholds_on_the_own_turns_with_the_shipped_ones_beside():
    p = np.array([0.3, 0.3, 0.1, 0.1, 0.8, 0.8, 0.6, 0.6])
    truth = np.array([1, 1, 0, 0, 1, 1, 0, 0], dtype=bool)
    known = np.ones(8, dtype=bool)
    shipped = np.arange(8) >= 4
    assert choose_threshold(p, truth, known, anchored=shipped, shrink=0.0) == 0.3
    assert choose_threshold(p, truth, known, anchored=shipped, shrink=0.5) == 0.3
    assert choose_threshold(p, truth, known, anchored=shipped, shrink=10.0) == 0.625
    # pooled, both ranges agree equally well (kappa 0.5): the tie goes to the one nearer 0.5
    assert choose_threshold(p, truth, known) == 0.625
    data = with_shipped(synthetic())
    model = train(data, SPEC, shrink=0.0)
    cv, want = model.cross_validation.probabilities, data.targets == 1
    assert model.meta["threshold_shrink"] == 0.0
    for j in range(2):
        own = ~data.anchored
        assert model.thresholds[j] == choose_threshold(cv[:, j], want[:, j], own)


def test_a_damaged_model_is_refused():
    with pytest.raises(GtcodeError) as info:
        LearnedModel.from_bytes(b"not a model", where="the study's model")
    assert info.value.code == "E801" and "study's model" in info.value.message


# -- the built-in model ------------------------------------------------------------------

def test_the_shipped_models_were_trained_on_the_data_now_in_data():
    import sys

    sys.path.insert(0, str(REPO / "scripts"))
    try:
        import train_builtin_model as script
    finally:
        sys.path.remove(str(REPO / "scripts"))
    fingerprint = script.data_fingerprint(list(script.AUTHORS))
    for embeddings in (True, False):
        model = builtin.load(embeddings)
        assert model.meta["data_fingerprint"] == fingerprint, "run scripts/train_builtin_model.py"
        assert model.labels == list(builtin.LABELS) and model.spec.embeddings is embeddings
        assert model.meta["cross_validation"] == "leave one author out"
        assert "holdout5" not in model.meta["trained_on"]  # the honest test stays unseen


# -- the whole loop on the sample interviews --------------------------------------------

TRAIN = ["S01.txt", "S02.txt", "S03.txt", "S04.txt", "S05.txt", "S06.txt", "E01.txt"]


def gold_marks(study_dir: Path, files: list[str]) -> dict[str, tuple[str | None, str | None]]:
    """The sheet marks a coder following data/sample/labels.csv would make."""
    with Study.open(study_dir) as study:
        lines = segments_db.segment_lines(study.conn)
        idx = dict(study.conn.execute("SELECT id, idx FROM segments"))
    marks = {}
    with open(SAMPLE / "labels.csv", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            found = lines.get((row["file"], int(row["line"])))
            if row["file"] in files and found and found[1] != "interviewer":
                key = f"{row['file']}#{idx[found[0]]}"
                marks[key] = ("无编码", None) if not row["codes"] else \
                    (None, row["codes"].replace(";", "; "))
    return marks


@pytest.fixture(scope="module")
def coded(tmp_path_factory):
    """A study of the sample interviews, the training files decided by coder ann."""
    work = tmp_path_factory.mktemp("learned")
    study = work / "study"
    cli("init", study, "-q")
    cli("import", study, *[SAMPLE / name for name in sorted(p.name for p in SAMPLE.iterdir()
                                                            if p.suffix in (".txt", ".docx"))],
        "-q")
    cli("open", study, "-q", "--no-embeddings")
    cli("sheet", "export", study, "-o", work / "sheet.xlsx", "-q")
    mark_xlsx(work / "sheet.xlsx", work / "ann.xlsx", gold_marks(study, TRAIN))
    cli("sheet", "apply", study, work / "ann.xlsx", "--coder", "ann", "-q")
    return work, study


def test_learn_prints_reliability_by_interview_and_stores_the_model(coded):
    work, study = coded
    result = cli("learn", study, "--coder", "ann", "--no-embeddings")
    assert "Cross-validated by interview" in result.stdout
    assert "economic" in result.stdout and "kappa" in result.stdout
    assert "Stored the study's model" in result.stderr
    shown = cli("learn", study, "--coder", "ann", "--no-embeddings", "--json", "-q")
    import json

    data = json.loads(shown.stdout)
    assert data["sources"] == len(TRAIN) and data["folds"] == 5
    categories = {c["label"]: c for c in data["codes"] if c["level"] == "category"}
    short = {s["code"]: s for s in data["too_few"]}
    assert len(categories) >= 4 and all(c["kappa"] is not None for c in categories.values())
    # every main category is learned, or said to need more turns (and how many)
    assert set(categories) | {c for c, s in short.items() if s["level"] == "category"} == \
        set(builtin.LABELS)
    assert all(s["needed"] == max(8 - s["positives"], 0) for s in short.values())


def test_open_uses_the_study_model_and_the_sheet_shows_its_probability(coded):
    work, study = coded
    cli("learn", study, "--coder", "ann", "--no-embeddings", "-q")
    opened = cli("open", study, "--no-embeddings")
    assert "rules + study model" in opened.stderr
    cli("export", study, "--to", "csv", "-o", work / "codings.csv", "-q")
    with open(work / "codings.csv", encoding="utf-8") as handle:
        coders = {r["coder"] for r in csv.DictReader(handle)}
    assert "gtcode-model" in coders and "gtcode-rules" not in coders
    cli("sheet", "export", study, "-o", work / "review.xlsx", "-q")
    rows = xlsx_rows(work / "review.xlsx")
    probability = col(rows[0], "probability")
    shown = [r[probability] for r in rows[1:] if r[probability]]
    assert shown and all(0 < float(v.split()[0]) <= 1 for v in shown)


def test_min_kappa_refuses_codes_in_the_cli(coded):
    _work, study = coded
    result = cli("learn", study, "--coder", "ann", "--no-embeddings", "--no-builtin",
                 "--min-kappa", "0.99")
    assert "refused" in result.stdout
    cli("learn", study, "--coder", "ann", "--no-embeddings", "-q")  # back to a usable model


def test_next_picks_undecided_turns_the_model_is_unsure_of_across_interviews(coded):
    work, study = coded
    cli("sheet", "export", study, "-o", work / "next.xlsx", "--next", "6", "-q")
    rows = xlsx_rows(work / "next.xlsx")
    segments = [r[col(rows[0], "segment")] for r in rows[1:]]
    assert len(segments) == 6
    assert not {s.split("#")[0] for s in segments} & set(TRAIN)  # all undecided
    assert len({s.split("#")[0] for s in segments}) >= 4  # spread over interviews


def test_evaluate_scores_one_coder(coded):
    work, study = coded
    figures = {}
    for coder in ("gtcode-rules", "gtcode-model", "ann"):
        result = cli("evaluate", study, SAMPLE / "labels.csv", "--coder", coder, "--files",
                     ",".join(TRAIN[:6]), "--json")
        import json

        figures[coder] = json.loads(result.stdout)["macro"]["kappa"]
    assert figures["ann"] == pytest.approx(1.0)  # ann coded exactly the gold labels
    assert figures["gtcode-rules"] != figures["gtcode-model"]
    unknown = cli("evaluate", study, SAMPLE / "labels.csv", "--coder", "nobody", code=1)
    assert "[E306]" in unknown.stderr


def test_a_changed_decision_makes_the_model_stale_and_backups_keep_it(coded):
    work, study = coded
    cli("learn", study, "--coder", "ann", "--no-embeddings", "-q")
    with Study.open(study) as opened:
        backup = opened.backup("test")
    restored = work / "restored"
    restored.mkdir()
    shutil.copy(backup, restored / "gtcode.db")
    shutil.copy(study / "codebook.yaml", restored / "codebook.yaml")
    assert "rules + study model" in cli("open", restored, "--no-embeddings").stderr
    marks = gold_marks(study, ["S07.txt"])
    first = sorted(marks)[0]
    cli("sheet", "export", study, "-o", work / "more.xlsx", "-q")
    mark_xlsx(work / "more.xlsx", work / "more-ann.xlsx", {first: marks[first]})
    cli("sheet", "apply", study, work / "more-ann.xlsx", "--coder", "ann", "-q")
    stale = cli("open", study, "--no-embeddings")
    assert "stale" in stale.stderr and "gtcode learn" in stale.stderr


def test_learn_from_a_labels_file_and_forget(tmp_path):
    study = tmp_path / "study"
    cli("init", study, "-q")
    cli("import", study, *[SAMPLE / name for name in TRAIN], "-q")
    cli("open", study, "-q", "--no-embeddings")
    result = cli("learn", study, "--labels", SAMPLE / "labels.csv", "--no-embeddings")
    assert "Stored the study's model" in result.stderr
    assert "rules + study model" in cli("open", study, "--no-embeddings").stderr
    assert "Removed" in cli("learn", study, "--forget").stderr
    assert "built-in model" in cli("open", study, "--no-embeddings").stderr
    both = cli("learn", study, "--labels", SAMPLE / "labels.csv", "--coder", "ann", code=2)
    assert "--labels" in both.stderr


def test_nothing_to_learn_says_what_to_do(tmp_path):
    study = tmp_path / "study"
    cli("init", study, "-q")
    cli("import", study, SAMPLE / "S01.txt", "-q")
    result = cli("learn", study, code=1)
    assert "[E806]" in result.stderr and "--next" in result.stderr


# -- embeddings: cached in the study, computed offline -------------------------------------

def test_embeddings_are_computed_once_per_turn(tmp_path, monkeypatch):
    from open_coding_fixtures import make_study

    calls = []

    def fake(texts, progress=None):
        calls.append(list(texts))
        return np.array([[len(t), 1.0] + [0.0] * (embed.DIMENSIONS - 2) for t in texts],
                        dtype=np.float32)

    def fake_with_ticks(texts, progress=None):
        if progress:
            progress(len(texts), len(texts))
        return fake(texts)

    monkeypatch.setattr(embed, "embed", fake_with_ticks)
    study, _book = make_study(tmp_path, {"S01.txt": [("respondent", "工资太低。"),
                                                     ("respondent", "领导不提拔。")]})
    texts = ["工资太低。", "领导不提拔。", "工资太低。"]
    bars: list[str] = []
    first = turns_module.embeddings_for(study, texts, progress=lambda task, *_: bars.append(task))
    second = turns_module.embeddings_for(study, texts, progress=lambda task, *_: bars.append(task))
    assert calls == [["工资太低。", "领导不提拔。"]]  # each distinct text once, then cached
    # the bar says how many turns are new and that this happens once
    assert bars == ["Embedding 2 new turns (once; kept in the study)"]
    assert np.array_equal(first, second) and first.shape == (3, embed.DIMENSIONS)
    study.close()


def test_coding_with_embeddings_touches_no_network(tmp_path, monkeypatch):
    def refuse(*_args, **_kwargs):
        raise AssertionError("a network connection was attempted")

    monkeypatch.setattr(socket, "socket", refuse)
    monkeypatch.setattr(socket, "create_connection", refuse)
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "S01.txt").write_text(
        "问：你们送礼吗？\n答：逢年过节都要送礼，讲人情世故，不送不行。\n", encoding="utf-8")
    cli("init", tmp_path / "study", "-q")
    cli("import", tmp_path / "study", tmp_path / "in" / "S01.txt", "-q")
    result = cli("open", tmp_path / "study", "--embeddings")
    assert "built-in model" in result.stderr
    with Study.open(tmp_path / "study") as study:
        assert study.conn.execute("SELECT COUNT(*) FROM embeddings").fetchone()[0] == 1


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="workers are forked on Linux")
def test_workers_make_exactly_the_suggestions_one_process_makes(tmp_path):
    from gtcode.coding.open_coding import open_code
    from gtcode.workspace import init_study, study_codebook

    stored = []
    for jobs in (1, 2):
        study = init_study(tmp_path / f"j{jobs}")
        cli("import", tmp_path / f"j{jobs}", *sorted(SAMPLE.glob("*.txt")), "-q")
        book = study_codebook(study)
        report = open_code(study, book, invivo=False, jobs=jobs, embeddings=False)
        assert report.model == "built-in" and report.model_codings > 0
        stored.append((study.conn.execute(
            "SELECT id, segment_id, code_id, probability, evidence, features FROM model_codings "
            "ORDER BY id").fetchall(), report.model_codings, report.model_codes))
        study.close()
    assert stored[0] == stored[1]


def test_the_workbook_and_report_show_the_machine_coders_reliability(coded, tmp_path):
    work, study = coded
    cli("learn", study, "--coder", "ann", "--no-embeddings", "-q")
    cli("open", study, "--no-embeddings", "-q")
    cli("export", study, "--to", "xlsx", "-o", tmp_path / "gtcode.xlsx", "-q")
    from openpyxl import load_workbook

    book = load_workbook(tmp_path / "gtcode.xlsx", read_only=True)
    assert "机器编码信度" in book.sheetnames
    rows = [r for r in book["机器编码信度"].iter_rows(values_only=True)]
    header = next(i for i, r in enumerate(rows) if r and r[0] == "编码")
    body = [r for r in rows[header + 1:] if r and r[0] and str(r[0]).split()[0] in
            set(builtin.LABELS)]
    assert {str(r[0]).split()[0] for r in body} <= set(builtin.LABELS) and len(body) >= 4
    with Study.open(study) as opened:
        made = dict(opened.conn.execute(
            "SELECT code_id, COUNT(DISTINCT segment_id) FROM model_codings GROUP BY code_id"))
    for row in body:
        label, positives, precision, recall, kappa_value, threshold, suggested = \
            str(row[0]).split()[0], row[2], row[3], row[4], row[5], row[6], row[7]
        assert positives > 0 and 0 <= precision <= 1 and 0 <= recall <= 1
        assert -1 <= kappa_value <= 1
        assert threshold == "不建议" or 0 < float(threshold) < 1
        assert suggested >= made.get(label, 0)  # the category counts its concepts' turns too
    cli("report", study, "-o", tmp_path / "report.html", "--lang", "en", "-q")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "How reliable the machine coder is" in page and "leave one author out" not in page
    assert "cross-validated by interview" in page


def test_the_built_in_models_reliability_says_what_flatters_it(tmp_path):
    study = tmp_path / "study"
    cli("init", study, "-q")
    cli("import", study, SAMPLE / "S01.txt", SAMPLE / "S02.txt", "-q")
    cli("open", study, "--no-embeddings", "-q")
    cli("report", study, "-o", tmp_path / "report.html", "--lang", "en", "-q")
    page = (tmp_path / "report.html").read_text(encoding="utf-8")
    assert "leave one author out (built-in model)" in page
    assert f"macro kappa was about {builtin.UNSEEN_AUTHORS_KAPPA:.2f}" in page
    cli("open", study, "--no-model", "-q")
    cli("report", study, "-o", tmp_path / "rules.html", "--lang", "en", "-q")
    page = (tmp_path / "rules.html").read_text(encoding="utf-8")
    assert "How reliable the machine coder is" in page and "no learned model" in page
