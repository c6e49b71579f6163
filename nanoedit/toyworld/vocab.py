"""The toy world's vocabulary: what a scene can hold, and the words its instruction generator prints.

Every word comes from the one lexicon (``nanoedit.graphs.lexicon``), which the planner reads too, so
the gold graphs and the planner agree by construction (``"checker"``, not ``"checkerboard"``;
``"person"``, not ``"character"``), and its palette is the lexicon's colours. The planner never
imports this module. What is the toy world's own: which styles/tones/lightings it renders, and which
of the lexicon's words the generator prints (a fixed selection, so generated data stays the same
when the lexicon learns new words).
"""

from __future__ import annotations

from nanoedit.graphs import lexicon
from nanoedit.graphs.lexicon import (
    ARM_POSES,
    BACKGROUND_PATTERNS,
    DIRECTIONS,
    PERSON,
    PERSON_WORDS,
    POSITIONS,
    SHAPE_WORDS,
    SHAPES,
    SIZES,
    STYLE_WORDS,
    STYLES,
    TONE_WORDS,
)

__all__ = [
    "ARM_POSES",
    "AT_PLACE",
    "ATTRIBUTES",
    "BIGGER_SCALE",
    "DIRECTION_PHRASES",
    "SMALLER_SCALE",
    "TO_PLACE",
    "BACKGROUND_PATTERNS",
    "COLORS",
    "DEFAULT_ADD_COLOR",
    "DEFAULT_ADD_SIZE",
    "DIRECTIONS",
    "HAIR_STYLES",
    "LIGHTINGS",
    "OCCUPIED_BY_CHARACTER",
    "OBJECT_CELLS",
    "PATTERN_WORDS",
    "PERSON",
    "PERSON_WORDS",
    "POSITIONS",
    "SHAPES",
    "SHAPE_WORDS",
    "SIZES",
    "STYLES",
    "STYLE_WORDS",
    "TONES",
    "TONE_WORDS",
]

# The palette: the lexicon's colour words, painted as the lexicon says they look.
COLORS: dict[str, tuple[int, int, int]] = dict(lexicon.COLOR_RGB)


# The character stands in the middle column's two lower cells; objects use the other seven.
OCCUPIED_BY_CHARACTER = ("center", "bottom")
OBJECT_CELLS = tuple(p for p in POSITIONS if p not in OCCUPIED_BY_CHARACTER)

# The pattern words the generator prints (a selection of the lexicon's, in this order).
PATTERN_WORDS: dict[str, str] = {
    w: lexicon.PATTERN_WORDS[w]
    for w in ("solid", "plain", "striped", "stripes", "stripy", "checkered", "checker", "checkerboard", "gradient")
}

LIGHTINGS = ("day", "night", "sunset")  # of the lexicon's LIGHTING_VALUES, the ones this world renders
TONES = ("warm", "cool", "grayscale")  # of the lexicon's tones, the ones this world renders
# Global styles: the lexicon's STYLES, all of which this flat world renders: dark outlines around
# every entity, colours quantised to three levels per channel, and 4x4-pixel blocks (at 64 px).

# Character attributes (op ``attribute``, target EntityRef(noun="person")): name -> allowed values.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "hair_color": tuple(COLORS),
    "hat": ("on", "off"),
    "glasses": ("on", "off"),
}
# "left" and "right" are the image's left and right, as for positions.
HAIR_STYLES = ("short", "long", "spiky")

# Defaults ``apply_edit`` uses when an add does not say them.
DEFAULT_ADD_COLOR = "red"
DEFAULT_ADD_SIZE = "medium"
# The colour of a hat put on by an edit ("put a hat on him"); the spare one when the hair is red.
DEFAULT_HAT_COLOR, SPARE_HAT_COLOR = "red", "blue"

# How instructions say a place. ``AT_PLACE`` locates ("the star in the top left"), ``TO_PLACE`` is a
# move's destination. "left"/"right" as destinations are "the left side"/"the right side", so that
# "move the star left" (no "side") always means the direction: one grid cell.
AT_PLACE: dict[str, tuple[str, ...]] = {
    "top left": ("in the top left", "in the top left corner", "at the top left"),
    "top": ("at the top", "at the top middle"),
    "top right": ("in the top right", "in the top right corner", "at the top right"),
    "left": ("on the left", "on the left side"),
    "center": ("in the center", "in the middle"),
    "right": ("on the right", "on the right side"),
    "bottom left": ("in the bottom left", "in the bottom left corner", "at the bottom left"),
    "bottom": ("at the bottom", "at the bottom middle"),
    "bottom right": ("in the bottom right", "in the bottom right corner", "at the bottom right"),
}
TO_PLACE: dict[str, tuple[str, ...]] = {
    "top left": ("to the top left", "to the top left corner"),
    "top": ("to the top", "to the top middle"),
    "top right": ("to the top right", "to the top right corner"),
    "left": ("to the left side",),
    "center": ("to the center", "to the middle"),
    "right": ("to the right side",),
    "bottom left": ("to the bottom left", "to the bottom left corner"),
    "bottom": ("to the bottom", "to the bottom middle"),
    "bottom right": ("to the bottom right", "to the bottom right corner"),
}
# Phrases the generator prints for a one-cell move ("move the star left", "shift it one step up").
DIRECTION_PHRASES: dict[str, str] = {
    "left": "left", "one step left": "left", "one cell to the left": "left",
    "right": "right", "one step right": "right", "one cell to the right": "right",
    "up": "up", "one step up": "up", "upwards": "up",
    "down": "down", "one step down": "down", "downwards": "down",
}  # fmt: skip
# Resize words without a named size: one size step (params.scale).
BIGGER_SCALE, SMALLER_SCALE = 2.0, 0.5
