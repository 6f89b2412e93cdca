"""The one error tree of the ledger.

Every rule the ledger enforces raises a subclass of :class:`LedgerError`. Each class names the rule
(``rule``) and says what was wrong in plain words (``str(error)``), so the command line and the
HTTP layer can show it to a clerk as it is. ``api/errors.py`` maps the branches of this tree onto
HTTP statuses; the branch tells the kind of failure:

- :class:`InvalidInputError`: a value is malformed (a 15-digit NIK, a month written "13/2025").
- :class:`NotFoundError`: the thing named does not exist.
- :class:`RuleViolationError`: the input is well formed but a business rule refuses it.
- :class:`ConflictError`: somebody else changed the same record at the same moment.
- :class:`StoreError`: the database is missing or not initialised.
- :class:`TokenRefusedError`: the API token presented is unknown, expired or revoked.
"""

from __future__ import annotations


class LedgerError(Exception):
    """Base of every refusal the ledger raises."""

    rule: str = "ledger"

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.field = field


# -- malformed input -----------------------------------------------------------------------------


class InvalidInputError(LedgerError):
    """A value does not have the form the ledger needs."""

    rule = "invalid-input"


class InvisibleCharacterError(InvalidInputError):
    """A name holding a character that prints nothing or reorders what is printed."""

    rule = "invisible-characters"


# -- not found ------------------------------------------------------------------------------------


class NotFoundError(LedgerError):
    """The programme, member, incident, claim or ceremony named does not exist."""

    rule = "not-found"


class ProgrammeNotFoundError(NotFoundError):
    rule = "programme-not-found"


class EnrolmentNotFoundError(NotFoundError):
    rule = "enrolment-not-found"


class IncidentNotFoundError(NotFoundError):
    rule = "incident-not-found"


class ClaimNotFoundError(NotFoundError):
    rule = "claim-not-found"


class ContributionNotFoundError(NotFoundError):
    rule = "contribution-not-found"


class HandoverNotFoundError(NotFoundError):
    rule = "handover-not-found"


class TokenNotFoundError(NotFoundError):
    rule = "token-not-found"


# -- business rules -------------------------------------------------------------------------------


class RuleViolationError(LedgerError):
    """Well-formed input that a rule of the programme refuses."""

    rule = "rule-violation"


class ProgrammeExistsError(RuleViolationError):
    rule = "programme-exists"


class ProgrammeClosedError(RuleViolationError):
    rule = "programme-closed"


class BenefitNotInProgrammeError(RuleViolationError):
    rule = "benefit-not-in-programme"


class NotEligibleError(RuleViolationError):
    """Domicile, decile, occupation, branch or date outside what the programme allows."""

    rule = "not-eligible"


class AlreadyCoveredError(RuleViolationError):
    """The NIK already has an active coverage (in any programme of any funder)."""

    rule = "nik-already-covered"


class ExcludedByBpjsError(RuleViolationError):
    rule = "excluded-by-bpjs"


class DeceasedError(RuleViolationError):
    rule = "recorded-as-deceased"


class DuplicateInBatchError(RuleViolationError):
    rule = "duplicate-in-batch"


class CoverageEndedError(RuleViolationError):
    rule = "coverage-ended"


class ContributionAmountError(RuleViolationError):
    """The amount is not members x rate x months exactly."""

    rule = "contribution-amount-mismatch"


class ContributionMembersError(RuleViolationError):
    rule = "contribution-members-invalid"


class DuplicatePaymentOrderError(RuleViolationError):
    rule = "duplicate-payment-order"


class IdentityCheckMembersError(RuleViolationError):
    rule = "identity-check-members-invalid"


class DuplicateIdentityCheckError(RuleViolationError):
    rule = "duplicate-identity-check"


class BudgetExceededError(RuleViolationError):
    rule = "budget-exceeded"


class AlreadyReversedError(RuleViolationError):
    rule = "already-reversed"


class IncidentBeforeEnrolmentError(RuleViolationError):
    rule = "incident-before-enrolment"


class IncidentAfterDeathError(RuleViolationError):
    rule = "incident-after-death"


class NotCoveredError(RuleViolationError):
    rule = "not-covered"


class BenefitNotApplicableError(RuleViolationError):
    """The benefit does not fit the incident (e.g. JKM for a death caused by work)."""

    rule = "benefit-not-applicable"


class DuplicateDeathBenefitError(RuleViolationError):
    """One death is paid as JKK or JKM, never both (nor twice)."""

    rule = "one-death-one-benefit"


class ClaimExpiredError(RuleViolationError):
    rule = "claim-expired"


class ExcludedCauseError(RuleViolationError):
    rule = "excluded-cause-of-death"


class ClaimStateError(RuleViolationError):
    """The claim is not in a state that allows this step (e.g. approving a rejected claim)."""

    rule = "claim-state"


class FourEyesError(RuleViolationError):
    rule = "four-eyes"


class PayoutExceedsApprovedError(RuleViolationError):
    rule = "payout-exceeds-approved"


class HandoverClaimNotApprovedError(RuleViolationError):
    rule = "handover-claim-not-approved"


class TokenAlreadyRevokedError(RuleViolationError):
    rule = "token-already-revoked"


class AmbiguousTokenError(RuleViolationError):
    """A name shared by several active tokens: the one meant must be named by its id."""

    rule = "token-ambiguous"


# -- benefit rules by date, scholarships, the JKK schedule (docs/domain.md section 4) -----------


class InvalidRuleBookError(InvalidInputError):
    """Dated rule sets that cannot form one book: overlapping periods, a version twice, a test
    set among the real ones. Reference data is wrong; no claim is decided on it."""

    rule = "invalid-rule-book"


class NoRuleSetInForceError(RuleViolationError):
    """No benefit rule set is in force on the date asked (before the first, or in a gap)."""

    rule = "no-rule-set-in-force"


class ScholarshipNotGrantedError(RuleViolationError):
    """The death does not give the heirs' children a scholarship (a JKM death before 3 years of
    membership, a death before the scholarship began)."""

    rule = "scholarship-not-granted"


class ScholarshipChildLimitError(RuleViolationError):
    """The scholarship is paid for at most two children of the deceased."""

    rule = "scholarship-child-limit"


class ScholarshipChildUnknownError(RuleViolationError):
    """A school year claimed for a child the entitlement does not name."""

    rule = "scholarship-child-unknown"


class ScholarshipYearClaimedError(RuleViolationError):
    """The child's school year is already claimed."""

    rule = "scholarship-year-already-claimed"


class SchoolLevelOrderError(RuleViolationError):
    """A school level out of order: a child does not go back from SMA to SMP."""

    rule = "school-level-out-of-order"


class SchoolLevelYearsUsedError(RuleViolationError):
    """Every year the level allows (TK-SD 8, SMP 3, SMA 3, university 5) has been claimed."""

    rule = "school-level-years-used"


class ChildNoLongerEligibleError(RuleViolationError):
    """The child turned 23, married or started work before the school year began, or the
    school year ended before the death."""

    rule = "child-no-longer-eligible"


class HomeCarePeriodError(RuleViolationError):
    """Home care is paid for one year at most from its first day."""

    rule = "home-care-period"


class DuplicateReceiptError(RuleViolationError):
    """The same receipt (by its SHA-256) is listed twice in one reimbursement."""

    rule = "duplicate-receipt"


# -- the journal's formats: signed notes, checkpoints, cosignatures, policies, proofs -----------


class MalformedNoteError(InvalidInputError):
    """A signed note, key, checkpoint, witness request, policy or proof that does not parse
    (C2SP signed-note, tlog-checkpoint, tlog-witness, tlog-policy, tlog-proof)."""

    rule = "malformed-note"


class UnverifiedNoteError(RuleViolationError):
    """No signature of a trusted key is on the note: its text must be ignored."""

    rule = "note-unverified"


class NoteSignatureInvalidError(RuleViolationError):
    """A signature line names a trusted key (name and key ID) but does not verify."""

    rule = "note-signature-invalid"


# -- API tokens presented -------------------------------------------------------------------------


class TokenRefusedError(LedgerError):
    """The token presented does not (or no longer) speak for anyone."""

    rule = "token-refused"


class TokenUnknownError(TokenRefusedError):
    rule = "token-unknown"


class TokenExpiredError(TokenRefusedError):
    rule = "token-expired"


class TokenRevokedError(TokenRefusedError):
    rule = "token-revoked"


# -- concurrency and storage ----------------------------------------------------------------------


class ConflictError(LedgerError):
    """Another writer changed the same record first; nothing of this request was recorded."""

    rule = "concurrent-update"


class StaleVersionError(ConflictError):
    """The client changed a record based on an older version than the one stored (If-Match)."""

    rule = "stale-version"


class StoreError(LedgerError):
    rule = "store"


class StoreUnavailableError(StoreError):
    rule = "store-unavailable"


class StoreNotInitialisedError(StoreError):
    rule = "store-not-initialised"


class ConfigurationError(StoreError):
    rule = "configuration"


class ProjectionStoppedError(StoreError):
    """A read model cannot apply an event of the log (a value no table can hold, or a database
    error on apply): the projections stop before it, nothing after it is applied, and the
    message names the projection, the position and the reason. The log itself is intact."""

    rule = "projection-stopped"

    def __init__(self, message: str, *, projection: str, position: int, event: str,
                 reason: str) -> None:
        super().__init__(message)
        self.projection = projection
        self.position = position
        self.event = event
        self.reason = reason
        #: Whether the projector already logged it (it logs a failure when it first records it).
        self.logged = False


# -- the clock -------------------------------------------------------------------------------------


class ClockBackwardsError(RuleViolationError):
    """A clock reading earlier than the last recorded event: recorded times never go backwards."""

    rule = "clock-backwards"


class NothingRecordedYetError(InvalidInputError):
    """A recorded cut-off earlier than the ledger's first event: it knew nothing yet then."""

    rule = "nothing-recorded-yet"
