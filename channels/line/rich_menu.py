"""The LINE rich menu: a Thai and an English menu of life events, drawn with Pillow.

Each menu is 2500x1686 with thirteen areas: a grid of the ten life events (a tap asks
the bot, in the menu's language), "offices near me" (opens LINE's location picker)
and a switch to the other language's menu (a rich menu alias), and under it a band
"บริการของฉัน / My services" (the citizen's dashboard, ``/my_services``). The Thai menu
is every user's default. ``citizenbot line rich-menu`` builds, uploads and
sets them, replacing the menus an earlier run created; ``--dry-run`` only
writes the JSON and PNG files for review.
"""

from __future__ import annotations

import io
import json
import logging
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from actions.service_answer import life_event_buttons
from channels.line.render import postback_data, truncate_label
from channels.line.settings import LineSettings
from knowledge.schema import LifeEvent
from texts import Lang, life_event_name, text

if TYPE_CHECKING:
    from PIL import ImageFont


__all__ = [
    "ALIASES",
    "HEIGHT",
    "MENU_NAME_PREFIX",
    "WIDTH",
    "BuiltMenu",
    "RichMenuError",
    "ThaiFontError",
    "build_definition",
    "build_menu",
    "build_menus",
    "deploy_menus",
    "draw_menu_image",
    "find_thai_font",
    "run_rich_menu_command",
    "write_menus",
]

logger = logging.getLogger(__name__)

WIDTH, HEIGHT = 2500, 1686
COLUMNS, ROWS = 4, 3
MENU_NAME_PREFIX = "citizenbot"
ALIASES: dict[Lang, str] = {"th": "citizenbot-th", "en": "citizenbot-en"}
LOCATION_PICKER_URI = "https://line.me/R/nv/location/"
MAX_IMAGE_BYTES = 1_000_000  # LINE's limit for a rich-menu image

_TILE_COLOURS = [
    "#FDE7E4", "#E3F1FB", "#E6F4EA", "#FFF4D6",
    "#EDE7F6", "#E0F2F1", "#FCE4EC", "#E8EAF6",
    "#F1F8E9", "#ECEFF1", "#DDEFFB", "#FFF0E0",
]  # fmt: skip
_INK, _SUBTLE_INK, _BACKGROUND = "#1F2933", "#52606D", "#FFFFFF"

# Fonts with Thai glyphs, best first; fonts-thai-tlwg (Debian/Ubuntu) provides Loma and Garuda.
_PREFERRED_FONTS = [
    "Loma-Bold.ttf",
    "Garuda-Bold.ttf",
    "NotoSansThai-Bold.ttf",
    "NotoSansThaiUI-Bold.ttf",
    "Sarabun-Bold.ttf",
    "Loma.ttf",
    "Garuda.ttf",
    "NotoSansThai-Regular.ttf",
    "Sarabun-Regular.ttf",
    "Waree.ttf",
    "Umpush.ttf",
    "Tahoma.ttf",
    "tahoma.ttf",
]
FONT_DIRS = [
    Path("/usr/share/fonts/truetype/tlwg"),
    Path("/usr/share/fonts"),
    Path("/usr/local/share/fonts"),
    Path.home() / ".local" / "share" / "fonts",
    Path.home() / ".fonts",
    Path("/Library/Fonts"),
    Path("C:/Windows/Fonts"),
]


class RichMenuError(RuntimeError):
    """The rich menu could not be built or set up; the message says what to do."""


class ThaiFontError(RichMenuError):
    """No font that can draw Thai was found."""


@dataclass
class BuiltMenu:
    lang: Lang
    definition: dict[str, Any]  # the rich menu object LINE expects
    png: bytes


# --- the menu object -----------------------------------------------------------------


# Below the grid, one tile the whole width: "บริการของฉัน / My services" (the citizen's dashboard,
# conversation/citizens/services_handler.py). The grid takes the rest of the height.
GRID_HEIGHT = HEIGHT * ROWS // (ROWS + 1)
MY_SERVICES_COMMAND = "/my_services"


def _bounds(index: int) -> dict[str, int]:
    if index == COLUMNS * ROWS:  # the band under the grid
        return {"x": 0, "y": GRID_HEIGHT, "width": WIDTH, "height": HEIGHT - GRID_HEIGHT}
    column, row = index % COLUMNS, index // COLUMNS
    left, right = WIDTH * column // COLUMNS, WIDTH * (column + 1) // COLUMNS
    top, bottom = GRID_HEIGHT * row // ROWS, GRID_HEIGHT * (row + 1) // ROWS
    return {"x": left, "y": top, "width": right - left, "height": bottom - top}


def _tiles(lang: Lang) -> list[tuple[str, str, dict[str, Any]]]:
    """(big label, small label, action) for each of the twelve areas, in reading order:
    the label in the menu's language, its translation under it."""
    other: Lang = "en" if lang == "th" else "th"
    tiles: list[tuple[str, str, dict[str, Any]]] = []
    for event, button in zip(LifeEvent, life_event_buttons(lang), strict=True):
        name = life_event_name(event, lang)
        action = {
            "type": "postback",
            "label": truncate_label(name),
            "data": postback_data(button["payload"], lang),
            "displayText": name,
        }
        tiles.append((name, life_event_name(event, other), action))
    offices = text("rich_menu.offices", lang)
    tiles.append(
        (
            offices,
            text("rich_menu.offices", other),
            {"type": "uri", "label": truncate_label(offices), "uri": LOCATION_PICKER_URI},
        )
    )
    # The switch tile speaks the language it switches to.
    big, small = text("rich_menu.switch_title", other), text("rich_menu.switch_subtitle", other)
    switch = {
        "type": "richmenuswitch",
        "label": truncate_label(big),
        "richMenuAliasId": ALIASES[other],
        "data": postback_data(lang=other),
    }
    tiles.append((big, small, switch))
    mine, mine_other = text("citizens_dashboard.title", lang), text("citizens_dashboard.title", other)
    my_services = {
        "type": "postback",
        "label": truncate_label(mine),
        "data": postback_data(MY_SERVICES_COMMAND, lang),
        "displayText": mine,
    }
    tiles.append((mine, mine_other, my_services))
    return tiles


def build_definition(lang: Lang) -> dict[str, Any]:
    tiles = _tiles(lang)
    if len(tiles) != COLUMNS * ROWS + 1:
        raise RichMenuError(f"the menu has {len(tiles)} tiles for a {COLUMNS}x{ROWS} grid and a band")
    return {
        "size": {"width": WIDTH, "height": HEIGHT},
        "selected": True,  # open by default: new friends see what the bot can do
        "name": f"{MENU_NAME_PREFIX} {lang}",
        "chatBarText": text("rich_menu.chat_bar", lang),
        "areas": [{"bounds": _bounds(i), "action": action} for i, (_, _, action) in enumerate(tiles)],
    }


# --- fonts ---------------------------------------------------------------------------


def _draws_thai(path: Path) -> bool:
    """Does the font have a real glyph for Thai (not the empty box every font has)?"""
    from PIL import Image, ImageDraw, ImageFont

    try:
        font = ImageFont.truetype(str(path), 48)
    except OSError:
        return False

    def render(text: str) -> bytes:
        image = Image.new("L", (120, 120))
        ImageDraw.Draw(image).text((10, 10), text, font=font, fill=255)
        return image.tobytes()

    thai = render("ก")
    return any(thai) and thai != render("\U000f0000")  # a private-use code point: surely a missing glyph


def find_thai_font(explicit: Path | None = None, search_dirs: list[Path] | None = None) -> Path:
    """The font to draw the menu with: ``explicit`` if given, else the best one installed."""
    if explicit is not None:
        if not explicit.is_file():
            raise ThaiFontError(f"font file not found: {explicit}")
        if not _draws_thai(explicit):
            raise ThaiFontError(
                f"{explicit} is not a font that can draw Thai; try Loma, Garuda, Sarabun or Noto Sans Thai"
            )
        return explicit
    dirs = [d for d in (search_dirs if search_dirs is not None else FONT_DIRS) if d.is_dir()]
    for name in _PREFERRED_FONTS:
        for directory in dirs:
            for candidate in sorted(directory.rglob(name)):
                if _draws_thai(candidate):
                    return candidate
    for directory in dirs:
        for candidate in sorted(directory.rglob("*")):
            named_thai = candidate.suffix.lower() in (".ttf", ".otf") and "thai" in candidate.name.lower()
            if named_thai and _draws_thai(candidate):
                return candidate
    raise ThaiFontError(
        "No Thai font found to draw the rich menu. Install one (Debian/Ubuntu: "
        "`sudo apt-get install fonts-thai-tlwg`; elsewhere Sarabun or Noto Sans Thai) "
        "or pass --font /path/to/font.ttf."
    )


def _regular_of(bold: Path) -> Path:
    for name in (bold.name.replace("-Bold", ""), bold.name.replace("-Bold", "-Regular")):
        candidate = bold.with_name(name)
        if candidate != bold and candidate.is_file():
            return candidate
    return bold


# --- the image -----------------------------------------------------------------------


def _word_pieces(text: str) -> list[str]:
    """Words to wrap at (with their trailing spaces); PyThaiNLP finds Thai word boundaries."""
    from nlu.tokens import tokenize_with_offsets

    ends = [word.end for word in tokenize_with_offsets(text)]
    pieces, start = [], 0
    for end in ends:
        pieces.append(text[start:end])
        start = end
    if start < len(text):
        pieces.append(text[start:])
    return [piece for piece in pieces if piece]


def _wrap(text: str, font: ImageFont.FreeTypeFont, width: int) -> list[str]:
    lines: list[str] = []
    current = ""
    for piece in _word_pieces(text):
        trial = current + piece
        if current and font.getlength(trial.strip()) > width:
            lines.append(current.strip())
            current = piece.lstrip()
        else:
            current = trial
    if current.strip():
        lines.append(current.strip())
    return lines


def _fit(text: str, path: Path, width: int, sizes: range, max_lines: int) -> tuple[ImageFont.FreeTypeFont, list[str]]:
    """The largest font size at which ``text`` fits ``width``: on one line if it can stay
    fairly big, else on up to ``max_lines`` lines (a lone short word on a line looks broken)."""
    from PIL import ImageFont

    one_line_floor = sizes[0] * 3 // 4
    for lines_allowed in range(1, max_lines + 1):
        for size in sizes:
            if lines_allowed == 1 and size < one_line_floor:
                break
            font = ImageFont.truetype(str(path), size)
            lines = _wrap(text, font, width)
            if len(lines) <= lines_allowed and all(font.getlength(line) <= width for line in lines):
                return font, lines
    return font, lines  # the smallest size: still drawn, clipped at worst


def draw_menu_image(lang: Lang, font_path: Path) -> bytes:
    """The PNG for one menu: a soft-coloured tile per area, the label big and its translation small."""
    from PIL import Image, ImageDraw

    regular_path = _regular_of(font_path)
    image = Image.new("RGB", (WIDTH, HEIGHT), _BACKGROUND)
    draw = ImageDraw.Draw(image)
    gap, padding = 14, 48
    for index, (big, small, _action) in enumerate(_tiles(lang)):
        box = _bounds(index)
        left, top = box["x"] + gap, box["y"] + gap
        right, bottom = box["x"] + box["width"] - gap, box["y"] + box["height"] - gap
        draw.rounded_rectangle((left, top, right, bottom), radius=36, fill=_TILE_COLOURS[index % len(_TILE_COLOURS)])
        text_width = right - left - 2 * padding
        big_font, big_lines = _fit(big, font_path, text_width, range(84, 39, -4), max_lines=2)
        small_font, small_lines = _fit(small, regular_path, text_width, range(44, 25, -2), max_lines=2)
        big_height = int(big_font.size * 1.35)
        small_height = int(small_font.size * 1.35)
        total = big_height * len(big_lines) + 24 + small_height * len(small_lines)
        y = (top + bottom - total) / 2
        centre = (left + right) / 2
        for line in big_lines:
            draw.text((centre, y + big_height / 2), line, font=big_font, fill=_INK, anchor="mm")
            y += big_height
        y += 24
        for line in small_lines:
            draw.text((centre, y + small_height / 2), line, font=small_font, fill=_SUBTLE_INK, anchor="mm")
            y += small_height
    buffer = io.BytesIO()
    image.save(buffer, format="PNG", optimize=True)
    png = buffer.getvalue()
    if len(png) > MAX_IMAGE_BYTES:
        raise RichMenuError(f"the {lang} menu image is {len(png)} bytes; LINE accepts at most {MAX_IMAGE_BYTES}")
    return png


def build_menu(lang: Lang, font_path: Path) -> BuiltMenu:
    definition = build_definition(lang)
    _validate(definition)
    return BuiltMenu(lang, definition, draw_menu_image(lang, font_path))


def build_menus(font: Path | None = None) -> list[BuiltMenu]:
    """Thai first (it becomes the default), then English."""
    font_path = find_thai_font(font)
    logger.info("drawing the rich menus with %s", font_path)
    return [build_menu("th", font_path), build_menu("en", font_path)]


def _validate(definition: dict[str, Any]) -> None:
    """Parse with the SDK's own model, so a wrong field fails here rather than at LINE."""
    from linebot.v3.messaging import RichMenuRequest

    try:
        RichMenuRequest.from_dict(definition)
    except ValueError as error:
        raise RichMenuError(f"the rich menu definition is not valid: {error}") from error


# --- output --------------------------------------------------------------------------


def write_menus(menus: list[BuiltMenu], out: Path) -> list[Path]:
    out.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    for menu in menus:
        json_path = out / f"rich-menu-{menu.lang}.json"
        json_path.write_text(json.dumps(menu.definition, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
        png_path = out / f"rich-menu-{menu.lang}.png"
        png_path.write_bytes(menu.png)
        written += [json_path, png_path]
    return written


def deploy_menus(line: LineSettings, menus: list[BuiltMenu]) -> dict[str, Any]:
    """Create both menus, upload their images, point the aliases at them, make Thai the
    default, then delete the menus an earlier run left behind. On failure, the menus this
    run created are removed again so no half-made menu stays."""
    from linebot.v3.messaging import (
        ApiClient,
        Configuration,
        CreateRichMenuAliasRequest,
        MessagingApi,
        MessagingApiBlob,
        RichMenuRequest,
        UpdateRichMenuAliasRequest,
    )

    token = line.channel_access_token
    if token is None or not token.get_secret_value():
        raise RichMenuError("CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN is not set; use --dry-run to only write the files")
    secret = token.get_secret_value()
    # Images go to the data API host; the SDK sends every call to Configuration.host when it
    # is set, so the two hosts need two clients.
    api_config = Configuration(host=line.api_base_url.rstrip("/"), access_token=secret)
    data_config = Configuration(host=line.data_api_base_url.rstrip("/"), access_token=secret)
    # Every call gives up after the channel's timeout (the SDK's default is 300 s); the image upload,
    # up to 1 MB, gets three times as long.
    timeout = line.request_timeout_seconds
    created: dict[str, str] = {}
    with ApiClient(api_config) as api_client, ApiClient(data_config) as data_client:
        api, blob = MessagingApi(api_client), MessagingApiBlob(data_client)
        try:
            for menu in menus:
                request = RichMenuRequest.from_dict(menu.definition)
                api.validate_rich_menu_object(request, _request_timeout=timeout)
                menu_id = str(api.create_rich_menu(request, _request_timeout=timeout).rich_menu_id)
                created[menu.lang] = menu_id
                # The SDK does not set the image type itself; without it the bytes are sent as JSON.
                blob.set_rich_menu_image(
                    menu_id, menu.png, _headers={"Content-Type": "image/png"}, _request_timeout=3 * timeout
                )
            existing = api.get_rich_menu_alias_list(_request_timeout=timeout).aliases or []
            aliases = {alias.rich_menu_alias_id for alias in existing}
            for lang, menu_id in created.items():
                alias_id = ALIASES[lang]  # type: ignore[index]
                if alias_id in aliases:
                    api.update_rich_menu_alias(
                        alias_id, UpdateRichMenuAliasRequest(rich_menu_id=menu_id), _request_timeout=timeout
                    )
                else:
                    api.create_rich_menu_alias(
                        CreateRichMenuAliasRequest(rich_menu_alias_id=alias_id, rich_menu_id=menu_id),
                        _request_timeout=timeout,
                    )
            api.set_default_rich_menu(created["th"], _request_timeout=timeout)
        except Exception as error:
            for menu_id in created.values():
                try:
                    api.delete_rich_menu(menu_id, _request_timeout=timeout)
                except Exception:
                    logger.warning("could not delete the half-made rich menu %s", menu_id)
            raise RichMenuError(f"LINE refused the rich menu: {_describe(error)}") from error
        deleted = []
        for old in api.get_rich_menu_list(_request_timeout=timeout).richmenus or []:
            if old.name.startswith(MENU_NAME_PREFIX) and old.rich_menu_id not in created.values():
                api.delete_rich_menu(old.rich_menu_id, _request_timeout=timeout)
                deleted.append(str(old.rich_menu_id))
    return {"default": created["th"], "menus": created, "aliases": dict(ALIASES), "deleted": deleted}


def _describe(error: Exception) -> str:
    status = getattr(error, "status", None)
    if status is not None:
        return f"HTTP {status}: {str(getattr(error, 'body', ''))[:300]}"
    return f"{type(error).__name__}: {error}"


def run_rich_menu_command(
    line: LineSettings, dry_run: bool, out: Path | None = None, font: Path | None = None
) -> dict[str, Any]:
    """What ``citizenbot line rich-menu`` does; returns a summary to print."""
    token = line.channel_access_token
    if not dry_run and (token is None or not token.get_secret_value()):  # say so before drawing anything
        raise RichMenuError("CITIZENBOT_LINE__CHANNEL_ACCESS_TOKEN is not set; use --dry-run to only write the files")
    menus = build_menus(font)
    if dry_run:
        target = out or Path("var") / "rich-menu"
        return {"dry_run": True, "written": [str(path) for path in write_menus(menus, target)]}
    report = deploy_menus(line, menus)
    if out is not None:
        report["written"] = [str(path) for path in write_menus(menus, out)]
    return report
