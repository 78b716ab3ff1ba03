"""``gtcode agree``: intercoder agreement for a study, filled sheets, or a table.

The arguments decide the mode: one study folder (holding ``gtcode.db``) is
study mode; one ``.csv``/``.tsv`` reliability-data table is table mode; two
or more filled coding sheets (``.xlsx``/``.csv``) is sheet mode.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Annotated, Literal, Optional

import typer
from rich.markup import escape
from rich.table import Table
from rich.text import Text

from gtcode.cli._common import ForceOpt, QuietOpt, handle_errors, note, out, overwrite, split_list
from gtcode.codebook import load_codebook
from gtcode.reliability.agree import (
    OVERALL_METHODS,
    AgreeResult,
    agree_study,
    agree_table,
    check_min_alpha,
)
from gtcode.reliability.coding_units import CODE_LEVELS, ROLE_CHOICES, UNIT_KINDS, role_filter
from gtcode.reliability.krippendorff import LEVELS
from gtcode.reliability.sheets import agree_sheets, looks_like_sheet
from gtcode.store.project import DB_NAME
from gtcode.workspace import open_study

TABLE_SUFFIXES = (".csv", ".tsv")
SHEET_SUFFIXES = (".xlsx", ".csv")

InputsArg = Annotated[list[Path], typer.Argument(
    help="A study folder; or one reliability-data table (.csv/.tsv: a header naming the "
    "coders, one row per unit, optional first column 'unit'); or two or more filled coding "
    "sheets (.xlsx/.csv).", show_default=False)]
CodersOpt = Annotated[Optional[str], typer.Option(
    "--coders", help="Study mode: the coders to compare, comma separated (human coders as "
    "given to --coder, gtcode-rules for the rule coder, imported NVivo users). Sheet mode: "
    "one name per sheet (default: the file names).")]
CodebookOpt = Annotated[Optional[str], typer.Option(
    "--codebook", help="Sheet mode: the codebook (built-in name or YAML path) for code names "
    "and for --level category.")]
UnitOpt = Annotated[Optional[Literal[UNIT_KINDS]], typer.Option(
    "--unit", help="segment (default), document, or character (NVivo's coding comparison "
    "per code x source, two coders).")]
LevelOpt = Annotated[Optional[Literal[CODE_LEVELS]], typer.Option(
    "--level", help="concept (codes as applied, default) or category (rolled up to main "
    "categories).")]
MeasureOpt = Annotated[Literal[LEVELS], typer.Option(
    "--level-of-measurement", help="Krippendorff's alpha level: nominal, ordinal, interval "
    "or ratio (tables; codes are present/absent, so nominal).")]
OverallOpt = Annotated[Literal[OVERALL_METHODS], typer.Option(
    "--overall", help="Which overall figure across codes leads (and --min-alpha checks): "
    "pooled, unweighted_mean or weighted_mean.")]
AllUnitsOpt = Annotated[bool, typer.Option(
    "--all-units", help="Study mode: count every respondent segment as seen by every coder "
    "(default: a human coder saw only segments with a decision of theirs).")]
RoleOpt = Annotated[Optional[Literal[ROLE_CHOICES]], typer.Option(
    "--role", help="Which turns are units (study and sheet modes): respondent (default: "
    "respondent turns and turns of unknown role) or all (interviewer turns too).")]
MinAlphaOpt = Annotated[Optional[float], typer.Option(
    "--min-alpha", help="Exit 1 (error E603) when alpha is below this value or undefined.")]
DisagreeOpt = Annotated[Optional[Path], typer.Option(
    "--disagreements", help="Write every unit on which the coders differ to this .xlsx, "
    "with the text and each coder's codes side by side.")]
JsonOpt = Annotated[bool, typer.Option("--json", help="Print one JSON object instead of tables.")]


def register(app: typer.Typer) -> None:
    app.command("agree")(agree_cmd)


def detect_mode(inputs: list[Path]) -> str:
    """``"study"``, ``"table"`` or ``"sheets"`` from the arguments (usage error otherwise)."""
    if not inputs:
        raise typer.BadParameter("give a study folder, a table, or two or more sheets")
    for path in inputs:
        if not path.exists():
            raise typer.BadParameter(f"{path} does not exist", param_hint=f"'{path}'")
    if len(inputs) == 1:
        path = inputs[0]
        if path.is_dir():
            if (path / DB_NAME).is_file():
                return "study"
            raise typer.BadParameter(f"{path} is a folder but not a gtcode study (no {DB_NAME})",
                                     param_hint=f"'{path}'")
        if path.suffix.lower() in TABLE_SUFFIXES:
            if looks_like_sheet(path):
                raise typer.BadParameter(f"{path} is a coding sheet; sheet mode compares two "
                                         "or more sheets", param_hint=f"'{path}'")
            return "table"
        raise typer.BadParameter(f"{path} is not a study folder or a .csv/.tsv table; "
                                 "sheets need two or more files", param_hint=f"'{path}'")
    for path in inputs:
        if path.is_dir() or path.suffix.lower() not in SHEET_SUFFIXES:
            raise typer.BadParameter(f"{path} is not a coding sheet (.xlsx or .csv)",
                                     param_hint=f"'{path}'")
    return "sheets"


def _refuse(mode: str, **given: object) -> None:
    for option, value in given.items():
        if value:
            raise typer.BadParameter(f"{option} does not apply to {mode} mode",
                                     param_hint=f"'{option}'")


def _compute(mode: str, inputs: list[Path], coders: str | None, unit: str | None,
             level: str | None, codebook: str | None, measure: str, overall: str,
             all_units: bool, texts: bool, role: str | None) -> AgreeResult:
    if mode == "table":
        _refuse("table", **{"--coders": coders, "--unit": unit, "--level": level,
                            "--all-units": all_units, "--codebook": codebook, "--role": role})
        return agree_table(inputs[0], measure)
    roles = role_filter(role or "respondent")
    if mode == "sheets":
        _refuse("sheet", **{"--all-units": all_units})
        book = load_codebook(codebook) if codebook else None
        return agree_sheets(inputs, coders=split_list(coders) or None, unit=unit or "segment",
                            level=level or "concept", codebook=book,
                            level_of_measurement=measure, overall=overall, roles=roles)
    _refuse("study", **{"--codebook": codebook})
    names = split_list(coders)
    if not names:
        raise typer.BadParameter("study mode needs the coders to compare, e.g. "
                                 "--coders ann,ben", param_hint="'--coders'")
    with open_study(inputs[0]) as study:
        return agree_study(study, names, unit=unit or "segment", level=level or "concept",
                           all_units=all_units, level_of_measurement=measure,
                           overall=overall, texts=texts, roles=roles)


@handle_errors
def agree_cmd(inputs: InputsArg, coders: CodersOpt = None, unit: UnitOpt = None,
              level: LevelOpt = None, codebook: CodebookOpt = None,
              level_of_measurement: MeasureOpt = "nominal",
              overall: OverallOpt = "pooled", all_units: AllUnitsOpt = False,
              role: RoleOpt = None, min_alpha: MinAlphaOpt = None,
              disagreements: DisagreeOpt = None, json_out: JsonOpt = False,
              force: ForceOpt = False,
              quiet: QuietOpt = False) -> None:
    """Intercoder agreement: percent, kappa, Fleiss, alpha; per code and overall.

    Units are respondent turns unless --role all. For each coder it says whether her
    decisions were made blind; a human who saw the machine's suggestions is not
    independent of it, so that comparison is reported as acceptance, not reliability.

    Example: gtcode agree my-study --coders ann,ben --unit segment --min-alpha 0.667
    """
    mode = detect_mode(inputs)
    if disagreements is not None:  # refused before the work, not after it
        from gtcode.coding.sheet import unapplied_review
        from gtcode.files import guard_output, overwriting

        with overwriting(force):
            guard_output(disagreements, inspect=unapplied_review(None))
    result = _compute(mode, inputs, coders, unit, level, codebook, level_of_measurement,
                      overall, all_units, texts=disagreements is not None, role=role)
    if disagreements is not None:
        from gtcode.exports.disagreements import write_disagreements

        with overwrite(force):
            count = write_disagreements(result, disagreements)
        note(f"Wrote {count} disagreement(s) to {escape(str(disagreements))}", quiet=quiet)
    if json_out:
        typer.echo(json.dumps(result.to_dict(), ensure_ascii=False, indent=2))
    else:
        show(result)
    for line in result.notes:
        note(f"[dim]Note:[/] {escape(line)}", quiet=quiet)
    if min_alpha is not None:
        check_min_alpha(result, min_alpha)


def _fmt(value: float | None) -> str:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "—"
    return f"{value:.4f}"


def show(result: AgreeResult) -> None:
    """Print the result as rich tables on stdout."""
    out.print(_summary(result))
    if result.per_code is not None or result.nvivo is not None:
        out.print(_overall(result))
        out.print(_per_code(result))


def _summary(result: AgreeResult) -> Table:
    data = result.to_dict()
    title = f"Intercoder agreement 编码者间一致性 ({result.mode}, unit: {result.unit}"
    title += f", {result.code_level})" if result.code_level else ")"
    table = Table(title=title)
    table.add_column("measure 指标")
    table.add_column("value 值", justify="right")
    table.add_row("coders 编码者", Text(", ".join(result.coders)))
    for name, view in result.views.items():
        table.add_row(Text(f"  {name}"), Text(view.short()))
    scope = f" ({result.scope})" if result.scope else ""
    if result.unit == "character":
        table.add_row(f"characters compared 比较字符{scope}", str(result.n_units))
        table.add_row("code x source rows", str(result.n_pairable_units))
    else:
        table.add_row(f"units compared 比较单元{scope}", str(result.n_pairable_units))
        alone = result.n_units - result.n_pairable_units
        if alone:
            table.add_row("units seen by one coder (not compared)", str(alone))
    lead = escape(f" [{result.overall_method}]") if result.overall_method else ""
    for key, label in (("percent_agreement", "percent agreement 一致率"),
                       ("cohen_kappa", "Cohen's kappa"),
                       ("mean_pairwise_cohen_kappa", "mean pairwise Cohen's kappa"),
                       ("fleiss_kappa", "Fleiss' kappa"), ("scott_pi", "Scott's pi"),
                       ("brennan_prediger", "Brennan-Prediger"), ("gwet_ac1", "Gwet's AC1")):
        if key in _HEADLINE_KEYS or data.get(key) is not None:
            table.add_row(label + (lead if key in _HEADLINE_KEYS else ""), _fmt(data.get(key)))
    if result.unit != "character":
        table.add_row(f"Krippendorff's alpha ({result.level_of_measurement}){lead}",
                      Text(f"{_fmt(data['krippendorff_alpha'])} {data['alpha_verdict']}"))
    if not result.independence.independent:
        table.add_row("measures 衡量", Text(result.independence.measures))
    if "holsti" in data:
        table.add_row("Holsti CR (mean pairwise)", _fmt(data["holsti"].get("mean_pairwise")))
    table.add_row("units in dispute 分歧单元", f"{len(result.disagreements)} "
                  f"({result.disagreement_unit or result.unit})")
    return table


_HEADLINE_KEYS = ("percent_agreement", "cohen_kappa", "fleiss_kappa")


def _overall(result: AgreeResult) -> Table:
    overall = result.to_dict()["overall"]
    table = Table(title="Overall across codes 总体")
    for column in ("figure 方法", "percent 一致率", "kappa", "alpha"):
        table.add_column(column, justify="left" if column.startswith("figure") else "right")
    for key in ("pooled", "unweighted_mean", "weighted_mean"):
        row = overall[key]
        label = key if key != "weighted_mean" or result.nvivo is None else "size-weighted mean"
        table.add_row(label, _fmt(row.get("percent_agreement")), _fmt(row.get("kappa")),
                      _fmt(row.get("krippendorff_alpha")))
    return table


def _per_code(result: AgreeResult) -> Table:
    rows = result.to_dict()["per_code"]
    table = Table(title="Per code 按编码")
    if result.nvivo is not None:
        columns = ["code 编码", "sources", "chars", "%agree", "kappa", "mean kappa"]
    else:
        columns = ["code 编码", "used", "disputes", "%agree", "kappa", "alpha"]
    table.add_column(columns[0], overflow="fold", ratio=1)
    for column in columns[1:]:
        table.add_column(column, justify="right", no_wrap=True)
    for row in rows:
        if result.nvivo is not None:
            table.add_row(Text(row["name"]), str(row["n_sources"]), str(row["characters"]),
                          _fmt(row["percent_agreement"]), _fmt(row["kappa"]),
                          _fmt(row["unweighted_kappa"]))
        else:
            table.add_row(Text(row["name"]), str(row["n_used"]), str(row["n_disagreements"]),
                          _fmt(row["percent_agreement"]), _fmt(row["kappa"]),
                          _fmt(row["krippendorff_alpha"]))
    return table


__all__ = ["agree_cmd", "detect_mode", "register", "show"]
