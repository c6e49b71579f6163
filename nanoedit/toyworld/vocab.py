"""The toy world's canonical words: what a scene can hold, and the words gold graphs use.

Planners import this module so that the graphs they produce for toy-world prompts use exactly the
words of the gold graphs (``"checker"``, not ``"checkerboard"``; ``"person"``, not ``"character"``).
Each ``*_WORDS`` table maps the surface words the instruction generator uses to a canonical word.
"""

from __future__ import annotations

from nanoedit.graphs import DIRECTIONS, POSITIONS, SIZES

__all__ = [
    "ARM_POSES",
    "AT_PLACE",
    "ATTRIBUTES",
    "BIGGER_SCALE",
    "DIRECTION_WORDS",
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

# Named palette (RGB). Pairwise far apart so the oracle can tell any two colours apart by pixels.
COLORS: dict[str, tuple[int, int, int]] = {
    "red": (220, 40, 40),
    "orange": (245, 140, 20),
    "yellow": (250, 220, 40),
    "green": (40, 170, 70),
    "blue": (40, 90, 220),
    "purple": (140, 60, 190),
    "pink": (250, 130, 190),
    "brown": (120, 70, 30),
    "black": (25, 25, 25),
    "white": (245, 245, 245),
    "gray": (135, 135, 135),
}

SHAPES = ("circle", "square", "triangle", "star", "heart")
PERSON = "person"  # the noun of the character in every EntityRef

# Synonyms the instruction generator may print; the gold graph always holds the canonical word.
SHAPE_WORDS: dict[str, str] = {
    "circle": "circle", "ball": "circle", "dot": "circle",
    "square": "square", "box": "square", "block": "square",
    "triangle": "triangle",
    "star": "star",
    "heart": "heart",
}  # fmt: skip
PERSON_WORDS: dict[str, str] = {"person": PERSON, "character": PERSON, "figure": PERSON}

# The character stands in the middle column's two lower cells; objects use the other seven.
OCCUPIED_BY_CHARACTER = ("center", "bottom")
OBJECT_CELLS = tuple(p for p in POSITIONS if p not in OCCUPIED_BY_CHARACTER)

BACKGROUND_PATTERNS = ("solid", "stripes", "checker", "gradient")
PATTERN_WORDS: dict[str, str] = {
    "solid": "solid", "plain": "solid",
    "striped": "stripes", "stripes": "stripes", "stripy": "stripes",
    "checkered": "checker", "checker": "checker", "checkerboard": "checker",
    "gradient": "gradient",
}  # fmt: skip

LIGHTINGS = ("day", "night", "sunset")
TONES = ("warm", "cool", "grayscale")
TONE_WORDS: dict[str, str] = {
    "warm": "warm", "warmer": "warm",
    "cool": "cool", "cooler": "cool", "cold": "cool",
    "grayscale": "grayscale", "black and white": "grayscale", "greyscale": "grayscale",
}  # fmt: skip

# Global styles this flat world really renders: dark outlines around every entity, colours
# quantised to three levels per channel, and 4x4-pixel blocks (at 64 px; scaled with the canvas).
STYLES = ("outline", "posterize", "pixelate")
STYLE_WORDS: dict[str, str] = {
    "outline": "outline", "outlines": "outline", "outlined": "outline", "cartoon outlines": "outline",
    "posterize": "posterize", "posterized": "posterize", "poster": "posterize",
    "pixelate": "pixelate", "pixelated": "pixelate", "pixel art": "pixelate",
}  # fmt: skip

# Character attributes (op ``attribute``, target EntityRef(noun="person")): name -> allowed values.
ATTRIBUTES: dict[str, tuple[str, ...]] = {
    "hair_color": tuple(COLORS),
    "hat": ("on", "off"),
    "glasses": ("on", "off"),
}
# "left" and "right" are the image's left and right, as for positions.
ARM_POSES = ("arms_down", "raise_left_arm", "raise_right_arm", "raise_both_arms")
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
# Words for a one-cell move: "move the star left", "shift it one step up", "nudge the heart down".
DIRECTION_WORDS: dict[str, str] = {
    "left": "left", "one step left": "left", "one cell to the left": "left",
    "right": "right", "one step right": "right", "one cell to the right": "right",
    "up": "up", "one step up": "up", "upwards": "up",
    "down": "down", "one step down": "down", "downwards": "down",
}  # fmt: skip
# Resize words without a named size: one size step (params.scale).
BIGGER_SCALE, SMALLER_SCALE = 2.0, 0.5
