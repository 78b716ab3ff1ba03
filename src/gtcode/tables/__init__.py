"""The tables papers print: grounded-theory tables and matrices, built once, written by many.

:func:`gtcode.tables.matrices.build_tables` reads a study and returns every
table (:class:`gtcode.tables.paper.Table`) in print order; the workbook
(``gtcode.xlsx``), the Word document (``tables.docx``) and the report lay the
same tables out, each in its own format.
"""
