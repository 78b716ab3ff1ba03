"""The review file the researcher edits, and the key file kept outside the study.

Both hold identifiers in clear text: they are written readable by their owner
only (mode 0600 where the system allows it) and never inside ``exports/``.

Review file (YAML)::

    study: my-study
    terms:
      - term: 王建国          # as found in the transcripts
        kind: person         # person place org phone id_card plate email birth_date
        action: replace      # replace, or keep (not an identifier; drop = keep)
        pseudonym: 赵某       # what replaces it in Chinese text
        pseudonym_en: Zhao X  # what replaces it when the term is written in Latin letters
        count: 12            # occurrences (for information)
        example: 我是【王建国】，青山县…

The key file is a list of ``term`` → ``pseudonym`` rows with the kind and the
time applied; ``gtcode anonymize`` reads it to propose the same pseudonyms again.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from gtcode.codebook.yaml_io import line_of, parse_yaml, to_plain
from gtcode.errors import GtcodeError, ProblemList
from gtcode.files import atomic_output, read_input
from gtcode.privacy.detect import Candidate
from gtcode.privacy.found import KIND_LABELS, KINDS

#: A review or key file larger than this is refused (E110).
MAX_BYTES = 32 * 2**20
ACTIONS = ("replace", "keep", "drop")

_REVIEW_HEAD = """\
# gtcode anonymize: review file / 假名化审阅文件
#
# WARNING / 注意: this file holds the identifiers it lists, in clear text. Keep it on
# this machine; never share, e-mail or export it. 本文件含有原始身份信息，请勿外传。
#
# For each term / 对每一项:
#   action: replace   replace it everywhere by its pseudonym / 替换为假名
#   action: keep      not an identifier, leave it / 不是身份信息，保留原文 (drop = keep)
#   pseudonym / pseudonym_en: change them as you like; give two terms the same
#       pseudonym when they are one person / 同一人的不同称呼可填同一假名
#   add a term gtcode missed: a new item with term, kind and pseudonym / 可自行添加漏检词
# Then: gtcode anonymize STUDY --apply THIS-FILE --key KEY-FILE-OUTSIDE-THE-STUDY
"""

_KEY_HEAD = """\
# gtcode pseudonym key / 假名对照表 (original -> pseudonym)
#
# CONFIDENTIAL / 机密: this file links every pseudonym to the real name, place or
# number. Keep it apart from the study and from anything you share; gtcode never
# exports it and never copies it into the study or its backups.
"""


@dataclass(frozen=True)
class Entry:
    """One reviewed term."""

    term: str
    kind: str
    action: str
    pseudonym: str
    pseudonym_en: str
    line: int | None = None
    applied_at: str = ""

    @property
    def replaces(self) -> bool:
        return self.action == "replace"


def _q(value: str) -> str:
    return json.dumps(value, ensure_ascii=False)


def review_text(study_name: str, candidates: list[Candidate]) -> str:
    """The review file for ``candidates`` (deterministic for the same candidates)."""
    lines = [_REVIEW_HEAD, f"study: {_q(study_name)}", "terms:"]
    kind = None
    for c in candidates:
        if c.kind != kind:
            kind = c.kind
            lines.append(f"  # -- {KIND_LABELS[kind]}")
        lines += [f"  - term: {_q(c.term)}", f"    kind: {c.kind}", f"    action: {c.action}",
                  f"    pseudonym: {_q(c.pseudonym)}", f"    pseudonym_en: {_q(c.pseudonym_en)}",
                  f"    count: {c.count}", f"    example: {_q(c.example)}"]
    if not candidates:
        lines[-1] = "terms: []"
    return "\n".join(lines) + "\n"


def write_private(path: Path, text: str) -> None:
    """Write a file that holds identifiers: atomically, readable by its owner only."""
    with atomic_output(path, private=True) as tmp:
        tmp.write_text(text, encoding="utf-8")


def read_review(path: Path) -> list[Entry]:
    """The entries of a review file, every problem reported at once (E902, with lines)."""
    data, root = _load(path)
    terms = data.get("terms") if isinstance(data, dict) else None
    if not isinstance(terms, list):
        raise GtcodeError("E902", "the review file has no list of terms.", file=path,
                          hint="write it with `gtcode anonymize STUDY`, then edit it")
    entries, problems = [], []
    for n, item in enumerate(terms):
        entry, wrong = _entry(item, n, root)
        problems += wrong
        if entry:
            entries.append(entry)
    seen: dict[str, Entry] = {}
    for e in entries:
        if e.term in seen and (seen[e.term].action, seen[e.term].pseudonym) != (
                e.action, e.pseudonym):
            problems.append(f"line {e.line}: the term of line {seen[e.term].line} is given "
                            "again with another action or pseudonym; keep one")
        seen.setdefault(e.term, e)
    if problems:
        raise ProblemList("E902", problems, file=path,
                          hint="fix these items of the review file and apply it again")
    return list(seen.values())


def _load(path: Path) -> tuple[Any, Any]:
    data = read_input(Path(path), max_bytes=MAX_BYTES)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise GtcodeError("E902", "the file is not UTF-8 text.", file=path,
                          hint="save it as UTF-8") from None
    try:
        root = parse_yaml(text, path)
    except GtcodeError as exc:
        raise GtcodeError("E902", exc.message, file=path, where=exc.where,
                          hint=exc.hint) from None
    return to_plain(root), root


def _entry(item: Any, n: int, root: Any, section: str = "terms"
           ) -> tuple[Entry | None, list[str]]:
    line = line_of(root, (section, n))
    here = f"line {line}: {section}[{n}]"
    if not isinstance(item, dict):
        return None, [f"{here}: an item needs term, kind and pseudonym"]
    problems = []
    term = item.get("term")
    kind = item.get("kind", "person")
    action = str(item.get("action") or "replace").strip().lower()
    if not isinstance(term, str) or not term.strip():
        problems.append(f"{here}.term: give the term as it appears in the transcripts")
    if kind not in KINDS:
        problems.append(f"{here}.kind: one of {', '.join(KINDS)}")
    if action not in ACTIONS:
        problems.append(f"{here}.action: replace or keep (drop means keep)")
    pseudonym = item.get("pseudonym")
    pseudonym = "" if pseudonym is None else str(pseudonym)
    pseudonym_en = str(item.get("pseudonym_en") or pseudonym)
    if action == "replace" and not pseudonym.strip():
        problems.append(f"{here}.pseudonym: a term to replace needs a pseudonym")
    if problems:
        return None, problems
    return Entry(term, kind, "keep" if action == "drop" else action, pseudonym, pseudonym_en,
                 line, str(item.get("applied_at") or "")), []


def read_key(path: Path) -> dict[str, Entry]:
    """The key file's rows by term (an empty key when the file does not exist yet)."""
    if not Path(path).exists():
        return {}
    data, root = _load(path)
    rows = data.get("key") if isinstance(data, dict) else None
    if not isinstance(rows, list):
        raise GtcodeError("E902", "the key file has no list under `key`.", file=path,
                          hint="give the key file gtcode wrote, or a new path")
    out: dict[str, Entry] = {}
    for n, item in enumerate(rows):
        entry, problems = _entry(item, n, root, "key")
        if problems or entry is None:
            raise GtcodeError("E902", f"item {n} of the key is malformed.", file=path,
                              where=f"line {line_of(root, ('key', n))}")
        out[entry.term] = entry
    return out


def key_text(study_name: str, entries: dict[str, Entry], applied: dict[str, str]) -> str:
    """The key file: every replaced term with its pseudonyms, sorted by kind and term."""
    lines = [_KEY_HEAD, f"study: {_q(study_name)}", "key:"]
    order = {kind: n for n, kind in enumerate(KINDS)}
    for e in sorted(entries.values(), key=lambda e: (order[e.kind], e.term)):
        lines += [f"  - term: {_q(e.term)}", f"    kind: {e.kind}",
                  f"    pseudonym: {_q(e.pseudonym)}", f"    pseudonym_en: {_q(e.pseudonym_en)}",
                  f"    applied_at: {_q(applied.get(e.term) or e.applied_at)}"]
    if not entries:
        lines[-1] = "key: []"
    return "\n".join(lines) + "\n"
