"""Intercoder reliability: agreement coefficients on plain data.

Input is a reliability-data matrix, one row per unit and one column per
coder, each cell a category label (string or number) or ``None``/NaN for
missing. Every function is pure: no printing, no files except
:func:`read_reliability_csv`, errors raised as :class:`gtcode.errors.GtcodeError`
(``E602`` malformed data, ``E601`` not enough data, ``E112`` unknown option).

Quick start::

    from gtcode.reliability import agreement_report
    report = agreement_report([["a", "a"], ["a", "b"], ["b", "b"]], ["ann", "ben"])
    report.krippendorff_alpha.value, report.to_dict()

Formulas, conventions and references: ``docs/methods.md``, section
"Intercoder agreement".
"""

from gtcode.reliability.agreement_report import (
    COEFFICIENTS,
    AgreementReport,
    agreement_report,
    get_coefficient,
    report_from_csv,
)
from gtcode.reliability.coded_data import CodedData, code_matrix, is_missing
from gtcode.reliability.coefficients import (
    ChanceCorrected,
    brennan_prediger,
    gwet_ac1,
    percent_agreement,
    scott_pi,
)
from gtcode.reliability.cohen import (
    PairwiseKappa,
    cohen_kappa,
    cohen_kappa_from_table,
    contingency_table,
    mean_pairwise_cohen_kappa,
    table_to_matrix,
    weighted_kappa_from_table,
)
from gtcode.reliability.fleiss import (
    FleissResult,
    fleiss_kappa,
    fleiss_kappa_from_counts,
)
from gtcode.reliability.holsti import HolstiResult, holsti, holsti_composite
from gtcode.reliability.krippendorff import (
    LEVELS,
    AlphaResult,
    alpha_verdict,
    coincidence_matrix,
    krippendorff_alpha,
    krippendorff_alpha_from_counts,
)
from gtcode.reliability.nvivo import (
    NvivoAverage,
    NvivoComparison,
    NvivoRow,
    compare_spans,
    merge_spans,
    nvivo_comparison,
    nvivo_kappa,
)
from gtcode.reliability.percode import (
    CodeAgreement,
    OverallAgreement,
    PerCodeReport,
    per_code_report,
)
from gtcode.reliability.table import (
    ReliabilityTable,
    parse_reliability_csv,
    read_reliability_csv,
)

__all__ = [
    "COEFFICIENTS",
    "LEVELS",
    "AgreementReport",
    "AlphaResult",
    "ChanceCorrected",
    "CodeAgreement",
    "CodedData",
    "FleissResult",
    "HolstiResult",
    "NvivoAverage",
    "NvivoComparison",
    "NvivoRow",
    "OverallAgreement",
    "PairwiseKappa",
    "PerCodeReport",
    "ReliabilityTable",
    "agreement_report",
    "alpha_verdict",
    "brennan_prediger",
    "code_matrix",
    "cohen_kappa",
    "cohen_kappa_from_table",
    "coincidence_matrix",
    "compare_spans",
    "contingency_table",
    "fleiss_kappa",
    "fleiss_kappa_from_counts",
    "get_coefficient",
    "gwet_ac1",
    "holsti",
    "holsti_composite",
    "is_missing",
    "krippendorff_alpha",
    "krippendorff_alpha_from_counts",
    "mean_pairwise_cohen_kappa",
    "merge_spans",
    "nvivo_comparison",
    "nvivo_kappa",
    "parse_reliability_csv",
    "per_code_report",
    "percent_agreement",
    "read_reliability_csv",
    "report_from_csv",
    "scott_pi",
    "table_to_matrix",
    "weighted_kappa_from_table",
]
