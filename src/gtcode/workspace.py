"""Creating studies and keeping a study's code snapshot in step with its codebook."""

from __future__ import annotations

from pathlib import Path

from gtcode.codebook import DEFAULT_CODEBOOK, Codebook, load_codebook
from gtcode.codebook.export import code_description
from gtcode.errors import GtcodeError
from gtcode.store.codes import CodeRow, sync_codebook_codes
from gtcode.store.open_coding import source_count
from gtcode.store.project import Study


def init_study(path: Path, codebook: str | Path = DEFAULT_CODEBOOK) -> Study:
    """Create a study folder with its database and a copy of the codebook YAML.

    The codebook is validated first, so a bad one creates nothing.
    """
    book = load_codebook(codebook)
    yaml_text = Path(book.source_path).read_text(encoding="utf-8")

    def setup(study: Study) -> None:  # inside the new database's first transaction
        study.set_meta("codebook_origin", str(codebook))
        _sync(study, load_codebook(study.codebook_path))

    return Study.create(Path(path), codebook_yaml=yaml_text, setup=setup)


def open_study(path: Path) -> Study:
    """Open an existing study (E301 when there is none)."""
    return Study.open(Path(path))


NO_SOURCES_HINT = "import transcripts first: gtcode import {study} FILES..."


def has_sources(study: Study) -> bool:
    """Whether the study holds any transcript."""
    return source_count(study.conn) > 0


def require_sources(study: Study, what: str) -> None:
    """Refuse (E601) to ``what`` in a study without transcripts, saying what to do.

    A command with nothing to work on must not exit 0 with empty output.
    """
    if not has_sources(study):
        raise GtcodeError("E601", f"the study has no transcripts yet, so there is nothing to "
                          f"{what}.", file=study.path,
                          hint=NO_SOURCES_HINT.format(study=study.path))


def study_codebook(study: Study, *, register: bool = True) -> Codebook:
    """Load the study's codebook YAML and bring the code snapshot up to date.

    Raises the codebook's validation errors (E201/E202) naming the study's
    ``codebook.yaml`` and the line, so an edit that broke it is found at once.

    With ``register=False`` nothing is written: a command that changes the
    study (``open``, ``sheet apply``) calls :func:`register_codebook` inside its
    own transaction instead, so the new codebook and the coding made with it
    are committed together or not at all (one command, one transaction).
    """
    book = load_codebook(study.codebook_path)
    if register and study.meta("codebook_hash") != book.hash:
        with study.write():
            _sync(study, book)
    return book


def register_codebook(study: Study, book: Codebook) -> None:
    """Bring the code snapshot up to date with ``book``; call inside ``study.write()``."""
    if study.meta("codebook_hash") != book.hash:
        _sync(study, book)


def _sync(study: Study, book: Codebook) -> None:
    rows = [CodeRow(id=c.id, parent=c.parent, level=c.level, name=c.name, name_en=c.name_en,
                    color=c.color, description=code_description(c), paradigm=c.paradigm,
                    position=i, origin="codebook")
            for i, c in enumerate(book.codes, start=1)]
    sync_codebook_codes(study.conn, rows, codebook_hash=book.hash, name=book.name,
                        version=str(book.version) if book.version is not None else None,
                        path=str(study.codebook_path.name))
    study.set_meta("codebook_hash", book.hash)
