"""REFI-QDA exchange with NVivo, ATLAS.ti, MAXQDA and QualCoder: the public API.

- :func:`export_qdpx` / :func:`export_qdc`: a study as a project archive or a
  codebook (validated against the REFI-QDA XSD, byte-identical across runs);
- :func:`import_project`: a new study from a .qdpx (or a bare .qde beside its
  ``sources`` folder), refusing hostile archives;
- :func:`qdc_to_codebook_yaml`: a .qdc as gtcode codebook YAML text.

Positions: gtcode counts code points; ``positions="nvivo"`` writes UTF-16
code units (what NVivo for Windows writes and reads), ``"codepoints"`` the
standard's unit. On import the unit comes from ``--positions``, else from the
project's origin, else from which unit puts selections on word and line
boundaries (see :mod:`gtcode.exchange.positions`).
"""

from __future__ import annotations

from pathlib import Path

from gtcode.coding.sheet import unapplied_review
from gtcode.errors import GtcodeError
from gtcode.exchange.positions import EXPORT_UNITS, IMPORT_UNITS
from gtcode.exchange.refi_codes import plan_codes
from gtcode.exchange.refi_common import Archive, Limits, parse_xml
from gtcode.exchange.refi_export import ExportReport, export_qdc, export_qdpx
from gtcode.exchange.refi_import import ImportReport, import_project
from gtcode.exchange.refi_read import read_codebook_xml
from gtcode.files import atomic_write_text, guard_output, read_input

__all__ = ["EXPORT_UNITS", "IMPORT_UNITS", "ExportReport", "ImportReport", "Limits",
           "export_qdc", "export_qdpx", "import_project", "qdc_to_codebook_yaml"]

#: A .qdc larger than this is refused (codebooks are small).
MAX_QDC_BYTES = 64 * 1024 ** 2


def _qdc_bytes(path: Path) -> bytes:
    data = read_input(path, max_bytes=MAX_QDC_BYTES)
    if data.startswith(b"PK\x03\x04"):  # a codebook inside a zip (rare, but seen)
        archive = Archive(path)
        try:
            names = [n for n in archive.entries if n.lower().endswith(".qdc")]
            if len(names) != 1:
                raise GtcodeError("E501", "the archive does not hold exactly one .qdc.",
                                  file=path)
            data = archive.read(names[0])
        finally:
            archive.close()
    return data


def import_codebook(path: Path, output: Path) -> Path:
    """Write the codebook YAML of a .qdc (:func:`qdc_to_codebook_yaml`) to ``output``.

    ``output`` is checked first: never a study's own codebook (E702; a study's
    codebook changes by editing it), never a filled-in review sheet.
    """
    output = Path(output)
    guard_output(output, inspect=unapplied_review(None))
    atomic_write_text(output, qdc_to_codebook_yaml(path))
    return output


def qdc_to_codebook_yaml(path: Path) -> str:
    """A REFI-QDA codebook (.qdc) as gtcode codebook YAML text, validated.

    Reads the namespaces ``urn:QDA-XML:codebook:1.0``, ``0:4`` and ``1:0``.
    Ids are slugs of the code names (hash slugs for Chinese names), levels
    follow the tree (see :mod:`gtcode.exchange.refi_codes`), descriptions
    become definitions.

    Raises:
        GtcodeError: E101 (missing), E501 (not a codebook), E502 (unsafe XML).
    """
    path = Path(path)
    project = read_codebook_xml(parse_xml(_qdc_bytes(path), file=path), path)
    if not project.codes:
        raise GtcodeError("E501", "the codebook holds no codes.", file=path)
    plan = plan_codes(project.codes, name=path.stem,
                      description=f"Imported from {path.name} ({project.origin or 'unknown'})")
    return plan.yaml_text
