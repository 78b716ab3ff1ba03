"""The report's section on proposed concepts (建议概念): what coders saw emerge."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from gtcode.coding.proposals import PROPOSED_PREFIX, Proposal
from gtcode.exports.report.html import note, table
from gtcode.exports.report.i18n import t

if TYPE_CHECKING:
    from gtcode.exports.report.build import Facts

#: Characters of the example passage shown per proposed concept.
EXAMPLE_CHARS = 160


def proposed_section(f: Facts, lang: str) -> str:
    """One row per proposed concept: name, proposer, parent, cases, passages, example."""
    proposals = f.tables.proposals
    if not proposals:
        return note(t("proposed_none", lang))
    label = f.coded.hierarchy.label
    rows = []
    for item in proposals:
        example = " ".join(item.example.split())
        if len(example) > EXAMPLE_CHARS:
            example = example[:EXAMPLE_CHARS - 1] + "…"
        where = f"（{item.places[0].case}）" if lang == "zh" else f" ({item.places[0].case})"
        rows.append([item.label(lang), "、".join(item.by) if lang == "zh" else ", ".join(item.by),
                     label(item.parent, lang) if item.parent else "—", len(item.cases),
                     len(item.places), item.definition or "—",
                     example + where if item.places else "—"])
    headers = [t("code", lang), t("proposed_by", lang), t("parent", lang), t("cases", lang),
               t("passages", lang), t("definition", lang), t("example", lang)]
    return note(t("proposed_note", lang)) + table(headers, rows, numeric=(3, 4))


def code_label(f: Facts) -> Callable[[str, str], str]:
    """A code's label; a proposed concept (``proposed:NAME``) as ``NAME（建议概念）``."""
    def label(code: str, lang: str) -> str:
        if code and code.startswith(PROPOSED_PREFIX):
            return Proposal(code[len(PROPOSED_PREFIX):], (), ()).label(lang)
        return f.coded.hierarchy.label(code, lang)
    return label
