"""API tokens: expiry, revocation and the words a refused token is told, on both stores."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from ledger.application import Ledger
from ledger.errors import (
    AmbiguousTokenError,
    InvalidInputError,
    TokenAlreadyRevokedError,
    TokenExpiredError,
    TokenNotFoundError,
    TokenRevokedError,
    TokenUnknownError,
)
from ledger.token import ApiToken, parse_expiry, token_hash, wib
from storage.log_index import open_ledger
from storage.settings import StoreSettings


def _count(ledger: Ledger) -> int:
    return int(ledger.recorder.max_notification_id() or 0)


def test_a_token_issued_without_an_expiry_lasts_ninety_days(ledger: Ledger) -> None:
    _, token = ledger.issue_token("clerk.cimone", "clerk", actor="test")
    # The expiry is counted from the moment of issue (the event's own time follows it by
    # microseconds).
    assert abs(token.expires_at - token.issued_at - timedelta(days=90)) < timedelta(seconds=1)
    reread = ledger.token(token.id)
    assert reread.expires_at == token.expires_at and reread.expires_at.tzinfo is not None


def test_a_token_is_refused_once_expired_saying_since_when(ledger: Ledger) -> None:
    now = datetime.now(UTC)
    secret, token = ledger.issue_token("bpjs.cimone", "clerk", actor="test",
                                       expires_at=now + timedelta(hours=1))
    assert ledger.authenticate(secret, now=now + timedelta(minutes=59)).id == token.id
    with pytest.raises(TokenExpiredError) as refused:
        ledger.authenticate(secret, now=now + timedelta(hours=1))
    assert f"expired at {wib(token.expires_at)}" in refused.value.message


def test_times_are_told_in_wib() -> None:
    assert wib(datetime(2026, 3, 2, 7, 5, tzinfo=UTC)) == "2026-03-02 14:05 WIB"


def test_a_revocation_by_another_process_refuses_the_token_at_once(
    store_settings: StoreSettings,
) -> None:
    serving, admin = open_ledger(store_settings), open_ledger(store_settings)
    try:
        secret, token = admin.issue_token("finance.kota", "finance", actor="test")
        # The serving process has the token in its aggregate cache from an earlier request.
        assert serving.authenticate(secret).name == "finance.kota"
        assert serving.authenticate(secret).name == "finance.kota"
        admin.revoke_token(token.id, "laptop stolen on 2 March", actor="admin.dinsos")
        with pytest.raises(TokenRevokedError) as refused:
            serving.authenticate(secret)
        assert "revoked at" in refused.value.message and "WIB" in refused.value.message
    finally:
        serving.close()
        admin.close()


def test_a_token_the_ledger_never_issued_is_refused_as_unknown(ledger: Ledger) -> None:
    for secret in ("clt_forged", "not-even-a-token", ""):
        with pytest.raises(TokenUnknownError) as refused:
            ledger.authenticate(secret)
        assert "not known to the ledger" in refused.value.message


def test_a_token_issued_before_expiries_were_recorded_expires_ninety_days_after_issue(
    store_settings: StoreSettings,
) -> None:
    old = open_ledger(store_settings)
    try:
        secret = "clt_issued-by-an-older-version"
        token = ApiToken(hashed=token_hash(secret), name="legacy.system", role="clerk",
                         actor="cli")
        # Record the Issued event as earlier versions did: without an expires_at attribute.
        [issued] = token.pending_events
        del issued.__dict__["expires_at"]
        old.save(token)
        [stored] = old.recorder.select_events(token.id)
        assert "expires_at" not in old.mapper.to_domain_event(stored).__dict__
    finally:
        old.close()
    new = open_ledger(store_settings)
    try:
        reread = new.token(token.id)
        assert reread.expires_at == reread.issued_at + timedelta(days=90)
        assert new.authenticate(secret).name == "legacy.system"
        with pytest.raises(TokenExpiredError):
            new.authenticate(secret, now=reread.issued_at + timedelta(days=90, seconds=1))
    finally:
        new.close()


def test_revoking_twice_is_refused_saying_when_and_by_whom(ledger: Ledger) -> None:
    _, token = ledger.issue_token("approver.one", "approver", actor="test")
    revoked = ledger.revoke_token("approver.one", "left the office", actor="admin.dinsos")
    assert revoked.revoked_by == "admin.dinsos" and revoked.revoked_reason == "left the office"
    assert revoked.revoked_at is not None and revoked.status(datetime.now(UTC)) == "revoked"
    before = _count(ledger)
    with pytest.raises(TokenAlreadyRevokedError) as refused:
        ledger.revoke_token(token.id, "again", actor="admin.dinsos")
    assert "already revoked" in refused.value.message and "admin.dinsos" in refused.value.message
    assert _count(ledger) == before


@pytest.mark.parametrize("reason", ["", "   ", "x" * 501])
def test_a_revocation_without_a_reason_is_refused_and_nothing_is_recorded(
    ledger: Ledger, reason: str,
) -> None:
    _, token = ledger.issue_token("clerk.one", "clerk", actor="test")
    before = _count(ledger)
    with pytest.raises(InvalidInputError, match="say why"):
        ledger.revoke_token(token.id, reason, actor="admin")
    assert _count(ledger) == before and not ledger.token(token.id).revoked


@pytest.mark.parametrize("offset", [timedelta(seconds=-1), timedelta(days=732)])
def test_an_expiry_in_the_past_or_beyond_two_years_is_refused_and_nothing_is_recorded(
    ledger: Ledger, offset: timedelta,
) -> None:
    before = _count(ledger)
    with pytest.raises(InvalidInputError) as refused:
        ledger.issue_token("clerk.one", "clerk", actor="test",
                           expires_at=datetime.now(UTC) + offset)
    assert refused.value.field == "expires"
    assert _count(ledger) == before


def test_an_expiry_is_read_as_days_or_as_the_last_valid_day_in_wib() -> None:
    now = datetime(2026, 3, 2, 5, 0, tzinfo=UTC)  # 12:00 WIB
    assert parse_expiry("30", now) == now + timedelta(days=30)
    # Valid through 30 June 2026 in WIB: until midnight WIB, 17:00 UTC that day.
    assert parse_expiry("2026-06-30", now) == datetime(2026, 6, 30, 17, 0, tzinfo=UTC)
    assert parse_expiry(" 2026-03-02 ", now) == datetime(2026, 3, 2, 17, 0, tzinfo=UTC)
    for bad, words in (("0", "1 to 730 days"), ("731", "1 to 730 days"),
                       ("2026-03-01", "has passed"), ("2026-02-30", "number of days"),
                       ("next month", "number of days"), ("2029-01-01", "at most 730 days"),
                       ("-5", "number of days")):
        with pytest.raises(InvalidInputError, match=words):
            parse_expiry(bad, now)
    assert date(2026, 6, 30)  # the docstring's example day exists


def test_an_operator_names_a_token_by_name_or_id_and_a_shared_name_needs_the_id(
    ledger: Ledger,
) -> None:
    _, first = ledger.issue_token("bpjs.cikokol", "clerk", actor="test")
    ledger.revoke_token(first.id, "rotated", actor="admin")
    _, second = ledger.issue_token("bpjs.cikokol", "clerk", actor="test")
    # The revoked one is passed over: the active token of that name is meant.
    assert ledger.find_token("bpjs.cikokol").id == second.id
    assert ledger.find_token(str(second.id)[:8]).id == second.id
    _, third = ledger.issue_token("bpjs.cikokol", "clerk", actor="test")
    with pytest.raises(AmbiguousTokenError) as refused:
        ledger.revoke_token("bpjs.cikokol", "rotated", actor="admin")
    assert str(second.id)[:8] in refused.value.message and str(third.id)[:8] in \
        refused.value.message
    with pytest.raises(TokenNotFoundError):
        ledger.find_token("nobody.here")
    assert [t.id for t in ledger.tokens()] == [first.id, second.id, third.id]
