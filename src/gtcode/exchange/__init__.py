"""Exchange with other programs: REFI-QDA projects (.qdpx) and codebooks (.qdc), in and out.

:mod:`gtcode.exchange.refi_qda` is the public face (``export_qdpx``,
``export_qdc``, ``import_project``, ``qdc_to_codebook_yaml``); the other
modules read (:mod:`~gtcode.exchange.refi_read`), plan codes
(:mod:`~gtcode.exchange.refi_codes`), map texts and positions
(:mod:`~gtcode.exchange.refi_texts`, :mod:`~gtcode.exchange.positions`) and
write (:mod:`~gtcode.exchange.refi_export`). See ``docs/refi-qda.md``.
"""
