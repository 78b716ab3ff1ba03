"""The study database: the only place gtcode runs SQL.

:mod:`~gtcode.store.project` opens, creates and migrates studies and gives each
command one write transaction; :mod:`~gtcode.store.schema` holds the numbered
migrations (views such as ``counted_codings``, which codings count, included);
one module per area reads and writes its tables.
"""
