"""Changing a study's codebook without losing a coding: adopt, rename, merge.

- :func:`adopt` turns proposed concepts into concepts of ``codebook.yaml``
  (an id, names, a parent, a definition, example passages) and codes the
  passages they were proposed on with the new concept, in the proposer's name.
- :func:`rename` gives a code a new id (and names); :func:`merge` folds codes
  (or proposals) into one. Every coding, suggestion, memo and chosen quote
  moves with its code; a coder's two codings of one passage become one.

Each change is one transaction: the codebook is edited in its round-trip tree
(comments and order kept) and validated, the study is changed, the YAML is
written atomically *inside* the transaction, and only then is the study
committed. A bad id or a YAML problem raises before anything is written; a
failed write rolls the study back. A crash after the YAML write but before
the commit leaves the new codebook with the codings still on their old codes
(or the proposals still open): nothing is lost, and running the same command
again finishes the move (each step sees what is already done).
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from gtcode.codebook import Codebook, CodebookDocument, codebook_from_document
from gtcode.codebook import edit as yedit
from gtcode.codebook.model import CODE_ID_PATTERN
from gtcode.coding.proposals import Proposal, study_proposals
from gtcode.errors import GtcodeError
from gtcode.store import open_coding as odb
from gtcode.store import proposals as db
from gtcode.store.project import Study
from gtcode.workspace import register_codebook, study_codebook

_ID = re.compile(CODE_ID_PATTERN)
_SLUG = re.compile(r"[^a-z0-9]+")
#: Example passages written for an adopted concept.
EXAMPLES = 3


@dataclass
class ChangeReport:
    """What a codebook change did."""

    action: str
    codes: list[str] = field(default_factory=list)
    moved: int = 0
    merged: int = 0
    coded: int = 0
    suggestions: int = 0
    yaml_written: bool = False
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class AdoptOptions:
    """How proposals become concepts; ``code_id``/``name_en`` only for a single name."""

    parent: str | None = None
    code_id: str | None = None
    name_en: str | None = None
    definition: str | None = None


def adopt(study: Study, names: Sequence[str] | None, *, by: str,
          options: AdoptOptions = AdoptOptions()) -> ChangeReport:
    """Adopt proposals ``names`` (None: all) as concepts of the study's codebook.

    Raises:
        GtcodeError: E306 for an unknown proposal or parent; E112 for a bad id,
            an id already taken, or a proposal without a parent; E202/E201 for
            a codebook that does not validate. Nothing is changed then.
    """
    book = study_codebook(study, register=False)
    chosen = _chosen(study_proposals(study), names)
    if (options.code_id or options.name_en) and len(chosen) > 1:
        raise GtcodeError("E112", "--id and --name-en name one concept; adopt one proposal "
                          "at a time with them.", where="--id")
    doc = CodebookDocument.load(study.codebook_path)
    plan: list[tuple[Proposal, str]] = []
    taken = set(book.by_id)
    for proposal in chosen:
        same = next((c for c in book.codes if c.name == proposal.name), None)
        if same is not None:  # adopted before (or named alike): its codings go there
            plan.append((proposal, same.id))
            continue
        code_id = _new_id(proposal, options, taken)
        taken.add(code_id)
        parent = _parent(book, proposal, options)
        yedit.insert_concept(doc, _fields(study, proposal, code_id, parent, options),
                             [c.id for c in book.descendants(parent)])
        plan.append((proposal, code_id))
    report = ChangeReport("adopt", [code for _, code in plan])

    def change(conn, new_book: Codebook) -> None:
        for proposal, code_id in plan:
            _code_proposal(conn, proposal.name, code_id, new_book.hash, by, report)
    _commit(study, book, doc, change, report)
    return report


def rename(study: Study, old: str, new: str, *, by: str, name: str | None = None,
           name_en: str | None = None) -> ChangeReport:
    """Give code ``old`` the id ``new`` (or a proposal ``old`` the name ``new``).

    Raises:
        GtcodeError: E306 for an unknown code; E112 for an id that is invalid
            or taken (merge into an existing code instead).
    """
    book = study_codebook(study, register=False)
    report = ChangeReport("rename", [new])
    proposal = next((p for p in study_proposals(study) if p.name == old), None)
    if book.get(old) is None and proposal is not None:
        return _rename_proposal(study, old, new, by, report)
    _check_id(new)
    doc = CodebookDocument.load(study.codebook_path)
    if book.get(old) is not None:
        if book.get(new) is not None or db.code_in_use(study.conn, new):
            raise GtcodeError("E112", f"the id {new!r} is taken.", where=new,
                              hint=f"merge instead: gtcode codebook merge STUDY {old} --into "
                              f"{new}")
        yedit.rename_code(doc, old, new, name=name, name_en=name_en)
    elif book.get(new) is None or not db.code_in_use(study.conn, old):
        raise GtcodeError("E306", f"no code {old!r} in the codebook or the study.",
                          hint="see the ids with `gtcode codebook show STUDY`")

    def change(conn, new_book: Codebook) -> None:
        _move(conn, old, new, by, "rename", report)
    _commit(study, book, doc, change, report)
    return report


def merge(study: Study, sources: Sequence[str], into: str, *, by: str) -> ChangeReport:
    """Fold codes or proposals ``sources`` into code ``into``; every coding moves.

    Raises:
        GtcodeError: E306 for an unknown code or proposal; E112 for merging a
            code into itself, into a code below it, or a code that has sub-codes.
    """
    book = study_codebook(study, register=False)
    if book.get(into) is None:
        raise GtcodeError("E306", f"no code {into!r} in the codebook to merge into.",
                          where="--into", hint="see the ids with `gtcode codebook show STUDY`")
    proposals = {p.name: p for p in study_proposals(study)}
    doc = CodebookDocument.load(study.codebook_path)
    report = ChangeReport("merge", [into])
    codes, names = [], []
    for item in dict.fromkeys(sources):
        if book.get(item) is not None:
            _check_mergeable(book, item, into)
            left = yedit.merge_code(doc, item, into)
            if left:
                report.notes.append(f"{item}: {', '.join(left)} not carried into {into}")
            codes.append(item)
        elif db.code_in_use(study.conn, item):
            codes.append(item)  # a code of the study only (an import, an interrupted merge)
        elif item in proposals:
            names.append(item)
        else:
            raise GtcodeError("E306", f"no code or proposed concept {item!r}.", where=item,
                              hint="see codes with `gtcode codebook show STUDY` and proposals "
                              "with `gtcode status STUDY`")

    def change(conn, new_book: Codebook) -> None:
        for code in codes:
            _move(conn, code, into, by, "merge", report)
        for name in names:
            _code_proposal(conn, name, into, new_book.hash, by, report)
    _commit(study, book, doc, change, report)
    return report


# -- the one transaction ------------------------------------------------------------

def _commit(study: Study, book: Codebook, doc: CodebookDocument,
            change: Callable[..., None], report: ChangeReport) -> None:
    """Validate the edited YAML, change the study, write the YAML, then commit."""
    text = doc.dumps()
    new_book = codebook_from_document(CodebookDocument.from_text(text, study.codebook_path),
                                      file=study.codebook_path.name)
    with study.write() as conn:
        change(conn, new_book)
        register_codebook(study, new_book)
        if new_book.hash != book.hash:
            doc.dump()  # atomic; raises E701 (and rolls the study back) when it cannot
            report.yaml_written = True


def _move(conn, old: str, new: str, by: str, action: str, report: ChangeReport) -> None:
    moved = db.move_code(conn, old, new)
    report.moved += moved.codings
    report.merged += moved.merged
    report.suggestions += moved.suggestions
    odb.ensure_coder(conn, by, "human")
    odb.log_decision(conn, coder=by, action=action, segment_id=None, code_id=new,
                     via="gtcode codebook", details={"from": old, "codings": moved.codings,
                                                     "merged": moved.merged,
                                                     "suggestions": moved.suggestions,
                                                     "memos": moved.memos})


def _code_proposal(conn, name: str, code_id: str, book_hash: str, by: str,
                   report: ChangeReport) -> None:
    """Code each passage of proposal ``name`` with ``code_id`` (its proposer's decision)."""
    odb.ensure_coder(conn, by, "human")
    for row in db.list_proposals(conn):
        if row.phrase != name:
            continue
        if row.segment_id is not None:
            source_id, start, end = db.segment_span(conn, row.segment_id)
            odb.insert_human_coding(conn, source_id=source_id, segment_id=row.segment_id,
                                    start=start, end=end, code_id=code_id,
                                    coder=row.proposed_by, status="accepted",
                                    codebook_hash=book_hash)
            report.coded += 1
        db.set_note(conn, row.id, {**row.note, "adopted": code_id})
        odb.log_decision(conn, coder=by, action="adopt", segment_id=row.segment_id,
                         code_id=code_id, via="gtcode codebook",
                         details={"phrase": name, "proposed_by": row.proposed_by})


def _rename_proposal(study: Study, old: str, new: str, by: str,
                     report: ChangeReport) -> ChangeReport:
    if not new.strip():
        raise GtcodeError("E112", "the new name is empty.", where=new)
    with study.write() as conn:
        for row in db.list_proposals(conn):
            if row.phrase == old:
                db.rename_proposal(conn, row.id, new.strip())
                report.moved += 1
        odb.ensure_coder(conn, by, "human")
        odb.log_decision(conn, coder=by, action="rename", segment_id=None, code_id=None,
                         via="gtcode codebook", details={"phrase": old, "to": new.strip()})
    return report


# -- checks and fields ----------------------------------------------------------------

def _chosen(proposals: list[Proposal], names: Sequence[str] | None) -> list[Proposal]:
    if not proposals:
        raise GtcodeError("E306", "the study has no proposed concepts to adopt.",
                          hint="propose one: gtcode codebook propose STUDY --name NAME")
    if names is None:
        return proposals
    by_name = {p.name: p for p in proposals}
    unknown = [n for n in names if n not in by_name]
    if unknown:
        raise GtcodeError("E306", f"no proposed concept {', '.join(unknown)}.",
                          hint="proposed now: " + ", ".join(list(by_name)[:8]))
    return [by_name[n] for n in dict.fromkeys(names)]


def _check_id(code_id: str) -> None:
    if not _ID.match(code_id or ""):
        raise GtcodeError("E112", f"{code_id!r} is not a code id.", where=code_id,
                          hint="lowercase letters, digits and _, parts joined by . or - "
                          "(e.g. resource.project_chasing)")


def _new_id(proposal: Proposal, options: AdoptOptions, taken: set[str]) -> str:
    if options.code_id:
        _check_id(options.code_id)
        if options.code_id in taken:
            raise GtcodeError("E112", f"the id {options.code_id!r} is taken.", where="--id",
                              hint="choose another id, or merge into that code")
        return options.code_id
    english = options.name_en or proposal.name_en or (proposal.name if proposal.name.isascii()
                                                      else "")
    slug = _SLUG.sub("_", english.lower()).strip("_")
    base = slug if slug and slug[0].isalpha() else \
        "new_" + hashlib.sha256(proposal.name.encode()).hexdigest()[:8]
    code_id, n = base, 2
    while code_id in taken:
        code_id, n = f"{base}_{n}", n + 1
    return code_id


def _parent(book: Codebook, proposal: Proposal, options: AdoptOptions) -> str:
    parent = options.parent or proposal.parent
    if parent is None:
        raise GtcodeError("E112", f"the proposed concept {proposal.name} has no parent.",
                          where="--parent", hint="give --parent SUBCATEGORY (or category) id")
    code = book.get(parent)
    if code is None or code.level not in ("category", "subcategory"):
        raise GtcodeError("E306", f"no category or subcategory {parent!r} to put "
                          f"{proposal.name} under.", where="--parent",
                          hint="see the ids with `gtcode codebook show STUDY`")
    return parent


def _fields(study: Study, proposal: Proposal, code_id: str, parent: str,
            options: AdoptOptions) -> dict:
    examples = [yedit.example_text(db.segment_text(study.conn, p.segment_id))
                for p in proposal.places[:EXAMPLES]]
    return {"id": code_id, "name": proposal.name,
            "name_en": options.name_en or proposal.name_en, "level": "concept",
            "parent": parent, "definition": options.definition or proposal.definition,
            "examples": [e for e in dict.fromkeys(examples) if e]}


def _check_mergeable(book: Codebook, code: str, into: str) -> None:
    if code == into:
        raise GtcodeError("E112", f"cannot merge {code} into itself.", where=code)
    if into in {c.id for c in book.descendants(code)}:
        raise GtcodeError("E112", f"{into} lies below {code}; merge the other way round.",
                          where=code)
    kids = [c.id for c in book.children(code)]
    if kids:
        raise GtcodeError("E112", f"{code} has sub-codes ({', '.join(kids[:3])}); merge or "
                          "move them first.", where=code)
