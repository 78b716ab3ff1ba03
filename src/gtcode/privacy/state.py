"""Where a study stands: finding candidates, whether any is unreviewed, the export guard.

The study remembers the reviewed terms that stay in its text (kept terms and
the pseudonyms it wrote; never a replaced term) in ``meta.privacy_reviewed``, and the result of its
last check (``meta.privacy_check``: a fingerprint of every exportable text, the
reviewed terms and the detector, and how many candidates nobody reviewed).
``gtcode status`` shows it; ``--pseudonymised-only`` reads it, or checks again
when the texts changed since.
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import dataclass
from pathlib import Path

from gtcode.errors import GtcodeError
from gtcode.files import guard_output
from gtcode.privacy.detect import DETECTOR_VERSION, Candidate, scan
from gtcode.privacy.pseudonyms import propose
from gtcode.privacy.review import read_key, review_text, write_private
from gtcode.progress import Progress
from gtcode.store import privacy as db
from gtcode.store.meta import now_iso
from gtcode.store.project import Study

#: Where the review file goes unless the researcher names another place.
PRIVATE_DIR = "private"
REVIEW_NAME = "anonymize-review.yaml"


@dataclass
class ScanReport:
    """What ``gtcode anonymize STUDY`` found and where it wrote the review file."""

    candidates: list[Candidate]
    review: Path
    reused: int = 0


@dataclass(frozen=True)
class PrivacyStatus:
    """``gtcode status``: the last pseudonymisation and the last check."""

    applied: dict | None
    unreviewed: int | None  # None: not checked since the texts changed
    checked_at: str | None


def default_review(study: Study) -> Path:
    return study.path / PRIVATE_DIR / REVIEW_NAME


def check_private_path(study: Study, path: Path, *, what: str, outside: bool) -> None:
    """Refuse a file of identifiers in ``exports/`` or backups, or (``outside``) in the study."""
    real = Path(os.path.realpath(path))
    root = Path(os.path.realpath(study.path))
    for folder in (study.exports_dir, study.backups_dir):
        if Path(os.path.realpath(folder)) in real.parents:
            raise GtcodeError("E903", f"the {what} holds identifiers and may not be written "
                              f"into the study's {folder.name}/ folder.", file=path,
                              hint=f"give a path outside {folder.name}/")
    if outside and (root == real or root in real.parents):
        raise GtcodeError("E903", f"the {what} links pseudonyms to real names and must be "
                          "kept outside the study folder (which you may share or back up).",
                          file=path, hint="give --key a path outside the study, e.g. "
                          "../my-study-key.yaml")


def _reviewed(study: Study) -> frozenset[str]:
    return frozenset(json.loads(study.meta("privacy_reviewed") or "[]"))


def fingerprint(texts: list[str], reviewed: frozenset[str]) -> str:
    digest = hashlib.sha256(f"detector {DETECTOR_VERSION}\n".encode())
    for text in texts:
        digest.update(hashlib.sha256(text.encode("utf-8")).digest())
    for item in sorted(reviewed):
        digest.update(item.encode("utf-8") + b"\0")
    return digest.hexdigest()


def record_check(study: Study, reviewed: frozenset[str], *, progress: Progress | None = None,
                 candidates: list[Candidate] | None = None) -> int:
    """Count unreviewed candidates now and remember it (inside the caller's write)."""
    texts = db.texts(study.conn)
    if candidates is None:
        candidates = scan(texts, reviewed=reviewed, progress=progress)
    check = {"fingerprint": fingerprint(texts, reviewed), "unreviewed": len(candidates),
             "at": now_iso()}
    study.set_meta("privacy_check", json.dumps(check, sort_keys=True))
    return len(candidates)


def scan_study(study: Study, review: Path | None = None, key: Path | None = None, *,
               progress: Progress | None = None) -> ScanReport:
    """Find the candidates of every source, memo and storyline; write the review file.

    Pseudonyms already in ``key`` (an earlier round) are proposed again.
    """
    review = Path(review) if review is not None else default_review(study)
    check_private_path(study, review, what="review file", outside=False)
    guard_output(review, inspect=_edited_review(study))
    known = read_key(Path(key)) if key is not None else {}
    if key is not None:
        check_private_path(study, Path(key), what="key file", outside=True)
    reviewed = _reviewed(study)
    candidates = scan(db.texts(study.conn), reviewed=reviewed, progress=progress)
    propose(candidates, {t: (e.pseudonym, e.pseudonym_en) for t, e in known.items()})
    if review.parent == study.path / PRIVATE_DIR:
        review.parent.mkdir(exist_ok=True)
    text = review_text(study.path.name, candidates)
    write_private(review, text)
    with study.write():
        record_check(study, reviewed, candidates=candidates)
        study.set_meta("privacy_review_sha256", _sha256(text.encode("utf-8")))
    return ScanReport(candidates, review, sum(c.term in known for c in candidates))


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _edited_review(study: Study):
    """An ``inspect`` for :func:`gtcode.files.guard_output`: a review file the researcher
    edited and has not applied is work that a new scan must not overwrite silently."""
    def inspect(path: Path) -> str | None:
        try:
            digest = _sha256(Path(path).read_bytes())
        except OSError:
            return None
        if digest == study.meta("privacy_review_sha256"):
            return None  # as gtcode wrote it: nothing of the researcher's in it
        return "a pseudonymisation review file edited (or written elsewhere) and not applied"
    return inspect


def privacy_status(study: Study) -> PrivacyStatus:
    """The last applied pseudonymisation, and the unreviewed count if still current."""
    applied = json.loads(study.meta("privacy_applied") or "null")
    check = json.loads(study.meta("privacy_check") or "null")
    if not check:
        return PrivacyStatus(applied, None, None)
    current = fingerprint(db.texts(study.conn), _reviewed(study)) == check["fingerprint"]
    return PrivacyStatus(applied, check["unreviewed"] if current else None, check["at"])


def unreviewed(study: Study, progress: Progress | None = None) -> int:
    """How many candidates nobody reviewed: the remembered count, or a fresh check."""
    status = privacy_status(study)
    if status.unreviewed is not None:
        return status.unreviewed
    return len(scan(db.texts(study.conn), reviewed=_reviewed(study), progress=progress))


def require_pseudonymised(study: Study, progress: Progress | None = None) -> None:
    """The ``--pseudonymised-only`` guard: refuse (E901) while any candidate is unreviewed."""
    count = unreviewed(study, progress)
    if count:
        raise GtcodeError("E901", f"the study holds {count} identifying term(s) nobody has "
                          "reviewed, and --pseudonymised-only was asked; nothing was exported.",
                          file=study.path, hint="run `gtcode anonymize STUDY`, review the file "
                          "it writes, then `gtcode anonymize STUDY --apply FILE --key KEY`")
