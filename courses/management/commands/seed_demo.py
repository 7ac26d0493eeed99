"""``manage.py seed_demo``: load the demo institution. Safe to run any number of times.

Every row is found by its natural key (e-mail, code, position, label, author)
and written only when it differs from ``courses.demo_content``, so a second run
changes nothing and creates nothing. Publishing, registration and progress go
through the courses services, so the demo obeys the same rules as real use.
The demo learner's registrations and progress are made on the first run only.
Assessments come from ``assessments.demo_content`` and are written before a
course is published (publishing needs its summative). The second demo learner
submits attempt 1 of DATA-101's summative through the assessment services, on
the first run only, so the instructor's grading queue is not empty. The demo
learner's finished courses and credentials (one valid, one revoked) come from
``credentials.demo_content``, made through the same services.
"""

from __future__ import annotations

import calendar
import datetime as dt
import textwrap
from collections import Counter
from pathlib import Path
from typing import Any

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.staticfiles import finders
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.management.base import BaseCommand, CommandError
from django.db import models, transaction
from django.urls import reverse
from django.utils import timezone

from assessments import demo_content as assessment_demo
from assessments import selectors as assessment_selectors
from assessments import services as assessment_services
from assessments.models import Assessment, Attempt, ItemKind, Option, Rubric
from assessments.models import Criterion as RubricCriterion
from assessments.models import Item as AssessmentItem
from assessments.models import Level as RubricLevel
from bulk import demo_content as bulk_demo
from courses import demo_content as demo
from courses import policies, selectors, services
from courses.models import (
    ContentItem,
    CourseStatus,
    CreditStatus,
    Enrolment,
    LearningOutcome,
    Microcredential,
    Module,
    Offering,
    Pathway,
    PathwayMembership,
    ScenarioChoice,
    Testimonial,
)
from credentials import demo_content as credential_demo
from plar import demo_content as plar_demo

MEDIA_PREFIX = "demo"
# Demo courses are published as if a term ago; reviews fall due from then.
PUBLISHED_AGO = dt.timedelta(days=90)
ROLE_LABELS = {
    "learner": "Learner",
    "learner2": "Learner (2nd)",
    "candidate": "PLAR candidate",
    "instructor": "Instructor",
    "instructor2": "Instructor (2nd)",
    "registrar": "Registrar",
    "admin": "Administrator",
}


class Seeder:
    """Writes the demo content, counting what it created and changed."""

    def __init__(self, *, now: dt.datetime) -> None:
        self.now = now
        self.today = timezone.localdate(now)
        self.published_on = timezone.localdate(now - PUBLISHED_AGO)
        self.created: Counter[str] = Counter()
        self.updated: Counter[str] = Counter()
        self.users: dict[str, Any] = {}
        self.courses: dict[str, Microcredential] = {}
        self.rolling: dict[str, Offering] = {}
        self.publish_warnings: dict[str, tuple[str, ...]] = {}
        self.registered: list[Enrolment] = []
        self.submitted: list[Attempt] = []
        self.credentials = credential_demo.Seeded()
        self.plar_requests: list = []

    # -- the one write primitive -------------------------------------------

    def sync(
        self, model: type[models.Model], lookup: dict[str, Any], values: dict[str, Any]
    ) -> tuple[Any, bool]:
        """Create the row, or update only the fields that differ. (row, created)."""
        row = model.objects.filter(**lookup).first()
        name = str(model._meta.verbose_name_plural)
        if row is None:
            row = model.objects.create(**lookup, **values)
            self.created[name] += 1
            return row, True
        changed = [
            field for field, value in values.items() if getattr(row, field) != value
        ]
        if changed:
            for field in changed:
                setattr(row, field, values[field])
            row.save()
            self.updated[name] += 1
        return row, False

    # -- files ---------------------------------------------------------------

    def media_file(self, filename: str, folder: str) -> str:
        """Copy static/demo/<filename> into MEDIA_ROOT once; return its storage name."""
        if not filename:
            return ""
        source = finders.find(f"demo/{filename}")
        if source is None:
            raise CommandError(f"Demo file static/demo/{filename} is missing.")
        content = Path(source).read_bytes()
        name = f"{MEDIA_PREFIX}/{folder}/{filename}"
        if default_storage.exists(name):
            with default_storage.open(name, "rb") as existing:
                if existing.read() == content:
                    return name
            default_storage.delete(name)
        with open(source, "rb") as handle:
            saved = default_storage.save(name, File(handle, name=filename))
        if saved != name:
            raise CommandError(f"Could not store {name} (got {saved}).")
        self.created["files"] += 1
        return name

    # -- people --------------------------------------------------------------

    def seed_accounts(self) -> None:
        user_model = get_user_model()
        for account in demo.ACCOUNTS:
            user, created = self.sync(
                user_model,
                {"email": account.email},
                {
                    "legal_name": account.legal_name,
                    "display_name": account.display_name,
                    "time_zone": account.time_zone,
                    "preferred_language": account.preferred_language,
                    "is_staff": account.is_staff,
                    "is_superuser": account.superuser,
                    "is_active": True,
                },
            )
            if created or not user.check_password(demo.DEMO_PASSWORD):
                user.set_password(demo.DEMO_PASSWORD)
                user.save(update_fields=["password"])
            if account.role is not None:
                group = Group.objects.get(name=account.role.value)
                if not user.groups.filter(pk=group.pk).exists():
                    user.groups.add(group)
            self.sync(
                EmailAddress,
                {"user": user, "email": account.email},
                {"verified": True, "primary": True},
            )
            self.users[account.key] = user

    # -- courses -------------------------------------------------------------

    def seed_course(self, spec: demo.Course) -> Microcredential:
        problems = policies.window_problems(
            policies.WindowRules(
                completion_window_days=spec.completion_window_days,
                feedback_turnaround_days=spec.feedback_turnaround_days,
                resubmission_days=spec.resubmission_days,
            )
        )
        if problems:
            raise CommandError(f"{spec.code}: {' '.join(problems)}")
        for_credit = spec.credit_value is not None
        course, created = self.sync(
            Microcredential,
            {"code": spec.code},
            {
                "slug": spec.slug,
                "title": spec.title,
                "summary": spec.summary,
                "description": spec.description,
                "language": spec.language,
                "level": spec.level,
                "delivery_mode": spec.delivery_mode,
                "credit_status": CreditStatus.FOR_CREDIT
                if for_credit
                else CreditStatus.NON_CREDIT,
                "credit_value": spec.credit_value,
                "credit_institution": spec.credit_institution,
                "time_commitment_hours": spec.time_commitment_hours,
                "completion_window_days": spec.completion_window_days,
                "feedback_turnaround_days": spec.feedback_turnaround_days,
                "resubmission_days": spec.resubmission_days,
                "plar_offered": spec.plar_offered,
                "plar_window_days": spec.plar_window_days,
                "credential_name": spec.credential_name,
                "credential_value": spec.credential_value,
                "owner_id": self.users[spec.owner].pk,
                "review_cycle_months": spec.review_cycle_months,
            },
        )
        if course.next_review_on is None:
            course.next_review_on = add_months(
                self.published_on, spec.review_cycle_months
            )
            course.save(update_fields=["next_review_on", "updated_at"])
        teachers = [self.users[key] for key in (spec.owner, *spec.co_instructors)]
        present = set(course.instructors.values_list("pk", flat=True))
        missing = [user for user in teachers if user.pk not in present]
        if missing:
            course.instructors.add(*missing)
        for position, text in enumerate(spec.outcomes, start=1):
            self.sync(
                LearningOutcome,
                {"microcredential": course, "code": f"LO{position}"},
                {"position": position, "text": text},
            )
        for position, module_spec in enumerate(spec.modules, start=1):
            self.seed_module(course, position, module_spec)
        for position, quote in enumerate(spec.testimonials, start=1):
            self.sync(
                Testimonial,
                {"microcredential": course, "author_name": quote.author_name},
                {
                    "author_role": quote.author_role,
                    "quote": quote.quote,
                    "is_approved": quote.approved,
                    "position": position,
                },
            )
        # Publishing needs the summative assessment, so it comes first.
        self.seed_assessments(course)
        if created and spec.publish:
            self.publish(course)
        self.courses[spec.code] = course
        return course

    def seed_module(
        self, course: Microcredential, position: int, spec: demo.Module
    ) -> None:
        module, _created = self.sync(
            Module,
            {"microcredential": course, "position": position},
            {
                "title": spec.title,
                "summary": spec.summary,
                "estimated_minutes": spec.minutes,
            },
        )
        for item_position, item_spec in enumerate(spec.items, start=1):
            item, _created = self.sync(
                ContentItem,
                {"module": module, "position": item_position},
                {
                    "kind": item_spec.kind,
                    "title": item_spec.title,
                    "estimated_minutes": item_spec.minutes,
                    "body": item_spec.body,
                    "video_url": item_spec.video_url,
                    "transcript": item_spec.transcript,
                    "captions_file": self.media_file(item_spec.captions, "captions"),
                    "resource_file": self.media_file(item_spec.resource, "resources"),
                },
            )
            for choice_position, choice in enumerate(item_spec.choices, start=1):
                self.sync(
                    ScenarioChoice,
                    {"item": item, "position": choice_position},
                    {
                        "text": choice.text,
                        "consequence": choice.consequence,
                        "feedback": choice.feedback,
                        "is_recommended": choice.recommended,
                    },
                )

    # -- assessments ---------------------------------------------------------

    def seed_assessments(self, course: Microcredential) -> None:
        specs = assessment_demo.COURSE_ASSESSMENTS.get(course.code, ())
        outcomes = {o.position: o for o in course.outcomes.all()}
        for spec in specs:
            module = (
                Module.objects.get(microcredential=course, position=spec.module)
                if spec.module is not None
                else None
            )
            assessment, _created = self.sync(
                Assessment,
                {"microcredential": course, "kind": spec.kind, "title": spec.title},
                {
                    "module": module,
                    "instructions": spec.instructions,
                    "pass_mark_percent": spec.pass_mark_percent,
                    "draw_count": None,
                },
            )
            for position, question in enumerate(spec.questions, start=1):
                self.seed_question(
                    course, assessment, spec, position, question, outcomes
                )

    def seed_question(
        self,
        course: Microcredential,
        assessment: Assessment,
        spec: assessment_demo.AssessmentSpec,
        position: int,
        question: assessment_demo.Question,
        outcomes: dict[int, LearningOutcome],
    ) -> None:
        rubric = None
        outcome_positions = set(question.outcomes)
        if question.kind == ItemKind.PROJECT:
            rubric = self.seed_rubric(course, spec.rubric_title, question, outcomes)
            outcome_positions |= {c.outcome for c in question.criteria}
        item, created = self.sync(
            AssessmentItem,
            {"assessment": assessment, "position": position},
            {
                "kind": question.kind,
                "prompt": question.prompt,
                "case": question.case,
                "points": question.points,
                "accepted_answers": list(question.accepted_answers),
                "case_sensitive": False,
                "rubric": rubric,
                "allowed_file_types": question.allowed_file_types,
                "max_file_mb": question.max_file_mb,
            },
        )
        wanted = {outcomes[n].pk for n in outcome_positions}
        if set(item.outcomes.values_list("pk", flat=True)) != wanted:
            item.outcomes.set(wanted)
            if not created:
                self.updated["item outcomes"] += 1
        for option_position, option in enumerate(question.options, start=1):
            self.sync(
                Option,
                {"item": item, "position": option_position},
                {
                    "text": option.text,
                    "is_correct": option.correct,
                    "feedback": option.feedback,
                    "consequence": option.consequence,
                },
            )

    def seed_rubric(
        self,
        course: Microcredential,
        title: str,
        question: assessment_demo.Question,
        outcomes: dict[int, LearningOutcome],
    ) -> Rubric:
        rubric, _created = self.sync(
            Rubric, {"microcredential": course, "title": title}, {}
        )
        for position, spec in enumerate(question.criteria, start=1):
            criterion, _created = self.sync(
                RubricCriterion,
                {"rubric": rubric, "position": position},
                {"outcome": outcomes[spec.outcome], "title": spec.title},
            )
            for label, points, descriptor in spec.levels:
                self.sync(
                    RubricLevel,
                    {"criterion": criterion, "label": label},
                    {"points": points, "descriptor": descriptor},
                )
        return rubric

    def publish(self, course: Microcredential) -> None:
        """draft → in review → published, by the administrator, as a person would."""
        actor = self.users["admin"]
        published_at = self.now - PUBLISHED_AGO
        services.course_change_status(
            actor=actor,
            course_id=course.pk,
            new_status=CourseStatus.IN_REVIEW,
            now=published_at,
        )
        decision = services.course_change_status(
            actor=actor,
            course_id=course.pk,
            new_status=CourseStatus.PUBLISHED,
            now=published_at,
        )
        if decision and decision.warnings:
            self.publish_warnings[course.code] = decision.warnings
        course.refresh_from_db()

    # -- pathways and offerings ---------------------------------------------

    def seed_pathways(self) -> None:
        for spec in demo.PATHWAYS:
            pathway, _created = self.sync(
                Pathway,
                {"code": spec.code},
                {
                    "slug": spec.slug,
                    "title": spec.title,
                    "summary": spec.summary,
                    "requirement": Pathway.Requirement.ALL
                    if spec.required_count is None
                    else Pathway.Requirement.N_OF_M,
                    "required_count": spec.required_count,
                    "is_published": True,
                },
            )
            for position, code in enumerate(spec.members, start=1):
                self.sync(
                    PathwayMembership,
                    {"pathway": pathway, "microcredential": self.courses[code]},
                    {"position": position},
                )

    def seed_offerings(self) -> None:
        for code, course in self.courses.items():
            self.rolling[code], _created = self.sync(
                Offering,
                {"microcredential": course, "label": demo.ROLLING_LABEL},
                {
                    "kind": Offering.Kind.ROLLING,
                    "starts_on": None,
                    "capacity": None,
                    "is_open": True,
                },
            )
        tz = services.institution_tz()
        for spec in demo.SCHEDULED_OFFERINGS:
            course = self.courses[spec.course]
            offering = Offering.objects.filter(
                microcredential=course, label=spec.label
            ).first()
            starts_on = offering.starts_on if offering else None
            # Keep an open cohort in the future while nobody is in it, so the
            # demo still shows "next offerings" months after the first run.
            if starts_on is None or (
                spec.is_open
                and starts_on <= self.today
                and not offering.enrolments.exists()
            ):
                starts_on = self.today + dt.timedelta(days=spec.starts_in_days)
            closes_at = (
                policies.end_of_day(starts_on - dt.timedelta(days=1), tz)
                if spec.is_open
                else None
            )
            self.sync(
                Offering,
                {"microcredential": course, "label": spec.label},
                {
                    "kind": Offering.Kind.SCHEDULED,
                    "starts_on": starts_on,
                    "registration_closes_at": closes_at,
                    "capacity": spec.capacity,
                    "is_open": spec.is_open,
                },
            )

    # -- the demo learner ----------------------------------------------------

    def seed_learner_progress(self) -> None:
        learner = self.users["learner"]
        for spec in demo.LEARNER_PROGRESS:
            course = self.courses[spec.course]
            if Enrolment.objects.filter(
                learner=learner, microcredential=course
            ).exists():
                continue  # first run only: never replay a learner's history
            registered_at = self.now - dt.timedelta(days=spec.registered_days_ago)
            enrolment = services.enrolment_register(
                learner=learner,
                offering_id=self.rolling[spec.course].pk,
                now=registered_at,
            )
            self.registered.append(enrolment)
            items = selectors.ordered_items(selectors.course_for_learning(course.pk))
            done, following = (
                items[: spec.completed_items],
                items[spec.completed_items :],
            )
            step = (self.now - registered_at) / (len(done) + 2)
            when = registered_at
            for item in done:
                when += step
                ids = {
                    "learner": learner,
                    "enrolment_id": enrolment.pk,
                    "item_id": item.pk,
                }
                services.item_visit(**ids, now=when)
                if item.kind == "reflection" and spec.reflection:
                    services.reflection_save(**ids, text=spec.reflection)
                if item.kind == "scenario" and spec.scenario_choice is not None:
                    choice = list(item.choices.order_by("position"))[
                        spec.scenario_choice
                    ]
                    services.scenario_choose(**ids, choice_id=choice.pk, now=when)
                services.item_complete(
                    **ids, now=when + dt.timedelta(minutes=item.estimated_minutes)
                )
            if following:
                services.item_visit(
                    learner=learner,
                    enrolment_id=enrolment.pk,
                    item_id=following[0].pk,
                    now=when + step,
                )

    def seed_submitted_attempt(self) -> None:
        """learner2 failed the auto-graded part of attempt 1; the project waits.

        First run only: an existing enrolment in the course means it was done.
        """
        learner = self.users["learner2"]
        code = assessment_demo.LEARNER2_COURSE
        course = self.courses[code]
        if Enrolment.objects.filter(learner=learner, microcredential=course).exists():
            return
        registered_at = self.now - dt.timedelta(
            days=assessment_demo.LEARNER2_REGISTERED_DAYS_AGO
        )
        submitted_at = self.now - dt.timedelta(
            days=assessment_demo.LEARNER2_SUBMITTED_DAYS_AGO
        )
        enrolment = services.enrolment_register(
            learner=learner, offering_id=self.rolling[code].pk, now=registered_at
        )
        self.registered.append(enrolment)
        summative = assessment_selectors.summative_for_course(course.pk)
        started_at = submitted_at - dt.timedelta(hours=1)
        attempt = assessment_services.attempt_start(
            learner=learner, assessment_id=summative.pk, now=started_at
        )
        items = AssessmentItem.objects.filter(pk__in=attempt.item_ids).order_by(
            "position"
        )
        for minute, item in enumerate(items, start=1):
            answer: dict[str, Any]
            if item.kind == ItemKind.PROJECT:
                answer = {"text": assessment_demo.LEARNER2_PROJECT_TEXT}
            elif item.kind == ItemKind.SHORT_ANSWER:
                answer = {"text": "I am not sure"}
            elif item.kind == ItemKind.MULTIPLE:
                answer = {
                    "option_ids": [o.pk for o in item.options.all() if not o.is_correct]
                }
            else:
                wrong = item.options.filter(is_correct=False).order_by("position")
                answer = {"option_ids": [wrong.first().pk]}
            assessment_services.answer_save(
                learner=learner,
                attempt_id=attempt.pk,
                item_id=item.pk,
                now=started_at + dt.timedelta(minutes=5 * minute),
                **answer,
            )
        self.submitted.append(
            assessment_services.attempt_submit(
                learner=learner, attempt_id=attempt.pk, now=submitted_at
            )
        )

    def seed_credentials(self) -> None:
        """The demo learner's finished courses: one valid, one revoked credential."""
        self.credentials = credential_demo.seed_learner_credentials(
            learner=self.users["learner"],
            registrar=self.users["registrar"],
            courses=self.courses,
            offerings=self.rolling,
            now=self.now,
        )
        self.created.update(self.credentials.created)

    def run(self) -> None:
        self.seed_accounts()
        for spec in demo.COURSES:
            self.seed_course(spec)
        self.seed_pathways()
        self.seed_offerings()
        self.seed_learner_progress()
        self.seed_submitted_attempt()
        self.seed_credentials()
        self.seed_plar()
        self.seed_bulk()

    def seed_bulk(self) -> None:
        """A cohort that completed before credentials were issued on
        completion, for the registrar's "Issue to a cohort"."""
        if bulk_demo.seed_cohort(courses=self.courses, now=self.now):
            self.created["imported completions"] += len(bulk_demo.COHORT)

    def seed_plar(self) -> None:
        """One PLAR request pending review, one approved candidate."""
        self.plar_requests = plar_demo.seed_plar_cases(
            users=self.users, courses=self.courses, now=self.now
        )
        if self.plar_requests:
            self.created["PLAR requests"] += len(self.plar_requests)


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later, clamped to the end of a shorter month."""
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    last_day = calendar.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(day.day, last_day))


def teaching_summary(account_key: str) -> str:
    """'owns DATA-101, CYB-101; co-teaches PSY-110' for an instructor account."""
    owns = [c.code for c in demo.COURSES if c.owner == account_key]
    helps = [c.code for c in demo.COURSES if account_key in c.co_instructors]
    summary = f"owns {', '.join(owns)}" if owns else ""
    if helps:
        summary += f"; co-teaches {', '.join(helps)}"
    return summary


class Command(BaseCommand):
    help = (
        "Load the demo institution: accounts, microcredentials, pathways, "
        "offerings, testimonials and a learner with progress. Safe to run twice."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        seeder = Seeder(now=timezone.now())
        with transaction.atomic(durable=True):
            seeder.run()
        # Confirmation e-mails for new registrations leave on commit, above.
        if options["verbosity"] >= 1:
            self.report(seeder)

    def report(self, seeder: Seeder) -> None:
        out, style = self.stdout, self.style
        out.write("")
        out.write(style.MIGRATE_HEADING("Microcred demo data"))
        for verb, tally in (("Created", seeder.created), ("Updated", seeder.updated)):
            if tally:
                # Non-breaking spaces keep "6 microcredentials" on one line.
                nbsp = "\N{NO-BREAK SPACE}"
                entries = [f"{n}{nbsp}{name}" for name, n in sorted(tally.items())]
                text = textwrap.fill(
                    ", ".join(entries),
                    width=88,
                    initial_indent=f"  {verb}: ",
                    subsequent_indent="    ",
                )
                out.write(text.replace(nbsp, " "))
        if not seeder.created and not seeder.updated:
            out.write("  Already up to date: nothing changed.")
        by_warning: dict[str, list[str]] = {}
        for code, warnings in sorted(seeder.publish_warnings.items()):
            for warning in warnings:
                by_warning.setdefault(warning, []).append(code)
        for warning, codes in by_warning.items():
            out.write(style.WARNING(f"  Published {', '.join(codes)} with a warning:"))
            out.write(style.WARNING(f"    {warning}"))
        for enrolment in seeder.registered:
            out.write(
                f"  Registered {enrolment.learner.email} in "
                f"{enrolment.microcredential.code}: "
                f"summative due {enrolment.summative_due_at:%Y-%m-%d}, "
                f"ends {enrolment.ends_at:%Y-%m-%d}"
            )
        for attempt in seeder.submitted:
            out.write(
                f"  {attempt.enrolment.learner.email} submitted attempt "
                f"{attempt.number} of {attempt.assessment.title}: in the grading "
                f"queue, feedback due {attempt.feedback_due_at:%Y-%m-%d}"
            )
        for request in seeder.plar_requests:
            line = (
                f"  {request.learner.email} asked to challenge "
                f"{request.microcredential.code} (PLAR): {request.get_status_display()}"
            )
            if request.enrolment:
                line += (
                    f"; summative due {request.enrolment.summative_due_at:%Y-%m-%d}, "
                    f"ends {request.enrolment.ends_at:%Y-%m-%d}"
                )
            out.write(line)
        for credential in seeder.credentials.issued:
            out.write(
                f"  {credential.learner.email} completed "
                f"{credential.enrolment.microcredential.code}: credential issued"
                + (" and revoked" if credential in seeder.credentials.revoked else "")
            )

        out.write("")
        out.write(style.MIGRATE_HEADING("Demo accounts"))
        width = max(len(account.email) for account in demo.ACCOUNTS)
        out.write(f"  {'Role':<17} {'E-mail':<{width}}  What to try")
        out.write(f"  {'-' * 17} {'-' * width}  {'-' * 30}")
        for account in demo.ACCOUNTS:
            label = ROLE_LABELS.get(account.key, account.key)
            hint = account.try_this or teaching_summary(account.key)
            out.write(f"  {label:<17} {account.email:<{width}}  {hint}")
        out.write(
            "  Password for every demo account: " + style.SUCCESS(demo.DEMO_PASSWORD)
        )

        out.write("")
        learner = seeder.users["learner"]
        out.write(style.MIGRATE_HEADING(f"Credentials of {learner.email}"))
        for line in credential_demo.summary_lines(learner):
            out.write(f"  {line}")

        out.write("")
        out.write(style.MIGRATE_HEADING("What is in the database"))
        courses = Microcredential.objects.filter(
            code__in=[spec.code for spec in demo.COURSES]
        )
        published = courses.filter(status=CourseStatus.PUBLISHED).count()
        modules = Module.objects.filter(microcredential__in=courses)
        items = ContentItem.objects.filter(module__microcredential__in=courses)
        offerings = Offering.objects.filter(microcredential__in=courses)
        quotes = Testimonial.objects.filter(microcredential__in=courses)
        enrolments = Enrolment.objects.filter(
            learner__email__endswith="@" + demo.DEMO_EMAIL_DOMAIN
        )
        assessments = Assessment.objects.filter(microcredential__in=courses)
        waiting = Attempt.objects.filter(
            assessment__in=assessments,
            status__in=[Attempt.Status.SUBMITTED, Attempt.Status.GRADED],
        ).count()
        for line in (
            f"{published} published microcredentials, "
            f"{courses.count() - published} in draft (hidden from the catalog)",
            f"{Pathway.objects.count()} pathways, {modules.count()} modules, "
            f"{items.count()} content items",
            f"{offerings.count()} offerings "
            f"({offerings.filter(kind=Offering.Kind.SCHEDULED).count()} scheduled), "
            f"{quotes.filter(is_approved=True).count()} approved testimonials "
            f"({quotes.filter(is_approved=False).count()} awaiting curation)",
            f"{enrolments.count()} enrolments of demo learners",
            f"{assessments.count()} assessments "
            f"({assessments.filter(kind='summative').count()} summative), "
            f"{AssessmentItem.objects.filter(assessment__in=assessments).count()} "
            f"assessment items, {waiting} attempt(s) waiting for grading",
        ):
            out.write(f"  {line}")
        out.write("")
        out.write(
            "  Open "
            + style.SUCCESS(settings.SITE_URL)
            + f"  (staff dashboard: {settings.SITE_URL}{reverse('admin:index')})"
        )
