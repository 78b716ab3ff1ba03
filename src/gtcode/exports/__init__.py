"""Everything gtcode writes for people and other programs, by name.

:mod:`gtcode.exports.registry` lists every format (``gtcode export --to`` and
``gtcode run`` read it): codings and segments as csv, the review sheet, the
report (:mod:`gtcode.exports.report`), NVivo's classification and matrix
sheets (:mod:`~gtcode.exports.nvivo`), the workbook and the Word tables of
:mod:`gtcode.tables`, the category network, and REFI-QDA through
:mod:`gtcode.exchange`.
"""
