"""Headings and labels of the study report, in Chinese and English.

Every visible word of the report that is not study data comes from
:data:`TEXTS`; :func:`t` picks the language given with ``--lang``.
"""

from __future__ import annotations

from gtcode.errors import GtcodeError

LANGS: tuple[str, ...] = ("zh", "en")

#: key -> (Chinese, English).
TEXTS: dict[str, tuple[str, str]] = {
    "title": ("研究报告", "Study report"),
    "contents": ("目录", "Contents"),
    "generated": ("由 gtcode 生成", "Made by gtcode"),
    "codebook": ("编码手册", "Codebook"),
    "summary": ("概览", "Overview"),
    # sections
    "sec_corpus": ("语料概况", "Corpus"),
    "sec_codebook": ("编码树与编码次数", "Codebook tree and coding counts"),
    "sec_heatmap": ("各案例的范畴频次", "Category frequency by case"),
    "sec_attribute": ("按案例属性的范畴分布", "Categories by case attribute"),
    "sec_network": ("范畴共现网络", "Category co-occurrence network"),
    "sec_paradigm": ("范式模型", "Paradigm model"),
    "sec_proposed": ("建议概念", "Proposed concepts"),
    "sec_saturation": ("理论饱和度", "Saturation"),
    "sec_holdout": ("留出样本饱和检验", "Hold-out saturation test"),
    "sec_agreement": ("编码者一致性", "Intercoder agreement"),
    "sec_tables": ("扎根理论三级编码表", "Grounded-theory coding tables"),
    "sec_machine": ("机器编码者的信度", "How reliable the machine coder is"),
    "no_machine_model": ("本研究的建议只来自编码规则，没有学习模型，因此没有交叉验证的信度。",
                         "The suggestions come from the rules alone (no learned model), so there "
                         "is no cross-validated reliability to show."),
    "sec_categories": ("范畴定义与代表性引文", "Categories: definitions and quotes"),
    # corpus
    "sources": ("文本", "Sources"),
    "cases": ("案例", "Cases"),
    "case": ("案例", "Case"),
    "source": ("文本", "Source"),
    "segments": ("段落", "Segments"),
    "respondent_segments": ("受访者段落", "Respondent segments"),
    "han_chars": ("汉字数", "Chinese characters"),
    "latin_words": ("英文词数", "English words"),
    "language": ("语言", "Language"),
    "codings": ("编码", "Codings"),
    "coded_segments": ("已编码段落", "Coded segments"),
    "total": ("合计", "Total"),
    "no_case": ("（未指定案例）", "(no case)"),
    "no_cases_note": ("研究中尚无案例属性表；每个文本视为一个案例。",
                      "The study has no case sheet; each source counts as a case."),
    # codebook tree
    "code": ("编码", "Code"),
    "level": ("层级", "Level"),
    "lvl_core": ("核心范畴", "core category"),
    "lvl_category": ("主范畴", "main category"),
    "lvl_subcategory": ("副范畴", "subcategory"),
    "lvl_concept": ("概念", "concept"),
    "direct": ("直接编码", "Direct codings"),
    "rolled": ("含下级段落", "Segments incl. sub-codes"),
    "in_cases": ("涉及案例", "Cases"),
    "tree_note": ("“含下级段落”为该编码或其任一下级编码所覆盖的不同段落数。",
                  "“Segments incl. sub-codes”: distinct segments coded with the code or any "
                  "code below it."),
    "unused_codes": ("未被使用的编码", "Codes never applied"),
    # heatmaps
    "heat_note": ("单元格为该案例中编码到该主范畴的段落数；颜色越深越多。",
                  "Each cell: segments of the case coded with the main category; darker is "
                  "more."),
    "attr_note": ("单元格为该组中提及该主范畴的案例比例（括号内为案例数）。",
                  "Each cell: share of the group's cases in which the category occurs (cases "
                  "in brackets)."),
    "heat_axes": ("行：{rows}；列：主范畴。", "Rows: {rows}; columns: main categories."),
    "legend_segments": ("段落数", "segments"),
    "legend_share": ("案例比例", "share of cases"),
    "attr_skipped": ("未作图的属性（组数过多或每组仅一个案例）：{names}。",
                     "Attributes not charted (too many groups, or one case per group): "
                     "{names}."),
    "no_attributes": ("研究中没有案例属性。", "The study has no case attributes."),
    "no_codings": ("尚无编码。", "No codings yet."),
    "group": ("组", "Group"),
    "more_rows": ("其余 {n} 行见上表", "{n} more rows in the table above"),
    "top_n_note": ("只显示最常用的 {n} 个范畴；完整数据见表格。",
                   "Showing the {n} most used categories; the table holds all."),
    "show_table": ("查看数据表", "Show the data table"),
    # network
    "network_note": ("节点大小表示编码段落数，连线粗细表示共同出现的段落数。",
                     "Node size: coded segments. Line width: segments where both occur."),
    "pair": ("范畴对", "Pair"),
    "cooccur": ("共现段落", "Segments with both"),
    # paradigm
    "par_causal": ("因果条件", "Causal conditions"),
    "par_phenomenon": ("现象", "Phenomenon"),
    "par_context": ("脉络条件", "Context"),
    "par_intervening": ("中介条件", "Intervening conditions"),
    "par_strategy": ("行动/互动策略", "Action/interaction strategies"),
    "par_consequence": ("结果", "Consequences"),
    "paradigm_note": ("Strauss 与 Corbin 的范式模型；各范畴的角色取自编码手册的 paradigm 字段。",
                      "Strauss and Corbin's paradigm model; each category's role is the "
                      "codebook's paradigm field."),
    "paradigm_none": ("编码手册中没有标注范式角色的范畴。",
                      "No category in the codebook has a paradigm role."),
    # proposed concepts
    "proposed_note": ("编码者在编码表“新概念”栏、备忘录或命令行中提出、尚未纳入编码手册的概念；"
                      "用 gtcode codebook adopt 纳入。",
                      "Concepts coders proposed (the sheet's new-concept column, a memo, or the "
                      "command line) that the codebook does not hold yet; gtcode codebook adopt "
                      "adds them."),
    "proposed_none": ("没有待纳入的建议概念。", "No proposed concept is waiting."),
    "proposed_by": ("提出者", "Proposed by"),
    "parent": ("上级", "Parent"),
    "example": ("示例语句", "Example"),
    "passages": ("片段", "Passages"),
    "counted_human": ("计数对象：人工编码者使用的概念（人工编码与建议概念），按访谈顺序。",
                      "Counted: concepts used by human coders (their codings and proposed "
                      "concepts), in interview order."),
    "counted_machine": ("计数对象：机器建议的编码手册概念（尚无人工编码），按访谈顺序。",
                        "Counted: codebook concepts suggested by the machine (no human coding "
                        "yet), in interview order."),
    "counted_all": ("计数对象：全部有效编码（人工与机器）及建议概念，按访谈顺序。",
                    "Counted: every coding that counts, human and machine, and proposed "
                    "concepts, in interview order."),
    # saturation
    "sat_x": ("访谈数", "Interviews"),
    "sat_y": ("累计发现的编码", "Codes found so far"),
    "sat_band": ("随机顺序的 95% 区间", "95% band over random orders"),
    "sat_mean": ("随机顺序均值", "mean over random orders"),
    "sat_actual": ("实际访谈顺序", "interview order"),
    "guest_result": ("Guest 等（2020）饱和判定", "Guest et al. (2020) saturation"),
    "reached": ("已达到", "reached"),
    "not_reached": ("未达到", "not reached"),
    "not_available": ("此项分析尚未生成。", "This analysis is not available yet."),
    "sat_caption": ("阴影为 {n} 次随机访谈顺序下累计编码数的 95% 区间（种子 {seed}）。",
                    "Shaded: 95% band of codes found over {n} random interview orders "
                    "(seed {seed})."),
    "new_codes": ("新编码", "New codes"),
    "cum_codes": ("累计编码", "Codes so far"),
    "guest_setup": ("基准 {base} 次访谈，步长 {run} 次，新信息阈值 {threshold}。",
                    "Base {base} interviews, run {run}, new-information threshold "
                    "{threshold}."),
    "guest_yes": ("第 {point} 次访谈达到饱和，并由至第 {through} 次访谈的后续访谈确认；此后又出现 {after} 个新编码。",
                  "Saturation at interview {point}, confirmed through interview {through}; "
                  "{after} new codes appeared after that."),
    "guest_no": ("没有一段后续访谈的新信息低于阈值。",
                 "No run of interviews stayed within the threshold."),
    "holdout_pass": ("通过：留出的访谈没有产生新的副范畴、主范畴或范畴关系。",
                     "Passed: the held-out interviews added no new subcategory, main category "
                     "or relation."),
    "holdout_fail": ("未通过：留出的访谈产生了新的范畴或关系。",
                     "Not passed: the held-out interviews added a new category or relation."),
    "holdout_split": ("以 {build} 次访谈建立范畴，留出 {held} 次访谈检验：{cases}。",
                      "Categories built on {build} interviews; {held} held out for the test: "
                      "{cases}."),
    "passed": ("通过", "Passed"),
    "holdout_too_few": ("留出样本检验至少需要 2 次访谈。", "The hold-out test needs at least 2 interviews."),
    "holdout_rule": ("关系指在至少一个段落（话轮）中同时被编码的两个主范畴；新关系指在留出访谈中出现、"
                     "而在建模访谈的任何段落中都未出现的范畴对。",
                     "a relation is a pair of main categories coded together in a segment"),
    "guest_reason": ("无法判定（{reason}）。", "Not assessed: {reason}."),
    "new_subcats": ("新副范畴", "New subcategories"),
    "new_cats": ("新主范畴", "New main categories"),
    "new_relations": ("新关系", "New relations"),
    "agree_units": ("编码者：{coders}；比较单位为 {n} 个{scope}（至少两位编码者都做了决定的话轮；"
                    "每个编码按出现/未出现计）。",
                    "Coders: {coders}; {n} {scope} compared (turns decided by two or more "
                    "coders; each code as present/absent)."),
    "scope_respondent turns": ("受访者话轮", "respondent turns"),
    "scope_all turns": ("话轮（含访谈者话轮）", "turns (interviewer turns included)"),
    "units_used": ("使用单位", "Units used"),
    "alpha_caption": ("各编码的 Krippendorff α（出现/未出现）；0.80 以上通常视为可靠。",
                      "Krippendorff's α per code (present/absent); 0.80 or more is usually "
                      "taken as reliable."),
    "pooled": ("合并", "pooled"),
    "unweighted_mean": ("未加权平均", "unweighted mean"),
    "weighted_mean": ("加权平均", "weighted mean"),
    "codes_n": ("编码数", "Codes"),
    # holdout
    "holdout_new": ("留出访谈中的新编码", "New codes in held-out interviews"),
    # agreement
    "no_agreement": ("没有一致性数据（研究中少于两位人工编码者）。",
                     "No agreement data (the study has fewer than two human coders)."),
    "coders": ("编码者", "Coders"),
    "units": ("单位数", "Units"),
    "pct_agree": ("百分比一致性", "Percent agreement"),
    "kappa": ("Kappa", "Kappa"),
    "alpha": ("Krippendorff α", "Krippendorff's α"),
    "undefined": ("无定义", "undefined"),
    # categories
    "definition": ("定义", "Definition"),
    "include": ("适用", "Include"),
    "exclude": ("不适用", "Exclude"),
    "quotes": ("代表性引文", "Representative quotes"),
    "no_quotes": ("暂无引文。", "No quotes."),
    # paging
    "show_all": ("显示全部", "Show all"),
    "prev": ("上一页", "Previous"),
    "next": ("下一页", "Next"),
    "page_of": ("第 {page} / {pages} 页", "Page {page} of {pages}"),
}


def check_lang(lang: str) -> str:
    """Return ``lang`` if the report speaks it, else raise E112."""
    if lang not in LANGS:
        raise GtcodeError("E112", f"unknown report language {lang!r}.",
                          hint="use --lang zh or --lang en")
    return lang


def t(key: str, lang: str, **values: object) -> str:
    """The text for ``key`` in ``lang``, with ``{name}`` fields filled in."""
    zh, en = TEXTS[key]
    text = en if lang == "en" else zh
    return text.format(**values) if values else text


def level_name(level: str | None, lang: str) -> str:
    """A codebook level (core, category, ...) in words."""
    key = f"lvl_{level}"
    return t(key, lang) if key in TEXTS else (level or "")
