"""Exports of a codebook alone: Excel, Markdown and REFI-QDA ``.qdc``.

Every export is deterministic: the same codebook gives the same bytes.

The ``.qdc`` follows REFI-QDA's Codebook.xsd (namespace
``urn:QDA-XML:codebook:1.0``). Choices made there:

- the hierarchy becomes nested ``<Code>`` elements (core > category >
  subcategory > concept);
- every code is ``isCodable="true"`` except the core: gtcode applies concepts
  and a researcher may code a passage to a (sub)category directly, while the
  core category is an interpretation of the whole, never of one passage;
- GUIDs are uuid5 of gtcode's fixed namespace and the code id
  (:func:`code_guid`), so a code keeps its GUID across versions and exports,
  and has the same GUID as in the study's ``.qdpx``/``.qdc`` export;
- ``Description`` is the definition, then the include and exclude guidance;
- paradigm roles become ``<Sets>`` (one per role used); no empty ``<Sets/>``.
"""

from __future__ import annotations

import datetime as _dt
import re
import uuid
from collections.abc import Callable
from pathlib import Path

from gtcode._version import __version__
from gtcode.codebook.model import Code, Codebook
from gtcode.errors import GtcodeError
from gtcode.files import Inspect, atomic_output, atomic_write_bytes, guard_output

#: gtcode's fixed GUID namespace; the same one the study's REFI-QDA export uses
#: (``exports.refi_common.make_guid``), so a code has one GUID in every export.
GUID_NAMESPACE = uuid.UUID("0b6f3c52-8d1e-5a47-9c2b-6e4f1a7d3b90")
QDC_NAMESPACE = "urn:QDA-XML:codebook:1.0"
_FIXED_TIME = _dt.datetime(2000, 1, 1)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")

PARADIGM_LABELS: dict[str, str] = {
    "phenomenon": "现象 Phenomenon", "causal": "因果条件 Causal conditions",
    "context": "情境 Context", "intervening": "中介条件 Intervening conditions",
    "strategy": "行动/互动策略 Strategies", "consequence": "结果 Consequences"}
LEVEL_LABELS: dict[str, str] = {"core": "核心范畴 Core category", "category": "主范畴 Category",
                                "subcategory": "副范畴 Subcategory", "concept": "概念 Concept"}


def stable_guid(kind: str, key: str) -> str:
    """uuid5 of :data:`GUID_NAMESPACE` and ``kind``, U+001F, ``key`` (lowercase)."""
    return str(uuid.uuid5(GUID_NAMESPACE, f"{kind}\x1f{key}"))


def code_guid(code_id: str) -> str:
    """The stable GUID of a code in REFI-QDA files (lowercase, as NVivo writes)."""
    return stable_guid("code", code_id)


def code_description(code: Code) -> str:
    """Definition, then ``Include / 适用:`` and ``Exclude / 不适用:`` lines."""
    parts = []
    if code.definition:
        parts.append(code.definition.strip())
    if code.include:
        parts.append("Include / 适用: " + code.include.strip())
    if code.exclude:
        parts.append("Exclude / 不适用: " + code.exclude.strip())
    return "\n".join(parts)


# -- REFI-QDA .qdc ---------------------------------------------------------------------


def qdc_bytes(book: Codebook, lang: str | None = None) -> bytes:
    """The codebook as a REFI-QDA ``CodeBook`` XML document.

    Args:
        book: the codebook.
        lang: ``"en"`` to name codes by ``name_en`` (where given).
    """
    from lxml import etree

    root = etree.Element(f"{{{QDC_NAMESPACE}}}CodeBook", nsmap={None: QDC_NAMESPACE},
                         origin=f"gtcode {__version__}")
    codes = etree.SubElement(root, f"{{{QDC_NAMESPACE}}}Codes")
    for code in book.children(None):
        _qdc_code(codes, book, code, lang or book.language)
    _qdc_sets(root, book)
    return etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def _clean(text: str) -> str:
    return _CONTROL.sub("", text)


def _qdc_code(parent, book: Codebook, code: Code, lang: str) -> None:
    from lxml import etree

    attrs = {"guid": code_guid(code.id), "name": _clean(code.display_name(lang)),
             "isCodable": "false" if code.level == "core" else "true"}
    if code.color:
        attrs["color"] = code.color.upper()
    element = etree.SubElement(parent, f"{{{QDC_NAMESPACE}}}Code", attrs)
    description = code_description(code)
    if description:
        etree.SubElement(element, f"{{{QDC_NAMESPACE}}}Description").text = _clean(description)
    for child in book.children(code.id):
        _qdc_code(element, book, child, lang)


def _qdc_sets(root, book: Codebook) -> None:
    from lxml import etree

    roles = [r for r in PARADIGM_LABELS if any(c.paradigm == r for c in book.codes)]
    if not roles:
        return  # REFI-QDA forbids an empty <Sets/>
    sets = etree.SubElement(root, f"{{{QDC_NAMESPACE}}}Sets")
    for role in roles:
        element = etree.SubElement(sets, f"{{{QDC_NAMESPACE}}}Set",
                                   guid=stable_guid("set", f"paradigm:{role}"),
                                   name=f"Paradigm: {PARADIGM_LABELS[role]}")
        for code in book.codes:
            if code.paradigm == role:
                etree.SubElement(element, f"{{{QDC_NAMESPACE}}}MemberCode",
                                 guid=code_guid(code.id))


# -- Markdown --------------------------------------------------------------------------


def markdown_text(book: Codebook) -> str:
    """The codebook as a readable Markdown document (both languages)."""
    lines = [f"# {book.name}", "", f"- Version 版本: {book.version}",
             f"- Language 语言: {book.language}", f"- Content hash 内容哈希: `{book.hash[:16]}`"]
    if book.authors:
        lines.append("- Authors 作者: " + ", ".join(book.authors))
    if book.description:
        lines += ["", book.description.strip()]
    lines += ["", _level_summary(book)]
    for code in book.children(None):
        lines += _md_code(book, code, 2)
    return "\n".join(lines).rstrip() + "\n"


def _level_summary(book: Codebook) -> str:
    counts = [f"{LEVEL_LABELS[lv]}: {len(book.level_codes(lv))}" for lv in LEVEL_LABELS]
    return "Codes 编码数 — " + " · ".join(counts)


def _md_code(book: Codebook, code: Code, depth: int) -> list[str]:
    title = code.name + (f" / {code.name_en}" if code.name_en else "")
    lines = ["", f"{'#' * min(depth, 6)} {title} `{code.id}`", "",
             f"- **Level 层级**: {LEVEL_LABELS[code.level]}"]
    if code.paradigm:
        lines.append(f"- **Paradigm 范式角色**: {PARADIGM_LABELS[code.paradigm]}")
    for label, value in (("Definition 定义", code.definition), ("Include 适用", code.include),
                         ("Exclude 不适用", code.exclude), ("Memo 备忘", code.memo)):
        if value:
            lines.append(f"- **{label}**: {' '.join(value.split())}")
    for example in code.examples:
        lines.append(f"- **Example 例句**: {' '.join(example.split())}")
    if code.rules is not None:
        lines += _md_rules(code)
    for child in book.children(code.id):
        lines += _md_code(book, child, depth + 1)
    return lines


def _md_rules(code: Code) -> list[str]:
    rules = code.rules
    lines = []
    for lang, terms in rules.terms.items():
        lines.append(f"- **Terms 检索词 ({lang})**: " + " · ".join(terms))
    for lang, terms in rules.not_.items():
        lines.append(f"- **Not 否定词 ({lang})**: " + " · ".join(terms))
    if rules.not_scope != "segment":
        lines.append(f"- **Not scope 否定范围**: {rules.not_scope}")
    for rule in rules.near:
        lines.append("- **Near 须同现**: " + _near_text(rule, " · "))
    if rules.boundary != "aligned":
        lines.append(f"- **Boundary 词边界**: {rules.boundary}")
    for pattern in rules.regex:
        lines.append(f"- **Regex 正则**: `{pattern}`")
    return lines


def _near_text(rule, joiner: str) -> str:
    """One near rule on one line: terms, then the context words and how close they must be."""
    terms = "; ".join(f"{lang}: " + joiner.join(t) for lang, t in rule.terms.items())
    context = "; ".join(f"{lang}: " + joiner.join(t) for lang, t in rule.context.items())
    within = "same sentence" if rule.within == "sentence" else f"within {rule.within} characters"
    return f"{terms} — near {context} ({within})"


# -- Excel -----------------------------------------------------------------------------

_COLUMNS = (("id", 28), ("level 层级", 12), ("parent 上级", 24), ("category 主范畴", 18),
            ("name 名称", 22), ("name_en 英文名", 28), ("definition 定义", 50),
            ("include 适用", 40), ("exclude 不适用", 40), ("examples 例句", 50),
            ("paradigm 范式", 14), ("color 颜色", 10), ("terms zh 中文检索词", 50),
            ("terms en 英文检索词", 50), ("not 否定词", 30), ("near 须同现", 50),
            ("boundary 词边界", 14),
            ("regex 正则", 24), ("memo 备忘", 40), ("guid", 38))


def _row(book: Codebook, code: Code) -> list[str]:
    rules = code.rules
    terms = rules.terms if rules else {}
    vetoes = "; ".join(f"{lang}: " + " | ".join(t) for lang, t in (rules.not_ if rules else
                                                                   {}).items())
    if rules and rules.not_scope != "segment":
        vetoes += f" ({rules.not_scope})"
    near = "\n".join(_near_text(rule, " | ") for rule in rules.near) if rules else ""
    return [code.id, code.level, code.parent or "", book.main_category(code.id) or "",
            code.name, code.name_en or "", code.definition or "", code.include or "",
            code.exclude or "", "\n".join(code.examples), code.paradigm or "", code.color or "",
            " | ".join(terms.get("zh", [])), " | ".join(terms.get("en", [])), vetoes, near,
            rules.boundary if rules else "", "\n".join(rules.regex) if rules else "",
            code.memo or "", code_guid(code.id)]


def write_xlsx(book: Codebook, path: Path) -> None:
    """Write the codebook as an Excel workbook (sheets ``codebook`` and ``about``)."""
    import xlsxwriter

    with atomic_output(Path(path)) as tmp:
        workbook = xlsxwriter.Workbook(str(tmp), {"strings_to_numbers": False,
                                                  "strings_to_formulas": False,
                                                  "strings_to_urls": False})
        workbook.set_properties({"title": book.name, "created": _FIXED_TIME})
        head = workbook.add_format({"bold": True, "bg_color": "#DDEBF7", "text_wrap": True})
        wrap = workbook.add_format({"text_wrap": True, "valign": "top"})
        sheet = workbook.add_worksheet("codebook")
        for col, (title, width) in enumerate(_COLUMNS):
            sheet.write_string(0, col, title, head)
            sheet.set_column(col, col, width)
        for row, code in enumerate(book.codes, start=1):
            for col, value in enumerate(_row(book, code)):
                sheet.write_string(row, col, _clean(value), wrap)
        sheet.freeze_panes(1, 1)
        sheet.autofilter(0, 0, len(book.codes), len(_COLUMNS) - 1)
        about = workbook.add_worksheet("about")
        for row, (key, value) in enumerate(_about(book)):
            about.write_string(row, 0, key, head)
            about.write_string(row, 1, _clean(value), wrap)
        about.set_column(0, 0, 18)
        about.set_column(1, 1, 80)
        workbook.close()


def _about(book: Codebook) -> list[tuple[str, str]]:
    return [("name", book.name), ("version", book.version), ("language", book.language),
            ("description", book.description or ""), ("authors", ", ".join(book.authors)),
            ("hash", book.hash), ("codes", str(len(book.codes)))]


# -- dispatch --------------------------------------------------------------------------


def _write_bytes(data: bytes, path: Path) -> None:
    atomic_write_bytes(Path(path), data)


EXPORTERS: dict[str, Callable[[Codebook, Path, str | None], None]] = {
    "xlsx": lambda book, path, lang: write_xlsx(book, path),
    "md": lambda book, path, lang: _write_bytes(markdown_text(book).encode("utf-8"), path),
    "qdc": lambda book, path, lang: _write_bytes(qdc_bytes(book, lang), path),
}


def export_codebook(book: Codebook, path: str | Path, fmt: str,
                    lang: str | None = None, *, inspect: Inspect | None = None) -> Path:
    """Write ``book`` to ``path`` as ``xlsx``, ``md`` or ``qdc``.

    The path is checked first (:func:`gtcode.files.guard_output`, with ``inspect``
    looking at an existing file's work).

    Raises:
        GtcodeError: E112 for an unknown format, E701 when the file cannot be
            written.
    """
    if fmt not in EXPORTERS:
        raise GtcodeError("E112", f"unknown codebook export format '{fmt}'.",
                          hint="use one of: " + ", ".join(EXPORTERS))
    guard_output(Path(path), inspect=inspect)
    try:
        EXPORTERS[fmt](book, Path(path), lang)
    except OSError as exc:
        raise GtcodeError("E701", f"the export cannot be written ({exc.strerror}).",
                          file=path) from None
    return Path(path)
