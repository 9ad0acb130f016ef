"""The core's rules for showing and exporting a disclosure: pure, no database."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from asylon.procedure import disclosure
from asylon.procedure.refusals import Code
from tests.procedure.personas import dpo, eligibility, monitor, registrar, second_dpo
from tests.procedure.test_guards import OK_RECIPIENT, request

APPROVED_AT = datetime(2026, 11, 3, 9, 0, tzinfo=UTC)
APPROVAL = disclosure.Approval(APPROVED_AT, "a" * 64)
KP = frozenset({"KP"})


def export_codes(d=None, *, approval=APPROVAL, digest="a" * 64, exporter=registrar, now=APPROVED_AT, origins=KP):
    found = disclosure.export_refusals(
        d or request(),
        origins,
        approval=approval,
        content_digest=digest,
        requester_id=registrar.id,
        exporter=exporter,
        now=now,
    )
    return [r.code for r in found]


def test_the_requester_or_a_data_protection_officer_exports_an_approved_unchanged_disclosure():
    assert export_codes() == []
    assert export_codes(exporter=second_dpo) == []


def test_no_one_else_exports_even_with_access_to_the_case():
    assert export_codes(exporter=eligibility) == [Code.ROLE_NOT_PERMITTED]
    assert export_codes(exporter=monitor) == [Code.ROLE_NOT_PERMITTED]


def test_export_is_refused_without_approval():
    assert export_codes(approval=None) == [Code.DISCLOSURE_NOT_APPROVED]


def test_an_approval_holds_for_seven_days_and_not_a_second_longer():
    week = APPROVED_AT + disclosure.APPROVAL_VALID_FOR
    assert export_codes(now=week) == []
    assert export_codes(now=week + timedelta(seconds=1)) == [Code.DISCLOSURE_APPROVAL_EXPIRED]


def test_export_is_refused_when_the_content_differs_from_what_the_approver_saw():
    assert export_codes(digest="b" * 64) == [Code.DISCLOSURE_CONTENT_CHANGED]


def test_export_asks_the_origin_guard_again_whatever_was_approved():
    police = disclosure.Recipient("Border police", disclosure.RecipientKind.AUTHORITY, "CN", frozenset({"KP"}))
    assert export_codes(request(police), exporter=dpo) == [Code.RECIPIENT_SHARES_WITH_COUNTRY_OF_ORIGIN]
    assert export_codes(origins=frozenset({"KP", OK_RECIPIENT.country})) == [Code.RECIPIENT_IN_COUNTRY_OF_ORIGIN]


def test_a_preview_is_shown_to_the_requester_or_a_data_protection_officer_of_an_open_disclosure():
    def codes(*, closed=False, viewer=registrar, recipient=OK_RECIPIENT):
        found = disclosure.preview_refusals(
            request(recipient), KP, closed=closed, requester_id=registrar.id, viewer=viewer
        )
        return [r.code for r in found]

    assert codes() == codes(viewer=second_dpo) == []
    assert codes(viewer=eligibility) == [Code.ROLE_NOT_PERMITTED]
    assert codes(closed=True) == [Code.DISCLOSURE_NOT_APPROVED]
    ministry = disclosure.Recipient("Ministry of State Security", disclosure.RecipientKind.AUTHORITY, "KP")
    assert codes(recipient=ministry, viewer=dpo) == [Code.RECIPIENT_IS_COUNTRY_OF_ORIGIN_AUTHORITY]
