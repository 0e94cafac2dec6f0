"""The widget's static routes and CORS, without Rasa or a browser (fast)."""

from __future__ import annotations

import json
import re

import pytest
from fastapi.testclient import TestClient

from channels.web.widget import CONFIG_PLACEHOLDER, STATIC_DIR
from gateway.app import create_app
from gateway.settings import Settings
from tests.support import make_settings
from texts import widget_strings

ALLOWED = "https://www.example.go.th"
THAI = re.compile(r"[\u0e01-\u0e4e]")


@pytest.fixture(scope="module")
def client(tmp_path_factory):
    settings = make_settings(tmp_path_factory.mktemp("widget"), prebuilt_catalogue=True)
    settings.web.allowed_origins = [ALLOWED]
    settings.web.asset_max_age_seconds = 120
    # No `with`: the lifespan (Rasa client, catalogue) is not needed for static files.
    return TestClient(create_app(settings))


def test_the_demo_page_embeds_the_widget_with_one_script_tag(client):
    response = client.get("/")
    assert response.status_code == 200
    assert response.headers["content-type"] == "text/html; charset=utf-8"
    page = response.text
    assert page.count("<script") == 1
    assert '<script src="/widget.js" defer></script>' in page
    assert "ผู้ช่วยนี้ทำอะไรได้บ้าง" in page and "What the assistant does" in page
    # The snippet to copy names this gateway, escaped as text.
    assert '&lt;script src="http://testserver/widget.js" defer&gt;&lt;/script&gt;' in page
    assert "{{" not in page
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert response.headers["cache-control"] == "no-cache"


def test_the_demo_page_escapes_a_hostile_host_header(client):
    response = client.get("/", headers={"host": 'evil"><script>alert(1)</script>'})
    assert "<script>alert(1)" not in response.text


@pytest.mark.parametrize(
    ("path", "content_type", "marker"),
    [
        ("/widget.js", "text/javascript; charset=utf-8", "document.currentScript"),
        ("/widget.css", "text/css; charset=utf-8", '"Sarabun", "Noto Sans Thai"'),
        ("/static/demo.css", "text/css; charset=utf-8", ".demo-header"),
    ],
)
def test_assets_are_served_with_type_and_caching_headers(client, path, content_type, marker):
    response = client.get(path)
    assert response.status_code == 200
    assert response.headers["content-type"] == content_type
    assert marker in response.text
    assert response.headers["cache-control"] == "public, max-age=120"
    assert response.headers["x-content-type-options"] == "nosniff"
    etag = response.headers["etag"]
    again = client.get(path, headers={"if-none-match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert client.get(path, headers={"if-none-match": f"W/{etag}"}).status_code == 304
    assert client.get(path, headers={"if-none-match": '"stale"'}).status_code == 200


@pytest.mark.parametrize("path", ["/static/widget.py", "/static/..%2Fwidget.py", "/static/demo.html", "/widget.ts"])
def test_only_the_named_files_are_served(client, path):
    assert client.get(path).status_code == 404


def _config(script: str) -> dict:
    """The configuration the gateway wrote into the served widget.js."""
    match = re.search(r"^  const CONFIG = (.+);$", script, re.MULTILINE)
    assert match, "no configuration in the served script"
    return json.loads(match.group(1))


def test_the_served_widget_takes_its_words_and_limit_from_the_gateway(client):
    script = client.get("/widget.js").text
    assert "{{WIDGET_CONFIG}}" not in script
    config = _config(script)
    assert config["max_message_chars"] == 2000  # the gateway's default, as the chat API enforces it
    assert config["strings"] == widget_strings()
    assert config["strings"]["th"]["launcher"] == "ถามผู้ช่วย" and config["strings"]["en"]["launcher"] == "Ask us"


def test_a_different_limit_is_served_under_a_different_etag(client, tmp_path):
    settings = make_settings(tmp_path)
    settings.gateway.max_message_chars = 500
    other = TestClient(create_app(settings))
    response = other.get("/widget.js")
    assert _config(response.text)["max_message_chars"] == 500
    default_etag = client.get("/widget.js").headers["etag"]
    assert response.headers["etag"] != default_etag
    # A browser holding the script with the old limit gets the new one, not a 304.
    assert other.get("/widget.js", headers={"if-none-match": default_etag}).status_code == 200
    assert other.get("/widget.js", headers={"if-none-match": response.headers["etag"]}).status_code == 304


def test_the_widget_source_has_no_wording_or_limit_of_its_own():
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    assert source.count(CONFIG_PLACEHOLDER) == 1
    assert not THAI.search(source), "Thai wording belongs in texts/citizen_texts.yml"
    numbers = source.replace("http://www.w3.org/2000/svg", "")  # a namespace, not a limit
    assert "2000" not in numbers and "2,000" not in numbers


def test_the_widget_script_never_parses_content_as_html():
    source = (STATIC_DIR / "widget.js").read_text(encoding="utf-8")
    for sink in (r"\.(inner|outer)HTML\b", r"insertAdjacentHTML\(", r"document\.write", r"\beval\(", r"new Function\("):
        assert not re.search(sink, source), sink
    assert re.search(r'url\.protocol === "https:" \|\| url\.protocol === "http:"', source)


def test_the_font_stack_and_sizes_suit_thai():
    css = (STATIC_DIR / "widget.css").read_text(encoding="utf-8")
    assert '"Sarabun", "Noto Sans Thai"' in css and '"Loma"' in css and "sans-serif" in css
    sizes = [int(px) for px in re.findall(r"font-size:\s*(\d+)px", css)]
    assert min(sizes) >= 14 and "font-size: 16px;\n  line-height: 1.6;" in css


def _preflight(client: TestClient, origin: str):
    return client.options(
        "/api/chat",
        headers={
            "origin": origin,
            "access-control-request-method": "POST",
            "access-control-request-headers": "content-type",
        },
    )


def test_a_preflight_from_an_allowed_origin_is_allowed(client):
    response = _preflight(client, ALLOWED)
    assert response.status_code == 200
    assert response.headers["access-control-allow-origin"] == ALLOWED
    assert "POST" in response.headers["access-control-allow-methods"]
    assert "content-type" in response.headers["access-control-allow-headers"].lower()
    assert "access-control-allow-credentials" not in response.headers


def test_a_preflight_from_another_origin_is_refused(client):
    response = _preflight(client, "https://evil.example")
    assert response.status_code == 400
    assert "access-control-allow-origin" not in response.headers


def test_a_page_from_another_origin_cannot_read_static_or_api_responses(client):
    response = client.get("/widget.js", headers={"origin": "https://evil.example"})
    assert response.status_code == 200  # a <script> tag needs no CORS ...
    assert "access-control-allow-origin" not in response.headers  # ... but fetch() gets nothing to read
    allowed = client.get("/widget.js", headers={"origin": ALLOWED})
    assert allowed.headers["access-control-allow-origin"] == ALLOWED


def test_allowed_origins_come_from_the_environment(monkeypatch):
    monkeypatch.setenv("CITIZENBOT_WEB__ALLOWED_ORIGINS", '["https://a.example", "https://b.example"]')
    monkeypatch.setenv("CITIZENBOT_WEB__ASSET_MAX_AGE_SECONDS", "60")
    settings = Settings(_env_file=None)  # type: ignore[call-arg]
    assert settings.web.allowed_origins == ["https://a.example", "https://b.example"]
    assert settings.web.asset_max_age_seconds == 60
