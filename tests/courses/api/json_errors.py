"""The one shape every API error has, checked the same way everywhere."""


def assert_json_error(response, status: int) -> dict:
    assert response.status_code == status, response.content
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"error", "errors", "status"}
    assert body["status"] == status
    assert body["error"]
    return body
