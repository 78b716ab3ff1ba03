"""Writing csv files atomically, in UTF-8, guarded against formula injection."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from pathlib import Path

from gtcode.exports.safe_cells import csv_cell
from gtcode.store.project import atomic_write_bytes


def write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]], *,
              bom: bool = False) -> int:
    """Write a header and rows to ``path`` (temp file, then rename); return the row count.

    UTF-8 without BOM by default (``bom=True`` helps Excel on Windows open
    Chinese text). Line ends are LF. Formula-like text is guarded.
    """
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(header)
    count = 0
    for row in rows:
        writer.writerow([csv_cell(v) for v in row])
        count += 1
    data = buffer.getvalue().encode("utf-8-sig" if bom else "utf-8")
    atomic_write_bytes(Path(path), data)
    return count
