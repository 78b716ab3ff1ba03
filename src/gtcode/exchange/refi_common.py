"""What REFI-QDA export and import share: names, GUIDs, schemas, and safe reading.

Reading is defensive because a .qdpx comes from anywhere. An archive is
checked before anything is inflated: entry count, names (no absolute path, no
``..``, no symbolic link), declared sizes and the compression ratio of every
entry (a zip bomb is refused from its directory alone); reads are bounded.
XML is parsed with defusedxml and any DTD is refused, so entity expansion
("billion laughs") and external entities cannot happen. Nothing is ever
extracted to disk: entries are read into memory by name.
"""

from __future__ import annotations

import codecs
import functools
import hashlib
import re
import stat
import uuid
import zipfile
from dataclasses import dataclass
from importlib import resources
from pathlib import Path, PurePosixPath
from xml.etree.ElementTree import Element, ParseError

from defusedxml import DefusedXmlException
from defusedxml import ElementTree as SafeET

from gtcode.errors import GtcodeError
from gtcode.files import check_input

PROJECT_NS = "urn:QDA-XML:project:1.0"
CODEBOOK_NS = "urn:QDA-XML:codebook:1.0"
#: Codebook namespaces seen in the wild; all are read, 1.0 is written.
CODEBOOK_NAMESPACES = ("urn:QDA-XML:codebook:1.0", "urn:QDA-XML:codebook:0:4",
                       "urn:QDA-XML:codebook:1:0")
#: The fixed namespace of every GUID gtcode derives (uuid5 over stable keys).
GTCODE_GUID_NAMESPACE = uuid.UUID("0b6f3c52-8d1e-5a47-9c2b-6e4f1a7d3b90")
_NS_BYTES = GTCODE_GUID_NAMESPACE.bytes
#: Name and key of the Note that carries the study's codebook YAML.
CODEBOOK_NOTE_NAME = "gtcode codebook.yaml"
#: Name of the Note that carries what REFI-QDA cannot say (segments, decisions, ...).
STATE_NOTE_NAME = "gtcode study state.json"
SOURCES_DIR = "sources"
QDE_NAME = "project.qde"

def make_guid(kind: str, *parts: object) -> str:
    """A stable GUID: uuid5 of gtcode's namespace and ``kind`` plus key parts.

    Same value as ``uuid.uuid5``, computed directly (exports make one per coding).
    """
    key = "\x1f".join([kind, *(str(p) for p in parts)])
    digest = bytearray(hashlib.sha1(_NS_BYTES + key.encode("utf-8")).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    text = digest.hex()
    return f"{text[:8]}-{text[8:12]}-{text[12:16]}-{text[16:20]}-{text[20:]}"


def norm_guid(value: str) -> str:
    """A GUID in one form for look-ups: lower case, braces removed."""
    return value.strip().strip("{}").lower()


# -- schemas ---------------------------------------------------------------------

def schema_path(kind: str) -> Path:
    """The shipped XSD: ``kind`` is ``"project"`` or ``"codebook"``."""
    name = {"project": "Project-mrt2019.xsd", "codebook": "Codebook-mrt2019.xsd"}[kind]
    return Path(str(resources.files("gtcode") / "data" / "refi_qda" / name))


@functools.lru_cache(maxsize=2)
def _schema(kind: str):
    from lxml import etree

    return etree.XMLSchema(etree.parse(str(schema_path(kind))))


def schema_errors(xml: bytes, kind: str) -> list[str]:
    """Problems of ``xml`` against the REFI-QDA schema (empty when valid)."""
    from lxml import etree

    # gtcode's own XML (never a file from elsewhere): a large study's state Note is one
    # text node of many megabytes, over libxml2's default limit of 10 MB
    parser = etree.XMLParser(resolve_entities=False, no_network=True, huge_tree=True)
    doc = etree.fromstring(xml, parser)
    schema = _schema(kind)
    if schema.validate(doc):
        return []
    return [f"line {e.line}: {e.message}" for e in schema.error_log]


def tree_errors(root, kind: str) -> list[str]:
    """Problems of the lxml element ``root`` (built, not parsed) against the schema."""
    schema = _schema(kind)
    if schema.validate(root):
        return []
    return [f"{e.path}: {e.message}" for e in schema.error_log]


def check_schema(xml, kind: str, file: str | Path) -> None:
    """Raise E504 when an export does not validate (a gtcode bug, never user error).

    ``xml``: the document's bytes, or the lxml tree an export built (checked as it
    is, without serialising and parsing it again: a large project's tree is large).
    """
    problems = schema_errors(xml, kind) if isinstance(xml, bytes) else tree_errors(xml, kind)
    if problems:
        raise GtcodeError("E504", f"the {kind} XML failed schema validation: {problems[0]} "
                          f"({len(problems)} problem(s)); nothing was written.", file=file,
                          hint="please report this as a gtcode bug")


# -- safe XML --------------------------------------------------------------------

#: Encodings the XML parser (expat) reads itself; any other is transcoded first.
_EXPAT_ENCODINGS = {"utf-8", "utf-16", "utf-16-le", "utf-16-be", "latin-1", "ascii"}
_DECLARATION = re.compile(rb"^(\xef\xbb\xbf)?\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9._\-]+)"
                          rb"[\"']")


def _as_utf8(data: bytes, file: str | Path, where: str | None) -> bytes:
    """XML declared in an encoding expat does not read (GBK, Big5 ...) as UTF-8.

    The bytes are decoded strictly with the declared codec and the declaration
    rewritten, so a project.qde saved in GBK reads like any other; a codec
    Python does not know, or bytes that do not decode, are refused (E501).
    """
    match = _DECLARATION.match(data[:512])
    if match is None:
        return data
    declared = match.group(2).decode("ascii")
    try:
        codec = codecs.lookup(declared).name
    except LookupError:
        raise GtcodeError("E501", f"the XML declares the encoding {declared!r}, which gtcode "
                          "cannot read.", file=file, where=where,
                          hint="re-save or re-export the project as UTF-8") from None
    if codec in _EXPAT_ENCODINGS or codec.startswith("utf-16") or codec.startswith("utf-32"):
        return data
    try:
        text = data.decode(codec)
    except UnicodeDecodeError as exc:
        raise GtcodeError("E501", f"the XML declares the encoding {declared!r} but byte "
                          f"{exc.start} does not decode with it.", file=file, where=where,
                          hint="re-export the project; its encoding declaration is wrong"
                          ) from None
    head, _sep, rest = text.partition("?>")
    head = re.sub(r"encoding\s*=\s*[\"'][^\"']*[\"']", 'encoding="utf-8"', head, count=1)
    return (head + _sep + rest).encode("utf-8")


def parse_xml(data: bytes, *, file: str | Path, entry: str | None = None) -> Element:
    """Parse untrusted XML: no DTD, no entities, no network (defusedxml).

    Any encoding Python knows may be declared (a project.qde in GBK): see :func:`_as_utf8`.
    """
    where = f"entry {entry}" if entry else None
    data = _as_utf8(data, file, where)
    try:
        return SafeET.fromstring(data, forbid_dtd=True, forbid_entities=True,
                                 forbid_external=True)
    except DefusedXmlException as exc:
        raise GtcodeError("E502", f"the XML declares a DTD or entities "
                          f"({type(exc).__name__}); refused.", file=file, where=where,
                          hint="REFI-QDA files never need a DTD; re-export from the program"
                          ) from None
    except ParseError as exc:
        raise GtcodeError("E501", f"the XML does not parse ({exc}).", file=file,
                          where=where) from None


@functools.lru_cache(maxsize=512)
def local(tag: str) -> str:
    """An element's name without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def namespace(tag: str) -> str:
    return tag[1:].split("}", 1)[0] if tag.startswith("{") else ""


def children(element: Element, name: str) -> list[Element]:
    """Direct children called ``name`` in any namespace."""
    return [child for child in element if local(child.tag) == name]


def child(element: Element, name: str) -> Element | None:
    return next((c for c in element if local(c.tag) == name), None)


def child_text(element: Element, name: str) -> str | None:
    found = child(element, name)
    return found.text if found is not None and found.text is not None else None


# -- safe archives -------------------------------------------------------------------

@dataclass(frozen=True)
class Limits:
    """Bounds on what an imported archive may hold."""

    max_entries: int = 10_000
    max_total_bytes: int = 2 * 1024 ** 3
    max_entry_bytes: int = 2 ** 31 - 1  # REFI-QDA 1.5 §8.5
    max_ratio: int = 200  # uncompressed / compressed, above ratio_floor
    ratio_floor: int = 1024 ** 2


def check_entry_name(name: str, file: str | Path) -> str:
    """The entry's path with ``/`` separators; E502 when it could escape its folder."""
    clean = name.replace("\\", "/")
    parts = PurePosixPath(clean).parts
    if (not clean or clean.startswith("/") or "\x00" in clean or ".." in parts
            or re.match(r"^[A-Za-z]:", clean)):
        raise GtcodeError("E502", "an archive entry points outside the archive folder "
                          "(absolute path or '..'); refused, nothing was written.",
                          file=file, where=f"entry {name!r}")
    return clean


class Archive:
    """A REFI-QDA zip archive, checked entry by entry before anything is read."""

    def __init__(self, path: Path, limits: Limits = Limits()) -> None:
        self.path = Path(path)
        self.limits = limits
        check_input(self.path)  # a pipe or a device would hang the zip reader
        try:
            self.zip = zipfile.ZipFile(self.path)
        except (zipfile.BadZipFile, OSError) as exc:
            raise GtcodeError("E501", f"not a readable zip archive ({exc}).", file=path,
                              hint="a .qdpx is a zip file; check that it was copied whole"
                              ) from None
        self.entries: dict[str, zipfile.ZipInfo] = {}
        self._check_directory()

    def close(self) -> None:
        self.zip.close()

    def _check_directory(self) -> None:
        infos = self.zip.infolist()
        if len(infos) > self.limits.max_entries:
            raise GtcodeError("E502", f"the archive holds {len(infos)} entries, more than "
                              f"{self.limits.max_entries}; refused.", file=self.path)
        total = 0
        for info in infos:
            name = check_entry_name(info.filename, self.path)
            self._check_kind(info)
            self._check_size(info)
            total += info.file_size
            if not info.is_dir():
                self.entries[name] = info
        if total > self.limits.max_total_bytes:
            raise GtcodeError("E502", f"the archive would inflate to {total} bytes, more than "
                              f"{self.limits.max_total_bytes}; refused.", file=self.path)

    def _check_kind(self, info: zipfile.ZipInfo) -> None:
        mode = info.external_attr >> 16
        if info.create_system == 3 and stat.S_ISLNK(mode):
            raise GtcodeError("E502", "the archive holds a symbolic link; refused.",
                              file=self.path, where=f"entry {info.filename!r}")
        if info.flag_bits & 0x1:
            raise GtcodeError("E501", "the archive entry is encrypted.", file=self.path,
                              where=f"entry {info.filename!r}")

    def _check_size(self, info: zipfile.ZipInfo) -> None:
        limits = self.limits
        if info.file_size > limits.max_entry_bytes:
            raise GtcodeError("E502", f"an entry would inflate to {info.file_size} bytes; "
                              "refused.", file=self.path, where=f"entry {info.filename!r}")
        if (info.file_size > limits.ratio_floor
                and info.file_size > limits.max_ratio * max(info.compress_size, 1)):
            raise GtcodeError("E502", "an entry compresses more than "
                              f"{limits.max_ratio}:1 (a zip bomb); refused.",
                              file=self.path, where=f"entry {info.filename!r}")

    def find(self, name: str) -> str | None:
        """The stored entry name matching ``name``; folder case is ignored."""
        if name in self.entries:
            return name
        lowered = name.lower()
        matches = sorted(n for n in self.entries if n.lower() == lowered)
        return matches[0] if matches else None

    def read(self, name: str) -> bytes:
        """Read one entry, never more than it declared."""
        info = self.entries[name]
        try:
            with self.zip.open(info) as handle:
                data = handle.read(info.file_size + 1)
        except (zipfile.BadZipFile, OSError, EOFError, RuntimeError) as exc:
            raise GtcodeError("E501", f"the entry cannot be read ({exc}).", file=self.path,
                              where=f"entry {name!r}") from None
        if len(data) > info.file_size:
            raise GtcodeError("E502", "the entry inflates beyond its declared size; refused.",
                              file=self.path, where=f"entry {name!r}")
        return data
