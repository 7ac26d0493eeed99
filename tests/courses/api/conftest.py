import pytest
from rest_framework.test import APIClient


@pytest.fixture
def api_client() -> APIClient:
    return APIClient()


@pytest.fixture
def learner_client(learner) -> APIClient:
    """Signed in through the session, as the browser would be."""
    client = APIClient()
    client.force_login(learner)
    return client
