"""Seed the bench database: 200 courses, 20,000 learners, 50,000 enrolments
and 200 issued credentials.

Small tables go through ``bulk_create``; the big ones (learners, e-mail
addresses, enrolments, item progress) through PostgreSQL ``COPY``, built from
model instances so field defaults still apply. The credentials are issued
through ``credentials.services.credential_issue`` (signed, with a status-list
entry) for completed enrolments, as completion issues them; their PDF tasks
are queued on the bench's Redis broker and purged by the caller, never
rendered. Everything is written in one transaction: a failed seed leaves
nothing behind. Deterministic data (fixed random seed), so two bench machines
hold the same courses, learners and enrolments; credential ids, codes and
signatures are new each seed.

The data set carries a version (``SEED_VERSION``, kept as the database's
comment): bump it whenever the seed changes, and a bench database seeded by an
older version is dropped and seeded again.
"""

from __future__ import annotations

import datetime as dt
import enum
import random
import time
import zoneinfo
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import Decimal

from allauth.account.models import EmailAddress
from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.models import Group
from django.db import DatabaseError, connection, models, transaction
from django.db.models import Count, Q
from django.utils import timezone

from courses import policies
from courses.models import (
    ContentItem,
    CourseStatus,
    CreditStatus,
    DeliveryMode,
    Enrolment,
    ItemKind,
    ItemProgress,
    Language,
    LearningOutcome,
    Level,
    Microcredential,
    Module,
    Offering,
    Pathway,
    PathwayMembership,
    ScenarioChoice,
    Testimonial,
)
from credentials import services as credential_services
from credentials.models import Credential
from microcred.models import User
from microcred.roles import Role

#: Bump when the data set changes: an older bench database is then re-seeded.
SEED_VERSION = 2
SEED_COMMENT = "microcred bench seed v{}"

COURSES = 200
LEARNERS = 20_000
ENROLMENTS = 50_000
INSTRUCTORS = 20
PATHWAYS = 25
COURSES_PER_PATHWAY = 4
MODULES_PER_COURSE = 4
ITEMS_PER_MODULE = 4
CREDENTIALS = 200  # issued for completed enrolments, for the verification pages

EMAIL_DOMAIN = "bench.microcred.test"
CODE_PREFIX = "bench-"
# The course whose achievement the issuance measurement (bench/issuance.py)
# issues its credentials on: the seed issues none on it, so those are the
# only credentials the measurement creates and deletes.
ISSUANCE_COURSE_CODE = f"{CODE_PREFIX}{COURSES:03d}"
PASSWORD = "bench-pass-2026"  # noqa: S105 - a throwaway bench database

TOPICS = [
    "Data Literacy",
    "Project Coordination",
    "Workplace Safety",
    "Customer Care",
    "Digital Marketing",
    "Cloud Foundations",
    "Inclusive Leadership",
    "Supply Chain",
    "Cybersecurity Awareness",
    "Bookkeeping",
    "Grant Writing",
    "Accessible Design",
    "Conflict Resolution",
    "Lean Operations",
    "Clinical Documentation",
    "Spreadsheet Modelling",
    "Indigenous Relations",
    "Sustainable Building",
    "Food Safety",
    "Technical Writing",
]
ASPECTS = [
    "Essentials",
    "in Practice",
    "for Supervisors",
    "for Small Business",
    "Fundamentals",
    "Advanced Topics",
    "Field Skills",
    "for Teams",
    "Tools and Methods",
    "Case Studies",
]
VERBS = ["Apply", "Analyse", "Explain", "Evaluate", "Design", "Use"]
KINDS = [ItemKind.VIDEO, ItemKind.READING, ItemKind.SCENARIO, ItemKind.REFLECTION]
WINDOWS = [28, 42, 56, 84]


@dataclass(frozen=True)
class SeedCounts:
    courses: int
    learners: int
    enrolments: int
    credentials: int
    version: int | None

    @property
    def complete(self) -> bool:
        return (
            self.courses,
            self.learners,
            self.enrolments,
            self.credentials,
            self.version,
        ) == (COURSES, LEARNERS, ENROLMENTS, CREDENTIALS, SEED_VERSION)

    @property
    def empty(self) -> bool:
        return not (
            self.courses or self.learners or self.enrolments or self.credentials
        )


def counts() -> SeedCounts:
    return SeedCounts(
        courses=Microcredential.objects.filter(
            code__startswith=CODE_PREFIX, status=CourseStatus.PUBLISHED
        ).count(),
        learners=learner_queryset().count(),
        enrolments=Enrolment.objects.filter(learner__in=learner_queryset()).count(),
        credentials=seeded_credentials().count(),
        version=seed_version(),
    )


def seed_version() -> int | None:
    """The version of the data set in this database (its comment), or None."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT shobj_description(oid, 'pg_database') FROM pg_database "
            "WHERE datname = current_database()"
        )
        row = cursor.fetchone()
    comment = (row[0] if row else None) or ""
    prefix = SEED_COMMENT.format("")
    if not comment.startswith(prefix):
        return None
    try:
        return int(comment.removeprefix(prefix))
    except ValueError:
        return None


def _seed_version_record() -> None:
    with connection.cursor() as cursor:
        cursor.execute(
            "COMMENT ON DATABASE {} IS %s".format(
                connection.ops.quote_name(connection.settings_dict["NAME"])
            ),
            [SEED_COMMENT.format(SEED_VERSION)],
        )


def seeded_credentials():
    """The seed's credentials (not the issuance measurement's)."""
    return Credential.objects.filter(learner__in=learner_queryset()).exclude(
        achievement__microcredential__code=ISSUANCE_COURSE_CODE
    )


def learner_queryset():
    return User.objects.filter(email__endswith=f"@{EMAIL_DOMAIN}", is_staff=False)


def _db_value(field: models.Field, obj: models.Model):
    value = field.get_db_prep_save(field.pre_save(obj, add=True), connection)
    return value.value if isinstance(value, enum.Enum) else value


def copy_rows(
    model: type[models.Model], names: Sequence[str], rows: Iterable[Sequence]
) -> int:
    """Insert rows with COPY; the database assigns the ids.

    ``names`` are field attnames (``learner_id``) matching each row's values;
    every other column gets the value a fresh ``model()`` would save, so
    fields the models gain later keep their defaults.
    """
    fields = {f.attname: f for f in model._meta.concrete_fields if not f.primary_key}
    template = model()
    rest = [f for name, f in fields.items() if name not in names]
    fixed = tuple(_db_value(f, template) for f in rest)
    qn = connection.ops.quote_name
    columns = [fields[name].column for name in names] + [f.column for f in rest]
    statement = "COPY {} ({}) FROM STDIN".format(
        qn(model._meta.db_table), ", ".join(qn(c) for c in columns)
    )
    n = 0
    connection.ensure_connection()
    with connection.cursor() as cursor, cursor.cursor.copy(statement) as copy:
        for row in rows:
            copy.write_row((*row, *fixed))
            n += 1
    return n


def _skip_foreign_key_triggers() -> bool:
    """Skip per-row foreign-key checks for the seed transaction, if allowed.

    The rows are consistent by construction, and Django's deferred checks
    would otherwise cost more than the COPY itself at commit. Needs a
    superuser (as on a local bench database); without one we keep the checks.
    """
    try:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET LOCAL session_replication_role = replica")
    except DatabaseError:
        return False
    return True


def _log(message: str, started: float) -> None:
    print(f"  {message} ({time.perf_counter() - started:.1f} s)", flush=True)


def seed() -> None:
    """Write the whole data set in one transaction."""
    rng = random.Random(2026)  # noqa: S311 - reproducible fake data
    now = timezone.now()
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    started = time.perf_counter()
    with transaction.atomic():
        if _skip_foreign_key_triggers():
            _log("foreign-key triggers off for this transaction", started)
        password = make_password(PASSWORD)
        instructors = _seed_instructors(password, now)
        _log(f"{len(instructors)} instructors", started)
        courses, items_by_course = _seed_courses(rng, instructors, now)
        _log(f"{len(courses)} published courses with content", started)
        rolling, past_cohort = _seed_offerings(courses, now, tz)
        _seed_pathways(courses)
        _log("offerings, pathways, testimonials", started)
        learner_ids = _seed_learners(password, now)
        _log(f"{len(learner_ids)} learners", started)
        n_enrolments, n_progress = _seed_enrolments(
            rng, learner_ids, courses, items_by_course, rolling, past_cohort, now, tz
        )
        _log(f"{n_enrolments} enrolments, {n_progress} item progress rows", started)
        n_credentials = _seed_credentials(rng)
        _log(f"{n_credentials} credentials issued and signed", started)
        _seed_version_record()
    _log("committed", started)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    _log("analysed", started)


def _seed_instructors(password: str, now: dt.datetime) -> list[User]:
    instructors = User.objects.bulk_create(
        User(
            email=f"instructor{n:02d}@{EMAIL_DOMAIN}",
            password=password,
            legal_name=f"Instructor {n:02d}",
            display_name=f"Prof. Bench {n:02d}",
            is_staff=True,
            date_joined=now,
        )
        for n in range(1, INSTRUCTORS + 1)
    )
    group = Group.objects.get(name=Role.INSTRUCTOR.value)
    group.user_set.add(*instructors)
    return instructors


def _seed_courses(
    rng: random.Random, instructors: Sequence[User], now: dt.datetime
) -> tuple[list[Microcredential], dict[int, list[int]]]:
    courses = []
    for n in range(COURSES):
        title = f"{TOPICS[n % len(TOPICS)]} {ASPECTS[n // len(TOPICS)]}"
        for_credit = n % 5 == 0
        courses.append(
            Microcredential(
                code=f"{CODE_PREFIX}{n + 1:03d}",
                slug=f"bench-{n + 1:03d}-" + "-".join(title.lower().split())[:90],
                title=title,
                summary=(
                    f"Practical, assessed skills in {title.lower()} for people "
                    "who need them at work this term."
                ),
                description=(
                    f"## About\n\n{title} is a short, outcome-based course. "
                    "You learn at your own pace and finish with a summative "
                    "assessment."
                ),
                language=Language.FRENCH if n % 7 == 0 else Language.ENGLISH,
                level=list(Level)[n % 3],
                delivery_mode=list(DeliveryMode)[n % 3],
                credit_status=(
                    CreditStatus.FOR_CREDIT if for_credit else CreditStatus.NON_CREDIT
                ),
                credit_value=3 if for_credit else None,
                credit_institution="Northbridge Polytechnic" if for_credit else "",
                time_commitment_hours=rng.choice([12, 20, 30, 40]),
                completion_window_days=WINDOWS[n % len(WINDOWS)],
                credential_name=f"{title} — digital badge",
                credential_value="Recognised by regional employers.",
                owner=instructors[n % len(instructors)],
                status=CourseStatus.PUBLISHED,
                published_at=now - dt.timedelta(days=90),
                next_review_on=(now + dt.timedelta(days=200)).date(),
            )
        )
    courses = Microcredential.objects.bulk_create(courses)
    through = Microcredential.instructors.through
    through.objects.bulk_create(
        through(
            microcredential_id=c.pk, user_id=instructors[(i + k) % len(instructors)].pk
        )
        for i, c in enumerate(courses)
        for k in (0, 1)
    )
    LearningOutcome.objects.bulk_create(
        LearningOutcome(
            microcredential=c,
            position=k,
            code=f"LO{k}",
            text=f"{VERBS[(i + k) % len(VERBS)]} the core methods of "
            f"{c.title.lower()} to a workplace problem (outcome {k}).",
        )
        for i, c in enumerate(courses)
        for k in range(1, 5)
    )
    modules = Module.objects.bulk_create(
        Module(
            microcredential=c,
            position=m,
            title=f"Module {m}: {c.title} step {m}",
            summary="What you will do in this module.",
            estimated_minutes=rng.choice([60, 90, 120]),
        )
        for c in courses
        for m in range(1, MODULES_PER_COURSE + 1)
    )
    items = ContentItem.objects.bulk_create(
        ContentItem(
            module=module,
            position=p,
            kind=KINDS[(p - 1) % len(KINDS)],
            title=f"{KINDS[(p - 1) % len(KINDS)].label} {module.position}.{p}",
            estimated_minutes=rng.choice([10, 15, 20, 30]),
            body="## Read this\n\nA few **paragraphs** of sanitised Markdown.\n" * 3,
            video_url=(
                "https://video.example.org/bench.mp4"
                if KINDS[(p - 1) % len(KINDS)] == ItemKind.VIDEO
                else ""
            ),
            transcript=(
                "Transcript: what the speaker says, word for word."
                if KINDS[(p - 1) % len(KINDS)] == ItemKind.VIDEO
                else ""
            ),
        )
        for module in modules
        for p in range(1, ITEMS_PER_MODULE + 1)
    )
    ScenarioChoice.objects.bulk_create(
        ScenarioChoice(
            item=item,
            position=k,
            text=f"Option {k}",
            consequence=f"What happens after option {k}.",
            feedback="Why this matters.",
            is_recommended=k == 1,
        )
        for item in items
        if item.kind == ItemKind.SCENARIO
        for k in range(1, 4)
    )
    Testimonial.objects.bulk_create(
        Testimonial(
            microcredential=c,
            author_name=f"Graduate {k}",
            author_role="Team lead",
            quote="It changed how I work on Monday mornings.",
            is_approved=True,
            position=k,
        )
        for c in courses
        for k in (1, 2)
    )
    module_course = {m.pk: m.microcredential_id for m in modules}
    items_by_course: dict[int, list[int]] = {c.pk: [] for c in courses}
    for item in items:  # already in learning order
        items_by_course[module_course[item.module_id]].append(item.pk)
    return courses, items_by_course


def _seed_offerings(
    courses: Sequence[Microcredential], now: dt.datetime, tz: zoneinfo.ZoneInfo
) -> tuple[dict[int, Offering], dict[int, Offering]]:
    today = now.astimezone(tz).date()
    rolling = {}
    past = {}
    offerings = []
    for c in courses:
        rolling[c.pk] = Offering(
            microcredential=c, kind=Offering.Kind.ROLLING, label="Self-paced"
        )
        past[c.pk] = Offering(
            microcredential=c,
            kind=Offering.Kind.SCHEDULED,
            label="Autumn cohort",
            starts_on=today - dt.timedelta(days=20),
            is_open=False,
            capacity=400,
        )
        offerings += [
            rolling[c.pk],
            past[c.pk],
            Offering(
                microcredential=c,
                kind=Offering.Kind.SCHEDULED,
                label="Next cohort",
                starts_on=today + dt.timedelta(days=30),
                registration_closes_at=now + dt.timedelta(days=29),
                capacity=40,
            ),
        ]
    Offering.objects.bulk_create(offerings)
    return rolling, past


def _seed_pathways(courses: Sequence[Microcredential]) -> None:
    pathways = Pathway.objects.bulk_create(
        Pathway(
            code=f"{CODE_PREFIX}p{n + 1:02d}",
            slug=f"bench-pathway-{n + 1:02d}",
            title=f"Certificate in {TOPICS[n % len(TOPICS)]} ({n + 1})",
            summary="A larger certificate stacked from microcredentials.",
            requirement=(
                Pathway.Requirement.ALL if n % 2 == 0 else Pathway.Requirement.N_OF_M
            ),
            required_count=None if n % 2 == 0 else COURSES_PER_PATHWAY - 1,
        )
        for n in range(PATHWAYS)
    )
    PathwayMembership.objects.bulk_create(
        PathwayMembership(
            pathway=pathway,
            microcredential=courses[n * COURSES_PER_PATHWAY + k],
            position=k,
        )
        for n, pathway in enumerate(pathways)
        for k in range(COURSES_PER_PATHWAY)
    )


def _seed_learners(password: str, now: dt.datetime) -> list[int]:
    zones = ["America/Toronto", "America/Vancouver", "America/Halifax", "Europe/Paris"]
    emails = [f"learner{n:05d}@{EMAIL_DOMAIN}" for n in range(1, LEARNERS + 1)]
    joined = now - dt.timedelta(days=100)
    copy_rows(
        User,
        [
            "email",
            "password",
            "legal_name",
            "time_zone",
            "preferred_language",
            "date_joined",
        ],
        (
            (
                email,
                password,
                f"Learner {n:05d}",
                zones[n % len(zones)],
                "fr" if n % 9 == 0 else "en",
                joined,
            )
            for n, email in enumerate(emails, start=1)
        ),
    )
    ids = dict(learner_queryset().values_list("email", "pk"))
    copy_rows(
        EmailAddress,
        ["user_id", "email", "verified", "primary"],
        ((ids[e], e, True, True) for e in emails),
    )
    return [ids[e] for e in emails]


def _seed_enrolments(
    rng: random.Random,
    learner_ids: Sequence[int],
    courses: Sequence[Microcredential],
    items_by_course: dict[int, list[int]],
    rolling: dict[int, Offering],
    past_cohort: dict[int, Offering],
    now: dt.datetime,
    tz: zoneinfo.ZoneInfo,
) -> tuple[int, int]:
    # Half the learners take 3 courses and half take 2: exactly 50,000.
    # Consecutive courses, so a learner's courses often share a pathway.
    assert LEARNERS * 5 // 2 == ENROLMENTS
    active, completed, withdrawn = (
        Enrolment.Status.ACTIVE.value,
        Enrolment.Status.COMPLETED.value,
        Enrolment.Status.WITHDRAWN.value,
    )
    past_dates = {
        c.pk: policies.scheduled_dates(
            starts_on=past_cohort[c.pk].starts_on, rules=c.window_rules, tz=tz
        )
        for c in courses
    }
    rows = []
    plans: list[tuple[int, int, int]] = []  # (learner, course, items completed)
    for i, learner_id in enumerate(learner_ids):
        first = rng.randrange(COURSES)
        for k in range(3 if i % 2 == 0 else 2):
            course = courses[(first + k) % COURSES]
            items = items_by_course[course.pk]
            roll = rng.random()
            status = active
            done = rng.randrange(len(items) + 1)
            if roll < 0.15:
                status, done = completed, len(items)
            elif roll < 0.2:
                status = withdrawn
            if roll > 0.9:
                offering = past_cohort[course.pk]
                registered_at = now - dt.timedelta(days=25, hours=rng.randrange(48))
                dates = past_dates[course.pk]
            else:
                offering = rolling[course.pk]
                registered_at = now - dt.timedelta(minutes=rng.randrange(60 * 24 * 40))
                dates = policies.rolling_dates(
                    registered_at=registered_at, rules=course.window_rules, tz=tz
                )
            last_activity = registered_at + (now - registered_at) * rng.random()
            rows.append(
                (
                    learner_id,
                    offering.pk,
                    course.pk,
                    status,
                    registered_at,
                    dates.summative_due_at,
                    dates.ends_at,
                    last_activity if status == completed else None,
                    last_activity if status == withdrawn else None,
                    items[done - 1] if done else None,
                    last_activity if done else None,
                    registered_at,
                )
            )
            plans.append((learner_id, course.pk, done))
    n_enrolments = copy_rows(
        Enrolment,
        [
            "learner_id",
            "offering_id",
            "microcredential_id",
            "status",
            "registered_at",
            "summative_due_at",
            "ends_at",
            "completed_at",
            "withdrawn_at",
            "last_item_id",
            "last_activity_at",
            "confirmation_sent_at",
        ],
        rows,
    )
    enrolment_ids = {
        (learner, course): pk
        for pk, learner, course in Enrolment.objects.filter(
            learner__in=learner_queryset()
        ).values_list("pk", "learner_id", "microcredential_id")
    }
    viewed_at = now - dt.timedelta(days=1)
    n_progress = copy_rows(
        ItemProgress,
        ["enrolment_id", "item_id", "first_viewed_at", "completed_at"],
        (
            (enrolment_ids[(learner, course)], item_id, viewed_at, viewed_at)
            for learner, course, done in plans
            for item_id in items_by_course[course][:done]
        ),
    )
    return n_enrolments, n_progress


def _seed_credentials(rng: random.Random) -> int:
    """Issue ``CREDENTIALS`` credentials, one per completed enrolment (the
    first by id, none on the issuance course), through the real service."""
    enrolments = (
        Enrolment.objects.filter(
            learner__in=learner_queryset(), status=Enrolment.Status.COMPLETED
        )
        .exclude(microcredential__code=ISSUANCE_COURSE_CODE)
        .select_related("learner", "microcredential")
        .order_by("pk")[:CREDENTIALS]
    )
    n = 0
    for enrolment in enrolments:
        course = enrolment.microcredential
        codes = list(
            course.outcomes.order_by("position").values_list("code", flat=True)
        )
        credential_services.credential_issue(
            learner=enrolment.learner,
            achievement=credential_services.achievement_for_course(course),
            enrolment=enrolment,
            result=credential_services.AssessedResult(
                Decimal(rng.randrange(70, 101)), tuple(codes)
            ),
            awarded_at=enrolment.completed_at,
        )
        n += 1
    return n


def credential_ids(n: int = CREDENTIALS) -> list[str]:
    """Ids of seeded credentials, for the verification pages."""
    return [
        str(pk)
        for pk in seeded_credentials()
        .order_by("awarded_at", "pk")
        .values_list("pk", flat=True)[:n]
    ]


def dashboard_learners(n: int) -> list[User]:
    """Learners with several enrolments, most of them active."""
    return list(
        learner_queryset()
        .annotate(
            total=Count("enrolments"),
            active=Count("enrolments", filter=Q(enrolments__status="active")),
        )
        .filter(total__gte=3, active__gte=2)
        .order_by("pk")[:n]
    )


def course_slugs() -> list[str]:
    return list(
        Microcredential.objects.filter(
            code__startswith=CODE_PREFIX, status=CourseStatus.PUBLISHED
        )
        .order_by("code")
        .values_list("slug", flat=True)
    )
