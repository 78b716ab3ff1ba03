"""The rule engine: a codebook's terms, ``not`` terms, near rules and regexes, compiled once.

Literal terms run as one Aho-Corasick automaton over the normalised text;
Chinese hits are checked against word boundaries by segmenting a small window
(:mod:`~gtcode.coding.rules.windows`, :mod:`~gtcode.coding.rules.boundaries`),
English ones by word form (:mod:`~gtcode.coding.rules.wordforms`); regexes run
only where their literals occur (:mod:`~gtcode.coding.rules.regex_gate`). See
:mod:`gtcode.coding.rules.engine` for how one segment is coded.

Example::

    from gtcode.codebook import load_codebook
    from gtcode.coding.rules import RuleEngine
    engine = RuleEngine(load_codebook("six-pressures"))
    [match.code_id for match in engine.match("我们村里讲人情世故")]
"""

from gtcode.coding.rules.engine import RuleEngine
from gtcode.coding.rules.lexicon import default_lexicon, default_tokenizer
from gtcode.coding.rules.scan import RegexTimeout
from gtcode.coding.rules.text import (
                                      CodeMatch,
                                      EngineStats,
                                      Hit,
                                      Tokenizer,
                                      evidence_json,
                                      normalise_for_matching,
)

__all__ = ["CodeMatch", "EngineStats", "Hit", "RegexTimeout", "RuleEngine", "Tokenizer", "default_lexicon",
           "default_tokenizer", "evidence_json", "normalise_for_matching"]
