"""Gold labels: a csv ``file,line,codes`` naming the codes of each respondent turn.

The format of ``data/*/labels.csv``: ``line`` is the 1-based line where a
respondent turn's label stands, ``codes`` the turn's codes separated by ``;``
(empty for none). ``gtcode evaluate`` scores coders against gold labels and
``gtcode learn --labels`` trains on them; both read them here.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass
from pathlib import Path

from gtcode.coding.sheet_rows import split_codes
from gtcode.errors import GtcodeError, ProblemList
from gtcode.transcripts.readers import read_text_file


@dataclass(frozen=True)
class GoldRow:
    row: int
    file: str
    line: int
    categories: frozenset[str]


def read_gold(path: Path, codebook) -> list[GoldRow]:
    """Read gold labels; every code is rolled up to its main category.

    Raises:
        GtcodeError: E101 when missing; E405 (a ProblemList) for a missing
            column, a line that is not a number, or an unknown code.
    """
    path = Path(path)
    text = read_text_file(path)  # any encoding a transcript may be in (GBK from Excel too)
    records = list(csv.reader(io.StringIO(text, newline="")))
    header = [h.strip().lower() for h in (records[0] if records else [])]
    if not {"file", "line", "codes"} <= set(header):
        raise GtcodeError("E405", "the gold labels need the columns file, line, codes.",
                          file=path, where="row 1")
    col = {name: header.index(name) for name in ("file", "line", "codes")}
    rows, problems = [], []
    for number, record in enumerate(records[1:], start=2):
        if not any(cell.strip() for cell in record):
            continue
        cells = {k: (record[i].strip() if i < len(record) else "") for k, i in col.items()}
        if not cells["line"].isdigit():
            problems.append(f"row {number}: line {cells['line']!r} is not a line number")
            continue
        categories = set()
        for code in split_codes(cells["codes"]):
            category = codebook.main_category(code)
            if category is None:
                problems.append(f"row {number}: code {code!r} is not a code of the codebook "
                                "(or has no main category)")
            else:
                categories.add(category)
        rows.append(GoldRow(number, cells["file"], int(cells["line"]), frozenset(categories)))
    if problems:
        raise ProblemList("E405", problems, file=path)
    return rows
