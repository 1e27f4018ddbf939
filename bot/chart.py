"""The digest's bar chart: victories per value, drawn with Pillow as a PNG.

Discord shows images on a dark or a light background, so the chart is its own rounded light
card (transparent outside the corners) with dark text: it reads the same in both themes.
Bars keep the library's order and colours; they are never sorted by size.
"""

from __future__ import annotations

import functools
import io
from collections.abc import Sequence
from dataclasses import dataclass

from PIL import Image, ImageDraw, ImageFont

WIDTH, HEIGHT = 800, 450
CHART_SIZE = (WIDTH, HEIGHT)
SCALE = 2  # drawn at twice the size and scaled down: smooth edges without antialiasing
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


def bar_chart_png(bars: Sequence[Bar], title: str, subtitle: str = "") -> bytes:
    """A WIDTH x HEIGHT PNG of horizontal bars, one per value with a count above zero."""
    s = SCALE
    image = Image.new("RGBA", (WIDTH * s, HEIGHT * s), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle(
        (0, 0, WIDTH * s - 1, HEIGHT * s - 1), radius=28 * s, fill=CARD, outline=CARD_EDGE,
        width=2 * s,
    )  # fmt: skip
    pad = 32 * s
    draw.text((pad, 26 * s), title, font=_font(26 * s, bold=True), fill=TEXT)
    if subtitle:
        draw.text((pad, 62 * s), subtitle, font=_font(16 * s), fill=MUTED)

    shown = _folded(bars)
    if not shown:
        return _png(image)
    label_font, count_font = _font(17 * s), _font(17 * s, bold=True)
    top, bottom = 100 * s, HEIGHT * s - 28 * s
    row = min(40 * s, (bottom - top) // len(shown))
    thickness = max(6 * s, int(row * 0.62))
    label_width = min(max(draw.textlength(bar.label, font=label_font) for bar in shown), 250 * s)
    bar_left = pad + label_width + 16 * s
    count_room = draw.textlength(str(max(b.count for b in shown)), font=count_font) + 16 * s
    bar_room = WIDTH * s - pad - count_room - bar_left
    largest = max(bar.count for bar in shown)
    for index, bar in enumerate(shown):
        y = top + index * row + (row - thickness) // 2
        middle = y + thickness / 2
        label = _fit(draw, bar.label, label_font, label_width)
        draw.text((pad, middle), label, font=label_font, fill=TEXT, anchor="lm")
        draw.rounded_rectangle(
            (bar_left, y, bar_left + bar_room, y + thickness), radius=thickness // 2, fill=TRACK
        )
        length = max(thickness, bar_room * bar.count / largest)
        draw.rounded_rectangle(
            (bar_left, y, bar_left + length, y + thickness),
            radius=thickness // 2,
            fill=_rgb(bar.colour),
        )
        draw.text(
            (bar_left + bar_room + 10 * s, middle), str(bar.count), font=count_font, fill=TEXT,
            anchor="lm",
        )  # fmt: skip
    return _png(image)


def _png(image: Image.Image) -> bytes:
    out = io.BytesIO()
    image.resize(CHART_SIZE, Image.Resampling.LANCZOS).save(out, format="PNG")
    return out.getvalue()
