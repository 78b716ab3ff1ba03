"""The report page: skeleton, inline styles and script, tables, escaping.

The page is one self-contained file: styles and the small script are inline,
there is no external URL, font or image. Without the script everything is
still shown (long tables simply show every row); with it, long tables get
pages, and before printing every page and every folded part is opened.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

from gtcode.exports.report.i18n import t

#: Rows shown per page of a long table.
PAGE_SIZE = 25


@dataclass(frozen=True)
class Raw:
    """HTML that is already safe (made by this package), not to be escaped again."""

    html: str


def esc(value: object) -> str:
    """Escape any value for HTML text or attribute use."""
    return escape("" if value is None else str(value), quote=True)


def cell(value: object) -> str:
    """A table cell's content: :class:`Raw` as is, anything else escaped."""
    return value.html if isinstance(value, Raw) else esc(value)


def table(headers: Sequence[str], rows: Sequence[Sequence[object]], *,
          numeric: Sequence[int] = (), page_size: int = PAGE_SIZE, cls: str = "") -> str:
    """A table; with more than ``page_size`` rows the script pages it.

    Args:
        headers: column headings.
        rows: cell values (escaped unless :class:`Raw`).
        numeric: indices of right-aligned number columns.
        page_size: rows per page (0: never page).
        cls: extra CSS classes.
    """
    right = set(numeric)
    head = "".join(f'<th{" class=num" if i in right else ""}>{esc(h)}</th>'
                   for i, h in enumerate(headers))
    body = "".join(
        "<tr>" + "".join(f'<td{" class=num" if i in right else ""}>{cell(v)}</td>'
                         for i, v in enumerate(row)) + "</tr>" for row in rows)
    paged = page_size and len(rows) > page_size
    attrs = f' data-page-size="{page_size}"' if paged else ""
    classes = " ".join(c for c in ("data", "paged" if paged else "", cls) if c)
    return (f'<div class="table-wrap"><table class="{classes}"{attrs}><thead><tr>{head}</tr>'
            f"</thead><tbody>{body}</tbody></table></div>")


#: Widest chart (px) shown shrunk to the page; a wider one scrolls sideways instead,
#: so that its labels keep their size.
PAGE_WIDTH = 1060


def figure(svg: str, caption: str = "", *, tall: bool = False) -> str:
    """A chart in a figure; a ``tall`` or too wide chart scrolls inside a box on screen."""
    match = re.search(r'width="([0-9.]+)"', svg)
    wide = bool(match) and float(match.group(1)) > PAGE_WIDTH
    box = "chart-box scroll" if tall or wide else "chart-box"
    note = f"<figcaption>{esc(caption)}</figcaption>" if caption else ""
    return f'<figure><div class="{box}">{svg}</div>{note}</figure>'


def details(summary: str, content: str, *, opened: bool = False) -> str:
    """A folded block (opened before printing by the script)."""
    flag = " open" if opened else ""
    return f"<details{flag}><summary>{esc(summary)}</summary>{content}</details>"


def note(text: str) -> str:
    """A muted explanatory paragraph."""
    return f'<p class="note">{esc(text)}</p>'


def section(key: str, number: int, heading: str, content: str) -> str:
    """A numbered section with an anchor for the table of contents."""
    return (f'<section id="{esc(key)}"><h2><span class="num">{number}</span> {esc(heading)}'
            f"</h2>{content}</section>")


def page(*, title: str, subtitle: str, lang: str, summary: str,
         sections: Sequence[tuple[str, str, str]]) -> str:
    """The whole document.

    Args:
        title, subtitle: the page heading and the line under it.
        lang: ``zh`` or ``en`` (the ``lang`` attribute and the labels).
        summary: HTML of the overview cards under the title.
        sections: (anchor, heading, content HTML) in order.
    """
    toc = "".join(f'<li><a href="#{esc(key)}">{esc(heading)}</a></li>'
                  for key, heading, _ in sections)
    body = "".join(section(key, i, heading, content)
                   for i, (key, heading, content) in enumerate(sections, start=1))
    html_lang = "zh-Hans" if lang == "zh" else "en"
    labels = " ".join(f'data-{k.replace("_", "-")}="{esc(t(k, lang))}"'
                      for k in ("prev", "next", "show_all"))
    page_of = esc(t("page_of", lang, page="{page}", pages="{pages}"))
    return (f'<!DOCTYPE html>\n<html lang="{html_lang}"><head><meta charset="utf-8">'
            '<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{esc(title)}</title><style>{CSS}</style></head>"
            f'<body {labels} data-page-of="{page_of}"><header><h1>{esc(title)}</h1>'
            f'<p class="subtitle">{esc(subtitle)}</p>{summary}</header>'
            f'<nav class="toc"><h2>{esc(t("contents", lang))}</h2><ol>{toc}</ol></nav>'
            f"<main>{body}</main><footer>{esc(t('generated', lang))}</footer>"
            f"<script>{SCRIPT}</script></body></html>\n")


def cards(items: Sequence[tuple[str, object]]) -> str:
    """Headline numbers as a row of cards."""
    return '<div class="cards">' + "".join(
        f'<div class="card"><div class="value">{esc(v)}</div><div class="label">{esc(k)}'
        "</div></div>" for k, v in items) + "</div>"


CSS = """
:root{--ink:#1f2933;--muted:#616e7c;--line:#d9e2ec;--soft:#f5f7fa;--accent:#2166ac}
*{box-sizing:border-box}
body{margin:0 auto;max-width:1120px;padding:24px 28px 48px;color:var(--ink);
font:15px/1.6 system-ui,-apple-system,"Segoe UI","PingFang SC","Hiragino Sans GB",
"Microsoft YaHei","Noto Sans CJK SC","Source Han Sans SC","Noto Sans SC",sans-serif}
h1{font-size:28px;margin:0 0 4px}h2{font-size:21px;margin:36px 0 12px;
border-bottom:2px solid var(--line);padding-bottom:4px}h2 .num{color:var(--accent)}
h3{font-size:17px;margin:22px 0 8px}
.subtitle,.note,figcaption,footer{color:var(--muted)}.note{font-size:13.5px;margin:6px 0}
.cards{display:flex;flex-wrap:wrap;gap:10px;margin:16px 0}
.card{background:var(--soft);border:1px solid var(--line);border-radius:8px;padding:8px 14px;
min-width:110px}.card .value{font-size:22px;font-weight:600}.card .label{font-size:13px;
color:var(--muted)}
nav.toc{background:var(--soft);border:1px solid var(--line);border-radius:8px;
padding:4px 18px 10px;margin:18px 0}nav.toc h2{border:0;margin:8px 0 0;font-size:16px}
nav.toc ol{columns:2;margin:6px 0;padding-left:22px}a{color:var(--accent)}
figure{margin:12px 0 18px}.chart-box{overflow-x:auto}
.chart-box.scroll{max-height:640px;overflow:auto;width:fit-content;max-width:100%;border:1px solid var(--line);border-radius:6px}
svg.chart{max-width:100%;height:auto;display:block}
.chart-box.scroll svg.chart{max-width:none}
svg.chart text{font-family:inherit}svg.chart text:not([fill]){fill:var(--ink)}
svg.chart text.muted{fill:var(--muted)}
svg.chart text.strong{font-weight:600}
svg.chart text.halo{paint-order:stroke;stroke:#fff;stroke-width:3px;stroke-linejoin:round}
.table-wrap{overflow-x:auto;margin:8px 0 14px}
table.data{border-collapse:collapse;font-size:13.5px;min-width:40%}
table.data th,table.data td{border-bottom:1px solid var(--line);padding:4px 10px;
text-align:left;vertical-align:top}table.data th{background:var(--soft);font-weight:600}
table.data td.num,table.data th.num{text-align:right;font-variant-numeric:tabular-nums}
table.data td:first-child{min-width:5.5em}
.barcell{display:flex;align-items:center;justify-content:flex-end;gap:6px}
.barcell .mini{display:inline-block;height:9px;background:#9ecae1;
border-radius:2px;flex:0 0 auto}
tr.off{display:none}.pager{font-size:13px;color:var(--muted);margin:-6px 0 12px}
.pager button{font:inherit;margin-right:6px;padding:1px 10px;border:1px solid var(--line);
background:#fff;border-radius:4px;cursor:pointer}
details{margin:8px 0}summary{cursor:pointer;color:var(--accent)}
.tree td.name{white-space:nowrap}.tree .lvl-core{font-weight:700}
.tree .lvl-category{font-weight:600}
blockquote{margin:6px 0 10px;padding:6px 12px;border-left:3px solid var(--line);
background:var(--soft)}blockquote cite{display:block;font-size:12.5px;color:var(--muted);
font-style:normal}
.category{break-inside:avoid-page;border-top:1px solid var(--line);padding-top:6px}
.badge{display:inline-block;font-size:12px;border:1px solid var(--line);border-radius:10px;
padding:0 8px;color:var(--muted);margin-left:6px}
.ok{color:#1b7837;font-weight:600}.warn{color:#b2182b;font-weight:600}
footer{margin-top:40px;font-size:12px}
@media print{
body{max-width:none;padding:0;font-size:11pt}nav.toc,.pager{display:none}
.chart-box,.chart-box.scroll{max-height:none;overflow:visible;border:0}
.chart-box.scroll svg.chart{max-width:100%}
tr.off{display:table-row}h2{break-after:avoid}
.table-wrap{overflow:visible}table.data{font-size:8.5pt;width:100%}
table.data th,table.data td{padding:2px 5px}table.data td:first-child{min-width:0}
figure,blockquote,tr{break-inside:avoid}
a{color:inherit;text-decoration:none}section{break-before:auto}
}
"""

SCRIPT = """
(function(){
var b=document.body.dataset;
function pager(tb){
 var size=+tb.dataset.pageSize,rows=[].slice.call(tb.tBodies[0].rows),pages=Math.ceil(rows.length/size),p=0;
 var bar=document.createElement('div');bar.className='pager';
 var prev=document.createElement('button'),next=document.createElement('button'),all=document.createElement('button'),info=document.createElement('span');
 prev.textContent=b.prev;next.textContent=b.next;all.textContent=b.showAll;
 function show(){rows.forEach(function(r,i){r.classList.toggle('off',p>=0&&Math.floor(i/size)!==p)});
  info.textContent=p<0?'':b.pageOf.replace('{page}',p+1).replace('{pages}',pages);
  prev.disabled=p<=0;next.disabled=p<0||p>=pages-1}
 prev.onclick=function(){p--;show()};next.onclick=function(){p++;show()};all.onclick=function(){p=-1;show()};
 bar.appendChild(prev);bar.appendChild(next);bar.appendChild(all);bar.appendChild(info);
 tb.parentNode.parentNode.insertBefore(bar,tb.parentNode.nextSibling);show()}
[].forEach.call(document.querySelectorAll('table.paged'),pager);
var shut=[];
addEventListener('beforeprint',function(){shut=[].filter.call(document.querySelectorAll('details'),function(d){return !d.open});shut.forEach(function(d){d.open=true})});
addEventListener('afterprint',function(){shut.forEach(function(d){d.open=false});shut=[]});
})();
"""
