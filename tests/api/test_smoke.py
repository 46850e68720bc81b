"""The app answers health checks and serves its OpenAPI."""


def test_healthz_reports_database_ok(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


def test_me_with_token(admin_client):
    me = admin_client.get("/api/me").json()
    assert me["username"] == "admin"
    assert me["is_platform_admin"] is True
    assert me["auth"] == "token"
