"""The machine coder's reliability beside its suggestions: a table for the workbook and report.

When a learned model made the study's suggestions, a researcher reports how
far those suggestions can be trusted: for each code the model decides, its
cross-validated precision, recall and Cohen's kappa (by interview for a study
model, leaving one author out for the built-in model), the threshold it uses
(or that it was refused by ``--min-kappa``), and how many suggestions it made
in this study.
"""

from __future__ import annotations

from gtcode.codebook import Codebook
from gtcode.coding.learned.builtin import UNSEEN_AUTHORS_KAPPA
from gtcode.coding.learned.coder import machine_coder
from gtcode.store import learned as db
from gtcode.store.project import Study
from gtcode.tables.paper import Table, t


def machine_table(study: Study, book: Codebook, lang: str) -> Table | None:
    """The reliability of the model behind the current suggestions; None without one."""
    if db.machine_coder(study.conn) != db.MODEL_CODER:
        return None
    coder, _warnings = machine_coder(study, book)
    if coder is None:
        return None
    model = coder.model
    counts: dict[str, set[int]] = {}
    for segment, code in db.suggested_pairs(study.conn):
        for target in {code, book.main_category(code)} - {None}:
            counts.setdefault(target, set()).add(segment)
    rows = []
    for score in model.scores:
        code = book.get(score.label)
        name = (code.name_en or code.name) if code and lang == "en" else \
            (code.name if code else score.label)
        rows.append([f"{score.label} {name}", _level(score.level, lang), score.positives,
                     score.precision, score.recall, score.kappa,
                     score.threshold if score.suggested else t(lang, "不建议", "refused"),
                     len(counts.get(score.label, ()))])
    how = (t(lang, "留一作者交叉验证（内置模型）", "leave one author out (built-in model)")
           if coder.name == "built-in" else
           t(lang, "按访谈分组的交叉验证（本研究的模型）", "cross-validated by interview (study model)"))
    notes = [t(lang, f"信度来自{how}：同一访谈（或作者）从不同时出现在训练与检验中；"
                     f"训练单位 {model.meta.get('units')} 个话轮。",
               f"Reliability from {how}: no interview (or author) is in both the training and "
               f"the test part; {model.meta.get('units')} turns trained on.")]
    if coder.name == "built-in":
        notes.append(t(lang, f"其中四位作者的访谈也曾用于调整编码规则，这些数字因而偏高；在规则从未"
                             f"见过的作者上，宏平均 κ 约为 {UNSEEN_AUTHORS_KAPPA:.2f}"
                             f"（见 docs/benchmarks.md）。",
                       f"Four of the authors' interviews were also used to tune the rules, which "
                       f"flatters these figures; on authors the rules never saw, macro kappa was "
                       f"about {UNSEEN_AUTHORS_KAPPA:.2f} (docs/benchmarks.md)."))
    if coder.stale:
        notes.append(t(lang, f"注意：模型已过时（{coder.stale}），请重新运行 gtcode learn。",
                       f"Note: the model is stale ({coder.stale}); run gtcode learn again."))
    headers = [t(lang, "编码", "Code"), t(lang, "层级", "Level"),
               t(lang, "训练正例", "Positives"), t(lang, "精确率", "Precision"),
               t(lang, "召回率", "Recall"), "Cohen's κ", t(lang, "阈值", "Threshold"),
               t(lang, "本研究中的建议数", "Suggestions here")]
    return Table("machine", t(lang, "机器编码信度", "Machine coder"),
                 t(lang, "机器编码者的交叉验证信度", "Cross-validated reliability of the machine coder"),
                 headers, ["text", "text", "int", "float", "float", "float", "text", "int"], rows,
                 notes=notes, docx=False)


def _level(level: str, lang: str) -> str:
    return {"category": t(lang, "主范畴", "category"),
            "concept": t(lang, "概念", "concept")}.get(level, level)
