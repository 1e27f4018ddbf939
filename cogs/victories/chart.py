"""The digest's bar chart: victories per value, drawn with Pillow as a PNG.

Discord shows images on a dark or a light background, so the chart is its own rounded light
card (transparent outside the corners) with dark text: it reads the same in both themes.
Bars keep the library's order and colours; they are never sorted by size.

Drawn at its final size, so it costs little memory (the bot draws one every week per server;
bench/memory.py): text is antialiased by FreeType, and the rounded card and bars get smooth
edges from small supersampled corner masks instead of a whole image drawn at twice the size.
"""

# Pure: imports no discord (tests/test_structure.py checks it).

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 450
CHART_SIZE = (WIDTH, HEIGHT)
SUPERSAMPLE = 4  # corners are drawn this much larger, then averaged down: smooth edges
MAX_BARS = 13  # more values than this fold into "Other values"
CARD = (251, 247, 242, 255)  # warm off-white
CARD_EDGE = (226, 216, 204, 255)
TEXT = (45, 42, 38, 255)
MUTED = (110, 102, 94, 255)
TRACK = (238, 231, 222, 255)
OTHER_COLOUR = 0x8C8C8C
FONT_FILES = ("DejaVuSans.ttf", "Arial.ttf", "LiberationSans-Regular.ttf")
BOLD_FONT_FILES = ("DejaVuSans-Bold.ttf", "Arial Bold.ttf", "LiberationSans-Bold.ttf")


@dataclass(frozen=True)
class Bar:
    label: str
    count: int
    colour: int  # 0xRRGGBB


@functools.cache
def _font(size: int, bold: bool = False) -> ImageFont.FreeTypeFont | ImageFont.ImageFont:
    """A system sans if there is one (wide glyph coverage), else Pillow's bundled font."""
    for name in BOLD_FONT_FILES if bold else FONT_FILES:
        try:
            return ImageFont.truetype(name, size)
        except OSError:
            continue
    return ImageFont.load_default(size=size)


def _rgb(colour: int) -> tuple[int, int, int, int]:
    return (colour >> 16 & 0xFF, colour >> 8 & 0xFF, colour & 0xFF, 255)


def _fit(draw: ImageDraw.ImageDraw, text: str, font, width: float) -> str:
    """Shorten `text` with an ellipsis until it fits in `width` pixels."""
    if draw.textlength(text, font=font) <= width:
        return text
    while text and draw.textlength(text + "…", font=font) > width:
        text = text[:-1]
    return text.rstrip() + "…"


def _folded(bars: Sequence[Bar]) -> list[Bar]:
    bars = [bar for bar in bars if bar.count > 0]
    if len(bars) <= MAX_BARS:
        return bars
    rest = sum(bar.count for bar in bars[MAX_BARS - 1 :])
    return [*bars[: MAX_BARS - 1], Bar("Other values", rest, OTHER_COLOUR)]


@functools.cache
def _disc(radius: int) -> Image.Image:
    """An antialiased disc ("L" mask) of diameter 2 * radius: the four corners of a shape."""
    big = 2 * radius * SUPERSAMPLE
    disc = Image.new("L", (big, big), 0)
    ImageDraw.Draw(disc).ellipse((0, 0, big - 1, big - 1), fill=255)
    return disc.reduce(SUPERSAMPLE)


def _rounded_mask(width: int, height: int, radius: int) -> Image.Image:
    """An "L" mask of a width x height rectangle with antialiased round corners."""
    radius = max(1, min(radius, width // 2, height // 2))
    mask = Image.new("L", (width, height), 255)
    disc, r = _disc(radius), radius
    for box, at in (
        ((0, 0, r, r), (0, 0)),
        ((r, 0, 2 * r, r), (width - r, 0)),
        ((0, r, r, 2 * r), (0, height - r)),
        ((r, r, 2 * r, 2 * r), (width - r, height - r)),
    ):
        mask.paste(disc.crop(box), at)
    return mask


def _card() -> Image.Image:
    """The rounded light card with its thin edge, transparent outside the corners."""
    edge, radius = 2, 28
    image = Image.new("RGBA", CHART_SIZE, CARD_EDGE)
    image.putalpha(_rounded_mask(WIDTH, HEIGHT, radius))
    inner = _rounded_mask(WIDTH - 2 * edge, HEIGHT - 2 * edge, radius - edge)
    image.paste(CARD, (edge, edge, WIDTH - edge, HEIGHT - edge), inner)
    return image


def _pill(image: Image.Image, left: float, top: int, length: float, thickness: int, fill) -> None:
    """A bar with fully rounded ends (radius half its thickness)."""
    left, width = round(left), max(thickness, round(length))
    mask = _rounded_mask(width, thickness, thickness // 2)
    image.paste(fill, (left, top, left + width, top + thickness), mask)


def bar_chart_png(bars: Sequence[Bar], title: str, subtitle: str = "") -> bytes:
    """A WIDTH x HEIGHT PNG of horizontal bars, one per value with a count above zero."""
    image = _card()
    draw = ImageDraw.Draw(image)
    pad = 32
    draw.text((pad, 26), title, font=_font(26, bold=True), fill=TEXT)
    if subtitle:
        draw.text((pad, 62), subtitle, font=_font(16), fill=MUTED)

    shown = _folded(bars)
    if not shown:
        return _png(image)
    label_font, count_font = _font(17), _font(17, bold=True)
    top, bottom = 100, HEIGHT - 28
    row = min(40, (bottom - top) // len(shown))
    thickness = max(6, int(row * 0.62))
    label_width = min(max(draw.textlength(bar.label, font=label_font) for bar in shown), 250)
    bar_left = pad + label_width + 16
    count_room = draw.textlength(str(max(b.count for b in shown)), font=count_font) + 16
    bar_room = WIDTH - pad - count_room - bar_left
    largest = max(bar.count for bar in shown)
    for index, bar in enumerate(shown):
        y = top + index * row + (row - thickness) // 2
        middle = y + thickness / 2
        label = _fit(draw, bar.label, label_font, label_width)
        draw.text((pad, middle), label, font=label_font, fill=TEXT, anchor="lm")
        _pill(image, bar_left, y, bar_room, thickness, TRACK)
        _pill(image, bar_left, y, bar_room * bar.count / largest, thickness, _rgb(bar.colour))
        draw.text(
            (bar_left + bar_room + 10, middle), str(bar.count), font=count_font, fill=TEXT,
            anchor="lm",
        )  # fmt: skip
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.save(out, format="PNG")
    image.close()
    return out.getvalue()
