"""Agreement among the study's human coders, for the report.

The figures are ``gtcode agree STUDY --coders ...``'s
(:func:`gtcode.reliability.agree.agree_study`): segment units, each concept
as present/absent, only the segments each coder looked at. The report runs it
on every human coder (sheet reviewers and coders imported from NVivo/REFI-QDA)
when there are two or more, and otherwise says there is no agreement data.
"""

from __future__ import annotations

from gtcode.errors import GtcodeError
from gtcode.reliability.agree import AgreeResult, agree_study
from gtcode.store import agreement as db
from gtcode.store.project import Study

#: Coder kinds that are people.
HUMAN_KINDS = ("human", "import")


def human_coders(kinds: dict[str, str], origins: dict[str, set[str]]) -> list[str]:
    """Names of the human coders, sorted: registered as such, or with human/imported codings."""
    found = {name for name, kind in kinds.items() if kind in HUMAN_KINDS}
    found |= {name for name, seen in origins.items()
              if name not in kinds and seen & set(HUMAN_KINDS)}
    return sorted(found)


def study_agreement(study: Study) -> AgreeResult | None:
    """Per-code agreement of the study's human coders; None with fewer than two.

    None also when they looked at no common segment (``agree_study``'s E601).
    """
    coders = human_coders(db.coder_kinds(study.conn), db.coding_origins(study.conn))
    if len(coders) < 2:
        return None
    try:
        return agree_study(study, coders, unit="segment", level="concept")
    except GtcodeError as error:
        if error.code == "E601":
            return None
        raise
