import uuid

import pytest
from django.utils import timezone, translation

from tests import factories

# Every credential a test issues is checked by third-party verifiers at the end.
pytest_plugins = ["tests.issued_credentials"]


@pytest.fixture(autouse=True)
def default_language_and_time_zone():
    """Start every test in English and the institution's zone.

    Requests activate the signed-in person's language and time zone for the
    thread (as Django's LocaleMiddleware does); a test must not inherit them.
    """
    translation.activate("en")
    timezone.deactivate()
    yield
    translation.activate("en")
    timezone.deactivate()


@pytest.fixture(autouse=True)
def private_files(settings, tmp_path):
    """Learners' submitted files go to a fresh private folder in every test,
    generated files (certificates) to a fresh media folder."""
    private = tmp_path / "private"
    settings.PRIVATE_MEDIA_ROOT = private
    settings.MEDIA_ROOT = tmp_path / "media"
    return private


@pytest.fixture(scope="session")
def signing_keys_dir(tmp_path_factory):
    return tmp_path_factory.mktemp("keys")


@pytest.fixture(autouse=True)
def signing_keys(settings, signing_keys_dir):
    """Issuer keys live in one folder for the session (never var/keys); the
    key rows are created on first issuance in each test's database state."""
    settings.SIGNING_KEYS_DIR = signing_keys_dir
    return signing_keys_dir


@pytest.fixture(autouse=True)
def isolated_cache(settings):
    """Each test gets its own key space on the real Redis cache.

    allauth keeps rate limits (e.g. one verification e-mail per address per few
    minutes) in the cache; without this, tests would see each other's limits.
    """
    settings.CACHES = {
        "default": settings.CACHES["default"] | {"KEY_PREFIX": uuid.uuid4().hex}
    }


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
