"""Reading a REFI-QDA project or codebook into plain data, safely.

Elements are matched by local name, so the project namespace and the three
codebook namespaces seen in the wild (``1.0``, ``0:4``, ``1:0``) all read.
Files referenced by sources and notes are looked up inside the archive (or
beside a bare .qde); a path that would leave it is refused (E502).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element

from gtcode.errors import GtcodeError
from gtcode.exchange.refi_codes import TreeCode
from gtcode.exchange.refi_common import (
    QDE_NAME,
    SOURCES_DIR,
    Archive,
    Limits,
    child,
    child_text,
    children,
    local,
    norm_guid,
    parse_xml,
)
from gtcode.files import read_input

MAX_CODE_DEPTH = 100
_MEDIA = ("PictureSource", "PDFSource", "AudioSource", "VideoSource")


@dataclass
class RValue:
    variable: str
    kind: str
    value: str


@dataclass
class RCoding:
    guid: str
    code: str
    user: str | None
    created: str | None
    notes: list[str] = field(default_factory=list)


@dataclass
class RSelection:
    guid: str
    start: int
    end: int
    user: str | None
    created: str | None
    codings: list[RCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass
class RSource:
    guid: str
    name: str | None
    path: str | None
    content: str | None
    user: str | None = None
    created: str | None = None
    selections: list[RSelection] = field(default_factory=list)
    codings: list[RCoding] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    values: list[RValue] = field(default_factory=list)


@dataclass
class RCase:
    guid: str
    name: str | None
    description: str | None
    values: list[RValue] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)


@dataclass
class RNote:
    guid: str
    name: str | None
    content: str | None
    path: str | None
    user: str | None
    created: str | None
    modified: str | None


@dataclass
class RSet:
    guid: str
    name: str
    description: str | None
    members: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class RProject:
    """Everything gtcode reads from a project.qde (or a .qdc)."""

    name: str
    origin: str
    description: str | None = None
    users: dict[str, str | None] = field(default_factory=dict)  # guid -> name
    codes: list[TreeCode] = field(default_factory=list)
    code_notes: dict[str, list[str]] = field(default_factory=dict)  # code guid -> notes
    variables: list[tuple[str, str, str]] = field(default_factory=list)  # guid, name, type
    cases: list[RCase] = field(default_factory=list)
    sources: list[RSource] = field(default_factory=list)
    skipped_sources: list[str] = field(default_factory=list)
    notes: list[RNote] = field(default_factory=list)
    sets: list[RSet] = field(default_factory=list)
    links: list[tuple[str, str]] = field(default_factory=list)  # origin, target
    project_notes: list[str] = field(default_factory=list)
    creating_user: str | None = None


def _int(value: str | None, what: str, guid: str, file: Path) -> int:
    try:
        return int(str(value).strip())
    except ValueError:
        raise GtcodeError("E501", f"{what} is not a whole number.", file=file,
                          where=f"selection {guid}") from None


def _refs(element: Element, name: str = "NoteRef") -> list[str]:
    return [r.get("targetGUID", "") for r in children(element, name) if r.get("targetGUID")]


# -- codes --------------------------------------------------------------------------------

def read_codes(codes_el: Element | None, file: Path,
               notes: dict[str, list[str]] | None = None) -> list[TreeCode]:
    """The code tree under a ``Codes`` element (iterative, depth-limited)."""
    roots: list[TreeCode] = []
    if codes_el is None:
        return roots
    stack: list[tuple[Element, list[TreeCode], int]] = [
        (c, roots, 0) for c in reversed(children(codes_el, "Code"))]
    seen: set[str] = set()
    while stack:
        element, siblings, depth = stack.pop()
        if depth > MAX_CODE_DEPTH:
            raise GtcodeError("E502", f"codes are nested more than {MAX_CODE_DEPTH} deep; "
                              "refused.", file=file)
        guid = element.get("guid") or ""
        if not guid:
            raise GtcodeError("E501", "a Code has no guid.", file=file,
                              where=f"code {element.get('name')!r}")
        key = norm_guid(guid)
        if key in seen:  # a coding naming it could not tell which code it means
            raise GtcodeError("E503", "two Codes share this GUID, so a coding that names it "
                              "cannot be placed; nothing was imported.", file=file,
                              where=f"code {guid} ({element.get('name')!r})",
                              hint="re-export the project from the program that made it")
        seen.add(key)
        code = TreeCode(guid, element.get("name") or "", _bool(element.get("isCodable")),
                        element.get("color"), child_text(element, "Description"))
        siblings.append(code)
        if notes is not None and _refs(element):
            notes[guid] = _refs(element)
        stack.extend((c, code.children, depth + 1)
                     for c in reversed(children(element, "Code")))
    return roots


def _bool(value: str | None) -> bool:
    return str(value).strip().lower() in ("true", "1")


# -- the project -------------------------------------------------------------------------------

def read_project_xml(root: Element, file: Path) -> RProject:
    """Turn a parsed ``Project`` element into :class:`RProject`."""
    if local(root.tag) != "Project":
        raise GtcodeError("E501", f"the XML root is {local(root.tag)!r}, not a REFI-QDA "
                          "Project.", file=file, hint="a .qdc codebook is imported with "
                          "`gtcode codebook import`")
    project = RProject(root.get("name") or file.stem, root.get("origin") or "",
                       child_text(root, "Description"),
                       creating_user=root.get("creatingUserGUID"))
    users = child(root, "Users")
    for user in children(users, "User") if users is not None else []:
        project.users[user.get("guid", "")] = user.get("name")
    book = child(root, "CodeBook")
    project.codes = read_codes(child(book, "Codes") if book is not None else None, file,
                               project.code_notes)
    _read_cases(root, project)
    _read_sources(root, project, file)
    _read_notes(root, project)
    _read_sets(root, project, "targetGUID")
    links = child(root, "Links")
    for link in children(links, "Link") if links is not None else []:
        if link.get("originGUID") and link.get("targetGUID"):
            project.links.append((link.get("originGUID"), link.get("targetGUID")))
    project.project_notes = _refs(root)
    return project


def _values(element: Element) -> list[RValue]:
    found = []
    for holder in children(element, "VariableValue"):
        ref = child(holder, "VariableRef")
        value = next((c for c in holder if local(c.tag).endswith("Value")), None)
        if ref is not None and value is not None and ref.get("targetGUID"):
            found.append(RValue(ref.get("targetGUID"), local(value.tag), value.text or ""))
    return found


def _read_cases(root: Element, project: RProject) -> None:
    variables = child(root, "Variables")
    for var in children(variables, "Variable") if variables is not None else []:
        project.variables.append((var.get("guid", ""), var.get("name") or var.get("guid", ""),
                                  var.get("typeOfVariable") or "Text"))
    cases = child(root, "Cases")
    for case in children(cases, "Case") if cases is not None else []:
        project.cases.append(RCase(case.get("guid", ""), case.get("name"),
                                   child_text(case, "Description"), _values(case),
                                   _refs(case, "SourceRef")))


def _codings(element: Element) -> list[RCoding]:
    found = []
    for coding in children(element, "Coding"):
        ref = child(coding, "CodeRef")
        found.append(RCoding(coding.get("guid", ""), ref.get("targetGUID", "") if ref is not None
                             else "", coding.get("creatingUser"), coding.get("creationDateTime"),
                             _refs(coding)))
    return found


def _read_sources(root: Element, project: RProject, file: Path) -> None:
    sources = child(root, "Sources")
    for element in list(sources) if sources is not None else []:
        kind = local(element.tag)
        if kind in _MEDIA:
            project.skipped_sources.append(f"{kind} {element.get('name') or element.get('guid')}")
            continue
        if kind != "TextSource":
            continue
        source = RSource(element.get("guid", ""), element.get("name"),
                         element.get("plainTextPath"), child_text(element, "PlainTextContent"),
                         element.get("creatingUser"), element.get("creationDateTime"))
        for sel in children(element, "PlainTextSelection"):
            guid = sel.get("guid", "")
            source.selections.append(RSelection(
                guid, _int(sel.get("startPosition"), "startPosition", guid, file),
                _int(sel.get("endPosition"), "endPosition", guid, file),
                sel.get("creatingUser"), sel.get("creationDateTime"), _codings(sel), _refs(sel)))
        source.codings = _codings(element)
        source.notes = _refs(element)
        source.values = _values(element)
        project.sources.append(source)


def _read_notes(root: Element, project: RProject) -> None:
    notes = child(root, "Notes")
    for note in children(notes, "Note") if notes is not None else []:
        project.notes.append(RNote(note.get("guid", ""), note.get("name"),
                                   child_text(note, "PlainTextContent"),
                                   note.get("plainTextPath"), note.get("creatingUser"),
                                   note.get("creationDateTime"), note.get("modifiedDateTime")))


def _read_sets(root: Element, project: RProject, attribute: str) -> None:
    sets = child(root, "Sets")
    for element in children(sets, "Set") if sets is not None else []:
        members = []
        for kind in ("MemberCode", "MemberSource", "MemberNote"):
            for ref in children(element, kind):
                target = ref.get(attribute) or ref.get("targetGUID") or ref.get("guid")
                if target:
                    members.append((kind[6:].lower(), target))
        project.sets.append(RSet(element.get("guid", ""), element.get("name") or "",
                                 child_text(element, "Description"), members))


def read_codebook_xml(root: Element, file: Path) -> RProject:
    """A bare ``CodeBook`` (.qdc) as an :class:`RProject` holding codes and sets."""
    if local(root.tag) != "CodeBook":
        raise GtcodeError("E501", f"the XML root is {local(root.tag)!r}, not a REFI-QDA "
                          "CodeBook.", file=file)
    project = RProject(file.stem, root.get("origin") or "")
    project.codes = read_codes(child(root, "Codes"), file)
    _read_sets(root, project, "guid")
    return project


# -- where the files are -------------------------------------------------------------------------

class Container:
    """The files of a project: a zip archive, or a folder holding a bare .qde."""

    def __init__(self, path: Path, limits: Limits = Limits()) -> None:
        self.path = Path(path)
        self.limits = limits
        self.archive: Archive | None = None
        if self.path.suffix.lower() == ".qde":
            self.base = self.path.resolve().parent
        else:
            self.archive = Archive(self.path, limits)

    def close(self) -> None:
        if self.archive is not None:
            self.archive.close()

    def project_root(self) -> Element:
        """Parse the project XML (the one ``*.qde`` of the archive, or the file)."""
        if self.archive is None:
            return parse_xml(self._read_file(self.path, self.path.name), file=self.path)
        qdes = sorted(n for n in self.archive.entries
                      if "/" not in n and n.lower().endswith(".qde"))
        name = self.archive.find(QDE_NAME) or (qdes[0] if len(qdes) == 1 else None)
        if name is None:
            raise GtcodeError("E501", "the archive holds no single project.qde.",
                              file=self.path, hint="is this a REFI-QDA .qdpx file?")
        return parse_xml(self.archive.read(name), file=self.path, entry=name)

    def read_ref(self, ref: str) -> bytes | None:
        """Bytes of a plainTextPath (None when absent); E502 when it leaves the project."""
        scheme, _, rest = ref.partition("://")
        if not _:
            scheme, rest = "", ref
        scheme = scheme.lower()
        if scheme == "internal":
            if re.search(r"[/\\]", rest) or rest in ("", ".", ".."):
                self._escape(ref)
            return self._lookup([f"{SOURCES_DIR}/{rest}"])
        if scheme in ("absolute", "file"):
            return self._absolute(ref, rest)
        if scheme not in ("relative", ""):
            self._escape(ref)
        clean = rest.replace("\\", "/")
        parts = PurePosixPath(clean).parts
        if not clean or clean.startswith("/") or ".." in parts or re.match(r"^[A-Za-z]:", clean):
            self._escape(ref)
        names = [clean] if "/" in clean else [f"{SOURCES_DIR}/{clean}", clean]
        return self._lookup(names)

    def _escape(self, ref: str) -> None:
        raise GtcodeError("E502", "a file reference points outside the project; refused, "
                          "nothing was written.", file=self.path, where=f"path {ref!r}")

    def _absolute(self, ref: str, rest: str) -> bytes | None:
        if self.archive is not None:
            self._escape(ref)
        target = Path(rest.lstrip("/") if re.match(r"^/[A-Za-z]:", rest) else rest)
        if not target.is_absolute():
            self._escape(ref)
        resolved = target.resolve()
        if not resolved.is_relative_to(self.base):
            self._escape(ref)
        return self._read_file(resolved, ref) if resolved.is_file() else None

    def _lookup(self, names: list[str]) -> bytes | None:
        for name in names:
            if self.archive is not None:
                found = self.archive.find(name)
                if found is not None:
                    return self.archive.read(found)
                continue
            path = _case_insensitive(self.base, PurePosixPath(name))
            if path is not None:
                resolved = path.resolve()
                if not resolved.is_relative_to(self.base):
                    self._escape(name)
                return self._read_file(resolved, name)
        return None

    def _read_file(self, path: Path, label: str) -> bytes:
        return read_input(path, max_bytes=self.limits.max_entry_bytes)


def _case_insensitive(base: Path, name: PurePosixPath) -> Path | None:
    """``base/name`` matching each part without regard to case (Sources/ or sources/)."""
    current = base
    for part in name.parts:
        exact = current / part
        if exact.exists():
            current = exact
            continue
        if not current.is_dir():
            return None
        found = sorted(p for p in current.iterdir() if p.name.lower() == part.lower())
        if not found:
            return None
        current = found[0]
    return current if current.is_file() else None
