"""A contact sheet of edit samples to look at: source -> target with the instruction under each pair."""

from __future__ import annotations

import textwrap

from PIL import Image, ImageDraw, ImageFont

from .instructions import EditSample
from .render import render

GAP = 8
LINE = 13
MAX_CAPTION_LINES = 8


def contact_sheet(samples: list[EditSample], columns: int = 4) -> Image.Image:
    """Tiles of ``source | target`` (rendered at their scene size) with the instruction as caption."""
    size = samples[0].source.size
    font = ImageFont.load_default(size=11)
    tile_w = 2 * size + 3 * GAP
    captions = [textwrap.wrap(s.instruction, max(tile_w // 6, 10))[:MAX_CAPTION_LINES] for s in samples]
    tile_h = size + max(len(c) for c in captions) * LINE + 2 * GAP
    rows = -(-len(samples) // columns)
    sheet = Image.new("RGB", (columns * tile_w, rows * tile_h), (250, 250, 250))
    draw = ImageDraw.Draw(sheet)
    for index, sample in enumerate(samples):
        x, y = (index % columns) * tile_w + GAP, (index // columns) * tile_h + GAP
        sheet.paste(render(sample.source).image, (x, y))
        sheet.paste(render(sample.target).image, (x + size + GAP, y))
        draw.polygon([(x + size + 1, y + size // 2 - 4), (x + size + GAP - 1, y + size // 2), (x + size + 1, y + size // 2 + 4)],
                     fill=(60, 60, 60))  # fmt: skip
        for line_index, line in enumerate(captions[index]):
            draw.text((x, y + size + 4 + line_index * LINE), line, fill=(20, 20, 20), font=font)
    return sheet
