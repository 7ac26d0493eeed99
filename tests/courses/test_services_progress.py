"""Progress through items, scenarios and reflections, on real PostgreSQL."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from courses.models import (
    ContentItem,
    Enrolment,
    ItemKind,
    ItemProgress,
    Reflection,
)
from courses.policies import PolicyError
from courses.services import (
    MAX_REFLECTION_LENGTH,
    enrolment_withdraw,
    item_complete,
    item_visit,
    reflection_save,
    scenario_choose,
)
from tests import factories

pytestmark = pytest.mark.django_db

TORONTO = ZoneInfo("America/Toronto")
MORNING = dt.datetime(2027, 3, 2, 9, 0, tzinfo=TORONTO)
EVENING = dt.datetime(2027, 3, 2, 21, 0, tzinfo=TORONTO)


@pytest.fixture
def items(course) -> dict[str, ContentItem]:
    """The course's reading and reflection, plus a scenario with two choices."""
    reading = ContentItem.objects.filter(
        module__microcredential=course, kind=ItemKind.READING
    ).first()
    reflection = ContentItem.objects.filter(
        module__microcredential=course, kind=ItemKind.REFLECTION
    ).first()
    scenario = factories.ContentItemFactory(
        module=reading.module, kind=ItemKind.SCENARIO, position=3, title="Outage"
    )
    return {"reading": reading, "reflection": reflection, "scenario": scenario}


@pytest.fixture
def choices(items):
    scenario = items["scenario"]
    return (
        factories.ScenarioChoiceFactory(item=scenario, text="Escalate", position=1),
        factories.ScenarioChoiceFactory(item=scenario, text="Wait", position=2),
    )


@pytest.fixture
def foreign_item(db) -> ContentItem:
    """An item of another microcredential."""
    other_course = factories.MicrocredentialFactory()
    return ContentItem.objects.filter(
        module__microcredential=other_course, kind=ItemKind.REFLECTION
    ).first()


@pytest.fixture
def other_enrolment(other_learner, offering, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return factories.enrol(other_learner, offering)


def snapshot() -> dict:
    """Everything the progress services may write."""
    return {
        "progress": sorted(
            ItemProgress.objects.values_list(
                "enrolment",
                "item",
                "first_viewed_at",
                "completed_at",
                "scenario_choice",
            )
        ),
        "reflections": sorted(
            Reflection.objects.values_list("enrolment", "item", "text", "updated_at")
        ),
        "enrolments": sorted(
            Enrolment.objects.values_list("pk", "last_item", "last_activity_at")
        ),
    }


# --- visiting and completing --------------------------------------------------
def test_visiting_an_item_records_the_first_view_and_where_to_continue(
    learner, enrolment, items
):
    reading = items["reading"]
    progress = item_visit(
        learner=learner, enrolment_id=enrolment.pk, item_id=reading.pk, now=MORNING
    )
    item_visit(
        learner=learner, enrolment_id=enrolment.pk, item_id=reading.pk, now=EVENING
    )
    progress.refresh_from_db()
    enrolment.refresh_from_db()
    assert progress.first_viewed_at == MORNING
    assert progress.completed_at is None
    assert enrolment.last_item == reading
    assert enrolment.last_activity_at == EVENING
    assert ItemProgress.objects.filter(enrolment=enrolment).count() == 1


def test_continue_where_you_left_off_follows_the_latest_item(learner, enrolment, items):
    for when, item in ((MORNING, items["reading"]), (EVENING, items["reflection"])):
        item_visit(
            learner=learner, enrolment_id=enrolment.pk, item_id=item.pk, now=when
        )
    enrolment.refresh_from_db()
    assert enrolment.last_item == items["reflection"]


def test_progress_is_recorded_per_item(learner, enrolment, items):
    item_complete(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=items["reading"].pk,
        now=MORNING,
    )
    item_visit(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=items["reflection"].pk,
        now=EVENING,
    )
    done = dict(
        ItemProgress.objects.filter(enrolment=enrolment).values_list(
            "item", "completed_at"
        )
    )
    assert done == {items["reading"].pk: MORNING, items["reflection"].pk: None}


def test_completing_twice_keeps_the_first_completion_time(learner, enrolment, items):
    reading = items["reading"]
    for when in (MORNING, EVENING):
        progress = item_complete(
            learner=learner, enrolment_id=enrolment.pk, item_id=reading.pk, now=when
        )
    progress.refresh_from_db()
    assert progress.completed_at == MORNING
    assert progress.first_viewed_at == MORNING
    enrolment.refresh_from_db()
    assert enrolment.last_activity_at == EVENING


def test_an_item_can_be_marked_not_complete_again(learner, enrolment, items):
    reading = items["reading"]
    item_complete(
        learner=learner, enrolment_id=enrolment.pk, item_id=reading.pk, now=MORNING
    )
    progress = item_complete(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=reading.pk,
        completed=False,
        now=EVENING,
    )
    progress.refresh_from_db()
    assert progress.completed_at is None
    assert progress.first_viewed_at == MORNING


def test_completing_uses_the_clock_when_no_time_is_given(
    learner, enrolment, items, time_machine
):
    time_machine.move_to(EVENING, tick=False)
    progress = item_complete(
        learner=learner, enrolment_id=enrolment.pk, item_id=items["reading"].pk
    )
    assert progress.completed_at == EVENING


# --- scenarios ----------------------------------------------------------------
def test_a_scenario_choice_is_recorded_and_can_be_changed(
    learner, enrolment, items, choices
):
    escalate, wait = choices
    scenario = items["scenario"]
    chosen = scenario_choose(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=scenario.pk,
        choice_id=escalate.pk,
        now=MORNING,
    )
    assert chosen == escalate
    scenario_choose(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=scenario.pk,
        choice_id=wait.pk,
        now=EVENING,
    )
    progress = ItemProgress.objects.get(enrolment=enrolment, item=scenario)
    assert progress.scenario_choice == wait
    assert progress.first_viewed_at == MORNING


def test_a_choice_from_another_scenario_is_refused(learner, enrolment, items, choices):
    elsewhere = factories.ScenarioChoiceFactory(
        item=factories.ContentItemFactory(
            module=items["scenario"].module, kind=ItemKind.SCENARIO
        )
    )
    before = snapshot()
    with pytest.raises(PolicyError, match="not part of this scenario"):
        scenario_choose(
            learner=learner,
            enrolment_id=enrolment.pk,
            item_id=items["scenario"].pk,
            choice_id=elsewhere.pk,
        )
    assert snapshot() == before


def test_a_choice_on_an_item_that_is_not_a_scenario_is_refused(
    learner, enrolment, items, choices
):
    before = snapshot()
    with pytest.raises(PolicyError, match="not part of this scenario"):
        scenario_choose(
            learner=learner,
            enrolment_id=enrolment.pk,
            item_id=items["reading"].pk,
            choice_id=choices[0].pk,
        )
    assert snapshot() == before


# --- reflections --------------------------------------------------------------
def test_a_reflection_is_saved_and_autosave_updates_the_same_row(
    learner, enrolment, items
):
    reflection_item = items["reflection"]
    for text in (
        "First thoughts",
        "First thoughts, revised",
        "First thoughts, revised",
    ):
        saved = reflection_save(
            learner=learner,
            enrolment_id=enrolment.pk,
            item_id=reflection_item.pk,
            text=text,
        )
    assert saved.text == "First thoughts, revised"
    assert Reflection.objects.filter(enrolment=enrolment).count() == 1


def test_a_reflection_at_the_length_limit_is_saved(learner, enrolment, items):
    text = "é" * MAX_REFLECTION_LENGTH
    saved = reflection_save(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=items["reflection"].pk,
        text=text,
    )
    saved.refresh_from_db()
    assert saved.text == text


def test_a_reflection_over_the_limit_is_refused_and_the_saved_text_kept(
    learner, enrolment, items
):
    item_id = items["reflection"].pk
    reflection_save(
        learner=learner, enrolment_id=enrolment.pk, item_id=item_id, text="Kept."
    )
    before = snapshot()
    with pytest.raises(PolicyError, match="at most 20,000 characters"):
        reflection_save(
            learner=learner,
            enrolment_id=enrolment.pk,
            item_id=item_id,
            text="x" * (MAX_REFLECTION_LENGTH + 1),
        )
    assert snapshot() == before
    assert Reflection.objects.get(enrolment=enrolment, item_id=item_id).text == "Kept."


def test_a_reflection_on_an_item_without_a_prompt_is_refused(learner, enrolment, items):
    with pytest.raises(PolicyError, match="does not take a written answer"):
        reflection_save(
            learner=learner,
            enrolment_id=enrolment.pk,
            item_id=items["reading"].pk,
            text="Hello",
        )
    assert not Reflection.objects.exists()


# --- whose enrolment, which course --------------------------------------------
CALLS = {
    "visit": lambda learner, enrolment_id, item, choice: item_visit(
        learner=learner, enrolment_id=enrolment_id, item_id=item.pk
    ),
    "complete": lambda learner, enrolment_id, item, choice: item_complete(
        learner=learner, enrolment_id=enrolment_id, item_id=item.pk
    ),
    "choose": lambda learner, enrolment_id, item, choice: scenario_choose(
        learner=learner, enrolment_id=enrolment_id, item_id=item.pk, choice_id=choice.pk
    ),
    "reflect": lambda learner, enrolment_id, item, choice: reflection_save(
        learner=learner, enrolment_id=enrolment_id, item_id=item.pk, text="Mine"
    ),
}
ITEM_FOR = {
    "visit": "reading",
    "complete": "reading",
    "choose": "scenario",
    "reflect": "reflection",
}


@pytest.mark.parametrize("call", CALLS)
def test_a_learner_cannot_touch_another_learners_enrolment(
    call, learner, other_enrolment, items, choices
):
    before = snapshot()
    with pytest.raises(PolicyError, match="This enrolment does not exist."):
        CALLS[call](learner, other_enrolment.pk, items[ITEM_FOR[call]], choices[0])
    assert snapshot() == before


@pytest.mark.parametrize("call", CALLS)
def test_an_unknown_enrolment_is_refused(call, learner, enrolment, items, choices):
    with pytest.raises(PolicyError, match="This enrolment does not exist."):
        CALLS[call](learner, 999_999, items[ITEM_FOR[call]], choices[0])


@pytest.mark.parametrize("call", CALLS)
def test_an_item_from_another_course_is_refused(
    call, learner, enrolment, foreign_item, choices
):
    foreign_choice = factories.ScenarioChoiceFactory(item=foreign_item)
    before = snapshot()
    with pytest.raises(PolicyError, match="not part of the microcredential"):
        CALLS[call](learner, enrolment.pk, foreign_item, foreign_choice)
    assert snapshot() == before


# --- read-only once the enrolment is over -------------------------------------
def _withdraw(enrolment):
    enrolment_withdraw(actor=None, enrolment_id=enrolment.pk, reason="Left.")


def _complete(enrolment):
    # No completion service exists yet (it arrives with assessments).
    Enrolment.objects.filter(pk=enrolment.pk).update(status="completed")


@pytest.mark.parametrize("end", [_withdraw, _complete], ids=["withdrawn", "completed"])
@pytest.mark.parametrize("call", ["complete", "choose", "reflect"])
def test_an_enrolment_that_is_over_is_read_only(
    end, call, learner, enrolment, items, choices
):
    reflection_save(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=items["reflection"].pk,
        text="Before.",
    )
    end(enrolment)
    before = snapshot()
    with pytest.raises(PolicyError, match="no longer active; progress is read-only"):
        CALLS[call](learner, enrolment.pk, items[ITEM_FOR[call]], choices[0])
    assert snapshot() == before


@pytest.mark.parametrize("end", [_withdraw, _complete], ids=["withdrawn", "completed"])
def test_visiting_an_item_of_an_enrolment_that_is_over_records_nothing(
    end, learner, enrolment, items, choices
):
    scenario = items["scenario"]
    scenario_choose(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=scenario.pk,
        choice_id=choices[1].pk,
        now=MORNING,
    )
    end(enrolment)
    before = snapshot()

    seen = item_visit(
        learner=learner, enrolment_id=enrolment.pk, item_id=scenario.pk, now=EVENING
    )
    unseen = item_visit(
        learner=learner,
        enrolment_id=enrolment.pk,
        item_id=items["reading"].pk,
        now=EVENING,
    )

    assert snapshot() == before
    # What was recorded is still shown; an unvisited item shows as unvisited.
    assert seen.scenario_choice == choices[1]
    assert seen.first_viewed_at == MORNING
    assert unseen.pk is None
    assert unseen.completed_at is None
