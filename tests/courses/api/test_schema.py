from django.core.management import call_command
from drf_spectacular.drainage import GENERATOR_STATS

API_PATHS = {
    "/api/v1/microcredentials/",
    "/api/v1/microcredentials/{slug}/",
    "/api/v1/me/enrolments/",
    "/api/v1/enrolments/",
    "/api/v1/auth/token/",
}


def test_the_schema_is_served_with_every_endpoint(client, db):
    response = client.get("/api/schema/", {"format": "json"})

    assert response.status_code == 200
    schema = response.json()
    assert set(schema["paths"]) >= API_PATHS
    assert set(schema["paths"]["/api/v1/enrolments/"]) == {"post"}
    assert "tokenAuth" in schema["components"]["securitySchemes"]
    assert "cookieAuth" in schema["components"]["securitySchemes"]


def test_the_docs_page_is_served(client, db):
    response = client.get("/api/docs/")

    assert response.status_code == 200
    assert b"swagger" in response.content.lower()


def test_the_schema_is_valid_openapi_without_warnings(tmp_path, db):
    GENERATOR_STATS.reset()
    target = tmp_path / "schema.yaml"

    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(target))

    text = target.read_text()
    assert all(path in text for path in API_PATHS)
