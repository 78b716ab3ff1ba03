"""Gathering a study's results and assembling the report page."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from gtcode.codebook.model import Codebook
from gtcode.coding.axial import CodedStudy
from gtcode.coding.selective import Saturation
from gtcode.coding.sheet import unapplied_review
from gtcode.errors import GtcodeError
from gtcode.exports.report import analysis, content, sections
from gtcode.exports.report.html import cards, note, page
from gtcode.exports.report.i18n import check_lang, t
from gtcode.exports.report.proposed import proposed_section
from gtcode.files import atomic_write_text, guard_output
from gtcode.store import sources as db
from gtcode.store.project import Study
from gtcode.tables.matrices import TableSet, build_tables


@dataclass
class Facts:
    """Everything the report shows, read from the study once."""

    study: Study
    book: Codebook
    corpus: content.Corpus
    tables: TableSet
    #: segments the report's own sections quoted (beside those of the tables)
    quoted: set[int] = field(default_factory=set)

    @property
    def coded(self) -> CodedStudy:
        """The coded study as axial coding loaded it."""
        return self.tables.data

    @property
    def saturation(self) -> Saturation:
        """Selective coding's saturation results (curve, band, Guest et al., hold-out)."""
        return self.tables.result.saturation


def gather(study: Study, book: Codebook, lang: str) -> Facts:
    """Read the corpus, and every table the workbook holds (``build_tables``).

    ``build_tables`` loads the coded study once and runs selective coding
    with the options of the last ``gtcode selective`` run and the study's
    hold-out split (defaults: hold out the last third, 1,000 seeded orders,
    Guest et al. base 4, run 2, 5%), so the report and ``gtcode.xlsx`` agree.
    """
    conn = study.conn
    corpus = content.corpus_stats(db.list_sources(conn), db.iter_segments(conn),
                               db.list_cases(conn), list(db.attribute_types(conn)))
    return Facts(study, book, corpus, build_tables(study, book, lang=lang))


def _corpus(f: Facts, lang: str) -> str:
    return sections.corpus_section(f.corpus, lang)


def _codebook(f: Facts, lang: str) -> str:
    return sections.codebook_section(content.codebook_tree(f.coded), lang)


def _heatmap(f: Facts, lang: str) -> str:
    return sections.heatmap_section(content.case_matrix(f.coded, lang), lang)


def _attributes(f: Facts, lang: str) -> str:
    keep, skip = content.chart_attributes(f.coded)
    return sections.attribute_section(
        {name: content.attribute_matrix(f.coded, name, lang) for name in keep}, lang, skipped=skip)


def _network(f: Facts, lang: str) -> str:
    return sections.network_section(content.category_network(f.coded, lang), lang)


def _paradigm(f: Facts, lang: str) -> str:
    return sections.paradigm_section(content.paradigm_data(f.coded, lang), lang)


#: The report's sections in order: (anchor, heading key, renderer).
SECTIONS: list[tuple[str, str, Callable[[Facts, str], str]]] = [
    ("corpus", "sec_corpus", _corpus),
    ("codebook", "sec_codebook", _codebook),
    ("proposed", "sec_proposed", proposed_section),
    ("heatmap", "sec_heatmap", _heatmap),
    ("attributes", "sec_attribute", _attributes),
    ("network", "sec_network", _network),
    ("paradigm", "sec_paradigm", _paradigm),
    *analysis.SECTIONS,
]


def build_report(study: Study, codebook: Codebook, *, lang: str = "zh",
                 title: str | None = None) -> str:
    """The report of ``study`` as one self-contained HTML document.

    Args:
        study: an open study.
        codebook: the study's codebook (``workspace.study_codebook``).
        lang: ``"zh"`` or ``"en"``: headings, labels and code names.
        title: the page's title (default: 研究报告 · the study's name).

    Raises:
        GtcodeError: E112 for an unknown language.
    """
    lang = check_lang(lang)
    facts = gather(study, codebook, lang)
    parts = [(key, t(heading, lang), render(facts, lang)) for key, heading, render in SECTIONS]
    title = title.strip() if title and title.strip() else \
        f"{t('title', lang)} · {study_name(study)}"
    return page(title=title, subtitle=_subtitle(facts, lang),
                lang=lang, summary=_summary(facts, lang), sections=parts)


def study_name(study: Study) -> str:
    """The study's folder name; for ``gtcode run``'s ``OUT/study``, the name of ``OUT``."""
    path = study.path.resolve()
    return path.parent.name if path.name == "study" and path.parent.name else path.name


def _subtitle(f: Facts, lang: str) -> str:
    name = f.book.name or ""
    version = f" v{f.book.version}" if f.book.version else ""
    return f"{t('codebook', lang)}: {name}{version}"


def _summary(f: Facts, lang: str) -> str:
    coded = {r.segment_id for r in f.coded.references}
    items = [(t("cases", lang), len(f.corpus.cases)), (t("sources", lang), len(f.corpus.sources)),
             (t("respondent_segments", lang), f.corpus.total("respondent_segments")),
             (t("coded_segments", lang), len(coded))]
    if f.corpus.total("han_chars"):
        items.append((t("han_chars", lang), f"{f.corpus.total('han_chars'):,}"))
    if f.corpus.total("latin_words"):
        items.append((t("latin_words", lang), f"{f.corpus.total('latin_words'):,}"))
    return cards(items) + ("" if coded else note(t("no_codings", lang)))


def write_report(study: Study, codebook: Codebook, path: Path, *, lang: str = "zh",
                 title: str | None = None) -> Path:
    """Write the report to ``path`` (temp file, then rename) and return the path.

    Raises:
        GtcodeError: E112 for an unknown language, E701 when the file cannot
            be written.
    """
    path = Path(path)
    guard_output(path, inspect=unapplied_review(study))
    text = build_report(study, codebook, lang=lang, title=title)
    try:
        atomic_write_text(path, text)
    except OSError as exc:
        raise GtcodeError("E701", f"the report cannot be written ({exc.strerror}).", file=path,
                          hint="choose a folder you can write to with -o") from None
    return path
