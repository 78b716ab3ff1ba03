"""The codebook: a strict YAML format, its validation, built-ins, diff and exports.

Typical use::

    from gtcode.codebook import load_codebook
    book = load_codebook("six-pressures")          # or a path to a YAML file
    book.main_category("resource.project_chasing")  # -> "resource"

See ``docs/codebook.md`` for the format.
"""

from gtcode.codebook.builtin import (
    BUILTIN_NAMES,
    DEFAULT_CODEBOOK,
    builtin_path,
    codebook_text,
    resolve_ref,
)
from gtcode.codebook.model import (
    BOUNDARIES,
    LEVELS,
    PARADIGM_ROLES,
    Code,
    Codebook,
    CodebookFile,
    CodeNode,
    Rules,
)
from gtcode.codebook.validate import (
    Problem,
    check_document,
    codebook_from_document,
    load_codebook,
    validate_file,
)
from gtcode.codebook.yaml_io import (
    CodebookDocument,
    codebook_to_data,
    dump_codebook,
    format_path,
    line_of,
)

__all__ = [
    "BOUNDARIES",
    "BUILTIN_NAMES",
    "DEFAULT_CODEBOOK",
    "LEVELS",
    "PARADIGM_ROLES",
    "Code",
    "CodeNode",
    "Codebook",
    "CodebookDocument",
    "CodebookFile",
    "Problem",
    "Rules",
    "builtin_path",
    "check_document",
    "codebook_from_document",
    "codebook_text",
    "codebook_to_data",
    "dump_codebook",
    "format_path",
    "line_of",
    "load_codebook",
    "resolve_ref",
    "validate_file",
]
