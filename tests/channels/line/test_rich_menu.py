"""``citizenbot line rich-menu``: the Thai and English menus, their images, and setting them up at LINE."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from linebot.v3.messaging import RichMenuRequest
from PIL import Image

from channels.line.rich_menu import (
    ALIASES,
    HEIGHT,
    WIDTH,
    RichMenuError,
    ThaiFontError,
    build_menus,
    deploy_menus,
    find_thai_font,
)
from gateway import cli
from gateway.settings import get_settings
from tests.channels.line.conftest import TOKEN, line_settings
from tests.channels.line.limits import _check_action


@pytest.fixture(scope="module")
def menus():
    return build_menus()


@pytest.fixture
def cli_env(monkeypatch, line_stub, line_data_stub):
    """The command reads its settings from the environment, as in production."""
    monkeypatch.setenv("CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN", TOKEN)
    monkeypatch.setenv("CITIZENBOT_LINE__API_BASE_URL", line_stub.url)
    monkeypatch.setenv("CITIZENBOT_LINE__DATA_API_BASE_URL", line_data_stub.url)
    line_stub.reset()
    line_data_stub.reset()
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_dry_run_writes_both_menus_as_json_and_png(tmp_path, capsys):
    assert cli.main(["line", "rich-menu", "--dry-run", "--out", str(tmp_path)]) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["dry_run"] is True
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "rich-menu-en.json",
        "rich-menu-en.png",
        "rich-menu-th.json",
        "rich-menu-th.png",
    ]
    for lang in ("th", "en"):
        definition = json.loads((tmp_path / f"rich-menu-{lang}.json").read_text(encoding="utf-8"))
        assert RichMenuRequest.from_dict(definition).to_dict() == definition
        png = (tmp_path / f"rich-menu-{lang}.png").read_bytes()
        assert len(png) < 1_000_000
        with Image.open(io.BytesIO(png)) as image:
            assert image.format == "PNG" and image.size == (WIDTH, HEIGHT)


def test_the_areas_tile_the_whole_menu_and_ask_in_the_menus_language(menus):
    for menu in menus:
        areas = menu.definition["areas"]
        assert len(areas) == 13  # 4x3 grid, and the "My services" band under it
        assert sum(a["bounds"]["width"] * a["bounds"]["height"] for a in areas) == WIDTH * HEIGHT
        for area in areas:
            b = area["bounds"]
            assert b["x"] >= 0 and b["x"] + b["width"] <= WIDTH
            assert b["y"] >= 0 and b["y"] + b["height"] <= HEIGHT
            _check_action(area["action"])
        mine = areas[-1]  # the band: bubble "บริการของฉัน / My services"
        assert mine["bounds"]["width"] == WIDTH and mine["bounds"]["y"] + mine["bounds"]["height"] == HEIGHT
        assert json.loads(mine["action"]["data"]) == {"text": "/my_services", "lang": menu.lang}
        areas = areas[:-1]
        postbacks = [a["action"] for a in areas if a["action"]["type"] == "postback"]
        assert len(postbacks) == 10
        assert all(json.loads(p["data"])["lang"] == menu.lang for p in postbacks)
        assert all(json.loads(p["data"])["text"].startswith("/browse_life_event") for p in postbacks)
        switch = areas[-1]["action"]
        other = "en" if menu.lang == "th" else "th"
        assert switch["type"] == "richmenuswitch" and switch["richMenuAliasId"] == ALIASES[other]
        assert areas[-2]["action"]["uri"] == "https://line.me/R/nv/location/"
    th, en = menus
    assert th.definition["chatBarText"] == "เมนูบริการ" and en.definition["chatBarText"] == "Services menu"


def test_the_image_really_has_thai_on_it(menus, tmp_path):
    """Tiles are drawn, and their labels are ink: a missing Thai font would leave only boxes or nothing."""
    with Image.open(io.BytesIO(menus[0].png)) as image:
        tile = image.crop((0, 0, WIDTH // 4, HEIGHT // 3)).convert("L")
        dark = sum(tile.histogram()[:90])  # pixels darker than the tile colours: the label's ink
    assert dark > 2000


def _existing_menu(name: str) -> dict:
    return {
        "name": name,
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": False,
        "chatBarText": name,
        "areas": [],
    }


def test_the_command_creates_uploads_aliases_and_sets_the_thai_menu_as_default(
    cli_env, capsys, line_stub, line_data_stub
):
    line_stub.rich_menus["richmenu-old"] = _existing_menu("citizenbot th")  # made by an earlier run
    line_stub.rich_menus["richmenu-someone-elses"] = _existing_menu("campaign")
    line_stub.aliases[ALIASES["th"]] = "richmenu-old"

    assert cli.main(["line", "rich-menu"]) == 0
    report = json.loads(capsys.readouterr().out)

    th_id, en_id = report["menus"]["th"], report["menus"]["en"]
    assert report["default"] == th_id == line_stub.default_rich_menu
    assert [r.json["name"] for r in line_stub.received("/v2/bot/richmenu")] == ["citizenbot th", "citizenbot en"]
    assert len(line_stub.received("/v2/bot/richmenu/validate")) == 2
    # Images go to the data API host, as PNG, never to the main API host.
    assert set(line_data_stub.images) == {th_id, en_id}
    for content_type, png in line_data_stub.images.values():
        assert content_type == "image/png" and png.startswith(b"\x89PNG\r\n\x1a\n")
    assert line_stub.received(r"/v2/bot/richmenu/.*/content") == []
    # The Thai alias existed: updated; the English one did not: created.
    assert line_stub.aliases == {ALIASES["th"]: th_id, ALIASES["en"]: en_id}
    assert len(line_stub.received(r"/v2/bot/richmenu/alias/citizenbot-th")) == 1
    # Our earlier menu is gone; someone else's is untouched.
    assert report["deleted"] == ["richmenu-old"]
    assert set(line_stub.rich_menus) == {th_id, en_id, "richmenu-someone-elses"}


def test_a_failed_upload_removes_the_half_made_menus(tmp_path, line_stub, line_data_stub, menus):
    line_stub.reset()
    line_data_stub.reset()
    before = set(line_stub.rich_menus)
    line_data_stub.fail("POST", r"/v2/bot/richmenu/.*/content", 413, "Payload Too Large")
    settings = line_settings(tmp_path, line_stub, line_data_stub)
    with pytest.raises(RichMenuError, match="HTTP 413"):
        deploy_menus(settings.line, menus)
    assert set(line_stub.rich_menus) == before
    assert line_stub.received(r"/v2/bot/user/all/richmenu/.*") == []


def test_without_a_token_the_command_says_what_to_set(monkeypatch, capsys):
    monkeypatch.setenv("CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN", "")
    get_settings.cache_clear()
    try:
        assert cli.main(["line", "rich-menu"]) == 1
    finally:
        get_settings.cache_clear()
    assert "CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN" in capsys.readouterr().err


def test_no_thai_font_is_a_clear_error(tmp_path, capsys):
    with pytest.raises(ThaiFontError, match="fonts-thai-tlwg"):
        find_thai_font(search_dirs=[tmp_path])
    latin_only = Path("/usr/share/fonts/truetype/dejavu/DejaVuSans.ttf")
    not_a_font = tmp_path / "notes.ttf"
    not_a_font.write_text("hello")
    for path in (not_a_font, latin_only, tmp_path / "missing.ttf"):
        if path == latin_only and not path.exists():
            continue
        assert cli.main(["line", "rich-menu", "--dry-run", "--out", str(tmp_path), "--font", str(path)]) == 1
        error = capsys.readouterr().err
        assert "can draw Thai" in error or "font file not found" in error
