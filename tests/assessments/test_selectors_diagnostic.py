"""Where a diagnostic suggests focusing: the pure rule, then the selectors that
feed it from real attempts on PostgreSQL (state set up through the services)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from assessments import demo_content, policies, selectors, services
from assessments.models import Attempt, ItemKind
from tests import factories
from tests.assessments import factories as af

# --- the pure rule -------------------------------------------------------------------

MODULES = [(10, {"LO1"}), (20, {"LO2", "LO3"}), (30, {"LO3"}), (40, set())]


@pytest.mark.parametrize(
    ("outcomes_met", "focus", "modules", "untaught"),
    [
        pytest.param({"LO1": True, "LO2": True, "LO3": True}, (), (), (), id="all-met"),
        pytest.param(
            {"LO1": False, "LO2": True}, ("LO1",), ((10, ("LO1",)),), (), id="one-unmet"
        ),
        pytest.param(
            {"LO3": False},
            ("LO3",),
            ((20, ("LO3",)), (30, ("LO3",))),
            (),
            id="two-modules-teach-one-outcome",
        ),
        pytest.param(
            {"LO2": False, "LO3": False},
            ("LO2", "LO3"),
            ((20, ("LO2", "LO3")), (30, ("LO3",))),
            (),
            id="a-module-is-listed-once",
        ),
        pytest.param(
            {"LO4": False, "LO1": False},
            ("LO4", "LO1"),
            ((10, ("LO1",)),),
            ("LO4",),
            id="an-outcome-no-module-teaches",
        ),
        pytest.param({}, (), (), (), id="nothing-assessed"),
    ],
)
def test_diagnostic_focus_lists_unmet_outcomes_and_the_modules_that_teach_them(
    outcomes_met, focus, modules, untaught
):
    suggestion = policies.diagnostic_focus(
        outcomes_met=outcomes_met, module_outcomes=MODULES
    )
    assert suggestion.outcome_codes == focus
    assert suggestion.modules == modules
    assert suggestion.untaught_codes == untaught
    assert suggestion.module_ids == tuple(module_id for module_id, _ in modules)


def test_an_outcome_the_diagnostic_did_not_assess_is_never_suggested():
    suggestion = policies.diagnostic_focus(
        outcomes_met={"LO1": True}, module_outcomes=MODULES
    )
    assert "LO2" not in suggestion.outcome_codes
    assert suggestion.modules == ()


def test_a_module_listed_twice_is_suggested_once_with_everything_it_teaches():
    suggestion = policies.diagnostic_focus(
        outcomes_met={"LO1": False, "LO2": False},
        module_outcomes=[(1, {"LO2"}), (2, {"LO1"}), (1, {"LO1"})],
    )
    assert suggestion.modules == ((1, ("LO1", "LO2")), (2, ("LO1",)))


codes = st.sampled_from(["LO1", "LO2", "LO3", "LO4", "LO5"])


@given(
    outcomes_met=st.dictionaries(codes, st.booleans()),
    module_outcomes=st.lists(
        st.tuples(st.integers(1, 8), st.frozensets(codes)),
        max_size=8,
        unique_by=lambda module: module[0],
    ),
)
def test_focus_modules_are_exactly_those_teaching_an_unmet_outcome_in_course_order(
    outcomes_met, module_outcomes
):
    suggestion = policies.diagnostic_focus(
        outcomes_met=outcomes_met, module_outcomes=module_outcomes
    )
    unmet = {code for code, met in outcomes_met.items() if not met}
    assert set(suggestion.outcome_codes) == unmet
    expected: list[int] = []
    for module_id, taught in module_outcomes:
        if taught & unmet and module_id not in expected:
            expected.append(module_id)
    assert list(suggestion.module_ids) == expected
    taught_anywhere = set().union(*(t for _, t in module_outcomes))
    assert set(suggestion.untaught_codes) == unmet - taught_anywhere
    for _module_id, teaches in suggestion.modules:
        assert teaches
        assert set(teaches) <= unmet


# --- from real attempts --------------------------------------------------------------


@pytest.fixture
def three_outcome_course(db, instructor):
    """LO1-LO3, three modules; module n's formative check assesses LOn."""
    course = factories.MicrocredentialFactory(owner=instructor)
    factories.OutcomeFactory(
        microcredential=course, code="LO3", position=3, text="Explain the third."
    )
    module3 = factories.ModuleFactory(microcredential=course, position=3, title="M3")
    factories.ContentItemFactory(module=module3, position=1, title="M3 reading")
    modules = list(course.modules.order_by("position"))
    for module, code in zip(modules, ("LO1", "LO2", "LO3"), strict=True):
        check = af.FormativeFactory(microcredential=course, module=module)
        af.ItemFactory(assessment=check, outcomes=[af.outcome(course, code)])
    return course


def diagnostic_on(course, codes=("LO1", "LO2", "LO3")):
    diagnostic = af.DiagnosticFactory(microcredential=course)
    for position, code in enumerate(codes, start=1):
        af.ItemFactory(
            assessment=diagnostic,
            position=position,
            kind=ItemKind.TRUE_FALSE,
            prompt=f"A statement about {code}.",
            outcomes=[af.outcome(course, code)],
        )
    return diagnostic


def take(learner, assessment, *, right: set[str]) -> Attempt:
    """Start, answer (right only for the outcomes in ``right``) and check."""
    attempt = services.attempt_start(learner=learner, assessment_id=assessment.pk)
    for item in assessment.items.prefetch_related("outcomes"):
        code = item.outcomes.get().code
        services.answer_save(
            learner=learner,
            attempt_id=attempt.pk,
            item_id=item.pk,
            **af.answers_for(item, correct=code in right),
        )
    return services.attempt_submit(learner=learner, attempt_id=attempt.pk)


@pytest.mark.django_db
def test_modules_teach_the_outcomes_of_their_formative_checks(three_outcome_course):
    course = three_outcome_course
    taught = selectors.modules_with_outcomes(course.pk)
    assert [(m.title, set(codes)) for m, codes in taught] == [
        ("Module 1", {"LO1"}),
        ("Module 2", {"LO2"}),
        ("M3", {"LO3"}),
    ]
    first_items = [m.first_item_id for m, _codes in taught]
    assert first_items == [
        m.items.order_by("position", "id").first().pk
        for m in course.modules.order_by("position")
    ]


@pytest.mark.django_db
def test_summatives_and_diagnostics_do_not_make_a_module_teach_an_outcome(
    three_outcome_course,
):
    course = three_outcome_course
    diagnostic_on(course)
    summative = af.AssessmentFactory(microcredential=course)
    af.ItemFactory(assessment=summative, outcomes=[af.outcome(course, "LO3")])
    other_course = factories.MicrocredentialFactory()
    af.ItemFactory(
        assessment=af.FormativeFactory(microcredential=other_course),
        outcomes=[af.outcome(other_course, "LO2")],
    )
    taught = {m.title: codes for m, codes in selectors.modules_with_outcomes(course.pk)}
    assert taught == {
        "Module 1": frozenset({"LO1"}),
        "Module 2": frozenset({"LO2"}),
        "M3": frozenset({"LO3"}),
    }


@pytest.mark.django_db
def test_diagnostic_result_focuses_on_unmet_outcomes_and_their_modules(
    three_outcome_course, learner
):
    course = three_outcome_course
    enrolment = factories.enrol(
        learner, factories.OfferingFactory(microcredential=course)
    )
    diagnostic = diagnostic_on(course)
    take(learner, diagnostic, right={"LO2"})
    summary = selectors.learner_check(enrolment, diagnostic.pk)
    result = selectors.diagnostic_result(summary.last_attempt)
    assert [(line.code, line.met) for line in result.outcomes] == [
        ("LO1", False),
        ("LO2", True),
        ("LO3", False),
    ]
    assert [line.code for line in result.focus_outcomes] == ["LO1", "LO3"]
    assert [
        (f.module.title, [o.code for o in f.outcomes]) for f in result.focus_modules
    ] == [
        ("Module 1", ["LO1"]),
        ("M3", ["LO3"]),
    ]
    assert result.untaught_outcomes == ()


@pytest.mark.django_db
def test_the_latest_checked_diagnostic_counts_and_all_met_means_no_focus(
    three_outcome_course, learner
):
    course = three_outcome_course
    enrolment = factories.enrol(
        learner, factories.OfferingFactory(microcredential=course)
    )
    diagnostic = diagnostic_on(course)
    take(learner, diagnostic, right=set())
    take(learner, diagnostic, right={"LO1", "LO2", "LO3"})
    summary = selectors.learner_check(enrolment, diagnostic.pk)
    assert summary.tries == 2
    assert summary.last_attempt.number == 2
    assert summary.best_percent == Decimal("100.00")
    result = selectors.diagnostic_result(summary.last_attempt)
    assert all(line.met for line in result.outcomes)
    assert result.focus_outcomes == ()
    assert result.focus_modules == ()


@pytest.mark.django_db
def test_an_unmet_outcome_no_module_check_assesses_is_kept_as_untaught(learner, course):
    enrolment = factories.enrol(
        learner, factories.OfferingFactory(microcredential=course)
    )
    diagnostic = diagnostic_on(course, codes=("LO1", "LO2"))
    take(learner, diagnostic, right=set())
    result = selectors.diagnostic_result(
        selectors.learner_check(enrolment, diagnostic.pk).last_attempt
    )
    assert [line.code for line in result.focus_outcomes] == ["LO1", "LO2"]
    assert result.focus_modules == ()
    assert [line.code for line in result.untaught_outcomes] == ["LO1", "LO2"]


@pytest.mark.django_db
def test_learner_checks_list_diagnostic_first_then_formatives_by_module(
    three_outcome_course, learner
):
    course = three_outcome_course
    enrolment = factories.enrol(
        learner, factories.OfferingFactory(microcredential=course)
    )
    diagnostic = diagnostic_on(course)
    af.FormativeFactory(microcredential=course)  # no questions yet: not listed
    af.AssessmentFactory(microcredential=course)  # the summative is not a check
    checks = selectors.learner_checks(enrolment)
    assert checks[0].assessment == diagnostic
    assert checks[0].question_count == 3
    assert [c.assessment.module.title for c in checks[1:]] == [
        "Module 1",
        "Module 2",
        "M3",
    ]
    assert all(c.tries == 0 and c.best_percent is None for c in checks)
    other = factories.MicrocredentialFactory()
    foreign = af.FormativeFactory(microcredential=other)
    af.ItemFactory(assessment=foreign)
    assert selectors.learner_check(enrolment, foreign.pk) is None


# --- the demo courses ---------------------------------------------------------------


@pytest.mark.parametrize("code", sorted(demo_content.COURSE_ASSESSMENTS))
def test_every_outcome_a_demo_diagnostic_assesses_is_taught_by_a_module_check(code):
    specs = demo_content.COURSE_ASSESSMENTS[code]
    (diagnostic,) = [s for s in specs if s.kind == demo_content.DIAGNOSTIC]
    assessed = {o for question in diagnostic.questions for o in question.outcomes}
    checks = [s for s in specs if s.kind == demo_content.FORMATIVE]
    assert all(check.module is not None for check in checks)
    assert len({check.module for check in checks}) == len(checks)
    taught = {o for check in checks for q in check.questions for o in q.outcomes}
    assert assessed <= taught
    suggestion = policies.diagnostic_focus(
        outcomes_met=dict.fromkeys((f"LO{n}" for n in sorted(assessed)), False),
        module_outcomes=[
            (check.module, {f"LO{o}" for q in check.questions for o in q.outcomes})
            for check in checks
        ],
    )
    assert suggestion.untaught_codes == ()
