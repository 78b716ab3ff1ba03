"""The descriptive sections: corpus, codebook tree, heat maps, network, paradigm.

Each function takes the gathered data and the language and returns the HTML
of one section's body. Charts that would grow past a screen are put in
scrolling boxes; long tables are paged by the page script.
"""

from __future__ import annotations

from collections.abc import Sequence

from gtcode.exports.report import svg, svg_graph
from gtcode.exports.report.content import Corpus, Matrix, Network, TreeRow, top_columns
from gtcode.exports.report.html import Raw, details, esc, figure, note, table
from gtcode.exports.report.i18n import level_name, t

#: Most columns a heat map shows; the table under it holds all.
MAX_HEAT_COLUMNS = 40
#: A chart taller than this many rows scrolls inside a box on screen.
TALL_ROWS = 28


def corpus_section(corpus: Corpus, lang: str) -> str:
    """Cases with their attributes and sizes, then the sources."""
    parts = [] if corpus.has_case_sheet else [note(t("no_cases_note", lang))]
    heads = [t("case", lang), *corpus.attributes, t("sources", lang),
             t("respondent_segments", lang), t("han_chars", lang), t("latin_words", lang)]
    first_num = 2 + len(corpus.attributes)
    rows = [[c.name, *(c.attributes.get(a) or "—" for a in corpus.attributes),
             "、".join(c.sources) if lang == "zh" else ", ".join(c.sources),
             c.respondent_segments, c.han_chars, c.latin_words] for c in corpus.cases]
    rows.append([Raw(f"<b>{esc(t('total', lang))}</b>"), *([""] * len(corpus.attributes)),
                 len(corpus.sources), corpus.total("respondent_segments"),
                 corpus.total("han_chars"), corpus.total("latin_words")])
    parts.append(f"<h3>{esc(t('cases', lang))} ({len(corpus.cases)})</h3>")
    parts.append(table(heads, rows, numeric=range(first_num, first_num + 3)))
    src_heads = [t("source", lang), t("case", lang), t("language", lang), t("segments", lang),
                 t("respondent_segments", lang), t("han_chars", lang), t("latin_words", lang)]
    src_rows = [[s.name, s.case, s.language or "—", s.segments, s.respondent_segments,
                 s.han_chars, s.latin_words] for s in corpus.sources]
    parts.append(details(f"{t('sources', lang)} ({len(corpus.sources)})",
                         table(src_heads, src_rows, numeric=range(3, 7))))
    return "".join(parts)


def codebook_section(rows: list[TreeRow], lang: str) -> str:
    """The code tree, indented by depth, with direct and rolled-up counts."""
    heads = [t("code", lang), t("level", lang), t("direct", lang), t("rolled", lang),
             t("in_cases", lang)]
    body = []
    top = max((r.segments for r in rows if r.level != "core"), default=0) or 1
    for row in rows:
        name = row.name_en if lang == "en" and row.name_en else row.name
        pad = 1.2 * row.depth
        label = (f'<span class="lvl-{esc(row.level)}" style="padding-left:{pad:.1f}em">'
                 f'{esc(name)}</span> <span class="badge">{esc(row.id)}</span>')
        bar = (f'<span class="mini" style="width:{60 * row.segments / top:.0f}px"></span>'
               if row.level != "core" and row.segments else "")
        body.append([Raw(label), level_name(row.level, lang), row.direct,
                     Raw(f'<span class="barcell">{bar}<span>{row.segments}</span></span>'),
                     row.cases])
    unused = [r for r in rows if r.segments == 0]
    parts = [note(t("tree_note", lang)),
             table(heads, body, numeric=(2, 3, 4), cls="tree")]
    if unused:
        names = "、".join(r.name for r in unused) if lang == "zh" else ", ".join(
            (r.name_en or r.name) for r in unused)
        parts.append(note(f"{t('unused_codes', lang)} ({len(unused)}): {names}"))
    return "".join(parts)


def heatmap_block(matrix: Matrix, lang: str, *, legend: str, caption: str,
                  row_head: str, share: bool = False) -> str:
    """A heat map (top columns only when there are many) and its full data table."""
    if not matrix.row_ids or not matrix.col_ids:
        return note(t("no_codings", lang))
    shown = top_columns(matrix, MAX_HEAT_COLUMNS)
    chart = svg.heatmap(shown.row_labels, shown.col_labels, shown.values, cells=shown.cells,
                        vmax=matrix.vmax, label=caption, legend=legend,
                        high_label="100%" if share else None)
    axes = t("heat_axes", lang, rows=row_head)
    parts = [figure(chart, axes, tall=len(shown.row_ids) > TALL_ROWS)]
    if len(shown.col_ids) < len(matrix.col_ids):
        parts.append(note(t("top_n_note", lang, n=len(shown.col_ids))))
    heads = [row_head, *matrix.col_labels]
    rows = [[label, *cells] for label, cells in zip(matrix.row_labels, matrix.cells)]
    parts.append(details(t("show_table", lang),
                         table(heads, rows, numeric=range(1, len(heads)))))
    return "".join(parts)


def heatmap_section(matrix: Matrix, lang: str) -> str:
    """Coded segments per case and main category."""
    return note(t("heat_note", lang)) + heatmap_block(
        matrix, lang, legend=t("legend_segments", lang), caption=t("sec_heatmap", lang),
        row_head=t("case", lang))


def attribute_section(matrices: dict[str, Matrix], lang: str, *,
                      skipped: Sequence[str] = ()) -> str:
    """One heat map per case attribute (share of cases mentioning each category)."""
    if not matrices and not skipped:
        return note(t("no_attributes", lang))
    parts = [note(t("attr_note", lang))]
    if skipped:
        parts.append(note(t("attr_skipped", lang, names=", ".join(skipped))))
    for name, matrix in matrices.items():
        parts.append(f"<h3>{esc(name)}</h3>")
        parts.append(heatmap_block(matrix, lang, legend=t("legend_share", lang),
                                   caption=f"{t('sec_attribute', lang)}: {name}",
                                   row_head=name, share=True))
    return "".join(parts)


def network_section(net: Network, lang: str) -> str:
    """The co-occurrence network and its edge list."""
    if not net.nodes:
        return note(t("no_codings", lang))
    colours = svg_graph.PALETTE
    nodes = [svg_graph.Node(i, label, size, colours[k % len(colours)])
             for k, (i, label, size) in enumerate(net.nodes)]
    names = {i: label for i, label, _ in net.nodes}
    edges = [svg_graph.Edge(a, b, n, f"{names[a]} – {names[b]}: {n} (Jaccard {j:.2f})")
             for a, b, n, j in net.edges]
    chart = svg_graph.network(nodes, edges, net.positions, label=t("sec_network", lang))
    parts = [note(t("network_note", lang)), figure(chart)]
    if net.left_out:
        parts.append(note(t("top_n_note", lang, n=len(net.nodes))))
    rows = [[f"{names[a]} – {names[b]}", n, f"{j:.2f}"]
            for a, b, n, j in sorted(net.edges, key=lambda e: (-e[2], e[0], e[1]))]
    parts.append(details(t("show_table", lang), table(
        [t("pair", lang), t("cooccur", lang), "Jaccard"], rows, numeric=(1, 2))))
    return "".join(parts)


def paradigm_section(roles: dict[str, list[str]], lang: str) -> str:
    """The paradigm model from the paradigm roles given in the codebook."""
    if not any(roles.values()):
        return note(t("paradigm_none", lang))
    shown = {role: (t(f"par_{role}", lang), names) for role, names in roles.items()}
    chart = svg_graph.paradigm(shown, label=t("sec_paradigm", lang))
    return note(t("paradigm_note", lang)) + figure(chart)
