"""``gtcode anonymize``: find identifiers, write the review file; ``--apply`` replaces them."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from gtcode.cli._common import (
    ForceOpt,
    QuietOpt,
    StudyArg,
    default_author,
    err,
    handle_errors,
    note,
    overwrite,
    progress,
)
from gtcode.workspace import open_study

ReviewOpt = Annotated[Optional[Path], typer.Option(
    "--review", help="Where to write the review file (default: STUDY/private/"
    "anonymize-review.yaml; never inside exports/). It lists the identifiers in clear text.")]
ApplyOpt = Annotated[Optional[Path], typer.Option(
    "--apply", help="Apply this reviewed file: replace every term marked replace, everywhere, "
    "in one transaction, after a backup.")]
KeyOpt = Annotated[Optional[Path], typer.Option(
    "--key", help="The key file (original -> pseudonym), kept OUTSIDE the study (default: "
    "STUDY-pseudonym-key.yaml beside the study folder). Read to propose the same pseudonyms "
    "again; written by --apply.")]
CoderOpt = Annotated[Optional[str], typer.Option(
    "--coder", help="Who applies it, for the decision log (default: your user name).")]


def register(app: typer.Typer) -> None:
    app.command("anonymize")(anonymize_cmd)


def default_key(study: Path) -> Path:
    study = Path(study).resolve()
    return study.parent / f"{study.name}-pseudonym-key.yaml"


@handle_errors
def anonymize_cmd(study: StudyArg, review: ReviewOpt = None, apply: ApplyOpt = None,
                  key: KeyOpt = None, coder: CoderOpt = None, force: ForceOpt = False,
                  quiet: QuietOpt = False) -> None:
    """Pseudonymise transcripts: find names, places, units and numbers, then replace them.

    Without --apply it writes a review file listing every candidate (kind, count,
    an example, a proposed pseudonym) for you to edit; --apply FILE replaces them
    across the whole study and keeps the key outside it.

    Example: gtcode anonymize my-study, then gtcode anonymize my-study --apply
    my-study/private/anonymize-review.yaml --key ../my-study-key.yaml
    """
    from gtcode import privacy

    key_path = key if key is not None else default_key(study)
    with open_study(study) as opened, progress(quiet) as callback, overwrite(force):
        if apply is None:
            found = privacy.scan_study(opened, review, key_path if key_path.exists() else None,
                                       progress=callback)
        else:
            done = privacy.apply_review(opened, apply, key_path,
                                        coder=default_author(coder), progress=callback)
    if apply is None:
        _show_scan(found, quiet)
    else:
        _show_apply(done, quiet)


def _show_scan(found, quiet: bool) -> None:
    by_kind: dict[str, int] = {}
    for c in found.candidates:
        by_kind[c.kind] = by_kind.get(c.kind, 0) + 1
    kinds = ", ".join(f"{n} {k}" for k, n in by_kind.items()) or "none"
    note(f"Found {len(found.candidates)} candidate term(s) ({kinds}); review file: "
         f"{found.review}", quiet=quiet)
    if found.reused:
        note(f"{found.reused} term(s) get the pseudonym the key file gave them before.",
             quiet=quiet)
    err.print(f"[yellow]Warning:[/] {found.review} lists identifiers in clear text: keep it "
              "on this machine, never share or export it. 该文件含原始身份信息，请勿外传。",
              markup=True, highlight=False)
    note("Edit it (action: replace | keep; pseudonyms; add terms), then run "
         "`gtcode anonymize STUDY --apply FILE`.", quiet=quiet)


def _show_apply(done, quiet: bool) -> None:
    occurrences = sum(done.occurrences.values())
    note(f"Replaced {done.replaced_terms} term(s), {occurrences} occurrence(s) in the sources; "
         f"kept {done.kept_terms}.", quiet=quiet)
    note(f"Key (original -> pseudonym), outside the study: {done.key}", quiet=quiet)
    note(f"Backup of the study before this change (holds the identifiers): {done.backup}",
         quiet=quiet)
    if done.removed_review:
        note("The review file inside the study was removed (the key keeps what it held).",
             quiet=quiet)
    if done.earlier_backups:
        err.print(f"[yellow]Warning:[/] the study's backups/ folder holds {done.earlier_backups} "
                  "earlier copies with the original text; move them out before sharing the "
                  "study folder.", markup=True, highlight=False)
    if done.unreviewed:
        err.print(f"[yellow]Warning:[/] {done.unreviewed} candidate term(s) are still "
                  "unreviewed (not in the file you applied); run `gtcode anonymize STUDY` "
                  "again.", markup=True, highlight=False)
