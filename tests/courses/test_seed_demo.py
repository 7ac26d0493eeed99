"""``manage.py seed_demo``: the demo institution that ``make run`` loads."""

import datetime as dt
import io

import pytest
from allauth.account.models import EmailAddress
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from assessments import demo_content as assessment_demo
from assessments import selectors as assessment_selectors
from assessments.models import (
    Answer,
    Assessment,
    AssessmentKind,
    Attempt,
    Criterion,
    GradingEvent,
    Level,
    Option,
    Rubric,
)
from assessments.models import Item as AssessmentItem
from assessments.models import ItemKind as AssessmentItemKind
from assessments.staff_forms import item_problems, option_problems
from courses import demo_content as demo
from courses import policies, selectors, services
from courses.management.commands.seed_demo import add_months
from courses.models import (
    ContentItem,
    CourseStatus,
    Enrolment,
    ItemKind,
    ItemProgress,
    LearningOutcome,
    Microcredential,
    Module,
    Offering,
    Pathway,
    PathwayMembership,
    Reflection,
    ScenarioChoice,
)
from courses.models import Testimonial as CourseTestimonial
from credentials.models import Credential, SigningKey, StatusList
from microcred.models import AuditEntry, User
from microcred.roles import Role
from plar.models import PlarRequest, RequestEvent

pytestmark = pytest.mark.django_db

COUNTED = (
    User,
    EmailAddress,
    Microcredential,
    LearningOutcome,
    Module,
    ContentItem,
    ScenarioChoice,
    Pathway,
    PathwayMembership,
    Offering,
    Enrolment,
    ItemProgress,
    Reflection,
    CourseTestimonial,
    AuditEntry,
    Assessment,
    AssessmentItem,
    Option,
    Rubric,
    Criterion,
    Level,
    Attempt,
    Answer,
    GradingEvent,
    Credential,
    SigningKey,
    StatusList,
    PlarRequest,
    RequestEvent,
)


@pytest.fixture(autouse=True)
def media_root(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def seed() -> str:
    out = io.StringIO()
    call_command("seed_demo", stdout=out, no_color=True)
    return out.getvalue()


def snapshot() -> dict:
    return {
        "counts": {model._meta.label: model.objects.count() for model in COUNTED},
        "courses": list(
            Microcredential.objects.order_by("code").values_list(
                "code", "status", "updated_at", "published_at", "next_review_on"
            )
        ),
        "offerings": list(
            Offering.objects.order_by("pk").values_list(
                "label", "starts_on", "registration_closes_at", "is_open"
            )
        ),
        "passwords": dict(User.objects.values_list("email", "password")),
        "progress": list(
            ItemProgress.objects.order_by("pk").values_list("item_id", "completed_at")
        ),
        "assessments": list(
            Assessment.objects.order_by("pk").values_list("pk", "updated_at")
        ),
        "item_outcomes": sorted(
            AssessmentItem.outcomes.through.objects.values_list(
                "item_id", "learningoutcome_id"
            )
        ),
        "attempts": list(
            Attempt.objects.order_by("pk").values_list("pk", "status", "submitted_at")
        ),
        "credentials": list(
            Credential.objects.order_by("pk").values_list(
                "pk", "status", "revoked_at", "pdf", "pdf_rendered_at"
            )
        ),
        "status_lists": list(
            StatusList.objects.order_by("pk").values_list("pk", "version")
        ),
    }


def test_a_second_run_creates_nothing_changes_nothing_and_sends_nothing(
    django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        seed()
    first = snapshot()
    # One confirmation per demo registration (5), one e-mail per released
    # feedback (the demo learner's 2 finished courses), one per PLAR status
    # change (learner2 submitted; candidate submitted, under review, approved).
    assert len(mailoutbox) == 11

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        output = seed()

    assert snapshot() == first
    assert callbacks == []
    assert len(mailoutbox) == 11
    assert "nothing changed" in output


def test_every_published_demo_course_passes_the_publishing_rules():
    seed()
    published = Microcredential.objects.published()
    assert published.count() >= 4
    for course in published:
        decision = policies.publish_decision(selectors.publish_facts(course))
        assert decision.allowed, (course.code, decision.problems)


def test_publishing_went_through_review_by_the_administrator():
    seed()
    admin = User.objects.get(email=f"admin@{demo.DEMO_EMAIL_DOMAIN}")
    for course in Microcredential.objects.published():
        actions = list(
            AuditEntry.objects.filter(
                object_type="courses.microcredential", object_id=str(course.pk)
            )
            .order_by("at", "pk")
            .values_list("action", "actor")
        )
        assert actions == [
            ("course.in_review", admin.pk),
            ("course.published", admin.pk),
        ]


def test_the_draft_course_is_hidden_from_the_catalog():
    seed()
    drafts = Microcredential.objects.filter(status=CourseStatus.DRAFT)
    assert drafts.count() == 1
    catalog = selectors.catalog_list(selectors.CatalogFilters())
    assert drafts.get().pk not in {course.pk for course in catalog}
    assert {course.code for course in catalog} == set(
        Microcredential.objects.published().values_list("code", flat=True)
    )


def test_demo_accounts_log_in_with_the_printed_password(client):
    output = seed()
    assert demo.DEMO_PASSWORD in output
    for account in demo.ACCOUNTS:
        assert account.email in output
        assert client.login(email=account.email, password=demo.DEMO_PASSWORD)
        client.logout()
        address = EmailAddress.objects.get(email=account.email)
        assert address.verified
        assert address.primary


def test_demo_staff_have_their_roles_and_learners_have_none():
    seed()

    def user(local: str) -> User:
        return User.objects.get(email=f"{local}@{demo.DEMO_EMAIL_DOMAIN}")

    learner = user("learner")
    assert not learner.is_staff
    assert not learner.groups.exists()
    for local, role in (
        ("instructor", Role.INSTRUCTOR),
        ("instructor2", Role.INSTRUCTOR),
        ("registrar", Role.REGISTRAR),
        ("admin", Role.ADMIN),
    ):
        staff = user(local)
        assert staff.is_staff
        assert staff.groups.filter(name=role.value).exists()
    assert user("admin").is_superuser
    assert not user("instructor").is_superuser

    first = set(user("instructor").owned_courses.values_list("code", flat=True))
    second = set(user("instructor2").owned_courses.values_list("code", flat=True))
    assert len(first) == 3
    assert second
    assert not first & second


def test_a_changed_password_is_reset_to_the_printed_one():
    seed()
    learner = User.objects.get(email=f"learner@{demo.DEMO_EMAIL_DOMAIN}")
    learner.set_password("something-else-entirely")
    learner.save()

    seed()

    learner.refresh_from_db()
    assert learner.check_password(demo.DEMO_PASSWORD)


def test_the_demo_learner_has_two_active_enrolments_with_progress():
    seed()
    learner = User.objects.get(email=f"learner@{demo.DEMO_EMAIL_DOMAIN}")
    enrolments = list(Enrolment.objects.filter(learner=learner).active())
    assert len(enrolments) == 2
    progress = selectors.enrolment_progress_map([e.pk for e in enrolments])
    now = timezone.now()
    for enrolment in enrolments:
        assert enrolment.registered_at < now
        assert enrolment.summative_due_at < enrolment.ends_at
        assert enrolment.ends_at > now
        assert enrolment.last_item is not None
        done, total = progress[enrolment.pk]
        assert 0 < done < total
        completed = set(
            enrolment.item_progress.filter(completed_at__isnull=False).values_list(
                "item_id", flat=True
            )
        )
        assert enrolment.last_item_id not in completed  # "continue" goes forward
    assert Reflection.objects.filter(enrolment__learner=learner).exists()


def test_the_learner_history_is_never_replayed_on_a_later_run():
    seed()
    learner = User.objects.get(email=f"learner@{demo.DEMO_EMAIL_DOMAIN}")
    registrar = User.objects.get(email=f"registrar@{demo.DEMO_EMAIL_DOMAIN}")
    enrolment = Enrolment.objects.filter(learner=learner).first()
    services.enrolment_withdraw(
        actor=registrar, enrolment_id=enrolment.pk, reason="Changed jobs."
    )

    seed()

    same_course = Enrolment.objects.filter(
        learner=learner, microcredential=enrolment.microcredential
    )
    assert list(same_course.values_list("status", flat=True)) == ["withdrawn"]


def test_two_pathways_one_all_of_and_one_n_of_m():
    seed()
    pathways = {p.requirement: p for p in Pathway.objects.all()}
    assert Pathway.objects.count() == 2
    assert set(pathways) == {Pathway.Requirement.ALL, Pathway.Requirement.N_OF_M}
    n_of_m = pathways[Pathway.Requirement.N_OF_M]
    assert n_of_m.required_count == 2
    assert n_of_m.microcredentials.count() == 3
    for pathway in pathways.values():
        assert all(c.is_published for c in pathway.microcredentials.all())


def test_demo_courses_have_measurable_outcomes_and_balanced_modules():
    seed()
    for course in Microcredential.objects.published():
        assert 3 <= course.outcomes.count() <= 6, course.code
        modules = list(course.modules.all())
        assert 3 <= len(modules) <= 6, course.code
        minutes = [module.estimated_minutes for module in modules]
        for module in modules:
            assert module.estimated_minutes == sum(
                item.estimated_minutes for item in module.items.all()
            )
        # Modules hold most of the time commitment; the summative the rest.
        share = sum(minutes) / (course.time_commitment_hours * 60)
        assert 0.6 <= share <= 1.0, (course.code, share)
        assert max(minutes) <= 2 * min(minutes), (course.code, minutes)
        assert 42 <= course.completion_window_days <= 84
        assert policies.window_problems(course.window_rules) == []
        kinds = {item.kind for module in modules for item in module.items.all()}
        assert len(kinds) >= 4, (course.code, kinds)
        assert course.owner is not None
        assert course.instructors.filter(pk=course.owner_id).exists()
        assert course.next_review_on > timezone.localdate()
        assert course.credential_name
        assert course.credential_value


def test_demo_content_uses_every_item_kind_with_its_parts():
    seed()
    items = ContentItem.objects.filter(
        module__microcredential__status=CourseStatus.PUBLISHED
    )
    assert set(items.values_list("kind", flat=True)) == set(ItemKind.values)
    for video in items.filter(kind=ItemKind.VIDEO):
        assert video.video_url or video.video_file
        assert video.has_text_alternative
    assert items.filter(kind=ItemKind.VIDEO).exclude(captions_file="").exists()
    assert items.filter(kind=ItemKind.VIDEO).exclude(transcript="").exists()
    for scenario in items.filter(kind=ItemKind.SCENARIO):
        choices = list(scenario.choices.all())
        assert len(choices) == 3
        assert sum(choice.is_recommended for choice in choices) == 1
        assert all(choice.consequence and choice.feedback for choice in choices)
    for resource in items.filter(kind=ItemKind.RESOURCE):
        assert default_storage.exists(resource.resource_file.name)
    for item in items.exclude(captions_file=""):
        with default_storage.open(item.captions_file.name, "rb") as captions:
            assert captions.read().startswith(b"WEBVTT")


def test_the_catalog_mixes_languages_levels_modes_and_one_for_credit_course():
    seed()
    published = Microcredential.objects.published()
    assert set(published.values_list("language", flat=True)) == {"en", "fr"}
    assert published.values("level").distinct().count() >= 2
    assert published.values("delivery_mode").distinct().count() >= 2
    for_credit = published.filter(credit_status="for_credit")
    assert for_credit.count() == 1
    assert for_credit.get().credit_value > 0
    assert for_credit.get().credit_institution
    assert published.filter(credit_status="non_credit").count() >= 3


def test_offerings_rolling_for_all_one_scheduled_soon_and_one_closed():
    seed()
    today = timezone.localdate()
    for course in Microcredential.objects.all():
        rolling = course.offerings.get(label=demo.ROLLING_LABEL)
        assert rolling.kind == Offering.Kind.ROLLING
        assert rolling.is_open
    scheduled = Offering.objects.filter(kind=Offering.Kind.SCHEDULED)
    upcoming = scheduled.filter(is_open=True, starts_on__gt=today)
    assert upcoming.filter(starts_on=today + dt.timedelta(days=21)).exists()
    assert all(offering.capacity for offering in upcoming)
    assert upcoming.exists()
    assert scheduled.filter(is_open=False).count() == 1


def test_an_empty_cohort_whose_start_has_passed_moves_back_into_the_future():
    seed()
    today = timezone.localdate()
    cohort = Offering.objects.filter(kind="scheduled", is_open=True).first()
    Offering.objects.filter(pk=cohort.pk).update(starts_on=today - dt.timedelta(days=1))

    seed()

    cohort.refresh_from_db()
    assert cohort.starts_on > today
    assert timezone.localtime(cohort.registration_closes_at).date() < cohort.starts_on


def test_testimonials_are_curated():
    seed()
    for course in Microcredential.objects.published():
        assert 2 <= course.testimonials.filter(is_approved=True).count() <= 3
    assert CourseTestimonial.objects.filter(is_approved=False).count() == 1


def test_demo_text_edited_in_the_database_is_restored_on_the_next_run():
    seed()
    Microcredential.objects.filter(code="DATA-101").update(title="Edited")

    output = seed()

    assert (
        Microcredential.objects.get(code="DATA-101").title == demo.DATA_LITERACY.title
    )
    assert "Updated: 1 microcredentials" in output


@pytest.mark.parametrize(
    ("day", "months", "expected"),
    [
        (dt.date(2026, 11, 23), 12, dt.date(2027, 11, 23)),
        (dt.date(2026, 8, 31), 6, dt.date(2027, 2, 28)),
        (dt.date(2027, 8, 31), 6, dt.date(2028, 2, 29)),
        (dt.date(2026, 1, 31), 1, dt.date(2026, 2, 28)),
        (dt.date(2026, 12, 15), 1, dt.date(2027, 1, 15)),
    ],
)
def test_review_dates_fall_the_same_day_months_later_or_at_month_end(
    day, months, expected
):
    assert add_months(day, months) == expected


def _learner2() -> User:
    return User.objects.get(email=f"learner2@{demo.DEMO_EMAIL_DOMAIN}")


def test_every_published_course_has_one_summative_assessing_every_outcome():
    seed()
    for course in Microcredential.objects.published():
        summatives = Assessment.objects.filter(
            microcredential=course, kind=AssessmentKind.SUMMATIVE
        )
        assert summatives.count() == 1, course.code
        summative = summatives.get()
        assert summative.pass_mark_percent == 70
        items = list(summative.items.order_by("position"))
        kinds = [item.kind for item in items]
        assert sorted(kinds) == sorted(
            [
                AssessmentItemKind.SINGLE,
                AssessmentItemKind.SINGLE,
                AssessmentItemKind.MULTIPLE,
                AssessmentItemKind.TRUE_FALSE,
                AssessmentItemKind.SHORT_ANSWER,
                AssessmentItemKind.SCENARIO,
                AssessmentItemKind.PROJECT,
            ]
        ), course.code
        assessed = {outcome.pk for item in items for outcome in item.outcomes.all()}
        assert assessed == set(course.outcomes.values_list("pk", flat=True)), (
            course.code
        )
        project = next(i for i in items if i.kind == AssessmentItemKind.PROJECT)
        criteria = list(project.rubric.criteria.all())
        assert {c.outcome_id for c in criteria} == {
            o.pk for o in project.outcomes.all()
        }
        assert len({c.outcome_id for c in criteria}) == len(criteria)
        for criterion in criteria:
            levels = list(criterion.levels.order_by("points"))
            assert len(levels) == 3
            assert all(level.descriptor for level in levels)


def test_every_published_course_has_a_formative_on_module_1_and_a_diagnostic():
    seed()
    for course in Microcredential.objects.published():
        formative = Assessment.objects.get(
            microcredential=course, kind=AssessmentKind.FORMATIVE, module__position=1
        )
        assert formative.module == course.modules.get(position=1)
        assert formative.items.count() == 3
        assert not formative.items.filter(kind=AssessmentItemKind.PROJECT).exists()
        diagnostic = Assessment.objects.get(
            microcredential=course, kind=AssessmentKind.DIAGNOSTIC
        )
        assert diagnostic.items.count() == 3
    french = Assessment.objects.get(
        microcredential__code="COM-105", kind=AssessmentKind.SUMMATIVE
    )
    assert french.title.startswith("Évaluation")


def test_every_demo_item_keeps_the_authoring_rules_with_feedback_on_each_option():
    seed()
    items = AssessmentItem.objects.filter(
        assessment__microcredential__code__in=assessment_demo.COURSE_ASSESSMENTS
    )
    expected = sum(
        len(spec.questions)
        for specs in assessment_demo.COURSE_ASSESSMENTS.values()
        for spec in specs
    )
    assert items.count() == expected  # 13 per course plus 2 per module check
    for item in items:
        options = list(item.options.all())
        assert option_problems(item.kind, [o.is_correct for o in options]) == []
        problems = item_problems(
            kind=item.kind,
            case=item.case,
            accepted_answers=item.accepted_answers,
            has_rubric=item.rubric_id is not None,
            rubric_has_criteria=bool(item.rubric and item.rubric.criteria.exists()),
            allows_files=bool(item.allowed_file_types),
            max_file_mb=item.max_file_mb,
        )
        assert problems == {}, (item.prompt, problems)
        assert item.outcomes.exists(), item.prompt
        assert all(option.feedback for option in options), item.prompt
        if item.kind == AssessmentItemKind.SCENARIO:
            assert all(option.consequence for option in options), item.prompt


def test_publishing_a_demo_course_needs_its_summative():
    seed()
    for course in Microcredential.objects.published():
        assert selectors.publish_facts(course).has_summative_assessment
    # COM-105: nobody has attempted it (its attempts would protect it).
    Assessment.objects.filter(
        microcredential__code="COM-105", kind=AssessmentKind.SUMMATIVE
    ).delete()
    course = Microcredential.objects.get(code="COM-105")
    decision = policies.publish_decision(selectors.publish_facts(course))
    assert "The course has no summative assessment." in decision.problems


def test_learner2_failed_the_auto_part_and_waits_in_the_instructors_queue():
    output = seed()
    learner2 = _learner2()
    assert EmailAddress.objects.get(email=learner2.email).verified
    assert "attempt 1 submitted, awaiting grading" in output
    instructor = User.objects.get(email=f"instructor@{demo.DEMO_EMAIL_DOMAIN}")
    attempt = Attempt.objects.get(enrolment__learner=learner2)
    assert attempt.number == 1
    assert attempt.status == Attempt.Status.SUBMITTED
    assert attempt.assessment.kind == AssessmentKind.SUMMATIVE
    assert attempt.enrolment.microcredential.code == "DATA-101"
    queue = assessment_selectors.grading_queue(instructor)
    assert [entry.attempt.pk for entry in queue] == [attempt.pk]
    answers = list(attempt.answers.select_related("item"))
    auto = [a for a in answers if a.item.kind != AssessmentItemKind.PROJECT]
    assert auto
    assert all(a.points_awarded == 0 for a in auto)
    project = next(a for a in answers if a.item.kind == AssessmentItemKind.PROJECT)
    assert project.text
    assert project.points_awarded is None
    # The first demo learner can still take DATA-101's summative: no attempts
    # yet (their attempts are in the courses they finished).
    learner = User.objects.get(email=f"learner@{demo.DEMO_EMAIL_DOMAIN}")
    assert not Attempt.objects.filter(
        enrolment__learner=learner, enrolment__microcredential__code="DATA-101"
    ).exists()


def test_learner2_attempt_is_made_on_the_first_run_only():
    seed()
    Attempt.objects.filter(enrolment__learner=_learner2()).update(
        status=Attempt.Status.GRADED
    )

    seed()

    statuses = Attempt.objects.filter(enrolment__learner=_learner2()).values_list(
        "status", flat=True
    )
    assert list(statuses) == [Attempt.Status.GRADED]


def test_assessment_text_edited_in_the_database_is_restored_on_the_next_run():
    seed()
    option = Option.objects.filter(
        item__assessment__microcredential__code="CYB-101"
    ).first()
    Option.objects.filter(pk=option.pk).update(feedback="Edited")

    output = seed()

    option.refresh_from_db()
    assert option.feedback != "Edited"
    assert "Updated: 1 options" in output
