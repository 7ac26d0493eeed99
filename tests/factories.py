"""factory_boy factories whose defaults obey the domain rules."""

import datetime as dt

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from courses.models import (
    ContentItem,
    CourseStatus,
    Enrolment,
    ItemKind,
    LearningOutcome,
    Microcredential,
    Module,
    Offering,
    Pathway,
    PathwayMembership,
    ScenarioChoice,
    Testimonial,
)
from microcred.models import User
from microcred.roles import Role, ensure_role_groups

PASSWORD = "correct-horse-battery-staple"  # noqa: S105


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("email",)
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"learner{n}@example.org")
    legal_name = factory.Faker("name")
    time_zone = "America/Toronto"
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def verified(self, create, extracted, **kwargs):
        """Give the user a verified primary e-mail, as allauth would."""
        if not create:
            return
        self.save()  # stores the password set by the post-generation call
        if extracted is False:
            return
        from allauth.account.models import EmailAddress

        EmailAddress.objects.get_or_create(
            user=self, email=self.email, defaults={"verified": True, "primary": True}
        )


class StaffFactory(UserFactory):
    is_staff = True

    @factory.post_generation
    def role(self, create, extracted, **kwargs):
        if create:
            ensure_role_groups()  # transactional tests flush the migration's groups
            self.groups.add(
                Group.objects.get(name=(extracted or Role.INSTRUCTOR).value)
            )


class MicrocredentialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Microcredential
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"mc-{n:03d}")
    slug = factory.Sequence(lambda n: f"microcredential-{n}")
    title = factory.Sequence(lambda n: f"Applied Skills {n}")
    summary = "Practical, assessed skills for the workplace."
    description = "A short, outcome-based course."
    time_commitment_hours = 30
    completion_window_days = 42
    feedback_turnaround_days = 7
    resubmission_days = 7
    credential_name = factory.LazyAttribute(lambda o: f"{o.title} badge")
    owner = factory.SubFactory(StaffFactory)
    status = CourseStatus.PUBLISHED

    @factory.post_generation
    def with_content(self, create, extracted, **kwargs):
        """Two outcomes, two modules of two items each (unless False)."""
        if not create or extracted is False:
            return
        for n in (1, 2):
            LearningOutcome.objects.create(
                microcredential=self,
                position=n,
                code=f"LO{n}",
                text=f"Apply technique {n} to a workplace problem.",
            )
        for m in (1, 2):
            module = Module.objects.create(
                microcredential=self,
                position=m,
                title=f"Module {m}",
                estimated_minutes=90,
            )
            ContentItem.objects.create(
                module=module,
                position=1,
                kind=ItemKind.READING,
                title=f"Reading {m}",
                body=f"# Reading {m}\n\nSome **text**.",
            )
            ContentItem.objects.create(
                module=module,
                position=2,
                kind=ItemKind.REFLECTION,
                title=f"Reflect {m}",
                body="What would you do differently?",
            )


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LearningOutcome

    microcredential = factory.SubFactory(MicrocredentialFactory)
    code = factory.Sequence(lambda n: f"LOX{n}")
    text = "Explain the principle to a colleague."


class ModuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Module

    microcredential = factory.SubFactory(MicrocredentialFactory)
    title = factory.Sequence(lambda n: f"Module {n}")
    estimated_minutes = 60


class ContentItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentItem

    module = factory.SubFactory(ModuleFactory)
    kind = ItemKind.READING
    title = factory.Sequence(lambda n: f"Item {n}")
    body = "Plain reading."


class ScenarioChoiceFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ScenarioChoice

    item = factory.SubFactory(ContentItemFactory, kind=ItemKind.SCENARIO)
    text = "Escalate to the supervisor"
    consequence = "The supervisor thanks you."
    feedback = "Good call."


class OfferingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Offering

    microcredential = factory.SubFactory(MicrocredentialFactory)
    kind = Offering.Kind.ROLLING
    label = "Start any time"
    is_open = True


class ScheduledOfferingFactory(OfferingFactory):
    kind = Offering.Kind.SCHEDULED
    label = "Spring cohort"
    starts_on = factory.LazyFunction(
        lambda: timezone.localdate() + dt.timedelta(days=14)
    )


class PathwayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pathway
        skip_postgeneration_save = True

    code = factory.Sequence(lambda n: f"pw-{n}")
    slug = factory.Sequence(lambda n: f"pathway-{n}")
    title = factory.Sequence(lambda n: f"Certificate in Practice {n}")

    @factory.post_generation
    def members(self, create, extracted, **kwargs):
        if create and extracted:
            for position, course in enumerate(extracted):
                PathwayMembership.objects.create(
                    pathway=self, microcredential=course, position=position
                )


class TestimonialFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Testimonial

    microcredential = factory.SubFactory(MicrocredentialFactory)
    author_name = factory.Faker("name")
    quote = "It changed how I work."
    is_approved = True


def enrol(learner, offering, **kwargs) -> Enrolment:
    """Register through the real service, as a learner would."""
    from courses.services import enrolment_register

    return enrolment_register(learner=learner, offering_id=offering.pk, **kwargs)
