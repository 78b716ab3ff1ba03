"""A small generated "comments" project, shaped like the NVivo 12.6 export of issue 16.

YouTube comments in Hungarian with emoji, written the way NVivo for Windows
12.6 writes a project: origin ``NVivo for Windows 12.6``, sources in
``Sources/`` as UTF-8 with a BOM and CRLF line ends, selection positions in
UTF-16 code units (CRLF counted as two, the BOM not counted). Lines such as
``Title: …``, ``PSZ: Januártól …`` and ``Koronavírus: …`` look like speaker
labels; ``PSZ`` and ``Koronavírus`` recur, first well into the text, so a
speaker-turn reading files everything before them as an unsegmented header.
Codings span several paragraphs, part of one, a title line with the comment
after it, or exactly the same passage as another code.

No two codings of one code touch or overlap in one paragraph, so every coding
is one reference of the concept matrix: the test can count them one by one.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

from lxml import etree

NS = "urn:QDA-XML:project:1.0"
USER = "6b2e0c51-0d0b-4bb5-9a47-1f2b3c4d5e6f"
SOURCE_GUID = "0f1e2d3c-4b5a-4968-8776-a5b4c3d2e1f0"

#: (code name, guid) of the nodes.
CODES = [("Félelem", "11111111-0000-4000-8000-000000000001"),
         ("Bizalmatlanság", "11111111-0000-4000-8000-000000000002"),
         ("Humor", "11111111-0000-4000-8000-000000000003"),
         ("Gazdaság", "11111111-0000-4000-8000-000000000004"),
         ("Egészség", "11111111-0000-4000-8000-000000000005")]

_VIDEO = [
    "Title: Koronavírus – mi jön most? 😷",
    "",
    "Nagyon jó videó, köszönöm a részletes magyarázatot! 👍 Végre valaki érthetően beszél.",
    "",
    "Szerintem túlzás ez az egész pánik. 🙄 Az influenza is ugyanilyen volt.",
    "Senki nem beszél arról, hogy kinek éri meg ez a félelemkeltés.",
    "",
    "Félek, hogy a nagyszüleim elkapják. 😢 Nem tudom, mit tegyek.",
    "",
    "😂😂😂 ez a maszk a végén nagyon vicces volt",
    "",
    "A boltokban már nincs liszt és élesztő. Mindenki felvásárolt mindent. 🛒",
    "Ez a gazdaságnak is nagy csapás lesz.",
    "",
    "Köszönöm, hogy elmondtad, mit tegyünk, ha tüneteink vannak. 🤒",
    "",
]
_LABELLED = [
    "PSZ: Januártól emelkedik a minimálbér, de ez most senkit nem érdekel. 💸",
    "",
    "Koronavírus: újabb esetek Budapesten, a kórházak készülnek. 😟",
    "",
    "Ez a kormány semmit nem mond el őszintén. 😡",
    "",
    "PSZ: Az adócsökkentés is elmarad, ebben biztos vagyok.",
    "",
    "Koronavírus: a tesztek száma még mindig nagyon alacsony.",
    "",
    "Vicces, hogy mindenki orvos lett egyik napról a másikra. 🤣",
]


def corpus_text() -> str:
    """The source text as gtcode stores it (NFC, LF)."""
    parts = []
    for number in range(1, 4):  # three videos: labels recur only after the first
        lines = list(_VIDEO)
        lines[0] = f"Title: Koronavírus – {number}. rész 😷"
        parts.append("\n".join(lines))
    parts.append("\n".join(_LABELLED))
    return "\n".join(parts) + "\n"


def _span(text: str, start_phrase: str, end_phrase: str, *, after: int = 0) -> tuple[int, int]:
    start = text.index(start_phrase, after)
    end = text.index(end_phrase, start) + len(end_phrase)
    return start, end


def codings(text: str) -> list[tuple[str, int, int]]:
    """(code name, start, end) in code points of ``text``."""
    found: list[tuple[str, int, int]] = []
    for number in range(1, 4):
        base = text.index(f"Title: Koronavírus – {number}. rész")
        found += [
            # a title line and the comment after it (two paragraphs and a blank line)
            ("Humor", *_span(text, "Title:", "magyarázatot!", after=base)),
            # two lines of one comment
            ("Bizalmatlanság", *_span(text, "Szerintem túlzás", "félelemkeltés.", after=base)),
            # part of a paragraph, after emoji
            ("Félelem", *_span(text, "Félek", "elkapják.", after=base)),
            # one passage, two codes (one NVivo selection, two nodes)
            ("Egészség", *_span(text, "Félek", "elkapják.", after=base)),
            ("Humor", *_span(text, "😂😂😂", "vicces volt", after=base)),
            # several paragraphs: shopping, then the advice after a blank line
            ("Gazdaság", *_span(text, "A boltokban", "tüneteink vannak.", after=base)),
        ]
    tail = text.index("PSZ: Januártól")
    found += [
        ("Gazdaság", *_span(text, "PSZ: Januártól", "minimálbér", after=tail)),
        ("Egészség", *_span(text, "újabb esetek", "készülnek.", after=tail)),
        ("Bizalmatlanság", *_span(text, "Ez a kormány", "őszintén.", after=tail)),
        ("Gazdaság", *_span(text, "Az adócsökkentés", "elmarad", after=tail)),
        ("Humor", *_span(text, "Vicces, hogy", "másikra.", after=tail)),
    ]
    return found


def nvivo_units(text: str, index: int) -> int:
    """Position ``index`` of the LF text as NVivo counts it: UTF-16 units, CRLF as two."""
    return len(text[:index].replace("\n", "\r\n").encode("utf-16-le")) // 2


def write_project(path: Path) -> tuple[str, list[tuple[str, int, int]]]:
    """Write the .qdpx; return the text and its codings (code name, start, end)."""
    text = corpus_text()
    coded = codings(text)
    guids = dict(CODES)
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS}, name="oltas",
                         origin="NVivo for Windows 12.6", creatingUserGUID=USER,
                         creationDateTime="2025-02-10T09:00:00Z")
    users = etree.SubElement(root, f"{{{NS}}}Users")
    etree.SubElement(users, f"{{{NS}}}User", guid=USER, name="Kutató")
    book = etree.SubElement(etree.SubElement(root, f"{{{NS}}}CodeBook"), f"{{{NS}}}Codes")
    for name, guid in CODES:
        etree.SubElement(book, f"{{{NS}}}Code", guid=guid, name=name, isCodable="true")
    sources = etree.SubElement(root, f"{{{NS}}}Sources")
    source = etree.SubElement(sources, f"{{{NS}}}TextSource", guid=SOURCE_GUID,
                              name="kommentek", plainTextPath=f"internal://{SOURCE_GUID}.txt",
                              creatingUser=USER, creationDateTime="2025-02-10T09:00:00Z")
    for number, (name, start, end) in enumerate(coded, start=1):
        selection = etree.SubElement(
            source, f"{{{NS}}}PlainTextSelection",
            guid=f"22222222-0000-4000-8000-{number:012d}",
            startPosition=str(nvivo_units(text, start)), endPosition=str(nvivo_units(text, end)),
            creatingUser=USER, creationDateTime="2025-02-11T10:00:00Z")
        coding = etree.SubElement(selection, f"{{{NS}}}Coding",
                                  guid=f"33333333-0000-4000-8000-{number:012d}",
                                  creatingUser=USER, creationDateTime="2025-02-11T10:00:00Z")
        etree.SubElement(coding, f"{{{NS}}}CodeRef", targetGUID=guids[name])
    raw = "\ufeff" + text.replace("\n", "\r\n")
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("project.qde", etree.tostring(root, xml_declaration=True,
                                                       encoding="UTF-8"))
        archive.writestr(f"Sources/{SOURCE_GUID}.txt", raw.encode("utf-8"))
    return text, coded
