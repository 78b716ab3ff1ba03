"""gtcode: grounded-theory coding of interview transcripts.

Open, axial and selective coding backed by a YAML codebook, intercoder
agreement, saturation tests, and NVivo-compatible (REFI-QDA) exchange.
Use it from the command line (``gtcode --help``) or as a library.
"""

__version__ = "0.1.0"
