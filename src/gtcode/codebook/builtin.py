"""Built-in codebooks, found by name (``six-pressures``).

The YAML files live at the repository root in ``codebooks/`` so researchers
find and read them; an installed package may carry copies in
``gtcode/codebook/data/``. A reference that is neither a built-in name nor
an existing path is refused with the list of valid names (E203).
"""

from __future__ import annotations

from pathlib import Path

from gtcode.errors import GtcodeError

#: Names accepted by ``--codebook`` besides a path.
BUILTIN_NAMES: tuple[str, ...] = ("six-pressures",)
#: The codebook used when none is named.
DEFAULT_CODEBOOK = "six-pressures"

_HERE = Path(__file__).resolve()
_SEARCH_DIRS = (_HERE.parents[3] / "codebooks", _HERE.parent / "data")


def builtin_path(name: str) -> Path:
    """The YAML file of a built-in codebook.

    Raises:
        GtcodeError: E203 for an unknown name, or when the file is missing
            from this installation.
    """
    if name not in BUILTIN_NAMES:
        raise GtcodeError("E203", f"there is no built-in codebook named '{name}'.",
                          hint="built-in codebooks: " + ", ".join(BUILTIN_NAMES)
                          + "; or give the path of a codebook YAML")
    for folder in _SEARCH_DIRS:
        candidate = folder / f"{name}.yaml"
        if candidate.is_file():
            return candidate
    raise GtcodeError("E203", f"the built-in codebook '{name}' is missing from this "
                      "installation.", hint="reinstall gtcode")


def is_builtin_ref(ref: str | Path) -> bool:
    """True when ``ref`` names a built-in codebook (not a path)."""
    return isinstance(ref, str) and ref in BUILTIN_NAMES


def resolve_ref(ref: str | Path) -> Path:
    """Turn ``--codebook`` input into a file path.

    A built-in name wins; an existing file is used as is; a bare word that is
    not a file is taken for a mistyped built-in name (E203). Anything else is
    returned as a path, so reading it reports E101.
    """
    if is_builtin_ref(ref):
        return builtin_path(str(ref))
    path = Path(ref)
    if path.exists():
        return path
    text = str(ref)
    looks_like_name = not path.suffix and "/" not in text and "\\" not in text
    if looks_like_name:
        builtin_path(text)  # raises E203 listing the names
    return path


def display_name(ref: str | Path, resolved: Path) -> str:
    """How messages name the file: as the user gave it, or codebooks/<name>.yaml."""
    if is_builtin_ref(ref):
        return f"{resolved.parent.name}/{resolved.name}"
    return str(ref)


def codebook_text(ref: str | Path) -> str:
    """The YAML text of a codebook (built-in or path), e.g. to copy into a study."""
    from gtcode.codebook.yaml_io import read_text

    return read_text(resolve_ref(ref))
