"""gtcode: grounded-theory coding of interview transcripts.

Open, axial and selective coding backed by a YAML codebook, intercoder
agreement, saturation tests, and NVivo-compatible (REFI-QDA) exchange.
Use it from the command line (``gtcode --help``) or as a library::

    import gtcode

    report = gtcode.run(["data/sample"], "out", cases="data/sample/cases.csv")
    with gtcode.open_study(report.study) as study:
        book = gtcode.study_codebook(study)
        for coding in study.codings()[:5]:
            print(coding.source, coding.segment, coding.code_id,
                  book.main_category(coding.code_id))

The names below are the public API. They are imported when first used, so
``import gtcode`` stays quick and loads nothing of the command line.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from gtcode._version import __version__

#: public name -> (module, name there)
_API: dict[str, tuple[str, str]] = {
    "GtcodeError": ("gtcode.errors", "GtcodeError"),
    "Codebook": ("gtcode.codebook", "Codebook"),
    "load_codebook": ("gtcode.codebook", "load_codebook"),
    "Study": ("gtcode.store.project", "Study"),
    "init_study": ("gtcode.workspace", "init_study"),
    "open_study": ("gtcode.workspace", "open_study"),
    "study_codebook": ("gtcode.workspace", "study_codebook"),
    "ImportOptions": ("gtcode.importer", "ImportOptions"),
    "import_files": ("gtcode.importer", "import_files"),
    "open_code": ("gtcode.coding.open_coding", "open_code"),
    "run": ("gtcode.pipeline", "run"),
    "ExportOptions": ("gtcode.exports.registry", "ExportOptions"),
    "export": ("gtcode.exports.registry", "export"),
    "agree": ("gtcode.reliability.agree", "agree_study"),
    "agree_table": ("gtcode.reliability.agree", "agree_table"),
    "evaluate": ("gtcode.reliability.evaluate", "evaluate"),
}

__all__ = [
    "Codebook", "ExportOptions", "GtcodeError", "ImportOptions", "Study", "__version__", "agree",
    "agree_table", "evaluate", "export", "import_files", "init_study", "load_codebook",
    "open_code", "open_study", "run", "study_codebook",
]


def __getattr__(name: str) -> Any:
    try:
        module, attribute = _API[name]
    except KeyError:
        raise AttributeError(f"module 'gtcode' has no attribute {name!r}") from None
    value = getattr(importlib.import_module(module), attribute)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)


if TYPE_CHECKING:  # for editors and type checkers; at run time __getattr__ imports
    from gtcode.codebook import Codebook, load_codebook
    from gtcode.coding.open_coding import open_code
    from gtcode.errors import GtcodeError
    from gtcode.exports.registry import ExportOptions, export
    from gtcode.importer import ImportOptions, import_files
    from gtcode.pipeline import run
    from gtcode.reliability.agree import agree_study as agree
    from gtcode.reliability.agree import agree_table
    from gtcode.reliability.evaluate import evaluate
    from gtcode.store.project import Study
    from gtcode.workspace import init_study, open_study, study_codebook
