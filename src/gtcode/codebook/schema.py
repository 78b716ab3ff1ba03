"""The JSON Schema of a codebook file, generated from the pydantic model.

YAML editors check the file against it while it is typed: save the output of
``gtcode codebook schema`` as ``codebook.schema.json`` beside the codebook and
start the YAML with ``# yaml-language-server: $schema=codebook.schema.json``
(VS Code's YAML extension, and other editors using yaml-language-server).
The schema catches unknown keys, wrong levels and malformed ids; the
cross-code rules (parents, cycles, duplicates) need ``gtcode codebook validate``.
"""

from __future__ import annotations

import json
from typing import Any

from gtcode.codebook.model import CodebookFile

SCHEMA_ID = "https://gtcode.invalid/schema/codebook.schema.json"
SCHEMA_DRAFT = "https://json-schema.org/draft/2020-12/schema"


def codebook_json_schema() -> dict[str, Any]:
    """The JSON Schema (draft 2020-12) of a codebook YAML file."""
    schema = CodebookFile.model_json_schema(by_alias=True, mode="validation")
    head = {
        "$schema": SCHEMA_DRAFT,
        "$id": SCHEMA_ID,
        "title": "gtcode codebook",
        "description": "A grounded-theory codebook for gtcode (see docs/codebook.md). "
                       "gtcode 扎根理论编码手册。",
    }
    schema.pop("title", None)
    schema.pop("description", None)
    # gtcode also accepts `version: 2` (an integer); say so, or editors flag it.
    schema["properties"]["version"]["type"] = ["string", "integer"]
    return {**head, **schema}


def codebook_json_schema_text() -> str:
    """The schema as stable, indented JSON text ending in a newline."""
    return json.dumps(codebook_json_schema(), ensure_ascii=False, indent=2) + "\n"
