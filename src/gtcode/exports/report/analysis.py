"""The analytic sections: saturation, hold-out test, agreement, GT tables, categories.

The numbers come from the analysis modules (``gtcode.coding.selective`` for
saturation and the hold-out test, ``gtcode.coding.quotes`` for quotes,
``gtcode.reliability`` for agreement); this module only lays them out.
"""

from __future__ import annotations

import functools
import math
from collections.abc import Callable
from typing import TYPE_CHECKING

from gtcode.coding.axial import in_language
from gtcode.coding.quotes import choose_quotes
from gtcode.exports.report import agreement as agree
from gtcode.exports.report import svg
from gtcode.exports.report.html import Raw, details, esc, figure, note, table
from gtcode.exports.report.i18n import level_name, t
from gtcode.exports.report.proposed import code_label
from gtcode.numbers import percent
from gtcode.store.analysis import text_before
from gtcode.tables.paper import guest_reason, timed

if TYPE_CHECKING:
    from gtcode.exports.report.build import Facts

#: Quotes shown per category.
QUOTES_PER_CATEGORY = 3


def _list(items, lang: str) -> str:
    return ("、" if lang == "zh" else ", ").join(items)


# -- saturation ------------------------------------------------------------------

def saturation_section(f: Facts, lang: str) -> str:
    """The new-concept curve with its permutation band, and Guest et al. (2020)."""
    result = f.saturation.curve
    if not result.cases or not any(result.counts):
        return note(t("no_codings", lang))
    xs = list(range(1, len(result.cases) + 1))
    band, guest = result.band, result.guest
    series = [svg.Series(t("sat_actual", lang), result.cumulative),
              svg.Series(t("sat_mean", lang), band.median, colour="#4d4d4d", dashed=True)]
    marker = None
    if guest.reached:
        marker = (guest.saturation_point, f"{t('reached', lang)}: {guest.saturation_point}")
    chart = svg.line_chart(xs, series, band=(band.lower, band.upper),
                           band_label=t("sat_band", lang), label=t("sec_saturation", lang),
                           x_label=t("sat_x", lang), y_label=t("sat_y", lang), marker=marker)
    parts = [figure(chart, t("sat_caption", lang, n=band.permutations, seed=band.seed)),
             _guest_text(guest, lang), note(t(f"counted_{f.saturation.counted}", lang))]
    names = code_label(f)
    rows = [[i, case, new, total, _list([names(c, lang) for c in fresh], lang)]
            for i, (case, new, total, fresh) in enumerate(
                zip(result.cases, result.counts, result.cumulative, result.new), start=1)]
    parts.append(details(t("show_table", lang), table(
        ["#", t("case", lang), t("new_codes", lang), t("cum_codes", lang), t("code", lang)],
        rows, numeric=(0, 2, 3))))
    return "".join(parts)


def _guest_text(guest, lang: str) -> str:
    setup = t("guest_setup", lang, base=guest.base, run=guest.run,
              threshold=f"{guest.threshold:.0%}")
    if guest.reached:
        verdict = t("guest_yes", lang, point=guest.saturation_point,
                    through=guest.confirmed_through, after=guest.new_after)
        mark = f'<span class="ok">{esc(t("reached", lang))}</span>'
    else:
        verdict = (t("guest_reason", lang, reason=guest_reason(guest, lang).rstrip("。."))
                   if guest.reason else t("guest_no", lang))
        mark = f'<span class="warn">{esc(t("not_reached", lang))}</span>'
    stop = "。" if lang == "zh" else ". "
    return (f'<p><b>{esc(t("guest_result", lang))}</b>: {mark}{stop}{esc(verdict)}</p>'
            + note(setup))


# -- hold-out test -------------------------------------------------------------------

def holdout_section(f: Facts, lang: str) -> str:
    """The hold-out test: what each held-out interview added to the model."""
    result = f.saturation.holdout
    if result is None:
        return note(t("holdout_too_few", lang) if f.saturation.holdout_note
                    else t("not_available", lang))
    names = code_label(f)
    verdict = ('<span class="ok">' + esc(t("holdout_pass", lang)) if result.passed else
               '<span class="warn">' + esc(t("holdout_fail", lang))) + "</span>"
    parts = [f"<p>{verdict}</p>",
             note(t("holdout_split", lang, build=len(result.building), held=len(result.held),
                    cases=_list(result.held, lang)))]
    bars = [svg.Bar(i.case, len(i.new_concepts), str(len(i.new_concepts)),
                    "#1b7837" if i.passed else "#b2182b") for i in result.interviews]
    parts.append(figure(svg.hbar(bars, label=t("sec_holdout", lang)),
                        t("holdout_new", lang)))
    rows = []
    for i in result.interviews:
        rel = [f"{names(a, lang)} – {names(b, lang)}" for a, b in i.new_relations]
        rows.append([i.case, Raw(_ok(i.passed)),
                     _list([names(c.concept, lang) for c in i.new_concepts], lang) or "—",
                     _list([names(c, lang) for c in i.new_subcategories], lang) or "—",
                     _list([names(c, lang) for c in i.new_categories], lang) or "—",
                     _list(rel, lang) or "—"])
    parts.append(table([t("case", lang), t("passed", lang), t("new_codes", lang),
                        t("new_subcats", lang), t("new_cats", lang), t("new_relations", lang)],
                       rows))
    parts.append(note(t("holdout_rule", lang) if lang == "zh" else result.rule))
    parts.append(note(t(f"counted_{f.saturation.counted}", lang)))
    return "".join(parts)


def _ok(passed: bool) -> str:
    return '<span class="ok">✓</span>' if passed else '<span class="warn">✗</span>'


# -- agreement ----------------------------------------------------------------------

def agreement_section(f: Facts, lang: str) -> str:
    """Per-code agreement of the study's human coders, or a note that there is none."""
    result = agree.study_agreement(f.study)
    if result is None or result.per_code is None:
        return note(t("no_agreement", lang))
    report = result.per_code
    names = lambda code: f.coded.hierarchy.label(code, lang) if code in \
        f.coded.hierarchy.nodes else result.code_labels.get(code, code)  # noqa: E731
    scope = t(f"scope_{result.scope or 'respondent turns'}", lang)
    parts = [note(t("agree_units", lang, coders=_list(result.coders, lang),
                    n=result.n_pairable_units, scope=scope)),
             _overall(report, lang)]
    shown = [r for r in report.codes if r.n_used]
    bars = [svg.Bar(names(r.code), max(r.krippendorff_alpha, 0.0) if r.alpha_defined else 0.0,
                    _fmt(r.krippendorff_alpha, r.alpha_defined)) for r in shown]
    if bars:
        parts.append(figure(svg.hbar(bars, label=t("sec_agreement", lang), vmax=1.0),
                            t("alpha_caption", lang), tall=len(bars) > 28))
    rows = [[names(r.code), r.n_used, percent(r.percent_agreement),
             _fmt(r.kappa, r.kappa_defined), _fmt(r.krippendorff_alpha, r.alpha_defined)]
            for r in report.codes]
    parts.append(details(t("show_table", lang), table(
        [t("code", lang), t("units_used", lang), t("pct_agree", lang), t("kappa", lang),
         t("alpha", lang)], rows, numeric=(1, 2, 3, 4))))
    parts.extend(note(agree.note_in(n, lang)) for n in result.notes)
    return "".join(parts)


def _fmt(value: float, defined: bool = True) -> str:
    return f"{value:.2f}" if defined and not math.isnan(value) else "—"


def _overall(report, lang: str) -> str:
    rows = [[t(o.method.replace(" ", "_"), lang), percent(o.percent_agreement),
             _fmt(o.kappa), _fmt(o.krippendorff_alpha), o.n_codes]
            for o in (report.pooled, report.unweighted_mean, report.weighted_mean)]
    return table(["", t("pct_agree", lang), t("kappa", lang), t("alpha", lang),
                  t("codes_n", lang)], rows, numeric=(1, 2, 3, 4))


# -- categories: definitions and quotes -----------------------------------------------

def categories_section(f: Facts, lang: str) -> str:
    """Each main category: definition, include/exclude, sub-codes, quotes."""
    cats = f.coded.hierarchy.of_level("category")
    if not cats:
        return note(t("no_codings", lang))
    return "".join(_category(f, node, lang) for node in cats)


def _category(f: Facts, node, lang: str) -> str:
    code = f.book.get(node.id)
    below = [c for c in f.coded.hierarchy.nodes.values() if c.parent == node.id]
    body = [f'<h3 id="cat-{esc(node.id)}">{esc(node.label(lang))}'
            f'<span class="badge">{esc(node.id)}</span></h3>']
    for key, value in (("definition", node.definition),
                       ("include", code.include if code else None),
                       ("exclude", code.exclude if code else None)):
        if value and value.strip():
            body.append(f"<p><b>{esc(t(key, lang))}</b>: {_lines(in_language(value, lang))}</p>")
    for level in ("subcategory", "concept"):
        names = [c.label(lang) for c in below if c.level == level]
        if names:
            heading = level_name(level, lang)
            body.append(f"<p><b>{esc(heading[:1].upper() + heading[1:])}</b>: "
                        f"{esc(_list(names, lang))}</p>")
    quotes = choose_quotes(f.coded, [node.id], limit=QUOTES_PER_CATEGORY,
                           overrides=f.coded.overrides.get(node.id, ()), lang=lang,
                           avoid=f.tables.quoted | f.quoted)
    f.quoted.update(q.segment_id for q in quotes)
    body.append(_quotes(timed(quotes, functools.partial(text_before, f.study.conn)), lang))
    return '<div class="category">' + "".join(body) + "</div>"


def _quotes(quotes, lang: str) -> str:
    if not quotes:
        return note(t("no_quotes", lang))
    return "".join(f"<blockquote>{esc(q.text)}<cite>— {esc(q.where(lang))}</cite></blockquote>"
                   for q in quotes)


# -- the grounded-theory tables ----------------------------------------------------------

#: The three tables of a grounded-theory paper (keys of ``gtcode.tables.paper``), in order.
GT_TABLES = ("open", "axial", "selective")


def tables_section(f: Facts, lang: str) -> str:
    """Open, axial and selective coding tables as the paper prints them, and the storyline."""
    by_key = {table.key: table for table in f.tables.tables}
    parts = []
    for number, key in enumerate((k for k in GT_TABLES if k in by_key), start=1):
        parts.append(paper_table(by_key[key], number))
    story = by_key.get("storyline")
    if story is not None and story.text:
        parts.append(f"<h3>{esc(story.caption)}</h3><p>{_lines(story.text)}</p>")
        parts.extend(note(n) for n in story.notes)
    return "".join(parts) or note(t("not_available", lang))


def paper_table(gt, number: int) -> str:
    """One ``gtcode.tables.paper.Table``: its caption, the columns a paper prints, its notes."""
    width = len(gt.paper_headers)
    right = [i for i, kind in enumerate(gt.kinds[:width]) if kind in ("int", "float", "pct")]
    rows = [[Raw(_lines(v)) for v in row[:width]] for row in gt.rows]
    return (f"<h3>{number}. {esc(gt.caption)}</h3>"
            + table(gt.paper_headers, rows, numeric=right)
            + "".join(note(n) for n in gt.notes))


def machine_section(f: Facts, lang: str) -> str:
    """How reliable the learned coder behind the suggestions is, per code (cross-validated)."""
    machine = next((table for table in f.tables.tables if table.key == "machine"), None)
    if machine is None:
        return note(t("no_machine_model", lang))
    rows = [[Raw(_lines(_number(v))) for v in row] for row in machine.rows]
    return (table(machine.headers, rows, numeric=[2, 3, 4, 5, 7])
            + "".join(note(n) for n in machine.notes))


def _number(value: object) -> object:
    return f"{value:.3f}" if isinstance(value, float) else ("-" if value is None else value)


def _lines(value: object) -> str:
    return "<br>".join(esc(line) for line in str("" if value is None else value).split("\n"))


#: (anchor, heading key, renderer) of the analytic sections, in report order.
SECTIONS: list[tuple[str, str, Callable[[Facts, str], str]]] = [
    ("saturation", "sec_saturation", saturation_section),
    ("holdout", "sec_holdout", holdout_section),
    ("agreement", "sec_agreement", agreement_section),
    ("machine", "sec_machine", machine_section),
    ("tables", "sec_tables", tables_section),
    ("categories", "sec_categories", categories_section),
]

