"""``codings.csv`` and ``segments.csv``: the plain tables every study can write."""

from __future__ import annotations

from pathlib import Path

from gtcode.codebook.hierarchy import code_links, main_category
from gtcode.files import write_csv
from gtcode.store.codes import list_codes
from gtcode.store.codings import iter_codings
from gtcode.store.project import Study
from gtcode.store.sources import iter_segments

CODINGS_HEADER = ("source", "case", "segment", "start", "end", "speaker", "role", "code",
                  "category", "origin", "coder", "text")
SEGMENTS_HEADER = ("source", "case", "segment", "start", "end", "speaker", "role", "text")


def write_codings_csv(study: Study, path: Path, *, coder: str | None = None,
                      excel_safe: bool = False) -> int:
    """Write one row per coding (rejected suggestions left out); return the row count.

    Text is verbatim (the passage exactly as in the source); ``excel_safe``
    prefixes formula-like cells with ``'`` for spreadsheet programs.

    ``segment`` is the 1-based index of the segment in its source (empty for
    a coding that spans no single segment), ``start``/``end`` the coded
    passage's code-point offsets, ``category`` the main category the code
    rolls up to, ``text`` the coded passage itself.
    """
    links = code_links(list_codes(study.conn))
    rows = ((c.source, c.case or "", c.segment if c.segment is not None else "", c.start, c.end,
             c.speaker or "", c.role or "", c.code_id, main_category(c.code_id, links) or "", c.origin,
             c.coder, c.text)
            for c in iter_codings(study.conn, coder=coder))
    return write_csv(path, CODINGS_HEADER, rows, excel_safe=excel_safe)


def write_segments_csv(study: Study, path: Path, *, excel_safe: bool = False) -> int:
    """Write one row per segment with its text (verbatim unless ``excel_safe``)."""
    rows = ((s.source, s.case or "", s.idx, s.start, s.end, s.speaker or "", s.role, s.text)
            for s in iter_segments(study.conn))
    return write_csv(path, SEGMENTS_HEADER, rows, excel_safe=excel_safe)
