"""Pseudonymisation: find identifiers, let the researcher review them, replace them everywhere.

``scan_study`` writes the review file, ``apply_review`` applies it (one
transaction, offsets kept, key outside the study), ``require_pseudonymised`` is
the exports' ``--pseudonymised-only`` guard and ``privacy_status`` what
``gtcode status`` shows. See docs/privacy.md.
"""

from __future__ import annotations

from gtcode.privacy.apply import ApplyReport, apply_review
from gtcode.privacy.detect import Candidate, detect
from gtcode.privacy.state import (
    PrivacyStatus,
    ScanReport,
    privacy_status,
    require_pseudonymised,
    scan_study,
)

__all__ = ["ApplyReport", "Candidate", "PrivacyStatus", "ScanReport", "apply_review", "detect",
           "privacy_status", "require_pseudonymised", "scan_study"]
