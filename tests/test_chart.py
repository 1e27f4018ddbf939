"""The digest chart: a valid PNG of the expected size that reads on dark and light themes."""

from __future__ import annotations

import io

from PIL import Image

from cogs.victories.chart import CARD, CHART_SIZE, MAX_BARS, Bar, bar_chart_png

BARS = [Bar("Empathy", 3, 0xD4A017), Bar("Hope", 12, 0x5FA83F), Bar("Other victories", 1, 0x8C8C8C)]


def open_png(data: bytes) -> Image.Image:
    assert data.startswith(b"\x89PNG\r\n\x1a\n")
    image = Image.open(io.BytesIO(data))
    image.verify()  # a complete, valid PNG
    return Image.open(io.BytesIO(data)).convert("RGBA")


def close(colour, expected, tolerance=12) -> bool:
    return all(abs(a - b) <= tolerance for a, b in zip(colour, expected, strict=False))


def test_the_chart_is_a_png_of_the_expected_size():
    image = open_png(bar_chart_png(BARS, "Victories per value", "2 – 8 March 2026"))
    assert image.size == CHART_SIZE == (800, 450)


def test_a_light_card_with_transparent_corners_reads_in_both_themes():
    image = open_png(bar_chart_png(BARS, "Victories per value"))
    assert image.getpixel((0, 0))[3] == 0  # outside the rounded card: the theme shows through
    assert close(image.getpixel((400, 440)), CARD)  # the card itself is light, under dark text
    raw = image.tobytes()
    pixels = (raw[i : i + 4] for i in range(0, len(raw), 4))
    dark_pixels = sum(1 for p in pixels if p[3] == 255 and sum(p[:3]) < 200)
    assert dark_pixels > 500  # the title, labels and counts are drawn in dark ink


def test_bars_use_the_values_colours_and_scale_with_the_count():
    image = open_png(bar_chart_png(BARS, "t"))
    row = [image.getpixel((x, y)) for y in range(90, 400) for x in range(0, 800, 2)]
    green = sum(1 for p in row if close(p, (0x5F, 0xA8, 0x3F)))
    yellow = sum(1 for p in row if close(p, (0xD4, 0xA0, 0x17)))
    assert green > yellow * 2 > 0  # 12 victories draw a longer bar than 3


def test_many_values_fold_into_one_bar_and_nothing_breaks():
    bars = [Bar(f"A value with a long long name {n}", n + 1, 0x2E96B8) for n in range(20)]
    image = open_png(bar_chart_png(bars, "t"))
    assert image.size == CHART_SIZE
    assert MAX_BARS < 20


def test_no_bars_still_draws_the_card():
    image = open_png(bar_chart_png([], "Victories per value"))
    assert image.size == CHART_SIZE


def test_round_edges_are_smooth():
    image = open_png(bar_chart_png(BARS, "t"))
    corner = [image.getpixel((x, y))[3] for y in range(12) for x in range(12)]
    assert any(0 < alpha < 255 for alpha in corner)  # the card's corner is antialiased
    bar_end = [image.getpixel((x, y)) for y in range(100, 200) for x in range(100, 300)]
    assert len(set(bar_end)) > 20  # blended pixels where the bars round off


def test_drawn_at_final_size_so_a_chart_costs_little_memory(monkeypatch):
    """The weekly digest draws one chart per server: no image bigger than the chart itself
    (a supersampled 1600 x 900 RGBA canvas and its resized copies cost ~15 MB at peak)."""
    sizes = []
    new = Image.new

    def recording_new(mode, size, *args, **kwargs):
        sizes.append((mode, size))
        return new(mode, size, *args, **kwargs)

    monkeypatch.setattr(Image, "new", recording_new)
    bar_chart_png(BARS, "Victories per value", "2 – 8 March 2026")
    assert sizes
    assert all(w * h <= CHART_SIZE[0] * CHART_SIZE[1] for _, (w, h) in sizes)
