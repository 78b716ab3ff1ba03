"""Transcripts in: reading files, decoding them, normalising, segmenting, and case sheets.

:mod:`~gtcode.transcripts.readers` (txt, md, docx, csv/xlsx turn tables),
:mod:`~gtcode.transcripts.encoding` (BOM, UTF-8, GB18030/GBK, Big5, UTF-16),
:mod:`~gtcode.transcripts.segment` (speaker turns, paragraphs, sentences),
:mod:`~gtcode.transcripts.cases` (case attributes), and
:mod:`~gtcode.transcripts.nlp`, the one module that imports spaCy and jieba.
"""
