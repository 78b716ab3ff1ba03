"""gtcode's own Note in a REFI-QDA project: the study beyond what REFI-QDA can say.

Export writes the Note ``gtcode study state.json`` (JSON, keys sorted, so the
project stays byte-identical across runs) holding, per source, its content
hash, header metadata and segments; every row of ``codings`` (accepted,
rejected, orphaned, with origin, coder, evidence and times) and of
``rule_codings`` (rule suggestions with their evidence), each with the GUID of
the ``Coding`` it was written as, if any; the coders and their kinds; the
decision log; proposed and in-vivo concepts; the storyline (edits and chosen
quotes); and the meta values of a run (rule codebook hash and time,
selective-coding options, the study's creation time).

Import reads it back only for a project whose origin is gtcode and restores
what still applies, so a round trip keeps the study:

- a source whose text is unchanged (same content hash) keeps its segments and
  metadata; a source edited elsewhere is segmented afresh;
- a row that was written as a ``Coding`` comes back (origin, status, coder,
  evidence, times) when that Coding is still in the project with the same
  span and code; one deleted in another program stays deleted; a Coding added
  in another program is an imported coding like any other;
- rows never written as Codings (rejections, suggestions a human rejected,
  orphaned codings) come back when their source is unchanged;
- decisions and candidates come back, linked to their segment when its
  source is unchanged; the storyline, the coders' kinds and the meta values
  come back as they were.
"""

from __future__ import annotations

import base64
import json
from dataclasses import dataclass, field
from typing import Any

from gtcode.store.project import Study
from gtcode.store.state import dump_state, restore_rows, segment_ids, source_ids
from gtcode.transcripts.model import Segment, Segmentation

FORMAT = "gtcode study state"
VERSION = 1
#: A state Note larger than this is ignored (a study's records are far smaller).
MAX_STATE_CHARS = 512 * 1024 ** 2


def state_text(study: Study, exported: dict[int, str]) -> str:
    """The state Note's text; ``exported`` maps ``all_codings`` ids to Coding GUIDs."""
    data = {"format": FORMAT, "version": VERSION, **dump_state(study.conn, exported)}
    return json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))


def read_state(text: str | None) -> dict[str, Any] | None:
    """The parsed state, or None when absent, too large or not gtcode's format."""
    if not text or len(text) > MAX_STATE_CHARS:
        return None
    try:
        data = json.loads(text)
    except ValueError:
        return None
    if not isinstance(data, dict) or data.get("format") != FORMAT or \
            data.get("version") != VERSION or not isinstance(data.get("sources"), dict):
        return None
    return data


def segmentation(state: dict[str, Any] | None, name: str, chash: str) -> Segmentation | None:
    """The stored segments of source ``name`` when its text is unchanged (by content hash)."""
    entry = (state or {}).get("sources", {}).get(name)
    if not isinstance(entry, dict) or entry.get("content_hash") != chash:
        return None
    try:
        segments = tuple(Segment(int(i), int(s), int(e), sp, role, line, kind)
                         for i, s, e, sp, role, line, kind in entry["segments"])
    except (KeyError, TypeError, ValueError):
        return None
    return Segmentation(segments, dict(entry.get("metadata") or {}))


@dataclass
class Restored:
    """What the state brought back."""

    consumed: set[str] = field(default_factory=set)  # Coding GUIDs restored from the state
    codings: int = 0
    rule_codings: int = 0
    dropped: int = 0
    decisions: int = 0
    candidates: int = 0
    storyline: int = 0


def restore_state(conn, state: dict[str, Any], restored_sources: set[str],
                  xml_codings: dict[str, tuple[str, int, int, str]],
                  codes: set[str]) -> Restored:
    """Write back the rows that still apply (rules in the module docstring).

    Args:
        conn: the new study's connection, inside its write transaction.
        state: from :func:`read_state`.
        restored_sources: names of sources whose stored segments were used.
        xml_codings: Coding GUID -> (source, start, end, code id) as imported.
        codes: the code ids of the new study's codebook.
    """
    ids = segment_ids(conn)
    sources = source_ids(conn)
    done = Restored()

    def keep(source: str, start: int, end: int, code: str, guid: str | None) -> bool:
        if guid is not None and guid not in xml_codings:
            done.dropped += 1  # deleted in another program: stays deleted
            return False
        if source not in restored_sources or code not in codes:
            return False  # its Coding, if any, is imported as it now stands
        if guid is None:
            return True
        if xml_codings[guid] == (source, start, end, code):
            done.consumed.add(guid)
            return True
        return False

    codings, rules = [], []
    for (source, start, end, code, origin, coder, status, chash, evidence, guid, orphaned,
         created, updated, idx, exported) in state.get("codings", []):
        if keep(source, start, end, code, exported):
            seg = ids.get((source, idx))
            codings.append((sources[source], seg[0] if seg else None, start, end, code, origin,
                            coder, status, chash, evidence, guid, orphaned, created, updated))
    for source, idx, code, evidence, exported in state.get("rule_codings", []):
        seg = ids.get((source, idx))
        if seg and keep(source, seg[2], seg[3], code, exported):
            rules.append((seg[0], code, evidence))

    suggestions = []
    for source, idx, code, probability, evidence, features, exported in \
            state.get("model_codings", []):
        seg = ids.get((source, idx))
        if seg and keep(source, seg[2], seg[3], code, exported):
            suggestions.append((seg[0], code, probability, evidence, features))
    models = [(name, at, data_hash, codebook_hash, json.dumps(on, ensure_ascii=False,
                                                              sort_keys=True),
               base64.b64decode(blob))
              for name, at, data_hash, codebook_hash, on, blob in state.get("models", [])]

    def seg_of(ref) -> int | None:
        if isinstance(ref, list) and len(ref) == 2 and ref[0] in restored_sources:
            found = ids.get((ref[0], ref[1]))
            return found[0] if found else None
        return None

    decisions = [(at, coder, action, seg_of(ref), code, via, details, *blind[:1])
                 for at, coder, action, ref, code, via, details, *blind
                 in state.get("decisions", [])]
    candidates = [(phrase, kind, by, seg_of(ref), score, note, created)
                  for phrase, kind, by, ref, score, note, created in state.get("candidates", [])]
    storyline = [tuple(row) for row in state.get("storyline", [])]
    restore_rows(conn, codings=codings, rule_codings=rules, decisions=decisions,
                 candidates=candidates, storyline=storyline,
                 meta={k: str(v) for k, v in (state.get("meta") or {}).items()},
                 coders=[tuple(row) for row in state.get("coders", [])],
                 model_codings=suggestions, models=models,
                 imported={name: entry["imported_at"] for name, entry in
                           state["sources"].items() if name in restored_sources
                           and isinstance(entry, dict) and entry.get("imported_at")})
    done.codings, done.rule_codings = len(codings), len(rules)
    done.decisions, done.candidates, done.storyline = (len(decisions), len(candidates),
                                                       len(storyline))
    return done

