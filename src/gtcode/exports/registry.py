"""Every export by name: the one registry read by ``gtcode export --to`` and ``gtcode run``.

An exporter writes one output (the network writes its GraphML and, beside it,
a PNG) from an open study and its codebook, and says what it wrote. Adding a
format is one entry in :data:`EXPORTERS`; ``gtcode run`` writes the formats of
:data:`RUN_EXPORTS`, in that order, under their default file names.

Example::

    from gtcode.exports.registry import export
    written = export(study, "qdpx", Path("project.qdpx"))
    print(written.summary)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

from gtcode.codebook import Codebook
from gtcode.coding.sheet import export_sheet, unapplied_review
from gtcode.errors import GtcodeError
from gtcode.exchange.refi_qda import export_qdc, export_qdpx
from gtcode.exports.coding_tables import write_codings_csv, write_segments_csv
from gtcode.exports.docx_tables import export_docx
from gtcode.exports.network import book_language, export_network, font_warning
from gtcode.exports.nvivo import write_classification, write_matrix
from gtcode.exports.report import write_report
from gtcode.exports.workbook import export_workbook
from gtcode.files import guard_output
from gtcode.progress import Progress
from gtcode.store.project import Study
from gtcode.workspace import study_codebook

Positions = Literal["nvivo", "codepoints"]
MatrixCell = Literal["references", "presence", "words", "characters", "row_pct", "col_pct"]
Level = Literal["category", "subcategory", "concept"]
Language = Literal["zh", "en"]
TableStyle = Literal["three-line", "grid"]


@dataclass(frozen=True)
class ExportOptions:
    """The options of every format; each exporter reads the ones it needs."""

    positions: Positions = "nvivo"
    rows: str = "case"
    cell: MatrixCell = "references"
    level: Level = "category"
    classification: str = "Person"
    lang: Language | None = None
    #: csv: guard formula-like text with a leading ``'`` (verbatim otherwise).
    excel_safe: bool = False
    #: docx: ``three-line`` (三线表; APA layout in English) or ``grid``.
    table_style: TableStyle = "three-line"
    #: report and docx: the title (default: 研究报告 · the study's name; 扎根理论编码表).
    title: str | None = None


@dataclass(frozen=True)
class Written:
    """What an export wrote: its files, a one-line summary, and any warnings."""

    paths: list[Path]
    summary: str
    warnings: list[str] = field(default_factory=list)


Write = Callable[[Study, Codebook, Path, ExportOptions, Progress | None], Written]


@dataclass(frozen=True)
class Exporter:
    """One format: how to write it, its default file name, a help line."""

    write: Write
    filename: str
    help: str
    #: False for formats written from the study alone (the codebook is then not read).
    needs_codebook: bool = True


def _qdpx(study: Study, book: Codebook, path: Path, options: ExportOptions,
          progress: Progress | None) -> Written:
    report = export_qdpx(study, path, positions=options.positions)
    counts = report.counts
    return Written([report.path], f"Wrote {path}: {counts['sources']} sources, "
                   f"{counts['codes']} codes, {counts['codings']} codings, {counts['cases']} "
                   f"cases, {counts['memos']} memos (positions: {options.positions}).",
                   list(report.warnings))


def _qdc(study: Study, book: Codebook, path: Path, options: ExportOptions,
         progress: Progress | None) -> Written:
    report = export_qdc(study, path)
    return Written([report.path], f"Wrote {path}: {report.counts['codes']} codes, "
                   f"{report.counts['sets']} code sets.", list(report.warnings))


def _codings(study: Study, book: Codebook, path: Path, options: ExportOptions,
             progress: Progress | None) -> Written:
    count = write_codings_csv(study, path, excel_safe=options.excel_safe)
    return Written([path], f"Wrote {path}: {count} codings.")


def _segments(study: Study, book: Codebook, path: Path, options: ExportOptions,
              progress: Progress | None) -> Written:
    count = write_segments_csv(study, path, excel_safe=options.excel_safe)
    return Written([path], f"Wrote {path}: {count} segments.")


def _sheet(study: Study, book: Codebook, path: Path, options: ExportOptions,
           progress: Progress | None) -> Written:
    report = export_sheet(study, book, path, progress=progress)
    return Written([path], f"Wrote {path}: {report.rows} rows for review.")


def _report(study: Study, book: Codebook, path: Path, options: ExportOptions,
            progress: Progress | None) -> Written:
    if progress:
        progress("Writing the report", 0, 1)
    lang = options.lang or (book.language if book.language in ("zh", "en") else "zh")
    written = write_report(study, book, path, lang=lang, title=options.title)
    if progress:
        progress("Writing the report", 1, 1)
    return Written([written], f"Wrote {written}: the study report ({lang}).")


def _classification(study: Study, book: Codebook, path: Path, options: ExportOptions,
                    progress: Progress | None) -> Written:
    count = write_classification(study, path, classification=options.classification,
                                 excel_safe=options.excel_safe)
    return Written([path], f"Wrote {path}: classification sheet of {count} cases.")


def _matrix(study: Study, book: Codebook, path: Path, options: ExportOptions,
            progress: Progress | None) -> Written:
    frame = write_matrix(study, path, book, rows=options.rows, cell=options.cell,
                         level=options.level, excel_safe=options.excel_safe)
    return Written([path], f"Wrote {path}: matrix of {len(frame.index)} rows × "
                   f"{len(frame.columns)} {options.level} codes ({options.cell}).")


def _xlsx(study: Study, book: Codebook, path: Path, options: ExportOptions,
          progress: Progress | None) -> Written:
    (written,) = export_workbook(study, book, path, lang=options.lang)
    return Written([written], f"Wrote {written}: grounded-theory tables and matrices, "
                   "one sheet each.")


def _docx(study: Study, book: Codebook, path: Path, options: ExportOptions,
          progress: Progress | None) -> Written:
    (written,) = export_docx(study, book, path, lang=options.lang, style=options.table_style,
                             title=options.title)
    return Written([written], f"Wrote {written}: the tables for the paper, one Word table each "
                   f"({options.table_style}).")


def _network(study: Study, book: Codebook, path: Path, options: ExportOptions,
             progress: Progress | None) -> Written:
    paths = export_network(study, book, path, lang=options.lang)
    warning = font_warning(options.lang or book_language(book))
    return Written(paths, f"Wrote {paths[0]}, {paths[1].name} and {paths[2].name}: the "
                   "category network.", [warning] if warning else [])


#: Export formats by name (``gtcode export --to NAME``).
EXPORTERS: dict[str, Exporter] = {
    "qdpx": Exporter(_qdpx, "project.qdpx",
                     "REFI-QDA project for NVivo, ATLAS.ti, MAXQDA, QualCoder",
                     needs_codebook=False),
    "qdc": Exporter(_qdc, "codebook.qdc", "REFI-QDA codebook", needs_codebook=False),
    "csv": Exporter(_codings, "codings.csv", "every coding, one row each (codings.csv layout)",
                    needs_codebook=False),
    "segments": Exporter(_segments, "segments.csv", "every speaker turn with its text",
                         needs_codebook=False),
    "sheet": Exporter(_sheet, "sheet.xlsx", "the review sheet (see gtcode sheet export)"),
    "report": Exporter(_report, "report.html", "the study report, one HTML page"),
    "classification": Exporter(_classification, "classification.xlsx",
                               "NVivo classification sheet of case attributes (.xlsx/.csv)",
                               needs_codebook=False),
    "matrix": Exporter(_matrix, "matrix.xlsx",
                       "matrix coding: cases or attribute values × codes"),
    "xlsx": Exporter(_xlsx, "gtcode.xlsx",
                     "gtcode.xlsx: every grounded-theory table, one sheet each"),
    "docx": Exporter(_docx, "tables.docx", "tables.docx: the paper's tables (open, axial, "
                     "selective, saturation, matrices)"),
    "network": Exporter(_network, "network.graphml",
                        "category co-occurrence network: GraphML, and a PNG and an SVG "
                        "beside it"),
}

#: What ``gtcode run`` writes, in this order, under each format's default file name.
RUN_EXPORTS: tuple[str, ...] = ("csv", "segments", "sheet", "report", "qdpx", "qdc",
                                "classification", "xlsx", "docx", "network")


def exporter(name: str) -> Exporter:
    """The exporter called ``name`` (E112 listing the valid names when unknown)."""
    found = EXPORTERS.get(name)
    if found is None:
        raise GtcodeError("E112", f"unknown export format {name!r}.",
                          hint="use one of: " + ", ".join(EXPORTERS))
    return found


def default_path(study: Study, name: str) -> Path:
    """``STUDY/exports/<file name>``; a project is named after the study's folder."""
    filename = exporter(name).filename
    if name == "qdpx":
        filename = f"{study.path.resolve().name or 'project'}.qdpx"
    return study.exports_dir / filename


def check_targets(study: Study | None, paths: list[Path]) -> None:
    """:func:`gtcode.files.guard_output` for every file an export will write, before any
    work: never a file of the study, a folder, or a review sheet not applied (E702)."""
    inspect = unapplied_review(study)
    for path in paths:
        guard_output(path, inspect=inspect)


def companions(name: str, target: Path) -> list[Path]:
    """The files a format writes beside ``target`` (the network's PNG and SVG)."""
    return [target.with_suffix(".png"), target.with_suffix(".svg")] if name == "network" else []


def export(study: Study, name: str, path: Path | None = None,
           options: ExportOptions = ExportOptions(), *, book: Codebook | None = None,
           progress: Progress | None = None) -> Written:
    """Write the format ``name`` to ``path`` (default: :func:`default_path`).

    ``book`` is the study's codebook; it is read from the study when a format
    needs it and none is given.

    Raises:
        GtcodeError: E112 for an unknown format; whatever the format's writer
            raises (E701 when the file cannot be written, ...).
    """
    chosen = exporter(name)
    target = Path(path) if path is not None else default_path(study, name)
    check_targets(study, [target, *companions(name, target)])
    if book is None and chosen.needs_codebook:
        book = study_codebook(study)
    return chosen.write(study, book, target, options, progress)  # type: ignore[arg-type]
