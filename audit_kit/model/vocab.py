"""Closed vocabularies shared by instruments, responses and results (settings, evidence, levels)."""

from __future__ import annotations

from enum import StrEnum


class Setting(StrEnum):
    """The kind of program being assessed."""

    RESIDENTIAL = "residential"
    OUTPATIENT = "outpatient"
    INTENSIVE_OUTPATIENT = "intensive_outpatient"
    HOSPITAL_INPATIENT = "hospital_inpatient"
    OPIOID_TREATMENT_PROGRAM = "opioid_treatment_program"
    OTHER = "other"

    @property
    def label(self) -> str:
        """Human wording, as shown in the workbook, the terminal and the report."""
        return _SETTING_LABELS[self]

    @property
    def kind(self) -> str:
        """Lower-case words that go before 'program(s)', e.g. 'opioid treatment'."""
        return _SETTING_KINDS[self]

    @property
    def na_reason(self) -> str:
        """The N/A reason recorded for an item that does not apply to this setting."""
        return f"Does not apply to {self.kind} programs."


_SETTING_LABELS = {
    Setting.RESIDENTIAL: "Residential",
    Setting.OUTPATIENT: "Outpatient",
    Setting.INTENSIVE_OUTPATIENT: "Intensive outpatient",
    Setting.HOSPITAL_INPATIENT: "Hospital inpatient",
    Setting.OPIOID_TREATMENT_PROGRAM: "Opioid treatment program (OTP)",
    Setting.OTHER: "Other",
}

_SETTING_KINDS = {
    Setting.RESIDENTIAL: "residential",
    Setting.OUTPATIENT: "outpatient",
    Setting.INTENSIVE_OUTPATIENT: "intensive outpatient",
    Setting.HOSPITAL_INPATIENT: "hospital inpatient",
    Setting.OPIOID_TREATMENT_PROGRAM: "opioid treatment",
    Setting.OTHER: "other",
}

#: Keys a recommendation variant may be written for, besides one of the settings.
HOSPITAL_BASED = "hospital_based"
NOT_HOSPITAL_BASED = "not_hospital_based"


class EvidenceKind(StrEnum):
    """Where the answer to an item should come from."""

    POLICY = "policy"
    CHART_AUDIT = "chart_audit"
    INTERVIEW = "interview"
    OBSERVATION = "observation"
    TRACKED_DATA = "tracked_data"

    @property
    def label(self) -> str:
        """Human wording."""
        return self.value.replace("_", " ")


class AnswerKind(StrEnum):
    """How an item is answered."""

    SCALE = "scale"  # anchored 1-5
    CHOICE = "choice"  # labelled choices, each mapped to a score
    PERCENT = "percent"  # share of audited charts, mapped to 1-5 by bands


class Level(StrEnum):
    """Capability level of a domain, lowest first; each domain names them in its own words."""

    NOT_YET_CAPABLE = "not_yet_capable"
    EMERGING = "emerging"
    CAPABLE = "capable"
    ENHANCED = "enhanced"


class ItemStatus(StrEnum):
    """What the responses say about one item."""

    ANSWERED = "answered"
    NOT_APPLICABLE = "not_applicable"
    UNANSWERED = "unanswered"


class NaKind(StrEnum):
    """Why an item is not applicable."""

    RESPONDENT = "respondent"  # answered N/A, with a reason
    SETTING = "setting"  # the item is limited to other settings
    SKIP_LOGIC = "skip_logic"  # an earlier answer makes it not apply


class DomainState(StrEnum):
    """How a domain's result is to be read."""

    RATED = "rated"  # it holds the level its scores give
    CAPPED = "capped"  # a critical finding: not capable until resolved
    INSUFFICIENT_EVIDENCE = "insufficient_evidence"  # too many items unanswered for a level
    NOT_APPLICABLE = "not_applicable"  # no item applies

    @property
    def label(self) -> str:
        """The state in words, as every output shows it where no level is held."""
        return _STATE_LABELS[self]


_STATE_LABELS = {
    DomainState.RATED: "Rated",
    DomainState.CAPPED: "Critical finding: not capable until resolved",
    DomainState.INSUFFICIENT_EVIDENCE: "Insufficient evidence for a level",
    DomainState.NOT_APPLICABLE: "Not applicable to this program",
}


class GapKind(StrEnum):
    """Why an item is on the action plan, in priority order."""

    CRITICAL = "critical"
    BELOW_CAPABLE = "below_capable"
    TOWARDS_ENHANCED = "towards_enhanced"

    @property
    def timeframe(self) -> str:
        """Suggested time frame for acting on a gap of this kind."""
        return _TIMEFRAMES[self]


_TIMEFRAMES = {
    GapKind.CRITICAL: "30 days",
    GapKind.BELOW_CAPABLE: "90 days",
    GapKind.TOWARDS_ENHANCED: "12 months",
}
