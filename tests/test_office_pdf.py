"""tables.docx and gtcode.xlsx opened by LibreOffice (headless) and printed to PDF.

What a researcher sees when she prints or converts the files: the workbook
prints each sheet one page wide (a sheet whose columns split across pages
would print more pages than sheets), and the Word tables keep their
length. ``soffice`` comes from Debian's libreoffice-writer-nogui and
libreoffice-calc-nogui, which ``scripts/test-setup.sh`` installs; on CI
(``CI=true``) a missing ``soffice`` fails the test, elsewhere it skips.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import openpyxl
import pytest

from axial_study import build_study
from gtcode.coding.selective import SaturationOptions, run_selective
from gtcode.exports.docx_tables import export_docx
from gtcode.exports.workbook import export_workbook

FAST = SaturationOptions(permutations=30)


def _soffice() -> str:
    found = shutil.which("soffice") or shutil.which("libreoffice")
    if found is None:
        if os.environ.get("CI") == "true":
            pytest.fail("soffice is missing on CI: scripts/test-setup.sh installs it")
        pytest.skip("LibreOffice (soffice) is not installed; scripts/test-setup.sh installs it")
    return found


def to_pdf(soffice: str, files: list[Path], out: Path) -> list[Path]:
    """Convert with a private profile (parallel runs do not share one) and no network."""
    profile = out / "profile"
    subprocess.run([soffice, f"-env:UserInstallation={profile.as_uri()}", "--headless",
                    "--norestore", "--convert-to", "pdf", "--outdir", str(out),
                    *map(str, files)], check=True, capture_output=True, timeout=300)
    return [out / f"{f.stem}.pdf" for f in files]


def pages(pdf: Path) -> int:
    return len(re.findall(rb"/Type\s*/Page\b(?!s)", pdf.read_bytes()))


def test_docx_and_xlsx_print_to_pdf(tmp_path: Path) -> None:
    soffice = _soffice()
    study, book = build_study(tmp_path / "s")
    try:
        run_selective(study, book, options=FAST)
        (docx_path,) = export_docx(study, book, tmp_path, options=FAST)
        (grid_path,) = export_docx(study, book, tmp_path / "grid.docx", options=FAST,
                                   style="grid")
        (xlsx_path,) = export_workbook(study, book, tmp_path, options=FAST)
    finally:
        study.close()
    out = tmp_path / "pdf"
    tables_pdf, grid_pdf, book_pdf = to_pdf(soffice, [docx_path, grid_path, xlsx_path], out)
    sheets = len(openpyxl.load_workbook(xlsx_path).sheetnames)
    # every sheet of this small study fits one page once it is printed one page wide
    # (the 13-column 范畴关系 sheet alone would take two or more without it)
    assert pages(book_pdf) == sheets
    assert pages(tables_pdf) == 3  # 11 tables: measured with Noto CJK standing in for 宋体
    assert pages(grid_pdf) == pages(tables_pdf)
