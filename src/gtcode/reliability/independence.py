"""Whether an agreement figure is a reliability test: were the coders independent?

A human coder who decided on a sheet showing the machine's suggestions did
not code independently of the machine: her agreement with it measures how
far she accepted its suggestions, not the reliability of the coding. gtcode
then refuses to call the figure reliable (its verdict says what it measured,
and ``--min-alpha`` refuses to pass it). Two humans who both saw the same
suggestions may agree because of them (anchoring): that is said in a note.
Coders imported from another program: gtcode cannot know what they saw, and
says so.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from gtcode.reliability.coding_units import CoderView

#: What a comparison measures when it is not independent.
ACCEPTANCE = "acceptance of machine suggestions"
RELIABILITY = "intercoder reliability"


@dataclass(frozen=True)
class Independence:
    """The judgement on one comparison.

    Attributes:
        independent: False when a human who saw the machine's suggestions is
            compared with a machine coder.
        measures: :data:`RELIABILITY` or :data:`ACCEPTANCE`.
        verdict: replaces the alpha verdict when not independent.
        notes: plain-language remarks, one per finding.
    """

    independent: bool
    measures: str
    verdict: str | None
    notes: tuple[str, ...]


def judge(coders: Sequence[str], views: Mapping[str, CoderView]) -> Independence:
    """Judge a comparison of ``coders`` from what each saw (see the module doc)."""
    if not views:
        return Independence(True, RELIABILITY, None, ())
    machines = [c for c in coders if views.get(c) and views[c].kind == "machine"]
    people = [c for c in coders if views.get(c) and views[c].kind != "machine"]
    notes = [f"{name}: {views[name].describe()}." for name in people]
    saw = [c for c in people if views[c].kind in ("human", "sheet")
           and views[c].status in ("saw_suggestions", "unknown")]
    if machines and saw:
        who = ", ".join(saw)
        how = ("decided with the machine's suggestions in view" if all(
            views[c].status == "saw_suggestions" for c in saw) else
            "saw, or may have seen (it was not recorded), the machine's suggestions")
        notes.append(
            f"not a reliability test: {who} {how}, so "
            f"agreement with {', '.join(machines)} measures how far {who} accepted them "
            "(acceptance), not intercoder reliability. For a reliability test, have the coder "
            "fill a blind sheet (gtcode sheet export STUDY -o blind.xlsx --blind).")
        return Independence(False, ACCEPTANCE, "not a reliability test", tuple(notes))
    seeing = [c for c in people if views[c].status == "saw_suggestions"]
    if len(seeing) >= 2:
        notes.append(f"{' and '.join(seeing)} all saw the same machine suggestions when "
                     "deciding: their agreement may be inflated by them (anchoring). Blind "
                     "sheets (--blind) give independent coders.")
    imported = [c for c in people if views[c].kind == "import"]
    if machines and imported:
        notes.append(f"whether {', '.join(imported)} saw the machine's suggestions is not "
                     "known to gtcode (coded in another program).")
    return Independence(True, RELIABILITY, None, tuple(notes))
