"""The study report: one self-contained HTML page of the whole study.

``build_report`` gathers what the analysis modules compute (axial coding's
matrices and co-occurrence, saturation, the hold-out test, the grounded-theory
tables, representative quotes, agreement) and lays it out with charts as
inline SVG. ``write_report`` writes it atomically.

Example::

    from gtcode.exports.report import write_report
    write_report(study, book, study.exports_dir / "report.html", lang="zh")
"""

from __future__ import annotations

from gtcode.exports.report.build import build_report, write_report

__all__ = ["build_report", "write_report"]
