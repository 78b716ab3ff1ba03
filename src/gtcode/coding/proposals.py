"""Proposed concepts: the concepts coders see emerge from the data, before the codebook has them.

A concept is proposed in three ways, all stored as ``candidates`` of kind
``proposed`` (see :mod:`gtcode.store.proposals`):

- in the coding sheet's 新概念 column (``gtcode sheet apply``),
- with a memo (``gtcode memo add --propose NAME``),
- on the command line (``gtcode codebook propose STUDY --name ...``).

Proposals are listed by ``gtcode status``, the open-coding tables (marked
建议概念 / proposed), the report and the ``.qdpx`` export (as codes), and they
count in saturation as concepts of their own. ``gtcode codebook adopt``
(:mod:`gtcode.coding.codebook_edit`) turns them into codebook concepts.
"""

from __future__ import annotations

import dataclasses
import hashlib
import re
import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from gtcode.codebook import Codebook
from gtcode.coding.memos import MEMO_NAMESPACE, parse_target
from gtcode.errors import GtcodeError
from gtcode.store import memos as memo_db
from gtcode.store import open_coding as odb
from gtcode.store import proposals as db
from gtcode.store.agreement import coder_kinds
from gtcode.store.meta import now_iso
from gtcode.store.project import Study

#: Prefix of the key a proposal is counted under (saturation) and exported as (REFI-QDA).
PROPOSED_PREFIX = "proposed:"
#: What a proposal is called in tables and exports.
PROPOSED_ZH, PROPOSED_EN = "建议概念", "proposed"
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f]")


@dataclass(frozen=True)
class Place:
    """A segment a concept was proposed on."""

    source: str
    idx: int
    case: str
    segment_id: int

    @property
    def ref(self) -> str:
        return f"{self.source}#{self.idx}"


@dataclass(frozen=True)
class Proposal:
    """One proposed concept: every proposal of the same name, together."""

    name: str
    by: tuple[str, ...]
    places: tuple[Place, ...]
    parent: str | None = None
    definition: str | None = None
    name_en: str | None = None
    first: int = 0
    #: the passage of its first place (for tables and the report), "" when none
    example: str = ""
    #: proposed only by machine coders (``gtcode discover --propose``): a human-only
    #: saturation count leaves it out
    machine: bool = False

    @property
    def key(self) -> str:
        """The id it is counted under in saturation (``proposed:NAME``)."""
        return PROPOSED_PREFIX + self.name

    @property
    def cases(self) -> tuple[str, ...]:
        """The cases it was proposed in, in collection order."""
        return tuple(dict.fromkeys(p.case for p in self.places))

    def label(self, lang: str = "zh") -> str:
        """``name（建议概念）`` or ``name (proposed)``."""
        return f"{self.name}（{PROPOSED_ZH}）" if lang != "en" else f"{self.name} ({PROPOSED_EN})"


def study_proposals(study: Study) -> list[Proposal]:
    """The study's proposals not yet adopted, in the order they first appear."""
    found = group_proposals(db.list_proposals(study.conn))
    kinds = coder_kinds(study.conn)
    found = [dataclasses.replace(p, machine=all(kinds.get(by, "human") != "human"
                                                for by in p.by)) for p in found]
    return [dataclasses.replace(p, example=db.segment_text(study.conn, p.places[0].segment_id))
            if p.places else p for p in found]


def group_proposals(rows: Sequence[db.ProposalRow]) -> list[Proposal]:
    """Proposal rows grouped by name; parent, definition and English name from the latest."""
    grouped: dict[str, list[db.ProposalRow]] = {}
    for row in rows:
        grouped.setdefault(row.phrase, []).append(row)
    found = []
    for order, (name, items) in enumerate(grouped.items()):
        places = tuple(dict.fromkeys(
            Place(r.source, r.idx, r.case or r.source, r.segment_id) for r in items
            if r.segment_id is not None and r.source is not None))
        newest = sorted(items, key=lambda r: r.id, reverse=True)
        found.append(Proposal(name, tuple(sorted({r.proposed_by for r in items})), places,
                              *(_latest(newest, key) for key in ("parent", "definition",
                                                                 "name_en")), order))
    return found


def _latest(rows: Sequence[db.ProposalRow], key: str) -> str | None:
    return next((r.note[key] for r in rows if r.note.get(key)), None)


def case_concepts(proposals: Sequence[Proposal]) -> dict[str, set[str]]:
    """case -> the keys of the concepts proposed in it (for saturation)."""
    found: dict[str, set[str]] = {}
    for proposal in proposals:
        for place in proposal.places:
            found.setdefault(place.case, set()).add(proposal.key)
    return found


@dataclass(frozen=True)
class NewProposal:
    """A proposal as typed: its name, where, and what it means."""

    name: str
    by: str
    segments: tuple[str, ...] = ()
    parent: str | None = None
    definition: str | None = None
    name_en: str | None = None


def propose(study: Study, book: Codebook, item: NewProposal, *, via: str = "command line"
            ) -> int:
    """Record a proposed concept (one transaction); returns how many proposals were stored.

    One proposal per segment named (``FILE#N``), or one with no segment.

    Raises:
        GtcodeError: E112 for an empty name or coder, or a name the codebook
            already has; E306 for an unknown parent or segment. Nothing is
            stored then.
    """
    segment_ids = check_proposal(study, book, item)
    with study.write() as conn:
        return _store(conn, item, segment_ids, {"via": via})


def propose_with_memo(study: Study, book: Codebook, item: NewProposal, *, target: str,
                      text: str, title: str | None = None) -> int:
    """Write a memo on ``target`` and propose a concept with it, in one transaction.

    A memo on a segment proposes the concept there; a memo on a code makes
    that code the proposal's parent unless one is given. Returns the memo's id.

    Raises:
        GtcodeError: as :func:`propose`; E306 for an unknown memo target, E112
            for an empty memo.
    """
    kind, name = parse_target(target)
    if not text.strip():
        raise GtcodeError("E112", "the memo text is empty.", hint="pass --text or --file")
    if kind == "segment" and name not in item.segments:
        item = NewProposal(item.name, item.by, (*item.segments, name), item.parent,
                           item.definition, item.name_en)
    code = book.get(name or "") if kind == "code" else None
    if code is not None and item.parent is None:  # under the code, or beside a concept
        parent = code.parent if code.level == "concept" else code.id
        item = NewProposal(item.name, item.by, item.segments, parent, item.definition,
                           item.name_en)
    if code is None and not memo_db.target_exists(study.conn, kind, name):
        raise GtcodeError("E306", f"the memo target {kind}:{name} does not exist in this study.",
                          hint="check the name with `gtcode status STUDY` or the codebook")
    segment_ids = check_proposal(study, book, item)
    at = now_iso()
    key = f"{kind}\x1f{name}\x1f{item.by}\x1f{at}\x1f{hashlib.sha256(text.encode()).hexdigest()}"
    with study.write() as conn:
        memo_id = memo_db.insert_memo(conn, target_type=kind, target=name, author=item.by,
                                      title=title, text=text.strip(), origin="cli",
                                      guid=str(uuid.uuid5(MEMO_NAMESPACE, key)), at=at)
        _store(conn, item, segment_ids, {"via": "memo", "memo": memo_id})
    return memo_id


def check_proposal(study: Study, book: Codebook, item: NewProposal) -> list[int | None]:
    """The segment ids of a proposal (``[None]`` when it names none), all checked."""
    name = (item.name or "").strip()
    if not name or _CONTROLS.search(name):
        raise GtcodeError("E112", "a proposed concept needs a name (one line of text).",
                          hint="e.g. --name 跑项目")
    if not (item.by or "").strip():
        raise GtcodeError("E112", "a proposal is made in a coder's name.", hint="--coder NAME")
    same = next((c for c in book.codes if name in (c.name, c.name_en, c.id)), None)
    if same is not None:
        raise GtcodeError("E112", f"the codebook already has {same.id} ({same.name}).",
                          hint="code the passages with it instead of proposing it")
    if item.parent is not None:
        parent = book.get(item.parent)
        if parent is None or parent.level not in ("category", "subcategory"):
            raise GtcodeError("E306", f"no category or subcategory {item.parent!r} in the "
                              "codebook to put the concept under.", where="--parent",
                              hint="give a subcategory or category id (gtcode codebook show "
                              "STUDY)")
    ids: list[int | None] = []
    for ref in item.segments:
        source, _, idx = ref.strip().rpartition("#")
        found = db.segment_id_of(study.conn, source, int(idx)) if idx.isdigit() else None
        if found is None:
            raise GtcodeError("E306", f"no segment {ref!r} in this study.", where="--segment",
                              hint="write FILE#N, e.g. S03.txt#12 (N = segment number)")
        ids.append(found)
    return ids or [None]


def _store(conn, item: NewProposal, segment_ids: list[int | None], note: dict) -> int:
    note = {**note, **{k: v for k, v in (("parent", item.parent),
                                          ("definition", item.definition),
                                          ("name_en", item.name_en)) if v}}
    name = item.name.strip()
    odb.ensure_coder(conn, item.by, "human")
    for segment_id in segment_ids:
        db.add_proposal(conn, name, item.by, segment_id, note)
        odb.log_decision(conn, coder=item.by, action="propose", segment_id=segment_id,
                         code_id=None, via=note["via"], details={"phrase": name, **note})
    return len(segment_ids)
