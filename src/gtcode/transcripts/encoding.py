"""Turn a transcript's raw bytes into text: encoding detection and normalisation.

Detection never guesses in silence. The order is:

1. ``encoding=`` given by the user: decode strictly with it (unknown name → E112,
   undecodable bytes → E104 naming the byte offset and line).
2. Binary magic numbers (images, PDF, zip, Office 97, audio) → E106.
3. A byte-order mark (UTF-32, UTF-8, UTF-16).
4. NUL bytes: UTF-16/UTF-32 without BOM recognised by where the NULs fall
   (the zero high byte of ASCII characters); otherwise the file is binary (E106).
5. Strict UTF-8. A file whose lines are partly valid UTF-8 and partly not is
   mixed (E103), not "almost UTF-8".
6. Chinese legacy encodings: the bytes are decoded as GB18030 (a superset of
   GB2312/GBK), as Big5 (cp950) and as UTF-16, and each decoding is scored by
   the share of its characters that are *frequent* hanzi (GB2312 level 1 or
   Big5 level 1). Real text scores above 0.9; text decoded with the wrong one
   of these encodings scores far lower, which is how GBK and Big5 are told
   apart. Too little evidence or two close scores → E103.
7. Anything else goes to charset-normalizer, accepted only when its candidates
   agree on the decoded text and its chaos is low; otherwise E103.
"""

from __future__ import annotations

import codecs
import re
import unicodedata
from dataclasses import dataclass

from gtcode.errors import GtcodeError

#: (magic prefix, what it is); checked before anything else.
_MAGIC: tuple[tuple[bytes, str], ...] = (
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"%PDF-", "a PDF document"),
    (b"PK\x03\x04", "a zip archive (perhaps a .docx or .xlsx with the wrong extension)"),
    (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "an Office 97-2003 file (.doc/.xls)"),
    (b"\x7fELF", "a program"),
    (b"\x1f\x8b", "a gzip archive"),
    (b"Rar!\x1a\x07", "a RAR archive"),
    (b"7z\xbc\xaf\x27\x1c", "a 7-zip archive"),
    (b"OggS", "an audio file"),
    (b"fLaC", "an audio file"),
)

_BOMS: tuple[tuple[bytes, str], ...] = (
    (codecs.BOM_UTF32_LE, "utf-32-le"),
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

#: Fewer frequent-hanzi characters than this is too little to tell GBK from Big5.
MIN_EVIDENCE = 8
#: A decoding is Chinese-like when this share of its characters are frequent hanzi.
MIN_SCORE = 0.85
#: The best decoding must beat the runner-up by this much.
MIN_MARGIN = 0.2
#: Characters and bytes sampled for scoring (enough for a verdict, bounded time).
_SAMPLE = 20000
_SAMPLE_BYTES = 1 << 18

_LEGACY_CANDIDATES = ("gb18030", "cp950", "utf-16-le", "utf-16-be")
_FAMILY = {
    "gb2312": "gb18030", "gbk": "gb18030", "cp936": "gb18030", "gb18030": "gb18030",
    "hz": "gb18030", "big5": "cp950", "cp950": "cp950", "big5hkscs": "cp950",
}
_LINE_BREAKS = re.compile(r"\r\n|[\r\x0b\x0c\x85\u2028\u2029]")
#: Category Cc except newline and tab, plus the BOM / zero-width no-break space.
_DROPPED = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\ufeff]")


@dataclass(frozen=True)
class Decoded:
    """Text decoded from bytes, with the codec that was used."""

    text: str
    encoding: str


def decode_bytes(raw: bytes, *, file: str, encoding: str | None = None) -> Decoded:
    """Decode a transcript's bytes, refusing to guess when unsure.

    Args:
        raw: the file's bytes (not empty).
        file: the file name for error messages.
        encoding: a codec name that overrides detection.

    Returns:
        The decoded (not yet normalised) text and the codec used.

    Raises:
        GtcodeError: E112 unknown codec, E104 bytes that do not decode, E106
            binary content, E103 encoding not determinable with confidence.
    """
    decoded = _decode_given(raw, file, encoding) if encoding else _detect(raw, file)
    _reject_controls(decoded.text, file)
    return decoded


def _detect(raw: bytes, file: str) -> Decoded:
    _reject_magic(raw, file)
    for bom, name in _BOMS:
        if raw.startswith(bom):
            return Decoded(_strict(raw[len(bom):], name, file, offset=len(bom)), name)
    if b"\x00" in raw:
        return _decode_nul_pattern(raw, file)
    try:
        return Decoded(raw.decode("utf-8"), "utf-8")
    except UnicodeDecodeError:
        pass
    _reject_mixed_utf8(raw, file)
    return _detect_legacy(raw, file)


def _decode_given(raw: bytes, file: str, encoding: str) -> Decoded:
    try:
        name = codecs.lookup(encoding).name
    except LookupError:
        raise GtcodeError("E112", f"unknown encoding name {encoding!r}.", file=file,
                          hint="use a Python codec name such as gb18030, big5, utf-8, "
                               "utf-16") from None
    return Decoded(_strict(raw, name, file), name)


def _strict(raw: bytes, name: str, file: str, *, offset: int = 0) -> str:
    """Decode strictly; on failure raise E104 naming the byte offset and line."""
    try:
        return raw.decode(name)
    except UnicodeDecodeError as exc:
        prefix = raw[:exc.start].decode(name, errors="replace")
        line = _LINE_BREAKS.sub("\n", prefix).count("\n") + 1
        raise GtcodeError(
            "E104", f"bytes at offset {exc.start + offset} do not decode as {name}.",
            file=file, where=f"line {line}",
            hint="pass the right --encoding (for example gb18030, big5, utf-16) or re-save "
                 "the file as UTF-8") from None


def _reject_magic(raw: bytes, file: str) -> None:
    what = next((label for magic, label in _MAGIC if raw.startswith(magic)), None)
    if what is None and raw[4:8] == b"ftyp":
        what = "an audio or video file"
    if what is None and raw.startswith(b"ID3") and raw[3:4] in (b"\x02", b"\x03", b"\x04"):
        what = "an audio file"
    if what is None and raw.startswith(b"RIFF") and raw[8:12] in (b"WAVE", b"WEBP", b"AVI "):
        what = "an audio, image or video file"
    if what:
        raise GtcodeError("E106", f"the file is {what}, not text.", file=file,
                          hint="export the transcript as .txt, .docx, .csv or .xlsx")


def _decode_nul_pattern(raw: bytes, file: str) -> Decoded:
    """UTF-16/32 without BOM: the decoding that reads as plain text wins.

    ASCII characters (newlines, digits) put their zero high byte on one side;
    CJK characters such as U+4E00 put a zero on the other, so the NUL pattern
    alone is not enough: every width and byte order is tried and the one whose
    characters are mostly ASCII, whitespace, punctuation or frequent hanzi wins.
    """
    sample = raw[:_SAMPLE_BYTES]
    ranked = sorted(((_plausibility(text), name) for name, text in _nul_decodings(sample)),
                    reverse=True)
    if not ranked or ranked[0][0] < 0.8:
        raise GtcodeError("E106", "the file holds NUL bytes that are not UTF-16 or UTF-32 "
                                  "text.", file=file,
                          hint="export the transcript as UTF-8 text, .docx or .xlsx")
    if len(ranked) > 1 and ranked[1][0] > ranked[0][0] - MIN_MARGIN:
        raise _unsure(file, "UTF-16 byte orders disagree", [_Score(0, 0, n) for _, n in ranked])
    name = ranked[0][1]
    return Decoded(_strict(raw, name, file), name)


def _nul_decodings(sample: bytes) -> list[tuple[str, str]]:
    """Decodings of a sample (odd tails replaced) that look like text."""
    names = ["utf-16-le", "utf-16-be"] if len(sample) % 2 == 0 else []
    if len(sample) % 4 == 0:
        names += ["utf-32-le", "utf-32-be"]
    decoded = ((name, sample.decode(name, errors="replace")) for name in names)
    return [(name, text) for name, text in decoded if _looks_textual(text)]


def _plausibility(text: str) -> float:
    sample = text[:_SAMPLE]
    good = sum(1 for ch in sample if (ord(ch) < 0x80 and (ch.isprintable() or ch.isspace()))
               or unicodedata.category(ch).startswith("P") or _is_frequent_hanzi(ch))
    return good / len(sample)


def _looks_textual(text: str) -> bool:
    """True when decoded text has no stray controls and few unassigned characters."""
    if not text:
        return False
    sample = text[:_SAMPLE]
    bad = sum(1 for ch in sample if _is_stray_control(ch) or ch == "\ufffd"
              or unicodedata.category(ch) in ("Cn", "Co", "Cs"))
    return bad <= len(sample) * 0.01


#: C0/C1 controls other than the whitespace ones text files legitimately hold.
_STRAY_CONTROLS = re.compile("[\x00-\x08\x0e-\x19\x1b-\x1f\x7f-\x9f]")


def _reject_controls(text: str, file: str) -> None:
    """Text full of control characters is binary data that happened to decode."""
    sample = text[:_SAMPLE]
    stray = len(_STRAY_CONTROLS.findall(sample))
    if stray >= 3 and stray > len(sample) * 0.01:
        raise GtcodeError("E106", "the file holds control characters, not text.", file=file,
                          hint="export the transcript as .txt, .docx, .csv or .xlsx")


def _is_stray_control(ch: str) -> bool:
    return unicodedata.category(ch) == "Cc" and ch not in "\n\r\t\x0b\x0c\x1a"


def _reject_mixed_utf8(raw: bytes, file: str) -> None:
    """Raise E103 when some lines are valid UTF-8 Chinese and others are not."""
    valid = invalid = 0
    for line in raw.split(b"\n"):
        if line.isascii():
            continue
        try:
            decoded = line.decode("utf-8")
        except UnicodeDecodeError:
            invalid += 1
            continue
        if sum(1 for ch in decoded if ord(ch) > 0x7F) >= 3:
            valid += 1
    if valid and invalid:
        raise GtcodeError(
            "E103", f"the file mixes encodings: {valid} line(s) are UTF-8 and {invalid} "
                    "are not.", file=file,
            hint="re-save the whole file in one encoding (UTF-8), or pass --encoding "
                 "gb18030 if the UTF-8 lines are a mistake")


def _detect_legacy(raw: bytes, file: str) -> Decoded:
    scored = sorted((_score(raw, name) for name in _legacy_names(raw)), reverse=True)
    best = scored[0]
    runner_up = scored[1] if len(scored) > 1 else None
    if best.score >= MIN_SCORE:
        if best.evidence < MIN_EVIDENCE:
            raise _unsure(file, "the file is too short to tell its encoding", scored)
        if runner_up and runner_up.score > best.score - MIN_MARGIN:
            raise _unsure(file, "candidate encodings disagree", scored)
        return Decoded(_strict(raw, best.name, file), best.name)
    return _detect_other(raw, file, scored)


def _legacy_names(raw: bytes) -> list[str]:
    return [n for n in _LEGACY_CANDIDATES if not n.startswith("utf-16") or len(raw) % 2 == 0]


@dataclass(frozen=True, order=True)
class _Score:
    score: float
    evidence: int
    name: str


def _score(raw: bytes, name: str) -> _Score:
    """Share of frequent hanzi among the non-ASCII, non-punctuation characters."""
    text = raw[:_SAMPLE_BYTES].decode(name, errors="replace")
    considered = frequent = 0
    for ch in text:
        if ord(ch) < 0x80 or ch.isspace() or unicodedata.category(ch).startswith("P"):
            continue
        considered += 1
        frequent += _is_frequent_hanzi(ch)
        if considered >= _SAMPLE:
            break
    return _Score(frequent / considered if considered else 0.0, frequent, name)


_FREQUENT_CACHE: dict[str, bool] = {}


def _is_frequent_hanzi(ch: str) -> bool:
    """GB2312 level 1 (3,755 hanzi) or Big5 level 1 (5,401 hanzi): the common characters."""
    hit = _FREQUENT_CACHE.get(ch)
    if hit is None:
        hit = _in_level1(ch, "gb2312", lambda b: 0xB0 <= b[0] <= 0xD7)
        hit = hit or _in_level1(ch, "big5", lambda b: 0xA440 <= (b[0] << 8 | b[1]) <= 0xC67E)
        _FREQUENT_CACHE[ch] = hit
    return hit


def _in_level1(ch: str, codec: str, test) -> bool:
    try:
        encoded = ch.encode(codec)
    except UnicodeEncodeError:
        return False
    return len(encoded) == 2 and test(encoded)


def _detect_other(raw: bytes, file: str, scored: list[_Score]) -> Decoded:
    """Non-Chinese legacy text (cp1252 English, ...): charset-normalizer, if it agrees.

    Only the candidates as coherent as the best one count; they must all give
    the same text (cp1250 and cp1252 do for most Western text).
    """
    from charset_normalizer import from_bytes

    matches = list(from_bytes(raw))[:5]
    least_chaos = min((m.percent_chaos for m in matches), default=0.0)
    texts: dict[str, str] = {}
    for match in matches:
        name = _canonical(match.encoding)
        if match.percent_chaos > min(20.0, least_chaos + 1.0) or name in texts:
            continue
        try:
            text = raw.decode(name)
        except (UnicodeDecodeError, LookupError):
            continue
        if not any(0x80 <= ord(ch) <= 0x9F for ch in text):
            texts[name] = text
    if texts and len(set(texts.values())) == 1:
        text = next(iter(texts.values()))
        name = "cp1252" if _decodes_to(raw, "cp1252", text) else next(iter(texts))
        return Decoded(text, name)
    names = list(texts) or [s.name for s in scored[:2]]
    reason = "candidate encodings disagree" if texts else "no encoding gives coherent text"
    raise _unsure(file, reason, [_Score(0.0, 0, n) for n in names])


def _decodes_to(raw: bytes, name: str, text: str) -> bool:
    try:
        return raw.decode(name) == text
    except UnicodeDecodeError:
        return False


def _canonical(name: str) -> str:
    try:
        name = codecs.lookup(name).name
    except LookupError:
        return name
    return _FAMILY.get(name, name)


def _unsure(file: str, reason: str, scored: list[_Score]) -> GtcodeError:
    names = [s.name for s in scored[:3]]
    if "gb18030" not in names:
        names.insert(0, "gb18030")
    options = " or ".join(f"--encoding {n}" for n in names[:3])
    return GtcodeError("E103", f"the encoding could not be determined with confidence "
                               f"({reason}).", file=file,
                       hint=f"pass {options}, or re-save the file as UTF-8")


def normalise(text: str) -> str:
    """NFC, LF line ends, no control characters except newline and tab, no BOMs.

    Vertical tab, form feed, NEL and the Unicode line/paragraph separators
    become newlines (Word writes a manual line break as a vertical tab).
    """
    text = _LINE_BREAKS.sub("\n", text)
    return _DROPPED.sub("", unicodedata.normalize("NFC", text))
