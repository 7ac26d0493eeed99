"""Auto-grading, as pure functions.

No ORM, no settings, no clock: an item's answer key and a learner's answer in,
points and feedback out. A selector builds the keys from the item bank; the
submit and grading services call these functions and store what they return.
The rules are stated for instructors and learners in ``docs/grading.md``.

Points are ``Decimal`` everywhere (never floats). Partial credit is rounded
*down* to the hundredth of a point, so an imperfect answer never reaches full
marks through rounding; percentages are rounded half up to two places.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from fractions import Fraction

from django.utils.translation import gettext as _

# Item kinds: the values of ``assessments.models.ItemKind`` (kept here as plain
# strings so this module needs no ORM; a test checks that they agree).
SINGLE = "single"
MULTIPLE = "multiple"
TRUE_FALSE = "true_false"
SHORT_ANSWER = "short_answer"
SCENARIO = "scenario"
PROJECT = "project"

ONE_OPTION_KINDS = frozenset({SINGLE, TRUE_FALSE, SCENARIO})
CHOICE_KINDS = ONE_OPTION_KINDS | {MULTIPLE}
MANUAL_KINDS = frozenset({PROJECT})
KINDS = CHOICE_KINDS | {SHORT_ANSWER} | MANUAL_KINDS

ZERO = Decimal("0")
TRAILING_PUNCTUATION = ".,;:!?"
MINUS_SIGNS = "-\u2212"  # hyphen-minus and the typographic minus sign

# An answer as the service hands it over: one option id (single choice,
# true/false, scenario decision), a collection of option ids (multiple select),
# text (short answer), anything for a project (graded by hand), or None when
# the learner gave no answer.
type Answer = int | Collection[int] | str | None


class GradingError(ValueError):
    """Grading cannot go ahead; the message says why."""


class ForgedAnswer(GradingError):
    """An answer no honest form sends: an option of another question, an answer
    to a question outside the attempt, or an answer of the wrong shape.

    The service turns it into a refusal that changes nothing.
    """


class InvalidItemKey(GradingError):
    """The answer key is mis-authored (no correct option, no accepted answer...)."""


class InvalidManualPoints(GradingError):
    """Points given by hand are out of range or given to an auto-graded item."""


@dataclass(frozen=True)
class OptionKey:
    id: int
    correct: bool
    feedback: str = ""


@dataclass(frozen=True)
class ItemKey:
    """What grading needs to know about one item of the item bank."""

    item_id: int
    kind: str
    points: Decimal
    options: tuple[OptionKey, ...] = ()
    accepted_answers: tuple[str, ...] = ()
    case_sensitive: bool = False
    outcome_codes: tuple[str, ...] = ()

    @property
    def needs_manual(self) -> bool:
        return self.kind in MANUAL_KINDS


@dataclass(frozen=True)
class ItemResult:
    points_awarded: Decimal
    points_possible: Decimal
    # True only for full marks; None for items graded by hand.
    correct: bool | None
    # The feedback of each chosen option, in the item's option order.
    feedback: tuple[str, ...] = ()
    needs_manual: bool = False


@dataclass(frozen=True)
class OutcomeScore:
    awarded: Decimal
    possible: Decimal
    percent: Decimal


@dataclass(frozen=True)
class AttemptScore:
    points_awarded: Decimal
    points_possible: Decimal
    percent: Decimal
    per_outcome: dict[str, OutcomeScore]
    # False while any manually graded item has no points yet; until then the
    # figures count those items as 0 and no pass or fail can be decided.
    complete: bool
    items: dict[int, ItemResult] = field(default_factory=dict)
    pending_manual_item_ids: tuple[int, ...] = ()


# --- answer keys --------------------------------------------------------------
def key_problems(key: ItemKey) -> list[str]:
    """Why this answer key cannot be graded (empty if it can).

    Authoring forms can show these; ``grade_item`` refuses a key that has any.
    """
    problems: list[str] = []
    if key.kind not in KINDS:
        return [f'Question {key.item_id} has an unknown type "{key.kind}".']
    points = key.points
    if not isinstance(points, Decimal) or not points.is_finite():
        problems.append(f"Question {key.item_id}: points must be a decimal number.")
    elif points <= 0:
        problems.append(f"Question {key.item_id} must be worth more than 0 points.")
    elif (Fraction(points) * 100).denominator != 1:
        problems.append(
            f"Question {key.item_id}: points are counted in hundredths at most."
        )
    if key.kind in CHOICE_KINDS:
        problems.extend(_option_problems(key))
    if key.kind == SHORT_ANSWER and not any(
        normalise_answer(text, case_sensitive=key.case_sensitive)
        for text in key.accepted_answers
    ):
        problems.append(f"Question {key.item_id} has no accepted answer.")
    return problems


def _option_problems(key: ItemKey) -> list[str]:
    problems = []
    ids = [option.id for option in key.options]
    correct = sum(option.correct for option in key.options)
    if len(set(ids)) != len(ids):
        problems.append(f"Question {key.item_id} lists an option twice.")
    if len(ids) < 2:
        problems.append(f"Question {key.item_id} needs at least two options.")
    if key.kind == TRUE_FALSE and (len(ids) != 2 or correct != 1):
        problems.append(
            f"True-or-false question {key.item_id} needs exactly two options, "
            "one of them correct."
        )
    elif correct == 0:
        problems.append(f"Question {key.item_id} has no correct option.")
    return problems


# --- one item -----------------------------------------------------------------
def grade_item(key: ItemKey, answer: Answer) -> ItemResult:
    """The points and feedback one answer earns.

    - Single choice, true/false, scenario decision: one option id. The full
      points if that option is correct (if an author marked several options
      correct, any of them), else 0.
    - Multiple select: a collection of option ids (duplicates count once),
      scored by ``multiple_select_points``.
    - Short answer: text, compared by ``short_answer_matches``.
    - Project: not graded here; the result says ``needs_manual`` and awards 0
      until an instructor grades it against the rubric.

    No answer (None, no option chosen, blank text) earns 0 points with the
    feedback "No answer was given.". An option id that is not part of the item,
    or an answer of the wrong shape, raises ``ForgedAnswer``.
    """
    problems = key_problems(key)
    if problems:
        raise InvalidItemKey(" ".join(problems))
    if key.kind in MANUAL_KINDS:
        return ItemResult(ZERO, key.points, correct=None, needs_manual=True)
    if key.kind in ONE_OPTION_KINDS:
        return _grade_one_option(key, answer)
    if key.kind == MULTIPLE:
        return _grade_multiple(key, answer)
    return _grade_short_answer(key, answer)


def _unanswered(key: ItemKey) -> ItemResult:
    return ItemResult(ZERO, key.points, correct=False, feedback=(no_answer_feedback(),))


def no_answer_feedback() -> str:
    """The feedback for an unanswered item, in the active language."""
    return _("No answer was given.")


def _is_option_id(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _check_options_belong(key: ItemKey, chosen: Iterable[int]) -> None:
    known = {option.id for option in key.options}
    foreign = sorted(set(chosen) - known)
    if foreign:
        raise ForgedAnswer(
            _("Question %(item)s has no option %(options)s.")
            % {"item": key.item_id, "options": ", ".join(map(str, foreign))}
        )


def _wrong_shape(key: ItemKey) -> ForgedAnswer:
    """Whole sentences per kind, so that translators never assemble fragments."""
    if key.kind == MULTIPLE:
        message = _("The answer to question %(item)s must be a set of options.")
    elif key.kind == SHORT_ANSWER:
        message = _("The answer to question %(item)s must be text.")
    else:
        message = _("The answer to question %(item)s must be one option.")
    return ForgedAnswer(message % {"item": key.item_id})


def _feedback(options: Iterable[OptionKey]) -> tuple[str, ...]:
    return tuple(option.feedback for option in options if option.feedback.strip())


def _grade_one_option(key: ItemKey, answer: Answer) -> ItemResult:
    if answer is None:
        return _unanswered(key)
    if not _is_option_id(answer):
        raise _wrong_shape(key)
    _check_options_belong(key, (answer,))
    (option,) = (option for option in key.options if option.id == answer)
    return ItemResult(
        key.points if option.correct else ZERO,
        key.points,
        correct=option.correct,
        feedback=_feedback((option,)),
    )


def _grade_multiple(key: ItemKey, answer: Answer) -> ItemResult:
    if answer is None:
        return _unanswered(key)
    if isinstance(answer, str | bytes | Mapping) or not isinstance(answer, Iterable):
        raise _wrong_shape(key)
    listed = list(answer)
    if not all(_is_option_id(option_id) for option_id in listed):
        raise _wrong_shape(key)
    chosen_ids = set(listed)
    if not chosen_ids:
        return _unanswered(key)
    _check_options_belong(key, chosen_ids)
    chosen = tuple(option for option in key.options if option.id in chosen_ids)
    correct_chosen = sum(option.correct for option in chosen)
    points = multiple_select_points(
        key.points,
        correct_options=sum(option.correct for option in key.options),
        correct_chosen=correct_chosen,
        wrong_chosen=len(chosen) - correct_chosen,
    )
    return ItemResult(
        points,
        key.points,
        correct=points == key.points,
        feedback=_feedback(chosen),
    )


def multiple_select_points(
    points: Decimal, *, correct_options: int, correct_chosen: int, wrong_chosen: int
) -> Decimal:
    """Partial credit for multiple select: per-option scoring with a penalty.

    The unit is ``points / correct_options``. Each correct option chosen earns
    one unit; each incorrect option chosen takes one unit away. The total is
    never below 0 (and, since at most every correct option can be chosen, never
    above the item's points). Full marks only for exactly the correct set.
    Choosing every option scores (correct options - incorrect options) units,
    so ticking everything earns nothing unless most options are correct.

    Partial credit is rounded down to the hundredth of a point. With 3 points
    and 3 correct options of 5: all three correct = 3; two of them = 2; all
    three plus one wrong = 2; every option = 1; only wrong ones = 0.
    """
    if correct_options < 1:
        raise InvalidItemKey("A multiple-select question needs a correct option.")
    if not 0 <= correct_chosen <= correct_options or wrong_chosen < 0:
        raise ValueError("Chosen option counts are out of range.")
    if correct_chosen == correct_options and wrong_chosen == 0:
        return points
    net = max(correct_chosen - wrong_chosen, 0)
    hundredths = math.floor(Fraction(points) * net * 100 / correct_options)
    return Decimal(hundredths).scaleb(-2)


# --- short answers ------------------------------------------------------------
def _grade_short_answer(key: ItemKey, answer: Answer) -> ItemResult:
    if answer is None:
        return _unanswered(key)
    if not isinstance(answer, str):
        raise _wrong_shape(key)
    if not normalise_answer(answer, case_sensitive=key.case_sensitive):
        return _unanswered(key)
    correct = short_answer_matches(
        answer, key.accepted_answers, case_sensitive=key.case_sensitive
    )
    return ItemResult(key.points if correct else ZERO, key.points, correct=correct)


def normalise_answer(text: str, *, case_sensitive: bool = False) -> str:
    """The form in which short answers are compared.

    Unicode NFKC (so full-width letters, ligatures and composed / decomposed
    accents read alike), case folded unless the item is case sensitive, spaces
    at both ends removed and runs of spaces inside collapsed to one, then
    trailing ``. , ; : ! ?`` removed. Accents are kept: "é" is not "e".
    """
    text = unicodedata.normalize("NFKC", text)
    if not case_sensitive:
        text = unicodedata.normalize("NFKC", text.casefold())
    text = " ".join(text.split())
    return text.rstrip(TRAILING_PUNCTUATION + " ")


def number_readings(text: str) -> frozenset[Decimal]:
    """Every number a normalised answer can be read as (empty if it is not one).

    Accepted: an optional sign, digits with a decimal point or a decimal comma
    ("3.5", "3,5", ".5"), and thousands grouped by spaces ("1 000", "1 000,5")
    or by commas with a decimal point ("1,000.5"). "1,000" is ambiguous (one
    thousand, or one with a French decimal comma) and reads as both. No
    exponents, no "NaN" or "Infinity".
    """
    sign = ""
    if text and text[0] in MINUS_SIGNS + "+":
        sign = "-" if text[0] in MINUS_SIGNS else ""
        text = text[1:]
    readings = set()
    for group_separator, decimal_separator in (
        ("", "."),
        ("", ","),
        (" ", "."),
        (" ", ","),
        (",", "."),
    ):
        number = _read_number(text, group_separator, decimal_separator)
        if number is not None:
            readings.add(Decimal(sign + number))
    return frozenset(readings)


def _read_number(text: str, group_separator: str, decimal_separator: str) -> str | None:
    """``text`` as "digits.digits" under one convention, or None."""
    whole, separator, fraction = text.partition(decimal_separator)
    if separator and not _ascii_digits(fraction):
        return None
    if group_separator:
        groups = whole.split(group_separator)
        if not (
            1 <= len(groups[0]) <= 3
            and all(len(group) == 3 for group in groups[1:])
            and all(_ascii_digits(group) for group in groups)
        ):
            return None
        whole = "".join(groups)
    elif whole and not _ascii_digits(whole):
        return None
    if not whole and not fraction:
        return None
    return f"{whole or '0'}.{fraction or '0'}"


def _ascii_digits(text: str) -> bool:
    return bool(text) and text.isascii() and text.isdigit()


def short_answer_matches(
    answer: str, accepted_answers: Iterable[str], *, case_sensitive: bool = False
) -> bool:
    """Whether a short answer matches any accepted answer.

    Both sides are normalised (``normalise_answer``) and must then be equal;
    where both read as numbers (``number_readings``), a numerically equal
    answer is accepted too: "3.50" and "3,5" for "3.5".
    """
    given = normalise_answer(answer, case_sensitive=case_sensitive)
    if not given:
        return False
    given_numbers = number_readings(given)
    for accepted in accepted_answers:
        expected = normalise_answer(accepted, case_sensitive=case_sensitive)
        if not expected:
            continue
        if given == expected or given_numbers & number_readings(expected):
            return True
    return False


# --- a whole attempt ----------------------------------------------------------
def percent_of(awarded: Decimal, possible: Decimal) -> Decimal:
    """``awarded`` as a percentage of ``possible``: two places, half up, exact.

    0.00 when nothing is possible (an assessment without items passes no one).
    """
    if possible <= 0:
        return Decimal("0.00")
    hundredths = math.floor(
        Fraction(awarded) * 100 * 100 / Fraction(possible) + Fraction(1, 2)
    )
    return Decimal(hundredths).scaleb(-2)


def grade_attempt(
    keys: Sequence[ItemKey],
    answers: Mapping[int, Answer],
    manual_points: Mapping[int, Decimal | None] | None = None,
) -> AttemptScore:
    """Score every item of an attempt, overall and per learning outcome.

    ``keys`` are the attempt's items; ``answers`` maps an item id to its
    answer (a missing item is unanswered); ``manual_points`` maps a manually
    graded item to the points an instructor gave it (None or missing: not
    graded yet, so the score is not ``complete``). An item counts toward every
    outcome it lists (once each). An answer to an item outside the attempt
    raises ``ForgedAnswer``.
    """
    manual_points = manual_points or {}
    by_id = {key.item_id: key for key in keys}
    if len(by_id) != len(keys):
        raise InvalidItemKey("The attempt lists a question twice.")
    foreign = sorted(set(answers) - set(by_id), key=str)
    if foreign:
        raise ForgedAnswer(
            _("Question %(items)s is not part of this attempt.")
            % {"items": ", ".join(map(str, foreign))}
        )
    for item_id in manual_points:
        if item_id not in by_id or not by_id[item_id].needs_manual:
            raise InvalidManualPoints(
                f"Question {item_id} is not graded by hand in this attempt."
            )

    results: dict[int, ItemResult] = {}
    pending: list[int] = []
    for key in keys:
        if key.needs_manual:
            given = manual_points.get(key.item_id)
            results[key.item_id] = _manual_result(key, given)
            if given is None:
                pending.append(key.item_id)
        else:
            results[key.item_id] = grade_item(key, answers.get(key.item_id))

    awarded = sum((result.points_awarded for result in results.values()), ZERO)
    possible = sum((key.points for key in keys), ZERO)
    outcome_totals: dict[str, tuple[Decimal, Decimal]] = {}
    for key in keys:
        for code in dict.fromkeys(key.outcome_codes):
            got, out_of = outcome_totals.get(code, (ZERO, ZERO))
            outcome_totals[code] = (
                got + results[key.item_id].points_awarded,
                out_of + key.points,
            )
    return AttemptScore(
        points_awarded=awarded,
        points_possible=possible,
        percent=percent_of(awarded, possible),
        per_outcome={
            code: OutcomeScore(got, out_of, percent_of(got, out_of))
            for code, (got, out_of) in outcome_totals.items()
        },
        complete=not pending,
        items=results,
        pending_manual_item_ids=tuple(pending),
    )


def _manual_result(key: ItemKey, given: Decimal | None) -> ItemResult:
    problems = key_problems(key)
    if problems:
        raise InvalidItemKey(" ".join(problems))
    if given is None:
        return ItemResult(ZERO, key.points, correct=None, needs_manual=True)
    if not isinstance(given, Decimal) or not given.is_finite():
        raise InvalidManualPoints(
            f"Points for question {key.item_id} must be a decimal number."
        )
    if not ZERO <= given <= key.points:
        raise InvalidManualPoints(
            f"Question {key.item_id} is worth 0 to {key.points} points, not {given}."
        )
    return ItemResult(given, key.points, correct=None, needs_manual=True)


def outcomes_met(
    per_outcome: Mapping[str, OutcomeScore], threshold_percent: Decimal
) -> dict[str, bool]:
    """Which outcomes are met: an outcome is met when its percent (as shown,
    two places) is at or above ``threshold_percent``.

    The threshold is the assessment's pass mark: callers pass
    ``assessment.pass_mark_percent`` unless a course sets another.
    """
    return {
        code: score.percent >= threshold_percent for code, score in per_outcome.items()
    }


def attempt_passed(
    score: AttemptScore,
    *,
    pass_mark_percent: Decimal,
    outcome_threshold_percent: Decimal | None = None,
    required_outcome_codes: Iterable[str] = (),
) -> bool | None:
    """Pass = overall percent at or above the pass mark **and** every outcome
    met. None while manual items wait for grading (no decision yet).

    ``required_outcome_codes`` (the course's outcomes) makes an outcome that no
    item of the attempt assessed count as not met.
    """
    if not score.complete:
        return None
    threshold = (
        pass_mark_percent
        if outcome_threshold_percent is None
        else outcome_threshold_percent
    )
    met = outcomes_met(score.per_outcome, threshold)
    for code in required_outcome_codes:
        met.setdefault(code, False)
    return score.percent >= pass_mark_percent and all(met.values())
