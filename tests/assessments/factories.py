"""Assessment factories whose defaults obey the rules.

- ``AssessmentFactory`` builds a summative assessment of a course that has the
  two outcomes LO1 and LO2 (``tests.factories.MicrocredentialFactory``).
- ``ItemFactory`` builds a valid item of any kind: choice items get options
  with a correct one, short answers an accepted answer, projects a rubric
  whose criteria map to the course's outcomes.
- ``mixed_summative(course)`` is the assessment the journeys use: one item of
  every kind, 15 points, LO1 and LO2 both assessed. ``answers_for`` and
  ``answer_all`` fill in an attempt, right or wrong, through the services.

Points of ``mixed_summative`` (pass mark 70 %: 10.5 of 15 points):

| item | kind | points | outcomes |
|---|---|---|---|
| 1 | single choice | 1 | LO1 |
| 2 | multiple select (3 of 5 correct) | 3 | LO1 |
| 3 | true / false | 1 | LO2 |
| 4 | short answer ("3.5") | 1 | LO2 |
| 5 | scenario decision | 1 | LO1 |
| 6 | project (rubric: one criterion per outcome, levels 0-3) | 8 | LO1, LO2 |
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import factory

from assessments.models import (
    Assessment,
    AssessmentKind,
    Attempt,
    Criterion,
    Item,
    ItemKind,
    Level,
    Option,
    Rubric,
)
from courses.models import LearningOutcome, Microcredential
from tests.factories import MicrocredentialFactory

LEVELS = (
    ("Not yet", Decimal("0"), "The work does not yet show this."),
    ("Developing", Decimal("1"), "Parts are there; important gaps remain."),
    ("Meets expectations", Decimal("2"), "Sound, complete and applied correctly."),
    ("Exceeds expectations", Decimal("3"), "Insightful and carefully justified."),
)

CHOICE_KINDS = frozenset(
    {ItemKind.SINGLE, ItemKind.MULTIPLE, ItemKind.TRUE_FALSE, ItemKind.SCENARIO}
)


class AssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Assessment

    microcredential = factory.SubFactory(MicrocredentialFactory)
    kind = AssessmentKind.SUMMATIVE
    title = "Final assessment"
    instructions = "Answer every question. Your answers are saved as you go."
    pass_mark_percent = Decimal("70")


class FormativeFactory(AssessmentFactory):
    kind = AssessmentKind.FORMATIVE
    title = factory.Sequence(lambda n: f"Check your understanding {n}")
    module = factory.LazyAttribute(lambda o: o.microcredential.modules.first())


class DiagnosticFactory(AssessmentFactory):
    kind = AssessmentKind.DIAGNOSTIC
    title = "Where to start"


class RubricFactory(factory.django.DjangoModelFactory):
    """A rubric with one criterion per course outcome, each with four levels."""

    class Meta:
        model = Rubric
        skip_postgeneration_save = True

    microcredential = factory.SubFactory(MicrocredentialFactory)
    title = factory.Sequence(lambda n: f"Project rubric {n}")

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create or extracted is False:
            return
        outcomes = extracted or list(self.microcredential.outcomes.all())
        for position, outcome in enumerate(outcomes, start=1):
            criterion = Criterion.objects.create(
                rubric=self,
                outcome=outcome,
                position=position,
                title=f"{outcome.code}: {outcome.text}",
            )
            for label, points, descriptor in LEVELS:
                Level.objects.create(
                    criterion=criterion,
                    label=label,
                    points=points,
                    descriptor=descriptor,
                )


class ItemFactory(factory.django.DjangoModelFactory):
    """A valid item of ``kind``; choice items get options, projects a rubric."""

    class Meta:
        model = Item
        skip_postgeneration_save = True

    assessment = factory.SubFactory(AssessmentFactory)
    position = factory.Sequence(lambda n: n)
    kind = ItemKind.SINGLE
    prompt = factory.LazyAttribute(lambda o: f"A {o.kind} question")
    points = Decimal("1")
    accepted_answers = factory.LazyAttribute(
        lambda o: ["3.5"] if o.kind == ItemKind.SHORT_ANSWER else []
    )
    case = factory.LazyAttribute(
        lambda o: (
            "A customer reports that their order arrived damaged."
            if o.kind == ItemKind.SCENARIO
            else ""
        )
    )
    rubric = factory.Maybe(
        factory.LazyAttribute(lambda o: o.kind == ItemKind.PROJECT),
        yes_declaration=factory.SubFactory(
            RubricFactory,
            microcredential=factory.SelfAttribute("..assessment.microcredential"),
        ),
        no_declaration=None,
    )
    allowed_file_types = ".pdf,.docx,.odt,.txt"
    max_file_mb = 10

    @factory.post_generation
    def outcomes(self, create, extracted, **kwargs):
        """Default: the course's first outcome (projects: their criteria's)."""
        if not create:
            return
        if extracted is None:
            course = self.assessment.microcredential
            if self.kind == ItemKind.PROJECT:
                extracted = [c.outcome for c in self.rubric.criteria.all()]
            else:
                extracted = list(course.outcomes.all()[:1])
        self.outcomes.set(extracted)

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        """``[(text, is_correct, feedback), ...]``; defaults by kind."""
        if not create or self.kind not in CHOICE_KINDS:
            return
        for position, (text, correct, feedback) in enumerate(
            extracted or default_options(self.kind), start=1
        ):
            Option.objects.create(
                item=self,
                position=position,
                text=text,
                is_correct=correct,
                feedback=feedback,
                consequence=(
                    f"After “{text}”, the customer "
                    + ("is satisfied." if correct else "complains again.")
                    if self.kind == ItemKind.SCENARIO
                    else ""
                ),
            )


def default_options(kind: str) -> list[tuple[str, bool, str]]:
    if kind == ItemKind.TRUE_FALSE:
        return [("True", True, "Yes, that is true."), ("False", False, "It is true.")]
    if kind == ItemKind.MULTIPLE:
        return [
            ("Alpha", True, "Alpha belongs."),
            ("Bravo", True, "Bravo belongs."),
            ("Charlie", True, "Charlie belongs."),
            ("Delta", False, "Delta does not belong."),
            ("Echo", False, "Echo does not belong."),
        ]
    if kind == ItemKind.SCENARIO:
        return [
            ("Apologise and replace the order", True, "Fixes the problem first."),
            ("Ask them to read the terms", False, "This escalates the complaint."),
        ]
    return [
        ("The right answer", True, "Correct: that is the principle."),
        ("A plausible mistake", False, "Not quite: review module 1."),
        ("Another mistake", False, "Not quite: review module 2."),
    ]


def outcome(course: Microcredential, code: str) -> LearningOutcome:
    return course.outcomes.get(code=code)


def mixed_summative(
    course: Microcredential,
    *,
    pass_mark_percent: Decimal = Decimal("70"),
    with_project: bool = True,
    **kwargs: Any,
) -> Assessment:
    """The course's summative: one item of every kind (see the module docstring)."""
    assessment = AssessmentFactory(
        microcredential=course, pass_mark_percent=pass_mark_percent, **kwargs
    )
    lo1, lo2 = outcome(course, "LO1"), outcome(course, "LO2")
    ItemFactory(assessment=assessment, position=1, kind=ItemKind.SINGLE, outcomes=[lo1])
    ItemFactory(
        assessment=assessment,
        position=2,
        kind=ItemKind.MULTIPLE,
        points=Decimal("3"),
        outcomes=[lo1],
    )
    ItemFactory(
        assessment=assessment, position=3, kind=ItemKind.TRUE_FALSE, outcomes=[lo2]
    )
    ItemFactory(
        assessment=assessment,
        position=4,
        kind=ItemKind.SHORT_ANSWER,
        prompt="What is 7 divided by 2?",
        outcomes=[lo2],
    )
    ItemFactory(
        assessment=assessment, position=5, kind=ItemKind.SCENARIO, outcomes=[lo1]
    )
    if with_project:
        ItemFactory(
            assessment=assessment,
            position=6,
            kind=ItemKind.PROJECT,
            prompt="Write a short plan that applies both techniques.",
            points=Decimal("8"),
        )
    return assessment


def answers_for(item: Item, *, correct: bool = True) -> dict[str, Any]:
    """``answer_save`` keyword arguments that answer ``item`` right (or wrong)."""
    if item.kind == ItemKind.MULTIPLE:
        return {
            "option_ids": [o.pk for o in item.options.all() if o.is_correct == correct]
        }
    if item.kind in CHOICE_KINDS:
        option = next(o for o in item.options.all() if o.is_correct == correct)
        return {"option_ids": [option.pk]}
    if item.kind == ItemKind.SHORT_ANSWER:
        return {"text": item.accepted_answers[0] if correct else "a guess"}
    return {"text": "My plan: first apply technique 1, then technique 2."}


def answer_all(learner, attempt: Attempt, *, correct: bool = True, now=None) -> None:
    """Answer every item of the attempt through ``answer_save``."""
    from assessments.services import answer_save

    for item in Item.objects.filter(pk__in=attempt.item_ids):
        answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=item.pk,
            now=now,
            **answers_for(item, correct=correct),
        )


def rubric_levels(item: Item, label: str) -> dict[int, int]:
    """``grade_save`` criterion_levels giving every criterion the level ``label``."""
    return {
        criterion.pk: criterion.levels.get(label=label).pk
        for criterion in item.rubric.criteria.all()
    }
