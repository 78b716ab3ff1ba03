"""Spreadsheet-injection guard shared by every csv and xlsx writer.

A cell whose text begins with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return may be run as a formula by Excel or LibreOffice (OWASP "CSV
injection"). gtcode writes such text with a leading apostrophe in csv files
(the convention spreadsheet programs honour) and as an explicit string cell in
xlsx files. Plain numbers such as ``-3.5`` are left alone: they are data, not
formulas.
"""

from __future__ import annotations

import re

FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")


def is_formula_like(value: object) -> bool:
    """True for text a spreadsheet could take as a formula."""
    return (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and not _NUMBER.match(value))


def csv_cell(value: object) -> object:
    """The value to put in a csv cell: formula-like text gets a leading ``'``."""
    if is_formula_like(value):
        return "'" + str(value)
    return value
