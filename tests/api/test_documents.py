"""The API describes itself: OpenAPI at /v1/openapi.json, a docs page with local assets."""

from __future__ import annotations

import re

from flask.testing import FlaskClient


def test_the_docs_page_loads_its_assets_from_the_service(client: FlaskClient) -> None:
    page = client.get("/v1/docs")
    assert page.status_code == 200
    assets = re.findall(r'(?:src|href)="([^"]+)"', page.get_data(as_text=True))
    assert assets and all(a.startswith("/v1/docs/assets/") for a in assets)  # no CDN
    for asset in assets:
        response = client.get(asset)
        response.close()  # a file streamed from the installed package
        assert response.status_code == 200, asset


def test_every_error_response_is_documented_as_problem_json(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").json
    assert spec is not None
    assert spec["openapi"].startswith("3.")
    documented = 0
    for item in spec["paths"].values():
        for method, operation in item.items():
            if method not in ("get", "post", "put", "patch", "delete"):
                continue  # path-level "parameters"
            for status, response in operation["responses"].items():
                if status == "default" or status[0] in "45":
                    documented += 1
                    if "$ref" in response:
                        name = response["$ref"].rsplit("/", 1)[-1]
                        response = spec["components"]["responses"][name]
                    assert list(response["content"]) == ["application/problem+json"]
    assert documented > 50


def test_decimals_are_documented_as_strings(client: FlaskClient) -> None:
    spec = client.get("/v1/openapi.json").json
    assert spec is not None
    quantity = spec["components"]["schemas"]["PledgeQuantity"]["properties"]["value"]
    assert quantity["type"] == "string"
    assert quantity["pattern"] == r"^-?[0-9]{1,18}(\.[0-9]{1,6})?$"
