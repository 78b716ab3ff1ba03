"""Split a document into coding units: speaker turns, paragraphs or sentences.

Turn mode reads transcripts as people write them:

- a label, a colon (full-width ``：`` or ASCII ``:``, spaces allowed around it)
  or a tab, then the utterance: ``问：``, ``Q:``, ``访谈者：``, ``张某某：``,
  ``P03:``, ``**问**：`` (Markdown bold);
- timestamps before or after the label (``[00:12:31] 问：``, ``答（12:31）：``,
  ``问：[00:12:31] ...``) or a label line that holds only a timestamp
  (``Interviewer 00:00:05``) with the utterance on the next lines;
- a header block before the first turn (``访谈日期：2023年5月12日``), kept as
  metadata, and a title line at the very top;
- turns that run over several paragraphs: lines without a label continue the
  previous turn.

Telling a label from a sentence with a colon: a label is short
(:data:`MAX_LABEL` characters), has no sentence punctuation, does not start
with a pronoun or end with a verb of saying (``他说：``, ``老王讲：``), is not
an enumeration (``第一：``) nor a header field (``时间：``). It then counts as a
speaker when it recurs (two or more lines), when the caller names it, or, once
turns have begun, when it is a known role label (问/答, Q/A, 受访者 …). A name
or code seen only once (``王书记：`` quoted inside an answer) is not a speaker,
unless no label recurs at all (a one-exchange transcript), when names such as
张某某, 李某, 王书记 or P03 count too. The header ends at the first line whose
label recurs as a speaker (or, when none recurs, at the first question label
answered by another speaker).
"""

from __future__ import annotations

import re
import unicodedata
from bisect import bisect_right
from collections import Counter
from dataclasses import dataclass

from gtcode.errors import GtcodeError
from gtcode.transcripts.model import Document, Segment, Segmentation

MODES = ("turn", "paragraph", "sentence")
ROLES = ("interviewer", "respondent", "unknown")
#: Longest label (speaker name) in characters; Latin-script labels may be longer.
MAX_LABEL = 12
MAX_LATIN_LABEL = 24

INTERVIEWER_LABELS = frozenset({
    "问", "問", "q", "i", "访谈者", "訪談者", "研究者", "interviewer", "采访者", "採訪者",
    "主持人", "访谈人", "訪談人", "访问者", "訪問者", "访员", "訪員", "调查员", "調查員",
    "提问", "提問", "提问者", "提問者", "研究员", "研究員", "记者", "記者", "moderator",
    "researcher", "int", "iv", "访", "訪"})
RESPONDENT_LABELS = frozenset({
    "答", "a", "r", "受访者", "受訪者", "respondent", "被访者", "被訪者", "被采访者",
    "被採訪者", "受访人", "受訪人", "被访人", "被訪人", "访谈对象", "訪談對象", "回答",
    "回答者", "interviewee", "participant", "p", "受", "被访", "被訪"})

#: Format characters (Unicode Cf) that web pages and Word put around text: zero-width
#: spaces and joiners, direction marks and embeddings, the soft hyphen, the BOM. They
#: are invisible, so a label they touch (``\u200b答：``) is read as if they were not
#: there; the text keeps them, so every offset stays exact.
FORMAT_CHARS = ("\u00ad\u061c\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064"
                "\u2066-\u206f\ufeff")
_CF = re.compile(f"[{FORMAT_CHARS}]")
_WS = f"[ \\t\\u3000{FORMAT_CHARS}]*"
_TS = (r"(?:[\[\(（【]\s*\d{1,2}(?::\d{2}){1,2}(?:[.,]\d{1,3})?\s*[\]\)）】]"
       r"|\d{1,2}:\d{2}:\d{2}(?:[.,]\d{1,3})?)")
_LEADING_TS = re.compile(f"{_WS}(?:{_TS}{_WS})+")
_LEADING_BLANK = re.compile(f"^{_WS}")
_ONLY_TS = re.compile(f"{_WS}(?:{_TS}{_WS})+$")
_LABEL = re.compile(
    f"(?P<md>\\*\\*|__)?(?P<label>[^\\s：:*_{FORMAT_CHARS}][^：:\\t\\n]{{0,40}}?)(?:\\*\\*|__)?{_WS}"
    f"(?:{_TS}{_WS})?(?:\\*\\*|__)?(?P<sep>[：:]|\\t)(?:\\*\\*|__)?{_WS}")
_LABEL_TS_LINE = re.compile(f"(?P<label>[^\\s：:{FORMAT_CHARS}][^：:\\t\\n]{{0,40}}?)"
                            f"[ \\t\\u3000]+{_TS}{_WS}$")
_SENTENCE_PUNCT = re.compile(r"[，。！？；、…“”\"「」『』《》!?;,]")
_NOT_NAME = re.compile(
    r"(?:第[一二三四五六七八九十百零\d]+.*|[一二三四五六七八九十]+|[（(]?\d+[)）]?"
    r"|[一二三四五六七八九十]是|首先|其次|再次|然后|最后|另外|此外|比如|例如|譬如|注|注意|"
    r"备注|說明|说明|总之|總之|总结|總結|结论|結論|原因|结果|結果|重点|關鍵|关键|"
    r"note|nb|e\.g\.?|for example|ps|p\.s\.?|https?|ftp|mailto|www)", re.IGNORECASE)
_QUOTING = re.compile(
    r"(?:^(?:我|你|他|她|它|咱|您|俺|人家|别人|別人|大家|有人|这|這|那)"
    r"|(?:说|說|讲|講|道|称|稱|想|问|問|答|表示|认为|認為|觉得|覺得|告诉我|告訴我|提到|强调|"
    r"強調|指出|写|寫|喊|骂|罵)$"
    r"|^(?:he|she|they|we|you|it|someone|everyone|somebody)\b"
    r"|\b(?:said|says|asked|asks|told me|replied|answered|thought|wrote)$)", re.IGNORECASE)
_FIELD = re.compile(
    r"(?:日期|时间|時間|时长|時長|地点|地點|地址|场所|場所|编号|編號|序号|序號|代码|代碼|"
    r"单位|單位|性别|性別|年龄|年齡|职务|職務|职业|職業|学历|學歷|方式|对象|對象|主题|主題|"
    r"项目|項目|记录|記錄|整理|转录|轉錄|录音|錄音|备注|備註|转写|轉寫|标题|標題|题目|題目|"
    r"访谈人|訪談人|访问人|訪問人|访谈员|訪談員|"
    r"\bdate\b|\btime\b|\bplace\b|\blocation\b|\bsite\b|\bid\b|\bno\b\.?|\bnumber\b|"
    r"\bduration\b|transcri|\bcode\b|\bsetting\b|\brecording\b|\btitle\b)", re.IGNORECASE)
_NAME = re.compile(
    r"(?:[\u4e00-\u9fff]{1,2}某{1,2}|[老小阿][\u4e00-\u9fff]"
    r"|[\u4e00-\u9fff]{1,3}(?:书记|書記|主任|局长|局長|科长|科長|镇长|鎮長|村长|村長|乡长|鄉長|"
    r"县长|縣長|所长|所長|处长|處長|厂长|廠長|经理|經理|会计|會計|老师|老師|先生|女士|同志|"
    r"干部|幹部|警官|医生|醫生|师傅|師傅|大爷|大爺|大妈|大媽)"
    r"|[A-Z]{1,2}-?\d{1,3})")
_BRACKETED = re.compile(r"[（(\[【〔][^（()\[\]【】〔〕）]*[）)\]】〕]")
_QUESTION_END = re.compile(r"[?？][\s\"'”’）)\]】]*$")


@dataclass(frozen=True)
class _Label:
    """A line that starts like ``label：utterance``; offsets are within the line."""

    label: str
    key: str
    base: str
    body: int
    plausible: bool


def segment_document(doc: Document, *, mode: str = "turn",
                     interviewer_labels: list[str] | tuple[str, ...] | None = None,
                     respondent_labels: list[str] | tuple[str, ...] | None = None,
                     lang: str | None = None) -> Segmentation:
    """Split ``doc`` into segments.

    Args:
        doc: a document from :func:`gtcode.transcripts.readers.read_transcript`.
        mode: ``"turn"`` (speaker turns), ``"paragraph"`` (blank-line separated
            blocks, or single lines when there are no blank lines) or
            ``"sentence"`` (sentences within those blocks).
        interviewer_labels: labels that mark the interviewer (``["问", "Q"]``);
            when given alone, every other speaker is a respondent.
        respondent_labels: labels that mark respondents; when given alone,
            every other speaker is an interviewer.
        lang: ``"zh"``/``"en"`` for sentence mode (detected when ``None``).

    Returns:
        Segments with 1-based ``idx``; turn mode also returns the header block
        (``title``, ``note`` and ``key：value`` lines) as metadata.

    Raises:
        GtcodeError: E112 for an unknown mode, E108 when turn mode finds no turn.
    """
    if mode not in MODES:
        raise GtcodeError("E112", f"unknown segmentation mode {mode!r}.", file=doc.path,
                          hint="use one of: " + ", ".join(MODES))
    user = _user_roles(interviewer_labels, respondent_labels)
    if doc.turns is not None and mode == "turn":
        return _table_turns(doc, user)
    lines = _Lines(doc.text)
    if mode == "turn":
        return _turns(doc, lines, user)
    return _blocks(doc, lines, user, sentences=mode == "sentence", lang=lang)


# -- lines and labels -----------------------------------------------------------

class _Lines:
    """The document's lines with their start offsets and parsed labels."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.lines = text.split("\n")
        self.starts = []
        offset = 0
        for line in self.lines:
            self.starts.append(offset)
            offset += len(line) + 1
        self.labels = [parse_label(line) for line in self.lines]

    def has_content(self, i: int) -> bool:
        """A line with text other than whitespace, format characters and timestamps."""
        line = self.lines[i]
        return bool(_CF.sub("", line).strip()) and not _ONLY_TS.match(line)


def parse_label(line: str) -> _Label | None:
    """Recognise ``[timestamp] label [timestamp]：[timestamp] utterance`` at a line start."""
    lead = _LEADING_TS.match(line)
    pos = lead.end() if lead else len(line) - len(_LEADING_BLANK.sub("", line, count=1))
    match = _LABEL_TS_LINE.match(line, pos)
    if match:
        return _make_label(match.group("label"), len(line))
    match = _LABEL.match(line, pos)
    if not match or _not_a_separator(line, match):
        return None
    body = match.end()
    ts = _LEADING_TS.match(line, body)
    return _make_label(match.group("label"), ts.end() if ts else body)


def _not_a_separator(line: str, match: re.Match) -> bool:
    """``http://``, and clock times or ratios such as ``下午3:00`` or ``2:1``."""
    after = match.end("sep")
    if line.startswith("//", after):
        return True
    return (match.group("sep") == ":" and match.group("label")[-1:].isdigit()
            and line[after:after + 1].isdigit())


def _make_label(raw: str, body: int) -> _Label:
    label = _CF.sub("", raw).strip(" \t\u3000*_")
    key = label_key(label)
    return _Label(label, key, _base(key), body, _plausible(label, key))


def label_key(label: str) -> str:
    """The form labels are compared in: NFKC, case-folded, single spaces."""
    return " ".join(unicodedata.normalize("NFKC", label).casefold().split())


def _base(key: str) -> str:
    """``r1`` → ``r``, ``受访者a`` → ``受访者``, ``interviewer 2`` → ``interviewer``."""
    base = re.sub(r"[\s\-_#]*\d+$", "", key) or key
    base = re.sub(r"(?<=[\u4e00-\u9fff])[\s\-_]*[a-z]$", "", base)
    return base.strip() or key


def _known_role(key: str, base: str) -> str | None:
    for name in (key, base):
        if name in INTERVIEWER_LABELS:
            return "interviewer"
        if name in RESPONDENT_LABELS:
            return "respondent"
    return None


def _plausible(label: str, key: str) -> bool:
    """Could this be a speaker label at all (short, no punctuation, not a quote)?"""
    longest = MAX_LATIN_LABEL if label.isascii() else MAX_LABEL
    if not label or len(label) > longest or _SENTENCE_PUNCT.search(label):
        return False
    if _known_role(key, _base(key)):
        return True
    if (re.fullmatch(r"[\d\s.:/\-]+", label) or len(label.split()) > 3
            or _NOT_NAME.fullmatch(label) or _QUOTING.search(label)):
        return False
    return not ("a" <= label[0] <= "z")


def _is_field(item: _Label) -> bool:
    """A header field name (日期, 地点, 访谈人 …), a speaker only when it recurs."""
    return bool(_FIELD.search(item.label))


def _user_roles(interviewer: list[str] | tuple[str, ...] | None,
                respondent: list[str] | tuple[str, ...] | None) -> dict[str, str]:
    roles = {label_key(x): "respondent" for x in respondent or () if x.strip()}
    roles.update({label_key(x): "interviewer" for x in interviewer or () if x.strip()})
    if interviewer and not respondent:
        roles["*"] = "respondent"
    elif respondent and not interviewer:
        roles["*"] = "interviewer"
    return roles


# -- which labels are speakers ---------------------------------------------------

class _Speakers:
    """Decides, line by line, whether a parsed label starts a turn."""

    def __init__(self, labels: list[_Label | None], user: dict[str, str]) -> None:
        self.user = user
        self.counts = Counter(x.key for x in labels if x and self._usable(x))
        strong = [i for i, x in enumerate(labels) if x and self.strong(x)]
        #: With no recurring label (a one-exchange transcript), names count too.
        self.fallback = not strong
        self.first = strong[0] if strong else self._first_alternating(labels)

    def _usable(self, item: _Label) -> bool:
        """Plausible, and not a header field unless a role label (访谈人)."""
        return item.plausible and (not _is_field(item) or bool(_known_role(item.key, item.base)))

    def strong(self, item: _Label) -> bool:
        """Named by the caller, or a plausible label that recurs."""
        named = item.key in self.user or item.base in self.user
        return named or (self._usable(item) and self.counts[item.key] >= 2)

    def weak(self, item: _Label) -> bool:
        """A known role label; a name or code too when no label recurs."""
        if not item.plausible or _is_field(item):
            return False
        return bool(_known_role(item.key, item.base)
                    or (self.fallback and _NAME.fullmatch(item.label)))

    def starts_turn(self, item: _Label | None) -> bool:
        return item is not None and (self.strong(item) or self.weak(item))

    def _first_alternating(self, labels: list[_Label | None]) -> int | None:
        """The first weak label answered by another speaker (a question, then an answer).

        This skips header lines such as ``受访者：张某某`` before ``问：/答：``.
        """
        weak = [(i, x) for i, x in enumerate(labels) if x and self.weak(x)]
        for (i, item), (_, after) in zip(weak, weak[1:]):
            roles = tuple(_known_role(x.key, x.base) for x in (item, after))
            if after.key != item.key and roles[0] != roles[1] and roles[0] != "respondent":
                return i
        return weak[0][0] if weak else None


# -- turn mode -------------------------------------------------------------------

@dataclass
class _Turn:
    label: _Label
    line: int
    start: int
    end: int


def _turns(doc: Document, lines: _Lines, user: dict[str, str]) -> Segmentation:
    speakers = _Speakers(lines.labels, user)
    if speakers.first is None:
        raise _no_turns(doc)
    turns: list[_Turn] = []
    for i in range(speakers.first, len(lines.lines)):
        item = lines.labels[i]
        if speakers.starts_turn(item):
            start = lines.starts[i] + item.body
            turns.append(_Turn(item, i + 1, start, lines.starts[i] + len(lines.lines[i])))
        elif turns and lines.has_content(i):
            turns[-1].end = lines.starts[i] + len(lines.lines[i])
    closing = _closing_notes(lines, turns[-1]) if turns else []
    turns = [t for t in (_trim(lines, t) for t in turns) if t.end > t.start]
    if not turns:
        raise _no_turns(doc)
    roles = infer_roles([(t.label, lines.text[t.start:t.end]) for t in turns], user)
    segments = tuple(Segment(n, t.start, t.end, t.label.label, roles[t.label.key], t.line)
                     for n, t in enumerate(turns, start=1))
    metadata = _header(lines, speakers.first)
    if closing:
        metadata["closing"] = "\n".join(closing)
    return Segmentation(segments, metadata)


def _closing_notes(lines: _Lines, last: _Turn) -> list[str]:
    """Bracketed lines ending the transcript (``（访谈结束）``) leave the last turn."""
    tail = [i for i in range(last.line, len(lines.lines)) if lines.has_content(i)]
    notes: list[str] = []
    while tail and _BRACKETED.fullmatch(lines.lines[tail[-1]].strip()):
        notes.insert(0, lines.lines[tail.pop()].strip())
    if notes:
        i = tail[-1] if tail else last.line - 1
        last.end = lines.starts[i] + len(lines.lines[i])
    return notes


def _trim(lines: _Lines, turn: _Turn) -> _Turn:
    """Span without surrounding whitespace or leading timestamps."""
    text, start, end = lines.text, turn.start, turn.end
    while start < end:
        stamp = _LEADING_TS.match(text, start, end)
        if stamp and stamp.end() > start:
            start = stamp.end()
        elif text[start].isspace() or _CF.match(text, start):
            start += 1
        else:
            break
    while end > start and (text[end - 1].isspace() or _CF.match(text, end - 1)):
        end -= 1
    return _Turn(turn.label, turn.line, start, end)


def _no_turns(doc: Document) -> GtcodeError:
    return GtcodeError("E108", "no speaker turns were found.", file=doc.path,
                       hint="label turns like 问：/答： or name the labels with "
                            "--interviewer-labels 问,Q,I, or use --segment paragraph")


def _header(lines: _Lines, first: int) -> dict[str, str]:
    """Title, ``key：value`` fields and other notes before the first turn."""
    meta: dict[str, str] = {}
    notes: list[str] = []
    for i in range(first):
        line = lines.lines[i].strip()
        if not line:
            continue
        match = re.match(r"(?P<key>[^：:\t]{1,20}?)[ \u3000]*[：:\t]\s*(?P<value>.*)$", line)
        if match and not _SENTENCE_PUNCT.search(match.group("key")):
            key = match.group("key").strip(" *_#")
            meta[key if key not in meta else f"{key} ({i + 1})"] = match.group("value").strip()
        elif not meta and not notes and "title" not in meta:
            meta["title"] = line.strip(" #*")
        else:
            notes.append(line)
    if notes:
        meta["note"] = "\n".join(notes)
    return meta


def infer_roles(turns: list[tuple[_Label, str]], user: dict[str, str]) -> dict[str, str]:
    """Role of each speaker key: the caller's lists, known labels, then behaviour.

    Among speakers whose labels say nothing (names), when no interviewer is
    known, the one whose turns mostly end in a question mark is the
    interviewer if it speaks first or clearly out-asks the others; every
    other speaker is a respondent.
    """
    roles: dict[str, str] = {}
    order: list[_Label] = []
    for item, _ in turns:
        if item.key not in roles:
            order.append(item)
            named = user.get(item.key) or user.get(item.base)
            roles[item.key] = named or user.get("*") or _known_role(item.key, item.base) or ""
    unknown = [x.key for x in order if not roles[x.key]]
    if unknown and "interviewer" not in roles.values():
        asker = _asker(unknown, turns)
        if asker:
            roles[asker] = "interviewer"
    return {k: r or "respondent" for k, r in roles.items()}


def _asker(keys: list[str], turns: list[tuple[_Label, str]]) -> str | None:
    ratio = {}
    for key in keys:
        said = [text for item, text in turns if item.key == key]
        ratio[key] = sum(bool(_QUESTION_END.search(t)) for t in said) / len(said)
    best = max(keys, key=lambda k: ratio[k])
    others = [ratio[k] for k in keys if k != best]
    if ratio[best] < 0.5:
        return None
    if best == keys[0] or not others or ratio[best] >= max(others) + 0.25:
        return best
    return None


def _table_turns(doc: Document, user: dict[str, str]) -> Segmentation:
    """Table transcripts: each row's turn becomes a segment directly."""
    items = [(_make_label(t.speaker or "?", 0), doc.text[t.start:t.end]) for t in doc.turns]
    roles = infer_roles(items, user)
    segments = []
    for n, (turn, (item, _)) in enumerate(zip(doc.turns, items), start=1):
        role = roles[item.key] if turn.speaker else "unknown"
        segments.append(Segment(n, turn.start, turn.end, turn.speaker or None, role, turn.line))
    if not segments:
        raise _no_turns(doc)
    return Segmentation(tuple(segments))


# -- paragraph and sentence modes ------------------------------------------------------

def _blocks(doc: Document, lines: _Lines, user: dict[str, str], *, sentences: bool,
            lang: str | None) -> Segmentation:
    """Blank-line separated blocks (or lines), optionally split into sentences."""
    speakers = _Speakers(lines.labels, user)
    spans = list(_block_spans(lines, speakers))
    roles = infer_roles([(item, lines.text[s:e]) for s, e, _, item in spans if item], user)
    if sentences:
        from gtcode.transcripts.nlp import detect_language

        lang = lang or detect_language(doc.text)
    kind = "sentence" if sentences else "paragraph"
    segments: list[Segment] = []
    for start, end, line, item in spans:
        speaker = item.label if item else None
        role = roles[item.key] if item else "unknown"
        pieces = _sentence_spans(lines, start, end, lang) if sentences else [(start, end, line)]
        for s, e, n in pieces:
            segments.append(Segment(len(segments) + 1, s, e, speaker, role, n, kind))
    return Segmentation(tuple(segments))


def _block_spans(lines: _Lines, speakers: _Speakers):
    """``(start, end, line, label or None)`` per block, spans trimmed."""
    blank_separated = any(not line.strip() for line in lines.lines[:-1]) and len(
        [x for x in lines.lines if x.strip()]) > 1
    block: list[int] = []
    for i in range(len(lines.lines) + 1):
        ends_block = i == len(lines.lines) or not lines.lines[i].strip() or not blank_separated
        if i < len(lines.lines) and lines.lines[i].strip():
            block.append(i)
        if ends_block and block:
            yield _block_span(lines, speakers, block)
            block = []


def _block_span(lines: _Lines, speakers: _Speakers, block: list[int]):
    first = block[0]
    item = lines.labels[first]
    if not speakers.starts_turn(item):
        item = None
    start = lines.starts[first] + (item.body if item else 0)
    end = lines.starts[block[-1]] + len(lines.lines[block[-1]])
    trimmed = _trim(lines, _Turn(item, first + 1, start, end))
    return trimmed.start, trimmed.end, first + 1, item


def _sentence_spans(lines: _Lines, start: int, end: int,
                    lang: str) -> list[tuple[int, int, int]]:
    """``(start, end, line)`` of each sentence; sentences never cross a line break."""
    from gtcode.transcripts.nlp import sentences

    spans = []
    offset, line = start, bisect_right(lines.starts, start)
    for part in lines.text[start:end].split("\n"):
        spans += [(offset + s, offset + e, line) for s, e in sentences(part, lang)]
        offset += len(part) + 1
        line += 1
    return spans
