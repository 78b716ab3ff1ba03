"""gtcode's errors: one base class and a catalogue of coded messages.

Every error the library raises for bad input or a refused operation is a
:class:`GtcodeError` carrying a stable code (tests assert the code, not the
wording), the file and the place in it, and a hint saying how to fix it. The
CLI turns it into one line on stderr and exit code 1.

Messages must never quote transcript text: transcripts are confidential.
"""

from __future__ import annotations

from pathlib import Path

#: Code -> what the family of errors means. Codes are stable; add, never reuse.
CATALOGUE: dict[str, str] = {
    # E1xx: reading transcripts and case files
    "E101": "file not found or not readable",
    "E102": "file type not supported",
    "E103": "encoding could not be determined with confidence",
    "E104": "file does not decode with the given or detected encoding",
    "E105": "file is empty or holds only whitespace",
    "E106": "file looks binary, not text",
    "E107": "document (.docx/.xlsx) is corrupt or truncated",
    "E108": "no speaker turns found",
    "E109": "table transcript lacks a speaker or text column",
    "E110": "file is too large",
    "E111": "cases file problem (duplicate case, missing column, no match)",
    "E112": "invalid option value",
    # E2xx: the codebook
    "E201": "codebook YAML does not parse",
    "E202": "codebook is invalid",
    "E203": "unknown built-in codebook",
    "E204": "a codebook regex took too long on a segment (it backtracks)",
    # E3xx: the study store
    "E301": "study folder missing or not a gtcode study",
    "E302": "study already exists",
    "E303": "source changed since import (use --replace)",
    "E304": "study database is busy (another gtcode process is writing)",
    "E305": "study database is newer than this gtcode",
    "E306": "unknown case, source, code or segment",
    "E307": "study database is corrupt",
    # E4xx: coding sheets and review
    "E401": "coding sheet is malformed",
    "E402": "coding sheet names an unknown code",
    "E403": "coding sheet names an unknown segment",
    "E404": "coding sheet row text was changed",
    "E405": "gold labels file is malformed",
    # E5xx: REFI-QDA exchange
    "E501": "REFI-QDA file is not a valid archive or XML",
    "E502": "REFI-QDA archive is unsafe (path escape, bomb, entities)",
    "E503": "REFI-QDA content is inconsistent (positions, references)",
    "E504": "export failed validation against the REFI-QDA schema",
    # E6xx: analysis
    "E601": "not enough data for this analysis",
    "E602": "reliability data is malformed",
    "E603": "agreement below the required minimum",
    "E604": "agreement is not an independent reliability test",
    "E605": "a chosen quote does not carry its code",
    # E7xx: output
    "E701": "output file cannot be written",
    "E702": "output path refused (a study's own file, a folder, or unapplied review)",
    "E703": "more rows than an Excel worksheet holds",
    # 8xx: the learned coder
    "E801": "a learned model cannot be read",
    "E802": "a learned model was given other features than it was trained with",
    "E803": "cross-validation needs more sources",
    "E804": "sentence embeddings asked for but not installed",
    "E805": "the built-in model is missing from this installation",
    "E806": "not enough decisions or labels to learn from",
    "E807": "choosing the next turns needs a learned model",
    # 90x: pseudonymisation
    "E901": "the study has identifying terms nobody reviewed (export refused)",
    "E902": "pseudonymisation review or key file is malformed",
    "E903": "a file holding identifiers may not go there (inside the study, or exports)",
    "E904": "a pseudonym conflicts with the key or with another term",
    # 95x: running on a cluster (--scheduler)
    "E951": "Dask scheduler address invalid or unreachable",
    "E952": "a Dask worker died or the cluster failed during the run",
    "E953": "Dask is not installed (pip install 'gtcode[dask]')",
    "E954": "a Dask worker runs another gtcode or other optional packages",
}


class GtcodeError(Exception):
    """A clear, coded domain error: what happened, where, and how to fix it.

    Args:
        code: a key of :data:`CATALOGUE`, e.g. ``"E103"``.
        message: a full sentence saying what is wrong (never transcript text).
        file: the file concerned, shown relative as given.
        where: the place in the file: ``"line 42"``, ``"row 7"``,
            ``"codes[3].rules.terms[0]"``.
        hint: how to fix it, e.g. ``"pass --encoding gbk"``.
    """

    def __init__(
        self,
        code: str,
        message: str,
        *,
        file: str | Path | None = None,
        where: str | None = None,
        hint: str | None = None,
    ) -> None:
        if code not in CATALOGUE:
            raise ValueError(f"unknown error code {code!r}")
        self.code = code
        self.message = message
        self.file = str(file) if file is not None else None
        self.where = where
        self.hint = hint
        super().__init__(self.render())

    def __reduce__(self):
        # rebuilt from its fields (forked workers send errors back to the parent by pickle)
        return (_rebuild, (type(self), self.__dict__.copy()))

    def render(self) -> str:
        """The one-line form the CLI prints after ``Error:``."""
        place = ""
        if self.file and self.where:
            place = f"{self.file}:{self.where}: "
        elif self.file:
            place = f"{self.file}: "
        elif self.where:
            place = f"{self.where}: "
        text = f"[{self.code}] {place}{self.message}"
        if self.hint:
            text += f" ({self.hint})"
        return text


def _rebuild(cls: type, state: dict) -> GtcodeError:
    error = Exception.__new__(cls)
    error.__dict__.update(state)
    Exception.__init__(error, error.render())
    return error


class ProblemList(GtcodeError):
    """Many problems found at once (a codebook, a sheet): all are reported.

    ``problems`` holds one rendered line per problem, each naming its place.
    """

    def __init__(
        self,
        code: str,
        problems: list[str],
        *,
        file: str | Path | None = None,
        hint: str | None = None,
    ) -> None:
        self.problems = list(problems)
        count = len(self.problems)
        noun = "problem" if count == 1 else "problems"
        message = f"{count} {noun}:\n  " + "\n  ".join(self.problems)
        super().__init__(code, message, file=file, hint=hint)
