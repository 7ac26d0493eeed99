"""Batched issuance for registrars' bulk jobs (``credentials.batch``).

Every credential issued here is also checked at the end of the session by
third-party verifiers (``tests/issued_credentials.py``).
"""

from __future__ import annotations

import datetime as dt
import threading
from collections import Counter
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied
from django.db import connection
from openbadgeslib.ob3.ldp import OB3LdpVerifier

from credentials import policies, services
from credentials.batch import IssueRequest, credentials_issue_batch
from credentials.models import STATUS_LIST_SIZE, Credential, StatusList
from credentials.policies import CredentialRefused
from microcred.models import AuditEntry
from microcred.roles import Role
from tests import factories
from tests.assessments import factories as af
from tests.credentials.fixtures import issue
from tests.credentials.js_verifier import verify_with_digitalbazaar

AWARDED = dt.datetime(2025, 6, 2, 14, 0, tzinfo=dt.UTC)


def an_achievement(course, *, valid_for_months: int | None = None):
    af.mixed_summative(course, with_project=False)
    achievement = services.achievement_for_course(course)
    if valid_for_months is not None:
        achievement.valid_for_months = valid_for_months
        achievement.save(update_fields=["valid_for_months"])
    return achievement


def learners(count: int, *, prefix: str = "graduate") -> list:
    return [
        factories.UserFactory(
            email=f"{prefix}{n}@example.org", legal_name=f"Graduate {n}"
        )
        for n in range(count)
    ]


def requests_for(people, achievement, **kwargs: Any) -> list[IssueRequest]:
    values = {"awarded_at": AWARDED, "route": "recognised"} | kwargs
    return [
        IssueRequest(
            learner_id=person.pk,
            achievement_id=achievement.pk,
            recipient_name=f"  {person.legal_name}  ",
            **values,
        )
        for person in people
    ]


def status_documents(credential: Credential) -> dict:
    status_list = StatusList.objects.get(pk=credential.status_list_id)
    return {status_list.document["id"]: status_list.document}


@pytest.mark.django_db
class TestBatch:
    def test_a_batch_issues_signed_credentials_that_third_party_verifiers_accept(
        self, registrar, course, django_capture_on_commit_callbacks
    ):
        achievement = an_achievement(course)
        people = learners(3)

        with django_capture_on_commit_callbacks() as callbacks:
            outcomes = credentials_issue_batch(
                requests_for(people, achievement), actor=registrar
            )

        assert callbacks == []  # no PDF task queued: the bulk job queues its own
        assert [o.created for o in outcomes] == [True, True, True]
        credentials = {c.pk: c for c in Credential.objects.all()}
        assert set(credentials) == {o.credential_id for o in outcomes}
        for outcome, person in zip(outcomes, people, strict=True):
            credential = credentials[outcome.credential_id]
            assert credential.learner == person
            assert credential.recipient_name == person.legal_name
            assert credential.route == "recognised"
            assert not credential.pdf
            assert credential.pdf_rendered_at is None
            document = credential.document
            assert (
                document["id"].endswith(f"/{credential.pk}/")
                or str(credential.pk) in (document["id"])
            )
            subject = document["credentialSubject"]
            assert subject["identifier"][0]["identityHash"] == (
                policies.identity_hash(person.email, subject["identifier"][0]["salt"])
            )
            assert document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
            verdict = verify_with_digitalbazaar(document, status_documents(credential))
            assert verdict["verified"], verdict
            assert not verdict["status"]["revoked"]
            issuer = document["issuer"]["id"]
            assert OB3LdpVerifier.for_issuer_did(issuer).verify(document) is not None

    def test_each_issued_credential_has_a_bulk_audit_entry_naming_the_registrar(
        self, registrar, course
    ):
        achievement = an_achievement(course)

        outcomes = credentials_issue_batch(
            requests_for(learners(2), achievement), actor=registrar
        )

        entries = AuditEntry.objects.filter(action="credential.issue")
        assert {e.object_id for e in entries} == {
            str(o.credential_id) for o in outcomes
        }
        for entry in entries:
            assert entry.actor == registrar
            assert entry.details["bulk"] is True
            assert entry.details["route"] == "recognised"

    def test_running_the_same_batch_twice_issues_nothing_the_second_time(
        self, registrar, course
    ):
        achievement = an_achievement(course)
        batch = requests_for(learners(4), achievement)
        first = credentials_issue_batch(batch, actor=registrar)
        used = StatusList.objects.get().next_index

        second = credentials_issue_batch(batch, actor=registrar)

        assert [o.credential_id for o in second] == [o.credential_id for o in first]
        assert not any(o.created for o in second)
        assert Credential.objects.count() == 4
        assert AuditEntry.objects.filter(action="credential.issue").count() == 4
        assert StatusList.objects.get().next_index == used

    def test_a_learner_who_already_holds_it_is_answered_with_that_credential(
        self, registrar, course
    ):
        achievement = an_achievement(course)
        people = learners(3)
        held = issue(people[1], course)

        outcomes = credentials_issue_batch(
            requests_for(people, achievement), actor=registrar
        )

        assert [o.created for o in outcomes] == [True, False, True]
        assert outcomes[1].credential_id == held.pk
        assert Credential.objects.filter(learner=people[1]).count() == 1

    def test_a_revoked_credential_counts_as_held_and_a_superseded_one_does_not(
        self, registrar, course
    ):
        achievement = an_achievement(course)
        revoked_holder, corrected_holder = learners(2)
        revoked = issue(revoked_holder, course)
        services.credential_revoke(
            credential_id=revoked.pk, actor=registrar, reason="Issued in error."
        )
        corrected = issue(corrected_holder, course)
        correction = services.credential_name_correction_request(
            credential_id=corrected.pk,
            learner=corrected_holder,
            requested_name="Grace B. Hopper",
            reason="Typo.",
        )
        services.credential_name_correction_decide(
            correction_id=correction.pk, actor=registrar, approve=True
        )
        corrected.refresh_from_db()

        outcomes = credentials_issue_batch(
            requests_for([revoked_holder, corrected_holder], achievement),
            actor=registrar,
        )

        assert [o.created for o in outcomes] == [False, False]
        assert outcomes[0].credential_id == revoked.pk
        assert outcomes[1].credential_id == corrected.superseded_by_id

    def test_a_request_repeated_in_the_batch_is_issued_once(self, registrar, course):
        achievement = an_achievement(course)
        person = learners(1)[0]
        batch = requests_for([person, person], achievement)

        outcomes = credentials_issue_batch(batch, actor=registrar)

        assert [o.created for o in outcomes] == [True, False]
        assert outcomes[0].credential_id == outcomes[1].credential_id
        assert Credential.objects.count() == 1

    def test_status_entries_are_consecutive_and_distinct(self, registrar, course):
        achievement = an_achievement(course)
        issue(learners(1, prefix="earlier")[0], course)  # takes index 0

        outcomes = credentials_issue_batch(
            requests_for(learners(5), achievement), actor=registrar
        )

        indexes = [
            Credential.objects.get(pk=o.credential_id).status_index for o in outcomes
        ]
        assert indexes == [1, 2, 3, 4, 5]
        assert StatusList.objects.get().next_index == 6

    def test_a_batch_that_fills_the_status_list_continues_in_a_new_signed_list(
        self, registrar, course
    ):
        achievement = an_achievement(course)
        issue(learners(1, prefix="earlier")[0], course)
        first_list = StatusList.objects.get()
        # 131,072 entries cannot be used up by issuing in a test: the list is
        # moved to its last two free entries, as if they had been issued.
        StatusList.objects.filter(pk=first_list.pk).update(
            next_index=STATUS_LIST_SIZE - 2
        )

        outcomes = credentials_issue_batch(
            requests_for(learners(5), achievement), actor=registrar
        )

        entries = [
            Credential.objects.filter(pk=o.credential_id)
            .values_list("status_list_id", "status_index")
            .get()
            for o in outcomes
        ]
        second_list = StatusList.objects.exclude(pk=first_list.pk).get()
        assert entries == [
            (first_list.pk, STATUS_LIST_SIZE - 2),
            (first_list.pk, STATUS_LIST_SIZE - 1),
            (second_list.pk, 0),
            (second_list.pk, 1),
            (second_list.pk, 2),
        ]
        first_list.refresh_from_db()
        second_list.refresh_from_db()
        assert first_list.next_index == STATUS_LIST_SIZE
        assert second_list.next_index == 3
        assert second_list.issuer_id == first_list.issuer_id
        assert second_list.document["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
        last = Credential.objects.get(pk=outcomes[-1].credential_id)
        verdict = verify_with_digitalbazaar(last.document, status_documents(last))
        assert verdict["verified"], verdict

    @pytest.mark.parametrize("size", [10, 200])
    def test_the_number_of_queries_does_not_grow_with_the_batch(
        self, registrar, course, django_assert_max_num_queries, size
    ):
        achievement = an_achievement(course)
        batch = requests_for(learners(size), achievement)
        issue(learners(1, prefix="earlier")[0], course)  # the key and list exist

        # 14 statements, plus the savepoint pair of signing_key_ensure's atomic
        # block (inside the test's transaction; BEGIN/COMMIT outside one).
        with django_assert_max_num_queries(16):
            outcomes = credentials_issue_batch(batch, actor=registrar)

        assert sum(o.created for o in outcomes) == size
        with django_assert_max_num_queries(6):
            again = credentials_issue_batch(batch, actor=registrar)
        assert not any(o.created for o in again)

    def test_a_back_dated_award_keeps_its_date_and_the_achievements_validity(
        self, registrar, course
    ):
        achievement = an_achievement(course, valid_for_months=24)
        earlier = dt.datetime(2024, 1, 31, 9, 30, tzinfo=dt.UTC)
        later = dt.datetime(2025, 3, 15, 16, 0, tzinfo=dt.UTC)
        first, second = learners(2)
        batch = requests_for([first], achievement, awarded_at=earlier) + (
            requests_for([second], achievement, awarded_at=later)
        )

        outcomes = credentials_issue_batch(batch, actor=registrar)

        one, two = (Credential.objects.get(pk=o.credential_id) for o in outcomes)
        assert one.awarded_at == earlier
        assert one.valid_from == earlier
        assert one.valid_until == dt.datetime(2026, 1, 31, 9, 30, tzinfo=dt.UTC)
        assert two.awarded_at == later
        assert two.valid_until == dt.datetime(2027, 3, 15, 16, 0, tzinfo=dt.UTC)
        assert one.document["awardedDate"] == "2024-01-31T09:30:00Z"
        assert one.document["validFrom"] == "2024-01-31T09:30:00Z"
        assert one.document["validUntil"] == "2026-01-31T09:30:00Z"

    def test_an_expiry_given_in_the_request_wins_over_the_achievements_policy(
        self, registrar, course
    ):
        achievement = an_achievement(course, valid_for_months=24)
        expiry = dt.datetime(2025, 12, 31, 23, 0, tzinfo=dt.UTC)

        (outcome,) = credentials_issue_batch(
            requests_for(learners(1), achievement, valid_until=expiry),
            actor=registrar,
        )

        credential = Credential.objects.get(pk=outcome.credential_id)
        assert credential.valid_until == expiry
        assert credential.document["validUntil"] == "2025-12-31T23:00:00Z"

    def test_the_evidence_narrative_and_url_are_in_the_signed_evidence(
        self, registrar, course
    ):
        achievement = an_achievement(course)
        with_evidence, without = learners(2)
        batch = requests_for(
            [with_evidence],
            achievement,
            route="plar",
            evidence_narrative="Portfolio\x0c reviewed by the programme panel.",
            evidence_url="https://records.example.org/portfolio/42",
        ) + requests_for([without], achievement)

        outcomes = credentials_issue_batch(batch, actor=registrar)

        first, second = (
            Credential.objects.get(pk=o.credential_id).document["evidence"][0]
            for o in outcomes
        )
        assert first["name"] == (
            "Summative assessment (prior learning assessment route)"
        )
        assert first["narrative"].startswith(
            "Portfolio reviewed by the programme panel."
        )
        assert "https://records.example.org/portfolio/42" in first["narrative"]
        assert second["name"] == "Recognised from a record held elsewhere"
        assert second["narrative"] == (
            "Issued by the registrar from an institutional record."
        )

    def test_someone_who_is_not_a_registrar_is_refused(self, instructor, course):
        achievement = an_achievement(course)

        with pytest.raises(PermissionDenied):
            credentials_issue_batch(
                requests_for(learners(1), achievement), actor=instructor
            )

        assert not Credential.objects.exists()

    @pytest.mark.parametrize(
        ("change", "code"),
        [
            ({"learner_id": 0}, "no_learner"),
            ({"achievement_id": 0}, "no_achievement"),
            ({"route": "osmosis"}, "bad_route"),
            ({"recipient_name": "   "}, "name_required"),
            ({"awarded_at": dt.datetime(2025, 6, 2, 14, 0)}, "naive_datetime"),  # noqa: DTZ001
            ({"valid_until": AWARDED}, "expiry_before_issue"),
            ({"period": 0}, "bad_period"),
        ],
    )
    def test_one_bad_request_refuses_the_batch_naming_it_and_nothing_is_written(
        self, registrar, course, change, code
    ):
        achievement = an_achievement(course)
        good, bad = requests_for(learners(2), achievement)
        bad = IssueRequest(**(bad.__dict__ | change))

        with pytest.raises(CredentialRefused) as refused:
            credentials_issue_batch([good, bad], actor=registrar)

        assert refused.value.code == code
        assert "Request 2" in refused.value.message
        assert not Credential.objects.exists()
        assert not StatusList.objects.exists()

    def test_an_empty_batch_issues_nothing(self, registrar):
        assert credentials_issue_batch([], actor=registrar) == []


# --- two batches at once, on two real PostgreSQL connections -------------------


def race(calls) -> list[Any]:
    """Run each call in its own thread (own connection) at once."""
    barrier = threading.Barrier(len(calls))
    outcomes: list[Any] = [None] * len(calls)

    def run(position: int, call) -> None:
        try:
            barrier.wait(timeout=10)
            outcomes[position] = call()
        except Exception as error:  # noqa: BLE001 - reported to the test
            outcomes[position] = error
        finally:
            connection.close()

    threads = [
        threading.Thread(target=run, args=(position, call))
        for position, call in enumerate(calls)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    return outcomes


@pytest.mark.django_db(transaction=True)
def test_two_overlapping_batches_at_once_issue_each_credential_once():
    registrar = factories.StaffFactory(
        email="race-registrar@example.org", role=Role.REGISTRAR
    )
    course = factories.MicrocredentialFactory()
    achievement = an_achievement(course)
    people = learners(30, prefix="racer")
    issue(learners(1, prefix="earlier")[0], course)  # one list for both to share
    first_batch = requests_for(people[:20], achievement)
    second_batch = requests_for(people[10:], achievement)  # 10 in both

    results = race(
        [
            lambda: credentials_issue_batch(first_batch, actor=registrar),
            lambda: credentials_issue_batch(second_batch, actor=registrar),
        ]
    )

    assert not [r for r in results if isinstance(r, BaseException)], results
    credentials = list(Credential.objects.filter(learner__in=people))
    assert len(credentials) == 30
    assert len({(c.learner_id, c.achievement_id, c.period) for c in credentials}) == 30
    entries = set(Credential.objects.values_list("status_list_id", "status_index"))
    assert len(entries) == 31
    assert StatusList.objects.count() == 1
    by_learner = {c.learner_id: c.pk for c in credentials}
    created = Counter()
    for outcomes in results:
        for outcome in outcomes:
            assert outcome.credential_id == by_learner[outcome.request.learner_id]
            created[outcome.request.learner_id] += outcome.created
    assert all(created[person.pk] == 1 for person in people), created
    assert AuditEntry.objects.filter(action="credential.issue").count() == 31
