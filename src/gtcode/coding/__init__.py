"""The three stages of grounded-theory coding, and the machine coders that suggest codes.

- open coding: :mod:`~gtcode.coding.open_coding` (machine suggestions and
  in-vivo candidates, :mod:`~gtcode.coding.invivo`), the review loop
  (:mod:`~gtcode.coding.sheet`, :mod:`~gtcode.coding.sheet_apply`,
  :mod:`~gtcode.coding.sheet_rows`, :mod:`~gtcode.coding.sheet_io`,
  :mod:`~gtcode.coding.sheet_help`);
- axial coding: :mod:`~gtcode.coding.axial` (roll-up, matrices, paradigm
  roles), :mod:`~gtcode.coding.cooccurrence`;
- selective coding: :mod:`~gtcode.coding.selective`,
  :mod:`~gtcode.coding.storyline` (the core category and the storyline),
  :mod:`~gtcode.coding.saturation`, :mod:`~gtcode.coding.quotes`;
- memos on any of it: :mod:`~gtcode.coding.memos`.

The machine coders live below the stages: :mod:`gtcode.coding.rules` (the rule
engine); a learned coder gets a package of its own beside it.
"""
