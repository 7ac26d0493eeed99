import pytest

from tests import factories


@pytest.fixture
def learner(db):
    return factories.UserFactory(email="ada@example.org", legal_name="Ada Lovelace")


@pytest.fixture
def other_learner(db):
    return factories.UserFactory(email="grace@example.org", legal_name="Grace Hopper")


@pytest.fixture
def instructor(db):
    return factories.StaffFactory(email="instructor@example.org")


@pytest.fixture
def registrar(db):
    from microcred.roles import Role

    return factories.StaffFactory(email="registrar@example.org", role=Role.REGISTRAR)


@pytest.fixture
def course(db, instructor):
    course = factories.MicrocredentialFactory(owner=instructor)
    course.instructors.add(instructor)
    return course


@pytest.fixture
def offering(course):
    return factories.OfferingFactory(microcredential=course)


@pytest.fixture
def enrolment(learner, offering, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        return factories.enrol(learner, offering)
