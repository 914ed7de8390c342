"""`/docs` is served with its scripts from this server: no CDN, so it works offline."""

from __future__ import annotations

from fastapi.testclient import TestClient


def test_the_api_docs_need_nothing_from_elsewhere(app_client: TestClient) -> None:
    page = app_client.get("/docs")
    assert page.status_code == 200
    assert "/docs/assets/swagger-ui-bundle.js" in page.text and "/openapi.json" in page.text
    assert "cdn." not in page.text and "https://" not in page.text.split("<body>")[0]
    script = app_client.get("/docs/assets/swagger-ui-bundle.js")
    assert script.status_code == 200 and "SwaggerUIBundle" in script.text
    assert app_client.get("/docs/assets/swagger-ui.css").status_code == 200
    assert app_client.get("/openapi.json").json()["info"]["title"] == "Shopsafe"
