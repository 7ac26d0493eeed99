"""Auto-grading rules, as pure functions: no database.

The partial-credit and short-answer rules tested here are the ones stated for
instructors and learners in docs/grading.md.
"""

from decimal import Decimal

import pytest
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

from assessments.grading import (
    KINDS,
    MULTIPLE,
    PROJECT,
    SCENARIO,
    SHORT_ANSWER,
    SINGLE,
    TRUE_FALSE,
    AttemptScore,
    ForgedAnswer,
    InvalidItemKey,
    InvalidManualPoints,
    ItemKey,
    OptionKey,
    OutcomeScore,
    attempt_passed,
    grade_attempt,
    grade_item,
    key_problems,
    multiple_select_points,
    normalise_answer,
    number_readings,
    outcomes_met,
    percent_of,
    short_answer_matches,
)

D = Decimal
NO_ANSWER = ("No answer was given.",)


def option(option_id: int, correct: bool = False, feedback: str = "") -> OptionKey:
    return OptionKey(id=option_id, correct=correct, feedback=feedback)


def choice_item(
    kind: str = SINGLE,
    *,
    item_id: int = 1,
    points: str = "2",
    correct: tuple[int, ...] = (1,),
    option_ids: tuple[int, ...] = (1, 2, 3),
    outcomes: tuple[str, ...] = (),
) -> ItemKey:
    return ItemKey(
        item_id=item_id,
        kind=kind,
        points=D(points),
        options=tuple(
            option(i, i in correct, feedback=f"Feedback on option {i}.")
            for i in option_ids
        ),
        outcome_codes=outcomes,
    )


def short_item(
    *accepted: str,
    item_id: int = 1,
    points: str = "1",
    case_sensitive: bool = False,
    outcomes: tuple[str, ...] = (),
) -> ItemKey:
    return ItemKey(
        item_id=item_id,
        kind=SHORT_ANSWER,
        points=D(points),
        accepted_answers=accepted,
        case_sensitive=case_sensitive,
        outcome_codes=outcomes,
    )


def project_item(
    *, item_id: int = 9, points: str = "10", outcomes: tuple[str, ...] = ()
) -> ItemKey:
    return ItemKey(
        item_id=item_id, kind=PROJECT, points=D(points), outcome_codes=outcomes
    )


def test_item_kinds_are_the_values_the_item_bank_stores():
    from assessments.models import ItemKind

    assert set(KINDS) == set(ItemKind.values)


# --- one option: single choice, true/false, scenario decision ----------------
TRUE_OR_FALSE = choice_item(TRUE_FALSE, correct=(11,), option_ids=(11, 12))
DECISION = ItemKey(
    item_id=5,
    kind=SCENARIO,
    points=D("3"),
    options=(
        option(51, True, "You escalate; the client is informed within the hour."),
        option(52, False, "You wait; the outage spreads to two more sites."),
        option(53, False),  # no feedback written for this one
    ),
)


@pytest.mark.parametrize(
    ("key", "answer", "points", "correct", "feedback"),
    [
        pytest.param(
            choice_item(),
            1,
            D("2"),
            True,
            ("Feedback on option 1.",),
            id="single-right",
        ),
        pytest.param(
            choice_item(),
            2,
            D("0"),
            False,
            ("Feedback on option 2.",),
            id="single-wrong",
        ),
        pytest.param(choice_item(), None, D("0"), False, NO_ANSWER, id="single-blank"),
        pytest.param(
            choice_item(correct=(1, 3)),
            3,
            D("2"),
            True,
            ("Feedback on option 3.",),
            id="single-with-two-accepted-options",
        ),
        pytest.param(
            TRUE_OR_FALSE, 11, D("2"), True, ("Feedback on option 11.",), id="tf-right"
        ),
        pytest.param(
            TRUE_OR_FALSE, 12, D("0"), False, ("Feedback on option 12.",), id="tf-wrong"
        ),
        pytest.param(TRUE_OR_FALSE, None, D("0"), False, NO_ANSWER, id="tf-blank"),
        pytest.param(
            DECISION,
            51,
            D("3"),
            True,
            ("You escalate; the client is informed within the hour.",),
            id="decision-right",
        ),
        pytest.param(
            DECISION,
            52,
            D("0"),
            False,
            ("You wait; the outage spreads to two more sites.",),
            id="decision-wrong",
        ),
        pytest.param(
            DECISION, 53, D("0"), False, (), id="decision-without-feedback-text"
        ),
        pytest.param(DECISION, None, D("0"), False, NO_ANSWER, id="decision-blank"),
    ],
)
def test_one_option_items_earn_all_or_nothing_with_the_chosen_options_feedback(
    key, answer, points, correct, feedback
):
    result = grade_item(key, answer)
    assert result.points_awarded == points
    assert result.points_possible == key.points
    assert result.correct is correct
    assert result.feedback == feedback
    assert result.needs_manual is False


# --- multiple select ----------------------------------------------------------
# 6 points; options 1, 2, 3 correct and 4, 5 wrong: one unit is 6 / 3 = 2 points.
SELECT = choice_item(
    MULTIPLE, points="6", correct=(1, 2, 3), option_ids=(1, 2, 3, 4, 5)
)


@pytest.mark.parametrize(
    ("chosen", "points", "correct"),
    [
        pytest.param({1, 2, 3}, D("6"), True, id="all-correct"),
        pytest.param({1, 2}, D("4"), False, id="one-missing"),
        pytest.param({1}, D("2"), False, id="two-missing"),
        pytest.param({1, 2, 3, 4}, D("4"), False, id="one-wrong-extra"),
        pytest.param({1, 2, 4}, D("2"), False, id="one-missing-one-wrong"),
        pytest.param({1, 2, 3, 4, 5}, D("2"), False, id="all-options"),
        pytest.param({1, 4}, D("0"), False, id="as-many-wrong-as-right"),
        pytest.param({1, 4, 5}, D("0"), False, id="more-wrong-than-right-floors-at-0"),
        pytest.param({4}, D("0"), False, id="only-wrong"),
        pytest.param({4, 5}, D("0"), False, id="every-wrong-option"),
        pytest.param([1, 1, 2, 2, 3], D("6"), True, id="duplicates-count-once"),
        pytest.param((3, 1, 2), D("6"), True, id="order-does-not-matter"),
    ],
)
def test_multiple_select_earns_a_unit_per_correct_option_minus_one_per_wrong(
    chosen, points, correct
):
    result = grade_item(SELECT, chosen)
    assert result.points_awarded == points
    assert result.correct is correct


# The example in docs/grading.md: 3 points, A, B, C correct, D and E incorrect.
A, B, C, DD, E = 1, 2, 3, 4, 5
DOC_EXAMPLE = choice_item(
    MULTIPLE, points="3", correct=(A, B, C), option_ids=(A, B, C, DD, E)
)


@pytest.mark.parametrize(
    ("chosen", "points"),
    [
        pytest.param({A, B, C}, D("3"), id="A-B-C"),
        pytest.param({A, B}, D("2"), id="A-B"),
        pytest.param({A}, D("1"), id="A"),
        pytest.param({A, B, C, DD}, D("2"), id="A-B-C-D"),
        pytest.param({A, B, DD}, D("1"), id="A-B-D"),
        pytest.param({A, B, C, DD, E}, D("1"), id="every-option"),
        pytest.param({A, DD}, D("0"), id="A-D"),
        pytest.param({A, DD, E}, D("0"), id="A-D-E"),
        pytest.param({DD}, D("0"), id="D"),
        pytest.param({DD, E}, D("0"), id="D-E"),
        pytest.param(set(), D("0"), id="nothing"),
    ],
)
def test_the_documented_multiple_select_example(chosen, points):
    assert grade_item(DOC_EXAMPLE, chosen).points_awarded == points


@pytest.mark.parametrize("chosen", [None, set(), [], frozenset()])
def test_multiple_select_with_nothing_chosen_is_unanswered(chosen):
    result = grade_item(SELECT, chosen)
    assert result.points_awarded == 0
    assert result.correct is False
    assert result.feedback == NO_ANSWER


def test_multiple_select_feedback_follows_the_items_option_order():
    result = grade_item(SELECT, [4, 1])
    assert result.feedback == ("Feedback on option 1.", "Feedback on option 4.")


@pytest.mark.parametrize(
    ("points", "correct_options", "correct_chosen", "wrong_chosen", "expected"),
    [
        pytest.param("1", 3, 2, 0, "0.66", id="two-thirds-rounds-down"),
        pytest.param("1", 3, 1, 0, "0.33", id="one-third-rounds-down"),
        pytest.param("1", 2, 1, 0, "0.50", id="half"),
        pytest.param("1", 3, 3, 0, "1", id="exact-set-is-never-rounded"),
        pytest.param("0.01", 3, 2, 0, "0.00", id="rounding-never-reaches-full"),
        pytest.param("3", 3, 3, 1, "2", id="doc-all-correct-plus-one-wrong"),
        pytest.param("3", 3, 3, 2, "1", id="doc-every-option"),
        pytest.param("4", 2, 2, 2, "0", id="every-option-half-right-earns-nothing"),
        pytest.param("4", 3, 3, 1, "2.66", id="every-option-three-of-four-right"),
    ],
)
def test_multiple_select_partial_credit_is_rounded_down_to_hundredths(
    points, correct_options, correct_chosen, wrong_chosen, expected
):
    assert multiple_select_points(
        D(points),
        correct_options=correct_options,
        correct_chosen=correct_chosen,
        wrong_chosen=wrong_chosen,
    ) == D(expected)


# --- short answer -------------------------------------------------------------
@pytest.mark.parametrize(
    ("raw", "case_sensitive", "normal"),
    [
        pytest.param("  Paris ", False, "paris", id="ends-trimmed-and-folded"),
        pytest.param("New \t York\n", False, "new york", id="inner-spaces-collapsed"),
        pytest.param("Paris.", False, "paris", id="trailing-full-stop"),
        pytest.param("Paris ?!", False, "paris", id="french-spaced-punctuation"),
        pytest.param("Paris", True, "Paris", id="case-kept-when-sensitive"),
        pytest.param("ＰＡＲＩＳ", False, "paris", id="full-width-letters"),
        pytest.param("Straße", False, "strasse", id="casefold-not-lower"),
        pytest.param("e\u0301t\u00e9", False, "\u00e9t\u00e9", id="accents-composed"),
        pytest.param("Montréal", False, "montréal", id="accents-kept"),
        pytest.param("3.5.", False, "3.5", id="number-with-full-stop"),
        pytest.param("e.g. this", False, "e.g. this", id="inner-punctuation-kept"),
        pytest.param(" ?! ", False, "", id="punctuation-only-is-blank"),
    ],
)
def test_short_answers_are_compared_in_normal_form(raw, case_sensitive, normal):
    assert normalise_answer(raw, case_sensitive=case_sensitive) == normal


@pytest.mark.parametrize(
    ("accepted", "answer", "case_sensitive", "expected"),
    [
        pytest.param("Paris", "paris", False, True, id="case-ignored"),
        pytest.param("Paris", "paris", True, False, id="case-sensitive-item"),
        pytest.param("Paris", "PARIS", True, False, id="case-sensitive-upper"),
        pytest.param("Paris", "Paris", True, True, id="case-sensitive-exact"),
        pytest.param("New York", "  new   york ", False, True, id="spaces"),
        pytest.param("New York", "newyork", False, False, id="missing-space"),
        pytest.param("Paris", "Paris!", False, True, id="trailing-exclamation"),
        pytest.param("Montréal", "Montreal", False, False, id="e-acute-is-not-e"),
        pytest.param("Montreal", "Montréal", False, False, id="e-is-not-e-acute"),
        pytest.param("Montréal", "Montre\u0301al", False, True, id="decomposed-e"),
        pytest.param("3.5", "3.50", False, True, id="trailing-zero"),
        pytest.param("3.5", "3,5", False, True, id="french-decimal-comma"),
        pytest.param("3,5", "3.5", False, True, id="comma-in-key"),
        pytest.param("3.5", "03.5", False, True, id="leading-zero"),
        pytest.param("3.5", "+3.5", False, True, id="plus-sign"),
        pytest.param("3.5", "3.51", False, False, id="different-number"),
        pytest.param("3.5", "3.5.", False, True, id="number-then-full-stop"),
        pytest.param("0.5", ".5", False, True, id="no-leading-zero"),
        pytest.param("-2", "\u22122", False, True, id="typographic-minus"),
        pytest.param("-2", "2", False, False, id="sign-matters"),
        pytest.param("0", "-0", False, True, id="minus-zero"),
        pytest.param("1000", "1 000", False, True, id="space-grouping"),
        pytest.param("1000.5", "1 000,5", False, True, id="french-grouping"),
        pytest.param("1000.5", "1,000.5", False, True, id="english-grouping"),
        pytest.param("1000", "1,000", False, True, id="comma-read-as-thousands"),
        pytest.param("1", "1,000", False, True, id="comma-read-as-decimal"),
        pytest.param("1000", "1e3", False, False, id="no-exponents"),
        pytest.param("1000", "10 00", False, False, id="bad-grouping"),
        pytest.param("NaN", "nan", False, True, id="nan-is-only-text"),
        pytest.param("NaN", "NAN.", False, True, id="nan-text-with-stop"),
        pytest.param("3.5 kg", "3.50 kg", False, False, id="units-compare-as-text"),
        pytest.param("3.5", "3.5e0", False, False, id="doc-exponent"),
        pytest.param("0.5", "0,5", False, True, id="doc-half-with-comma"),
        pytest.param("0.5", "1/2", False, False, id="doc-no-fractions"),
        pytest.param("1000.5", "1.000,5", False, False, id="doc-no-dot-grouping"),
    ],
)
def test_short_answer_matches_text_and_numbers(
    accepted, answer, case_sensitive, expected
):
    assert (
        short_answer_matches(answer, (accepted,), case_sensitive=case_sensitive)
        is expected
    )


def test_short_answer_accepts_any_of_the_accepted_answers():
    key = short_item("Ottawa", "Bytown", points="2")
    assert grade_item(key, "bytown").points_awarded == D("2")
    assert grade_item(key, "Toronto").points_awarded == 0


@pytest.mark.parametrize(
    ("answer", "points", "correct", "feedback"),
    [
        pytest.param("ottawa.", D("2"), True, (), id="right"),
        pytest.param("Toronto", D("0"), False, (), id="wrong"),
        pytest.param(None, D("0"), False, NO_ANSWER, id="none"),
        pytest.param("   ", D("0"), False, NO_ANSWER, id="blank"),
        pytest.param("?", D("0"), False, NO_ANSWER, id="punctuation-only"),
    ],
)
def test_short_answer_items_earn_all_or_nothing(answer, points, correct, feedback):
    result = grade_item(short_item("Ottawa", points="2"), answer)
    assert (result.points_awarded, result.correct, result.feedback) == (
        points,
        correct,
        feedback,
    )


@pytest.mark.parametrize(
    ("text", "readings"),
    [
        ("3.5", {D("3.5")}),
        ("3,5", {D("3.5")}),
        ("1,000", {D("1000"), D("1")}),
        ("1,000,000", {D("1000000")}),
        ("nan", set()),
        ("infinity", set()),
        ("1e3", set()),
        ("", set()),
        ("-", set()),
        (".", set()),
        ("1.2.3", set()),
        ("1 000 000,25", {D("1000000.25")}),
    ],
)
def test_number_readings(text, readings):
    assert number_readings(text) == readings


# --- projects -----------------------------------------------------------------
@pytest.mark.parametrize("answer", [None, "My report...", 7, {1, 2}])
def test_project_items_need_manual_grading_whatever_the_answer(answer):
    result = grade_item(project_item(), answer)
    assert result.needs_manual is True
    assert result.correct is None
    assert result.points_awarded == 0
    assert result.points_possible == D("10")


# --- forged and malformed answers ---------------------------------------------
@pytest.mark.parametrize(
    ("key", "answer", "message"),
    [
        pytest.param(
            choice_item(item_id=7),
            99,
            "Question 7 has no option 99.",
            id="single-foreign-option",
        ),
        pytest.param(
            DECISION,
            1,
            "Question 5 has no option 1.",
            id="decision-foreign-option",
        ),
        pytest.param(
            SELECT,
            {1, 2, 42, 41},
            "Question 1 has no option 41, 42.",
            id="multiple-with-foreign-options",
        ),
        pytest.param(choice_item(), [1], "must be one option", id="list-for-single"),
        pytest.param(choice_item(), True, "must be one option", id="bool-for-single"),
        pytest.param(choice_item(), "1", "must be one option", id="text-for-single"),
        pytest.param(SELECT, 1, "must be a set of options", id="int-for-multiple"),
        pytest.param(SELECT, "12", "must be a set of options", id="text-for-multiple"),
        pytest.param(
            SELECT, [1, "2"], "must be a set of options", id="text-in-multiple"
        ),
        pytest.param(
            SELECT, [[1]], "must be a set of options", id="nested-in-multiple"
        ),
        pytest.param(short_item("x"), 3, "must be text", id="number-for-short"),
    ],
)
def test_forged_or_malformed_answers_are_refused_with_a_clear_message(
    key, answer, message
):
    with pytest.raises(ForgedAnswer, match=message):
        grade_item(key, answer)


def test_forged_answer_is_a_value_error():
    assert issubclass(ForgedAnswer, ValueError)


def test_an_answer_to_a_question_outside_the_attempt_is_forged():
    with pytest.raises(ForgedAnswer, match="Question 77 is not part of this attempt."):
        grade_attempt([choice_item(item_id=1)], {1: 1, 77: 3})


# --- mis-authored keys --------------------------------------------------------
@pytest.mark.parametrize(
    ("key", "problem"),
    [
        pytest.param(
            choice_item(MULTIPLE, correct=()), "no correct option", id="no-correct"
        ),
        pytest.param(choice_item(option_ids=(1,)), "at least two", id="one-option"),
        pytest.param(
            choice_item(option_ids=(1, 1, 2)), "an option twice", id="duplicate-option"
        ),
        pytest.param(
            choice_item(TRUE_FALSE, correct=(1, 2), option_ids=(1, 2)),
            "one of them correct",
            id="true-false-two-correct",
        ),
        pytest.param(
            choice_item(TRUE_FALSE, option_ids=(1, 2, 3)),
            "exactly two options",
            id="true-false-three-options",
        ),
        pytest.param(short_item(), "no accepted answer", id="no-accepted-answer"),
        pytest.param(short_item(" . "), "no accepted answer", id="blank-accepted"),
        pytest.param(choice_item(points="0"), "more than 0", id="zero-points"),
        pytest.param(choice_item(points="0.125"), "hundredths", id="thousandths"),
        pytest.param(choice_item(points="NaN"), "decimal number", id="nan-points"),
        pytest.param(
            ItemKey(item_id=1, kind="essay", points=D(1)), "unknown type", id="kind"
        ),
    ],
)
def test_mis_authored_keys_are_reported_and_not_graded(key, problem):
    assert any(problem in text for text in key_problems(key))
    with pytest.raises(InvalidItemKey, match=problem):
        grade_item(key, None)


def test_float_points_are_refused():
    key = ItemKey(item_id=1, kind=SHORT_ANSWER, points=1.5, accepted_answers=("a",))
    assert key_problems(key) == ["Question 1: points must be a decimal number."]


# --- a whole attempt ----------------------------------------------------------
def mixed_attempt() -> list[ItemKey]:
    return [
        choice_item(item_id=1, points="2", outcomes=("LO1",)),
        choice_item(
            MULTIPLE,
            item_id=2,
            points="3",
            correct=(1, 2, 3),
            option_ids=(1, 2, 3, 4),
            outcomes=("LO1", "LO2"),
        ),
        short_item("Ottawa", item_id=3, points="1", outcomes=("LO2", "LO2")),
        project_item(item_id=4, points="4", outcomes=("LO3",)),
    ]


def test_attempt_is_incomplete_while_a_project_waits_for_grading():
    score = grade_attempt(mixed_attempt(), {1: 1, 2: [1, 2], 3: "ottawa"})
    assert score.complete is False
    assert score.pending_manual_item_ids == (4,)
    assert score.points_awarded == D("5")  # 2 + 2 + 1 + (project not graded yet)
    assert score.points_possible == D("10")
    assert score.percent == D("50.00")
    assert attempt_passed(score, pass_mark_percent=D("50")) is None


def test_items_feed_every_outcome_they_list_once():
    score = grade_attempt(mixed_attempt(), {1: 1, 2: [1, 2], 3: "ottawa"}, {4: D("3")})
    assert score.complete is True
    assert score.points_awarded == D("8")
    assert score.percent == D("80.00")
    assert score.per_outcome == {
        "LO1": OutcomeScore(D("4"), D("5"), D("80.00")),
        "LO2": OutcomeScore(D("3"), D("4"), D("75.00")),
        "LO3": OutcomeScore(D("3"), D("4"), D("75.00")),
    }
    assert score.items[4].needs_manual is True
    assert score.items[4].points_awarded == D("3")
    assert score.items[2].points_awarded == D("2")


def test_unanswered_items_count_as_zero():
    score = grade_attempt(mixed_attempt(), {}, {4: D("0")})
    assert score.points_awarded == 0
    assert score.percent == D("0.00")
    assert score.items[1].feedback == NO_ANSWER


def test_items_without_outcomes_count_only_overall():
    score = grade_attempt([choice_item(item_id=1)], {1: 1})
    assert score.per_outcome == {}
    assert score.percent == D("100.00")


def test_an_attempt_without_items_scores_zero():
    score = grade_attempt([], {})
    assert (score.points_possible, score.percent, score.complete) == (
        0,
        D("0.00"),
        True,
    )


@pytest.mark.parametrize(
    ("manual", "error"),
    [
        pytest.param({4: D("4.01")}, "worth 0 to 4 points", id="above-maximum"),
        pytest.param({4: D("-1")}, "worth 0 to 4 points", id="negative"),
        pytest.param({4: 3.5}, "decimal number", id="float"),
        pytest.param({1: D("1")}, "not graded by hand", id="auto-graded-item"),
        pytest.param({99: D("1")}, "not graded by hand", id="unknown-item"),
    ],
)
def test_manual_points_out_of_range_are_refused(manual, error):
    with pytest.raises(InvalidManualPoints, match=error):
        grade_attempt(mixed_attempt(), {}, manual)


def test_an_attempt_listing_a_question_twice_is_refused():
    with pytest.raises(InvalidItemKey, match="twice"):
        grade_attempt([choice_item(item_id=1), choice_item(item_id=1)], {})


@pytest.mark.parametrize(
    ("awarded", "possible", "percent"),
    [
        pytest.param("2", "3", "66.67", id="two-thirds"),
        pytest.param("1", "3", "33.33", id="one-third"),
        pytest.param("24.69", "200", "12.35", id="half-up-not-half-even"),
        pytest.param("24.67", "200", "12.34", id="below-half"),
        pytest.param("0.01", "9999.99", "0.00", id="tiny"),
        pytest.param("7", "7", "100.00", id="full"),
        pytest.param("0", "0", "0.00", id="nothing-possible"),
    ],
)
def test_percent_has_two_places_rounded_half_up(awarded, possible, percent):
    result = percent_of(D(awarded), D(possible))
    assert result == D(percent)
    assert str(result) == percent


# --- outcomes and passing -----------------------------------------------------
def outcome(percent: str) -> OutcomeScore:
    return OutcomeScore(D(percent), D("100"), D(percent))


@pytest.mark.parametrize(
    ("percent", "met"),
    [
        pytest.param("70.00", True, id="exactly-at-threshold"),
        pytest.param("69.99", False, id="a-hundredth-below"),
        pytest.param("100", True, id="full"),
        pytest.param("0", False, id="none"),
    ],
)
def test_an_outcome_is_met_at_or_above_the_threshold(percent, met):
    assert outcomes_met({"LO1": outcome(percent)}, D("70")) == {"LO1": met}


def test_outcomes_are_compared_as_shown_to_two_places():
    # 139.99 of 200 is 69.995%, shown and compared as 70.00%.
    score = grade_attempt(
        [project_item(item_id=1, points="200", outcomes=("LO1",))],
        {},
        {1: D("139.99")},
    )
    assert score.per_outcome["LO1"].percent == D("70.00")
    assert outcomes_met(score.per_outcome, D("70")) == {"LO1": True}


def completed(percent: str, **outcomes: str) -> AttemptScore:
    return AttemptScore(
        points_awarded=D(percent),
        points_possible=D("100"),
        percent=D(percent),
        per_outcome={code: outcome(value) for code, value in outcomes.items()},
        complete=True,
    )


@pytest.mark.parametrize(
    ("score", "kwargs", "passed"),
    [
        pytest.param(completed("80", LO1="80", LO2="75"), {}, True, id="all-met"),
        pytest.param(completed("70", LO1="70"), {}, True, id="exactly-pass-mark"),
        pytest.param(
            completed("69.99", LO1="100"), {}, False, id="score-below-pass-mark"
        ),
        pytest.param(
            completed("90", LO1="100", LO2="50"), {}, False, id="one-outcome-not-met"
        ),
        pytest.param(
            completed("90", LO1="100", LO2="50"),
            {"outcome_threshold_percent": D("50")},
            True,
            id="lower-outcome-threshold",
        ),
        pytest.param(
            completed("90", LO1="100"),
            {"required_outcome_codes": ("LO1", "LO2")},
            False,
            id="required-outcome-not-assessed",
        ),
    ],
)
def test_pass_needs_the_pass_mark_and_every_outcome_met(score, kwargs, passed):
    assert attempt_passed(score, pass_mark_percent=D("70"), **kwargs) is passed


# --- properties ---------------------------------------------------------------
# The first draw of text in a fresh checkout builds Hypothesis's Unicode tables
# (a few seconds, once, cached in .hypothesis/); that is not slow generation.
draws_text = settings(suppress_health_check=[HealthCheck.too_slow])

points_strategy = st.decimals(
    min_value=D("0.01"), max_value=D("9999.99"), places=2, allow_nan=False
)


@st.composite
def choice_keys(draw: st.DrawFn, kind: str | None = None) -> ItemKey:
    kind = kind or draw(st.sampled_from(sorted(KINDS)))
    points = draw(points_strategy)
    item_id = draw(st.integers(1, 10_000))
    if kind == TRUE_FALSE:
        first_true = draw(st.booleans())
        return ItemKey(
            item_id,
            kind,
            points,
            options=(option(1, first_true), option(2, not first_true)),
        )
    if kind in {SINGLE, SCENARIO, MULTIPLE}:
        flags = draw(st.lists(st.booleans(), min_size=2, max_size=8))
        flags[draw(st.integers(0, len(flags) - 1))] = True  # at least one correct
        return ItemKey(
            item_id,
            kind,
            points,
            options=tuple(option(i, flag) for i, flag in enumerate(flags, start=1)),
        )
    if kind == SHORT_ANSWER:
        # The first accepted answer has a letter or digit, so it is never blank.
        first = draw(st.text(st.characters(categories=("L", "N")), min_size=1))
        others = draw(st.lists(st.text(max_size=12), max_size=2))
        return ItemKey(item_id, kind, points, accepted_answers=(first, *others))
    return ItemKey(item_id, kind, points)


@st.composite
def keys_with_answers(draw: st.DrawFn) -> tuple[ItemKey, object]:
    key = draw(choice_keys())
    ids = [o.id for o in key.options]
    if key.kind in {SINGLE, TRUE_FALSE, SCENARIO}:
        answer = draw(st.none() | st.sampled_from(ids))
    elif key.kind == MULTIPLE:
        answer = draw(st.none() | st.sets(st.sampled_from(ids)))
    elif key.kind == SHORT_ANSWER:
        answer = draw(
            st.none() | st.text(max_size=12) | st.sampled_from(key.accepted_answers)
        )
    else:
        answer = draw(st.none() | st.text())
    return key, answer


@draws_text
@given(keys_with_answers())
def test_every_item_awards_between_zero_and_its_points(key_and_answer):
    key, answer = key_and_answer
    result = grade_item(key, answer)
    assert 0 <= result.points_awarded <= result.points_possible == key.points
    assert (result.correct is True) == (result.points_awarded == key.points)


@given(choice_keys(MULTIPLE), st.data())
def test_multiple_select_full_marks_iff_exactly_the_correct_set(key, data):
    ids = [o.id for o in key.options]
    chosen = data.draw(st.sets(st.sampled_from(ids)))
    exact = chosen == {o.id for o in key.options if o.correct}
    result = grade_item(key, chosen)
    assert (result.points_awarded == key.points) is exact
    assert result.correct is exact


@given(choice_keys(MULTIPLE), st.data())
def test_choosing_one_more_correct_option_never_lowers_the_score(key, data):
    ids = [o.id for o in key.options]
    chosen = data.draw(st.sets(st.sampled_from(ids)))
    missing = [o.id for o in key.options if o.correct and o.id not in chosen]
    assume(missing)
    added = data.draw(st.sampled_from(missing))
    before = grade_item(key, chosen).points_awarded
    assert grade_item(key, chosen | {added}).points_awarded >= before


@given(choice_keys(MULTIPLE), st.data())
def test_dropping_a_wrong_option_never_lowers_the_score(key, data):
    ids = [o.id for o in key.options]
    chosen = data.draw(st.sets(st.sampled_from(ids)))
    wrong = [o.id for o in key.options if not o.correct and o.id in chosen]
    assume(wrong)
    dropped = data.draw(st.sampled_from(wrong))
    before = grade_item(key, chosen).points_awarded
    assert grade_item(key, chosen - {dropped}).points_awarded >= before


@st.composite
def attempts(draw: st.DrawFn) -> tuple[list[ItemKey], dict, dict]:
    pairs = draw(
        st.lists(keys_with_answers(), max_size=6, unique_by=lambda p: p[0].item_id)
    )
    keys = [key for key, _answer in pairs]
    answers = {key.item_id: answer for key, answer in pairs if answer is not None}
    manual = {}
    for key in keys:
        if key.needs_manual:
            manual[key.item_id] = draw(
                st.none()
                | st.decimals(
                    min_value=0, max_value=key.points, places=2, allow_nan=False
                )
            )
    return keys, answers, manual


def correct_answer(key: ItemKey) -> object:
    correct_ids = [o.id for o in key.options if o.correct]
    if key.kind == MULTIPLE:
        return set(correct_ids)
    if key.kind == SHORT_ANSWER:
        return next(text for text in key.accepted_answers if normalise_answer(text))
    return correct_ids[0] if correct_ids else None


@draws_text
@given(attempts())
def test_attempt_totals_and_percent_stay_in_range(attempt):
    keys, answers, manual = attempt
    score = grade_attempt(keys, answers, manual)
    assert 0 <= score.points_awarded <= score.points_possible
    assert D("0") <= score.percent <= D("100")
    assert score.percent == score.percent.quantize(D("0.01"))
    for result in score.per_outcome.values():
        assert 0 <= result.awarded <= result.possible
        assert D("0") <= result.percent <= D("100")
    assert score.complete is all(
        manual.get(k.item_id) is not None for k in keys if k.needs_manual
    )


@draws_text
@given(attempts(), st.data())
def test_answering_a_question_correctly_never_lowers_the_attempt_score(attempt, data):
    keys, answers, manual = attempt
    auto = [key for key in keys if not key.needs_manual]
    assume(auto)
    key = data.draw(st.sampled_from(auto))
    before = grade_attempt(keys, answers, manual)
    after = grade_attempt(keys, {**answers, key.item_id: correct_answer(key)}, manual)
    assert after.points_awarded >= before.points_awarded
    assert after.percent >= before.percent
    assert after.items[key.item_id].correct is True


@draws_text
@given(st.text(), st.booleans())
def test_normalising_twice_changes_nothing(text, case_sensitive):
    once = normalise_answer(text, case_sensitive=case_sensitive)
    assert normalise_answer(once, case_sensitive=case_sensitive) == once


@draws_text
@given(st.text(max_size=15), st.text(max_size=15))
def test_short_answer_matching_is_symmetric(first, second):
    assert short_answer_matches(first, (second,)) == short_answer_matches(
        second, (first,)
    )


@given(
    st.decimals(min_value=D("-99999"), max_value=D("99999"), places=3, allow_nan=False)
)
def test_a_number_matches_in_every_written_form(number):
    canonical = f"{number:f}"
    forms = {canonical, canonical.replace(".", ","), f"{number:f}0", f"{number:,f}"}
    if number >= 1000:
        forms.add(f"{number:,f}".replace(",", " ").replace(".", ","))
    for form in forms:
        assert short_answer_matches(form, (canonical,)), form
