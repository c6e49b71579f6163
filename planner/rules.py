"""The rule planner: real editing English -> instruction graph, with no weights and no randomness.

A prompt is split into clauses (sentences; "and"/","/"then" before a new verb; "while keeping ...").
Each clause goes to the handler of its leading verb (remove/add/replace/change/move/resize/...),
which reads targets and values with ``phrases``. A clause that no handler understands is reported
in ``graph.warnings``; qualifiers ("ensuring the edges blend") and "keep everything else" join the
text of the neighbouring node, since nanoedit keeps every pixel outside the edit anyway.

Conventions shared with the toy world's gold graphs: see ``nanoedit.toyworld``. A few mappings
of real English onto the schema are choices worth knowing:

- "change the count of X to 4" becomes an ``add`` whose target carries ``count=4``;
- "keep/preserve X" becomes an ``identity_lock`` on X (target None when X is the person);
- hat and glasses on the character are ``attribute`` edits (hat on/off), not objects.
"""

from __future__ import annotations

import html
import re
import unicodedata
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from pydantic import ValidationError

from nanoedit.graphs import ELSEWHERE, EditNode, EntityRef, InstructionGraph, Op, Role, link, node_ids
from nanoedit.graphs.lexicon import (
    ACCESSORIES,
    ACTION_WORDS,
    ADJUST_FILLERS,
    ANIMAL_NOUNS,
    ANIMAL_PARTS,
    BACKGROUND_NOUNS,
    BASIC_COLORS,
    BODY_PARTS,
    COLOR_NOUNS,
    COLOR_WORDS,
    EXPRESSION_WORDS,
    FALLING_WEATHER,
    FLAWED_LOOKS,
    FORM_WORDS,
    GARMENT_NOUNS,
    HAIR_COLORS,
    LIGHT_COMPARATIVES,
    LIGHT_QUALITIES,
    LIGHTING_VALUES,
    LIGHTING_WORDS,
    LIKENESS_NOUNS,
    MATERIAL_WORDS,
    NUMBER_WORDS,
    PALETTE_NOUNS,
    PERSON_FEATURES,
    PERSON_NOUNS,
    PERSON_PARTS,
    PERSON_PRONOUNS,
    SEASONS,
    SKIN_FLAWS,
    SKIN_TONES,
    STYLE_OBJECTS,
    STYLE_WORDS,
    STYLES,
    TEXTURE_WORDS,
    TINTED_FEATURES,
    TONAL_RANGES,
    TONE_QUALITIES,
    TONE_WORDS,
    TYPOS,
    UNPLANNED_QUALITIES,
    WEARABLES,
    WEATHER_WORDS,
    WORN_BY_PEOPLE,
    WRITTEN_NOUNS,
)

from .base import Planner
from .context import PlanContext
from .gate import ARBITRATE_THRESHOLD, OpGate, default_gate
from .phrases import (
    FILLER_HEAD,
    MATTER_PIECES,
    PERSON,
    WORD,
    Phrase,
    Value,
    classify,
    find_place,
    is_abstract,
    is_background,
    is_image,
    is_scene_place,
    names_person,
    names_setting,
    parse_adjustment,
    parse_background,
    parse_color,
    parse_direction,
    parse_lighting,
    parse_phrase,
    parse_place,
    parse_scale,
    parse_style,
    parse_targets,
    parse_tone,
    resolve_reference,
    strip_image_tail,
    style_mention,
)

# The basic colour words as one regex alternative, longest first.
_ANY_COLOR = "|".join(sorted((re.escape(c) for c in COLOR_WORDS), key=len, reverse=True))
_BASIC_COLOR = "|".join(sorted(BASIC_COLORS, key=len, reverse=True))

# -- clauses --------------------------------------------------------------------------------------

_REMOVE = (
    r"remove|removing|delete|erase|eliminate|get rid of|take out|take away|wipe out|wipe away|clear away|clear out|"
    r"discard|omit|strip away|cut away|banish|expunge|eradicate|expel|purge|do away with|edit out|photoshop out|"
    r"clone out|paint out|airbrush out|shop out|edit away|crop out"
)  # "crop out the man": he goes (a part of the frame cropped out is a crop, ``_photo_op``)
_ADD = (
    r"add|adding|insert|put|place|draw|include|introduce|create|spawn|drop|attach|position|stick|generate|paint in|"
    r"plant|set up|bring in|integrate|incorporate|embed|arrange|perch|nestle|tuck|install|affix|sprinkle|scatter|paste|"
    r"invite|align|situate|feature"
)
# Placing and making verbs that add only with an indefinite object: "rest a knife on the pizza", "build a snowman".
_PLACE_VERBS = r"set|rest|lay|seat|stand|hang|glide|drape|string|build|construct|erect"
_REPLACE = (
    r"replace|replacing|swap out|swap|substitute|substituting|swapping|exchange|exchanging|switch out|trade"
)
# "grace the scene with three cows", "adorn the parrot with a yellow hue": X with Y, Y an object or a look.
_WITH = (
    r"grace|adorn|decorate|embellish|enrich|enliven|fill|populate|furnish|infuse|immerse|drench|bathe|coat|cover|"
    r"dress|clothe|drape|(?:re)?paint|colou?r|tint|tinge|wash|splash|arrange"
)
_CHOOSE = r"opt for|choose|pick|select|go for|go with"
_COLOR_VERB_EN = r"blacken|whiten|redden"  # only verbs: they start a clause ("... and whiten my teeth"), colour words don't
_COLOR_VERB = rf"{_COLOR_VERB_EN}|yellow|brown|green|blue|red|pink|purple|gr[ae]y"
_CHANGE = (
    r"change|changing|turn|transform|convert|make|render|set|alter|modify|adjust|switch|update|(?:re)?paint|"
    r"colou?r|recolou?r|dye|tint|shade|transfer|restyle|reimagine|redraw|redo|stylize|stylise|give|apply|use|"
    r"edit|shift the colou?r of|revamp|adapt|refashion|redesign|enhance|revise|rework|remake|recreate|reshape|"
    r"reimagine|envision|depict|portray|reinvent|morph|dye|give|let|have|customi[sz]e|rearrange|tweak|coat|cover|"
    r"tinge|dress|clothe"
)
# Retouching verbs: a quality of the photo turned up or down, or set right ("increase the contrast",
# "fix the glare", "turn up the brightness and contrast"); the object says the quality (``_adjust``).
_ADJUST_UP = (
    r"increase|increasing|raise|boost|turn up|bring up|dial up|crank up|pump up|bump up|punch up|heighten|"
    r"intensify|amplify|enhance|enrich|strengthen|maximi[sz]e|add|deepen|improve|correct|fix|adjust|balance|tweak|"
    r"restore|overlay|bring out|up(?=\s+the\s)"
)
_ADJUST_DOWN = (
    r"decrease|decreasing|reduce|reducing|lower|turn down|bring down|dial down|tone down|dull down|soften|lessen|"
    r"cut down|drop|weaken|minimi[sz]e|remove|get rid of|take out|take away|dull|pull down|undo|clean up|mute"
)
# Verbs that are themselves the quality ("brighten the sky", "desaturate the photo", "colorize it").
_ADJUST_SELF = {
    "brighten": "lighting", "lighten": "lighting", "darken": "lighting", "dim": "lighting",
    "illuminate": "lighting", "relight": "lighting", "saturate": "tone", "desaturate": "tone", "contrast": "tone",
    "colorize": "tone", "colourize": "tone", "colorise": "tone", "colourise": "tone", "warm up": "tone", "cool down": "tone", "invert": "tone",
    "sepia": "tone", "dehaze": "lighting", "defog": "lighting",
}  # fmt: skip
# Of those, the verbs that clear haze from the air rather than brighten: their light is said as the verb.
_CLEARING = frozenset(("dehaze", "defog"))
# Of those, the words that are also nouns or adjectives ("the contrast", "brown and sepia tones"): they start
# no clause and have no passive.
_NOUN_TOO = frozenset(("contrast", "sepia"))
# A quality said with no verb: "higher brightness and contrast", "less saturation".
_ADJUST_BARE = r"higher|more|less|increased|decreased|reduced|boosted|better|stronger"
_ADJUST = rf"{_ADJUST_UP}|{_ADJUST_DOWN}|{'|'.join(_ADJUST_SELF)}|{_ADJUST_BARE}"
_MOVE = r"move|shift|drag|slide|relocate|push|pull|reposition|bring|send|nudge|park"
_RESIZE = r"resize|rescale|scale up|scale down|scale|enlarge|shrink|downsize|minify|miniaturi[sz]e|magnify|grow|expand|extend|upscale|downscale|blow up|increase|decrease|reduce|double|triple|halve|minimize|diminish|boost|lower|raise"
_KEEP = r"keep|keeping|preserve|preserving|maintain|maintaining|retain|retaining|leave|leaving|protect|protecting|remain|don't change|do not change|don't alter|do not alter|don't touch|do not touch|don't modify|do not modify|without changing|without altering|without affecting|without modifying"
_EXTRACT = r"extract|isolate|segment|cut out|separate"
_POSE = r"raise|lift|lower|put|wave|drop"
_STYLE_VERBS = r"posteri[sz]e|pixelate|outline|cartoonify|stylize|stylise"
_AGE = r"age|de-age|rejuvenate"
# "remove the hat and fill in the hair": how the edit before is finished, not an edit of its own
_TOUCH_UP = r"fill in|reconstruct|rebuild|restore|repair|inpaint|blend in|patch"
# Verbs that change the shape of a thing ("shorten the giraffe's neck"): an ``attribute`` edit (name "shape").
_SHAPE = r"shorten|lengthen|elongate|widen|narrow|thicken|thin out|thin|slim down|slim|flatten|bend|curve|round off|sharpen"
# Verbs of a new state ("open his eyes", "smooth her skin", "close the window"): an ``attribute`` edit.
_BODY_STATE = r"open|close|shut|smooth|smoothen|soften|clear\s+up|even\s+out"
# Verbs of a new state of a thing only ("freeze the apple", "melt the candle", "rust the gate"): ``attribute`` too.
_THING_STATE = r"freeze|melt|thaw|rust|wilt|wither|rot|crack|shatter|crumple|dent"
# Verbs that change how a thing stands ("straighten the leaning tower"): a ``pose`` edit.
_POSTURE = r"straighten|tilt|lean|tip over|upright"
# Operations on the photo itself that no edit op is ("crop the image", "rotate it slightly"): said of the
# whole image they are reported, not planned; their clause still ends at the next verb.
_PHOTO_OPS = r"crop|rotate|flip|mirror|denoise"
# Words that start a new clause after "and" or a comma (spaces as \s+: the separator is verbose).
_VERB = rf"(?:{_ADJUST_UP}|{_ADJUST_DOWN}|{'|'.join(v for v in _ADJUST_SELF if v not in _NOUN_TOO)}|{_REMOVE}|{_ADD}|{_REPLACE}|{_CHANGE}|{_MOVE}|{_RESIZE}|{_KEEP}|{_EXTRACT}|{_STYLE_VERBS}|{_AGE}|{_SHAPE}|{_POSTURE}|{_TOUCH_UP}|{_PHOTO_OPS}|{_BODY_STATE}|{_THING_STATE}|{_COLOR_VERB_EN}|write|take|show|let|there)".replace(
    " ", r"\s+"
)

# "and color vibrancy", "and colour balance": the colour's quality, not the verb "colour"
_QUALITY_NOUNS = "|".join(sorted(TONE_QUALITIES | LIGHT_QUALITIES, key=len, reverse=True))
_PLACE_FIRST = r"(?:in|at|on)\ the\ (?:top|bottom|left|right|center|middle|upper|lower)[\w\ -]*,"
# A request said inside a sentence: "Not sure it's doable, but could you remove ...", "... and I would
# love it if someone could remove ...", "..., oh and please remove ...": a new clause starts there.
_ASKING = (
    r"(?:could|can|would|will)\s+(?:someone|somebody|anyone|anybody|you|u|one\s+of\s+you)\b|"
    r"i(?:'d|\s+would)\s+love\s+(?:it\s+)?if\s+(?:you|someone|somebody|anyone|one\s+of\s+you)\s+could\b"
)
# Words written on a thing follow these ("to read Open Daily", "so it says Sale Ends"): a capital there starts the
# words, not a new request.
_NOT_AFTER_WORDING = "".join(rf"(?<!\b{w})" for w in "read reads say says spell spells saying reading".split())
_SEPARATOR = re.compile(
    rf"""(?P<sentence>(?<=[.!?])\s+|\.{{2,}}\s*|\s*[;\n]+\s*|\s*:\s+(?={_VERB}\b)|\s+[\u2013\u2014]\s+|\s*\u2014\s*)
    |(?P<seq>\s*,?\s*\b(?:and\s+)?(?:then|after\ that|afterwards?|after\ this|finally|lastly|subsequently)\b\s*,?\s*)
    |(?P<also>\s*,?\s*\band\s+also\b\s*|\s*,\s*also\s+|\s*,\s*plus\s+|\s+(?:plus|also)\s+(?={_VERB}\b))
    |(?P<runon>(?<=(?-i:[a-z])){_NOT_AFTER_WORDING}\s+(?=(?=(?-i:[A-Z][a-z]))(?:{_VERB})\b)
      |(?:(?<=\bimage)|(?<=\bphoto)|(?<=\bpicture))\s+(?=(?:{_ADJUST_UP}|{_ADJUST_DOWN}|make)\s)|(?<=(?-i:[a-z]))\s+(?<!\bto\s)(?=make\s+(?:it|them)\b)
      |\s*,?\s*(?:and\s+)?(?=feel\s+free\b)|\s*,\s*(?=(?:making|leaving)\s+the\s+colou?rs\b))
    |(?P<request>\s*,?\s*\b(?:oh\s+)?(?:and|but|so)\s+(?=(?:oh\s+)?please\s+{_VERB}\b|{_ASKING})|\s*,\s*(?=(?:{_ASKING})(?:\s+(?:please|kindly|possibly|be\s+able\s+to))*\s+{_VERB}\b))
    |(?P<join>\s*,?\s*\band\s+(?!colou?r(?:\s+(?:{_QUALITY_NOUNS}|of)\b|[\s.!?]*$))(?=(?:[a-z]{{3,}}ly\s+)?(?:{_VERB}|blackout|black\s+out|blur|fill)\b|{_PLACE_FIRST})|\s*,\s*(?=(?:[a-z]{{3,}}ly\s+)?(?:{_VERB}\b|blur\b|defocus\b|fill\b|while\b|so\ that\b|ensuring\b|making\ sure\b)|{_PLACE_FIRST})
      |\s*,\s*but\s+(?={_VERB}\b)|\s+but\s+(?!{_KEEP}\b)(?={_VERB}\b)
      |\s*,\s*(?=(?:the|his|her|their|my|our)\s+(?:[\w'-]+\s+){{1,4}}(?:should|must|needs?\s+to)\s+(?:have|be|look)\b)
      |\s*,?\s+while\s+(?=(?:brighten|darken|lighten|increas|reduc|boost|lower|warm|cool|deepen|lift|rais|saturat|desaturat)ing\b)
      |\s*,\s*(?=(?:in\s+(?:a|an)\s+)?(?:[\w-]+\s+){{1,2}}style[\s.!?]*$))
    |(?P<keep>\s*,?\s*\b(?:(?:all\s+)?while|but|whilst|yet)\s+(?={_KEEP}\b|not\b|ensuring\b|making\ sure\b|still\b)
      |\s*,?\s+(?=without\s+(?:changing|altering|affecting|modifying)\b)|\s*,\s*(?=(?:same|identical)\s+[a-z])
      |\s*,?\s*\bbut\s+(?=(?:[\w'-]+\s+){{1,4}}(?:can|should|may|must|will|could)\s+(?:stay|remain)\b))
    """,
    re.IGNORECASE | re.VERBOSE,
)
_LEADING = re.compile(
    r"^(?:\[[^\]]{1,40}\][\s,:]*|\([^)]{1,40}\)[\s,:]*|(?:(?:can|could|would|will)\s+(?:someone|somebody|anyone|anybody|some\s+one|any\s+one|(?:you|u)(?:\s+guys|\s+all)?)(?:\s+please)?"
    r"(?:\s+(?:be\s+able|kindly|possibly|help\s+me)(?:\s+to)?)?|is\s+it\s+(?:possible|realistic|doable|feasible)\s+to|"
    r"(?:(?:i(?:'d|\s+would)|would)\s+love\s+(?:it\s+)?|(?:i(?:'d|\s+would)\s+|would\s+)be\s+(?:so\s+|very\s+|really\s+)?(?:grateful|thankful|glad)\s+)"
    r"if\s+(?:you|someone|somebody|anyone|one\s+of\s+you)\s+could|"
    r"(?:someone|somebody|anyone)(?:\s+(?:can|could|would))?(?:\s+please)?|you\s+(?:can|could|would)(?:\s+please)?|actually|"
    r"i\s+(?:want|wanted|would\s+like|'d\s+like)\s+to\s+ask\s+(?:if|whether)|(?:explain|show|tell)\s+(?:to\s+)?(?:me|us)\s+how\s+to|"
    r"how\s+(?:do|can|could|would|should)\s+(?:i|we|you|one)|how\s+to|okay|ok|(?:hey|hi|hello)(?:\s+there)?|good\s+(?:morning|afternoon|evening|day)|oh|please|kindly|now|also|and|then|so|first(?:ly)?|second(?:ly)?|third(?:ly)?|just|finally|lastly|next|"
    r"additionally|afterwards|moreover|furthermore|can you|could you|would you|will you|i want you to|"
    r"i'd like you to|i would like you to|i want to|i'd like to|i would like to|let's|lets|let us|try to|"
    r"go ahead and|help(?:\s+(?:me|us))?(?:\s+to)?(?=\s+(?:make|change|remove|fix|get)\b)|you should|you need to|we need to|we should|we must|you must|it's time to|it is time to|help me|simply|quickly|gently|carefully|"
    r"using\s+(?:the|this)\s+(?:provided|attached|uploaded|given|original)\s+(?:image|photo|picture)(?:\s+of\s+[^,]+)?(?=\s*,|\s*$)|"
    r"step \d+|\d+[.)]|-|\*|•|in the image|in this image|in the picture|in this photo|in the photo|"
    r"from the image|from the picture|from this image|from this photo|for the image|on the image|"
    rf"[a-z]{{3,}}ly(?=\s+(?:{_VERB}|ensuring|making\s+sure|while)\b))\b[\s,:]*)+",  # "significantly shorten ...", "strictly ensuring ..."
    re.IGNORECASE,
)
_TRAILING = re.compile(
    r"[\s,]*(?:\b(?:please|for me|if\s+(?:at\s+all\s+)?(?:possible|you\s+can|(?:it's|that's|it\s+is|that\s+is)\s+possible)|(?:(?:and\s+)?(?:many\s+)?thanks|thank\s+you)(?:\s+(?:so\s+much|a\s+lot|in\s+advance))?|as well|too|again|instead|completely|entirely|altogether|"
    r"fully|totally))?(?:[\s.!?,;:]|[:;]-?[)(DPp]+(?=\W*$)|(?<!\w)c:(?=\W*$))*$",  # ":)", "c:": a smiley closes the request
    re.IGNORECASE,
)
_QUALIFIER = re.compile(
    r"^(?:ensuring|ensure|making sure|make sure|so that|so it|such that|in order to|to make|to create|to give|"
    r"to enhance|to match|to reflect|to complement|to emphasize|to highlight|to achieve|to evoke|to convey|"
    r"to add|to keep|to maintain|to look|to appear|with|using|which|that|where|blending|matching|"
    r"creating|giving|resulting|adding|inviting|bringing|lending|evoking|capturing|offering|making it|make it look|making the|as if|as though|like|the result|"
    r"the overall|overall|it should look|seamlessly|naturally|realistically|still|feel free)\b",
    re.IGNORECASE,
)
# Sentences about the request, not edits of the photo: what the photo is ("This is our only picture of
# ..."), how hard the job is ("Likely to be an easy job", "It's rare to have a photo of us"), what it is
# for ("I'd like to use it as a profile picture", "Need this photo for a job ID"), or a plea ("Could one of you help me out?").
# How an edit before it should come out, no edit of its own: "Make it look natural and well-fitted.",
# "make them look seamless" (after "add a hat ..."); said alone, "make it look realistic" is a look.
_FINISH_WORDS = r"natural|realistic|seamless|believable|convincing|authentic|real|well[\s-]?fitted|well[\s-]?integrated|integrated|blended|subtle|visible|legible|readable"
_FINISH = re.compile(
    rf"^make\s+(?:it|them|this|that|everything)\s+(?:look|appear|seem|blend\s+in)?\s*(?:(?:more|very|as|so)\s+)?"
    rf"(?:{_FINISH_WORDS})(?:\s*(?:,|and|but)\s*(?:(?:still|more|very)\s+)?(?:{_FINISH_WORDS}))*$",
    re.I,
)
# A caution about an edit before it, no edit of its own: "but make sure nothing gets washed out",
# "ensure it doesn't look fake".
_CAUTION = re.compile(
    r"^(?:make\s+sure|making\s+sure|ensure|ensuring)\s+(?:that\s+)?(?:nothing|no\s|none|not\s|"
    r"(?:it|they|the\s+[a-z]+)\s+(?:doesn't|does\s+not|don't|do\s+not|isn't|is\s+not|aren't|are\s+not|won't|will\s+not)\b)",
    re.I,
)
# How a removal is filled, no edit of its own: "remove the person, fill with background".
_FILL = re.compile(
    r"^fill(?:\s+(?:it|them|that|the\s+(?:gap|gaps|hole|space|spot|area)))?(?:\s+(?:it|them))?(?:\s+in)?\s+(?:with|using|from)\s+"
    r"(?:the\s+)?(?:background|backdrop|surroundings|surrounding\s+\w+|what(?:'s|\s+is)\s+(?:around|behind)(?:\s+it)?)$",
    re.I,
)
_ASIDE = re.compile(
    r"^(?:\[[^\]]{1,40}\][\s,:]*)?(?:(?:and|so|but)\s+)?(?:(?:this|it|that)(?:'s|\s+is|\s+was)\s+(?:(?:our|my|his|her|their|the|a|an)\s+(?:only|best|favou?rite|last|first)\b|"
    r"(?:very\s+|so\s+|really\s+)?(?:rare|hard|difficult|easy|important|special|okay|ok|fine)\b)|"
    r"(?:likely|probably|hopefully|not\s+sure|i'm\s+not\s+sure|i\s+(?:know|think|hope|understand))\b|"
    r"i(?:'d|\s+would)?(?:\s+like|\s+want|\s+love|\s+plan|\s+need)\s+to\s+(?:use|print|post|frame|send|share|hang|gift)\b|"
    r"i(?:'d|\s+would)?(?:\s+like|\s+want|\s+love)\s+(?:a|the|one)\s+(?:photo|picture|image|pic|shot)\s+(?:of|with)\s+(?:just|only)\b|"
    r"(?:(?:i|we)\s+)?need\s+(?:it|this|that|the|my|our)(?:\s+(?:photo|picture|image|pic|shot|one))?\s+for\b|"
    r"(?:(?:could|can|would|will)\s+)?(?:(?:one\s+of\s+)?(?:you|someone|somebody|anyone)\b[\w\s]*?)?\bhelp\s+(?:me|us)(?:\s+out)?[\s.!?]*$|"
    # "Help for a funeral.", "Need help with a wedding photo.": what the help is for, the edit said apart
    r"(?:(?:i|we)\s+)?(?:need\s+)?help\s+(?:for\s+(?:a|an|my|our|the|this)\s+[\w'-]+(?:\s+[\w'-]+)?|"
    r"with\s+(?:a|an|my|our|this|the)\s+(?:[\w'-]+\s+){0,2}(?:photo|picture|image|pic|shot))[\s.!?]*$)",
    re.I,
)
_EVERYTHING_ELSE = re.compile(
    r"^(?:the\s+)?(?:rest|remainder|remaining|everything else|all else|other|others|all other|any other|"
    r"surrounding|surroundings|original|overall|composition|scene|image|picture|photo|background|context|"
    r"layout|perspective|lighting|shadows?|details?|quality|proportions|realism|style|texture|appearance|look|feel)\b",
    re.IGNORECASE,
)


@dataclass
class Clause:
    text: str  # as written (for node.text)
    start: int
    sequenced: bool = False  # preceded by "then"/"after that"


_INSTEAD_OF = re.compile(r"^(?P<x>\s*instead\s+of\s+[^,.;]+),", re.I)


def normalize(prompt: str) -> str:
    """NFKC, straight quotes, no control characters, single spaces (offsets refer to this text)."""
    text = unicodedata.normalize("NFKC", html.unescape(prompt))  # "black&amp;white" as scraped from a forum page
    text = text.translate(
        str.maketrans({"\u2018": "'", "\u2019": "'", "\u201c": '"', "\u201d": '"', "\u00b4": "'"})
    )
    text = "".join(c if c.isprintable() or c == "\n" else " " for c in text)
    text = _TYPO.sub(lambda m: TYPOS[m[0].lower()], text)
    text = re.sub(r"\b(the|a|an)\s+\1\b", r"\1", text, flags=re.I)  # "the the"
    text = re.sub(r"(?<=[a-z]{3})\.(?=[A-Z][a-z])", ". ", text)  # "Increase brightness.Add yellow": two sentences
    text = re.sub(r"\s+&\s+|(?<=[a-z]{3})&(?=[a-z]{3})", " and ", text)  # "black & white", "black&white"
    text = _ON_RGB.sub("", text) if "rgb" in text.lower() else text  # "a bit dark on RGB": the editor's all-channel curve, how
    text = _VERB_OR_VERB.sub(r"\g<v>", text) if "/" in text else text  # "remove/crop the lady": one edit, said two ways
    text = re.sub(r"(?<=[a-z]{3})/(?=[a-z]{3})", " and ", text)  # "the lighting/contrast": both
    return re.sub(r"[ \t]+", " ", text).strip()


_ON_RGB = re.compile(r"\s+(?:on|in|of)\s+(?:the\s+)?rgb(?:\s+(?:channels?|curves?|levels?))?\b", re.I)
_TYPO = re.compile(rf"\b(?:{'|'.join(TYPOS)})\b", re.I)
_VERB_OR_VERB = re.compile(rf"\b(?P<v>{_VERB})/(?:{_VERB})\b", re.I)


def split_clauses(text: str) -> list[Clause]:
    clauses, start, sequenced = [], 0, False
    text = _INSTEAD_OF.sub(lambda m: f"{m['x']} ", text)  # "instead of X, put Y" is one clause (same offsets)
    for m in _SEPARATOR.finditer(text):
        if m.start() == m.end():
            continue
        if text[start : m.start()].strip(" ,.;"):
            clauses.append(Clause(text[start : m.start()], start, sequenced))
            sequenced = False
        sequenced = sequenced or m.lastgroup == "seq"
        start = m.end()
    if text[start:].strip(" ,.;"):
        clauses.append(Clause(text[start:], start, sequenced))
    return clauses


# -- drafts: nodes before ids ---------------------------------------------------------------------


@dataclass
class Draft:
    op: Op
    target: EntityRef | None = None
    params: dict[str, Any] = field(default_factory=dict)
    text: str = ""
    _built: EditNode | None = field(default=None, repr=False, compare=False)

    def node(self, node_id: str) -> EditNode:
        return EditNode(id=node_id, op=self.op, target=self.target, params=self.params, text=self.text)

    def built(self) -> EditNode:
        """The node (checked once; its id is set by ``_nodes``). Raises ``ValidationError``."""
        if self._built is None:
            self._built = self.node(self.op.value)
        return self._built

    def target_after(self) -> EntityRef | None:
        try:
            return self.built().target_after()
        except ValidationError:
            return None


def _person_looks(name: str, value: Any) -> Draft:
    """The person's look changed: one attribute of the character ("hair_color", "expression", "hat"),
    which belongs to the person, not to the part named ("make her hair red" edits the person)."""
    return Draft(Op.attribute, EntityRef(noun=PERSON), {"name": name, "value": value})


class Unresolved(Exception):
    """A clause names something the context cannot supply ("it" with nothing edited before)."""


@dataclass
class _Turn:
    """What one ``plan`` call knows while it reads the clauses of a prompt."""

    context: PlanContext
    person: bool  # the character is in the scene or named in the prompt
    animal: bool = False  # an animal is named in the prompt (what it wears is no person's)
    background: bool = False  # a background edit came before in this prompt ("... make it white")
    cut: list[EntityRef] = field(default_factory=list)  # what was cut or taken out before ("... place her on white")

    def refer_to(self, drafts: list[Draft]) -> None:
        """Later clauses of the prompt refer to what these drafts edited, as later turns would."""
        self.background = self.background or any(d.op is Op.background for d in drafts)
        self.cut += [d.target for d in drafts if d.op in (Op.remove, Op.extract) and d.target is not None]
        after = [a for a in (d.target_after() for d in drafts if d.op is not Op.identity_lock) if a]
        if after and not all(a.noun == PERSON for a in after):
            self.context = self.context.model_copy(update={"last_targets": after})

    def targets(self, text: str) -> list[EntityRef]:
        refs = parse_targets(text, self.context)
        if refs == []:
            raise Unresolved(f"{text.strip()!r} refers to nothing edited before; name the object")
        return refs or []


# -- handlers: one per leading verb family --------------------------------------------------------

Handler = Callable[[str, str, _Turn], "list[Draft] | None"]


# "the building in the background": an object that is in the background, not the background itself.
_IN_BACKGROUND = re.compile(
    r"^(?P<x>.+?)\s+(?:in|on|from|into|to|at)\s+(?:(?:the|its|their)\s+)?(?:far\s+)?(?:background|backdrop|distance)$", re.I
)


def _in_background(rest: str) -> str:
    m = _IN_BACKGROUND.match(rest)
    return m["x"] if m and not is_background(m["x"]) and not is_image(m["x"]) else rest


# "delete the number 2010", "erase the words 'FOR SALE'": written text taken away.
_WRITTEN_THING = re.compile(
    rf"^(?:the|a|an|some|any|all\s+(?:the\s+)?)?\s*(?:(?:{'|'.join(COLOR_WORDS)})\s+)?(?:(?:{'|'.join(WRITTEN_NOUNS)})\b|number\s+\d)", re.I
)
# What carries written text: "the writing on the sign", 'the "G" from the sign'.
_CARRIER = re.compile(r"\b(?:on|from|off|of|in)\s+(?:the|a|this|that|its|his|her)\s+(?P<c>[a-z][\w\s-]*)$", re.I)


def _carrier(text: str, turn: _Turn, place: str | None = None) -> EntityRef:
    """The thing written text is on (the sign), or the text itself when nothing is named."""
    m = _CARRIER.search(text)
    ref = parse_phrase(m["c"], turn.context).ref if m else None
    if ref is None or not ref.noun or is_image(ref.noun) or parse_place(m["c"]):
        return EntityRef(noun="text", position=place)
    return ref.model_copy(update={"position": place}) if place else ref


def _written(rest: str, turn: _Turn, new: str = "") -> list[Draft] | None:
    """Written text taken away or put in: "remove the writing on the top", 'remove the "G" from the
    sign', "delete the number 2010", "add text pool party"."""
    said = _QUOTED.search(rest) or re.search(r"\bnumber\s+(?P<d>\d[\d,.]*)", rest)
    bare = _QUOTED.sub("", rest)
    quoted_only = said and re.match(r"^\s*(?:the|a)?\s*(?:(?:from|on|off|in)\s+.+)?$", bare, re.I)
    if not (_WRITTEN_THING.match(rest) or quoted_only) or (re.match(r"^all\b", rest, re.I) and _CARRIER.search(bare)):
        return None  # "all the text on the wall": the wall's surface, a region
    place = parse_phrase(bare, turn.context).place
    old = (said["d"] or said["s"]) if said else None
    if new == "" and not said:  # "add text pool party": the words after the noun are the text
        words = re.match(rf"^(?:the|a|an|some)?\s*(?:{'|'.join(WRITTEN_NOUNS)})\s+(?P<t>(?!(?:on|in|at|to|that|which|from|saying|reading|below|above|beneath|underneath|here|there)\b).+)$", rest, re.I)
        new = words["t"] if words and turn and not parse_place(words["t"]) else ""
    params = {"text": new, "old": old} if new != "" or old else {"text": ""}
    return [Draft(Op.text, _carrier(bare, turn, place), {k: v for k, v in params.items() if v is not None})]
# "remove the stripes from the shirt": a pattern of an object, not an object.
_PATTERN_OFF = re.compile(
    r"^(?:the\s+|all\s+(?:the\s+)?)?(?:patterns?|prints?|stripes|spots|polka\s+dots|texture)\s+(?:from|on|of)\s+(?P<x>.+)$", re.I
)


_ALL_ELSE = re.compile(r"^(?:(?:everything|anything|all)\s+else|the\s+rest)(?:\s+of\s+(?:the\s+)?(?:image|picture|photo|scene))?$", re.I)


def _remove(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    if _ALL_ELSE.match(rest) and turn.context.last_targets:  # "cut out the cat, eliminate everything else": how it is cut out
        return []
    if not re.fullmatch(_ADJUST_DOWN, verb, re.I):  # "eliminate the glare", "removing all harsh shadows": less of a light
        adjusted = _adjust("remove", rest, turn)
        if adjusted:
            return adjusted
    rest = _in_background(re.sub(r"\s+off$", "", strip_image_tail(rest)))
    rest = re.sub(r"\s+off\s+(?=(?:his|her|their|my|the)\s)", " from ", rest, flags=re.I)  # "the watch off his wrist"
    rest = re.sub(r"\s+(?:present|depicted|featured|visible|shown|seen|appearing)$", "", rest, flags=re.I)
    listed = re.split(r"\s*,?\s+and\s+", rest)
    if len(listed) > 1:  # "my wrinkles and loose hair", "the man's glasses and his hat": each one (the owner said once)
        mine = re.match(r"^(?:my|his|her|their|your)\s", rest, re.I)
        listed = [p if i == 0 or not mine or re.match(rf"^(?:{_DEF}|a\s|an\s)", p, re.I) else f"{mine[0]}{p}" for i, p in enumerate(listed)]
        whence = re.search(r"\s+(?:from|off|on|in)\s+.+$", listed[-1], re.I)  # "the bracelets and wristbands from her hand": both
        listed = [p + whence[0] if whence and i < len(listed) - 1 else p for i, p in enumerate(listed)]
        features = [_accessory(p, turn, "off") or _worn(p, turn, "off") or _hair_off(p, turn) for p in listed]
        if any(features):
            return [d for p, f in zip(listed, features) for d in (f or [Draft(Op.remove, t) for t in turn.targets(p)])]
    accessories = _accessory(rest, turn, "off") or _worn(rest, turn, "off") or _hair_off(rest, turn)
    if accessories:
        return accessories
    pattern = _PATTERN_OFF.match(rest)
    if pattern:
        return _each(turn, pattern["x"], lambda t: Draft(Op.attribute, t, {"name": "pattern", "value": "none"}))
    if is_background(rest):  # "remove the background": a plain one in its place
        return [Draft(Op.background, params={"description": "plain"})]
    parts = [p for p in re.split(r"\s+and\s+", rest, maxsplit=1) if p]
    written = [_written(p, turn) for p in parts]
    if any(written):  # "remove text and pictures": the text, then the pictures
        return [d for p, w in zip(parts, written) for d in (w or [Draft(Op.remove, t) for t in turn.targets(p)])]
    return [Draft(Op.remove, t) for t in turn.targets(rest)] or None


def _tinted_feature(said: str, turn: _Turn) -> str | None:
    """The makeup or facial hair a phrase names ("his beard", "the lipstick"), whose colour is the person's looks."""
    head = WORD.findall(said.lower())[-1:]
    return head[0] if head and head[0] in TINTED_FEATURES and not turn.animal else None


def _hair_off(rest: str, turn: _Turn) -> list[Draft] | None:
    """A person's hair taken away ("get rid of her loose hair", "remove my stray hairs"): the person's looks
    (a finger or an arm taken out of the photo is removed, as the earlier sets label it)."""
    return [_person_looks("hair", "off")] if re.sub(r"s$", "", _body_part(rest, turn) or "") == "hair" else None


_ONTO = r"to|on|onto|over"


def _color_onto(color: str, prep: str, where: str, turn: _Turn) -> list[Draft] | None:
    """Colour put on a thing recolours it ("the rainbow colors onto the boy's T-shirt"); on a person's
    lips, eyes or face, anywhere about them, it is make-up: an attribute of the person."""
    ref = parse_phrase(where, turn.context).ref
    if ref is None or is_abstract(ref) or is_background(where) or is_image(ref.noun or ""):
        return None
    head = (ref.noun or "").split()[-1]
    if {head, f"{head}s"} & TONAL_RANGES:  # "cool blue tones to the shadows": split toning
        return _tone(f"{color} {prep} {_describe(where)}")
    if {head, f"{head}s"} & BODY_PARTS and names_person(where):
        return [_person_looks("makeup", f"{color} on the {head}")]
    if not re.fullmatch(_ONTO, prep):
        return None  # "blue above the house" puts no colour on the house
    return _each(turn, where, lambda t: Draft(Op.recolor, t, {"color": color}))


# Words named by what they are for ("a sale message", "a welcome slogan", "the company name"): text.
_MESSAGE = re.compile(
    r"^(?:a|an|the|some|my|our|its|their|his|her|this|that)\s+(?:(?!(?:name|price|speech|thought)\b)[a-z]+\s+)?"
    r"(?P<n>messages?|slogans?|captions?|headlines?|taglines?|greetings?|names?|inscriptions?|titles?|text|writing|wording|lettering|poems?|verses?|instructions)"
    r"(?P<tail>\s+(?:on|in|at|across|along|over|under|above|below|to|onto)\s+.+|\s+(?:somewhere|anywhere|here|there)(?:\s+.+)?)?$",
    re.I,
)
# A thing added with words on it ("Insert playful speech bubble with text"): the thing, and text on it.
_WITH_TEXT = re.compile(
    r"^(?P<x>.+?)\s+(?:with|containing|holding)\s+(?:some\s+|the\s+)?(?:(?:white|black|red|blue|green|yellow|gold|golden|silver|"
    r"bold|large|small|big)\s+)?(?:text|words|writing|lettering|a\s+message)$",
    re.I,
)


def _message(rest: str, turn: _Turn) -> list[Draft] | None:
    m = _MESSAGE.match(rest.strip())
    if not m or (m["n"].lower().startswith(("name", "title")) and not re.match(r"^(?:the|its|their|his|her|my|our)\s", rest, re.I)):
        return None  # "add a name": whose? (a name tag, a title card are things)
    place = parse_place(m["tail"] or "") if m["tail"] else None
    return [Draft(Op.text, _carrier(m["tail"] or "", turn, place), {"text": ""})]


# An action added as a thing ("Add a cherry-eating action", "add a waving gesture to the man"): a pose.
_ADDED_ACTION = re.compile(
    r"^(?:a|an|some)\s+(?P<act>[\w\s-]+?)\s+(?:action|pose|gesture|posture|movement|motion)"
    r"(?:\s+(?:to|for|on)\s+(?P<who>.+))?$",
    re.I,
)


# What the new one and the ones already there then do together ("add a groom beside the bride, with the two
# gazing into each other's eyes", "..., both of them waving"): their pose, besides the added person.
_TOGETHER_DOING = re.compile(
    r"^(?P<added>.+?)\s*,?\s+(?:with\s+)?(?:the\s+two|the\s+pair|the\s+couple|both(?:\s+of\s+them)?|them\s+both)\s+(?P<act>[a-z]+ing)\b(?P<more>.*)$",
    re.I,
)


def _doing_together(rest: str, turn: _Turn) -> list[Draft] | None:
    together = _TOGETHER_DOING.match(rest)
    act = _action_of(together["act"], ACTION_WORDS) if together else None  # "gazing": gaze
    added = _add("add", together["added"], turn) if act else None
    if not added:
        return None
    said = _describe(f"{together['act']}{together['more']}")
    doers = [d.target for d in added if d.target is not None and not names_person(d.target.noun or "")] or [EntityRef(noun=PERSON)]
    return [*added, *(Draft(Op.pose, t, {"pose": ACTION_WORDS[act], "description": said}) for t in doers)]


# Things added, the last of them words: "add explosions, and the text 2015 Howay Invitational", "a cake and the words
# Happy Birthday": each read on its own (the words are a text edit, no "explosions and the text" thing).
_AND_WORDS = re.compile(
    rf"^(?P<x>.+?)\s*,?\s+and\s+(?P<w>(?:the|a|an|some)\s+(?:{'|'.join(sorted(WRITTEN_NOUNS, key=len, reverse=True))})\s+\S.*)$", re.I
)


def _add(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    quoted = re.match(rf"^(?P<q>\"[^\"]+\"|'[^']+')(?:\s+{_PLACE_WORDS}|\s+in\s+the\s+corner\b|\s*,)", rest, re.I)
    if quoted:  # "Add 'Top 1' in the middle, with the '1' especially large": those words there (a carrier said is kept)
        return _add(verb, f"the text {quoted['q']}", turn)
    words = _AND_WORDS.match(rest)
    if words:
        things, written = _add(verb, words["x"], turn), _add(verb, words["w"], turn)
        if things and written:
            return things + written
    manner = re.match(r"^(?P<x>.+?)\s+in\s+(?:an?\s+(?P<s>[\w\s-]+?)|the\s+same)\s+style(?:\s*,\s*[a-z]+ing\b.*)?$", rest, re.I)
    if manner and style_mention(manner["s"] or "") is None and not is_abstract(parse_phrase(manner["x"], turn.context).ref):
        rest = manner["x"]  # "add glasses in an intellectual style, giving ...": the glasses' manner, no style of the image
    together = _doing_together(rest, turn)
    if together:
        return together
    action = _ADDED_ACTION.match(rest)
    if action:  # who does it: the one named, else the person in the photo
        said = _describe(action["act"])
        refs = turn.targets(action["who"]) if action["who"] else [EntityRef(noun=PERSON)]
        return [Draft(Op.pose, r, _pose_params(said) | {"description": said}) for r in refs] or None
    message = _message(rest, turn) if not _QUOTED.search(rest) else None
    if message:  # "add a sale message somewhere"
        return message
    with_text = _WITH_TEXT.match(rest) if not _QUOTED.search(rest) else None
    carrier = parse_phrase(with_text["x"], turn.context).ref if with_text else None
    if carrier is not None and carrier.noun and not is_image(carrier.noun) and not _WRITTEN_NOUN.search(carrier.noun):
        return [Draft(Op.add, carrier), Draft(Op.text, carrier, {"text": ""})]  # "a speech bubble with text"
    text = _text_edit(rest, turn, verb) or (_written(rest, turn, new="") if not _QUOTED.search(rest) else None)
    if text:
        return text
    onto = re.match(rf"^(?P<c>.+?)\s+(?P<p>{_ONTO}|above|below|under|around)\s+(?P<x>.+)$", rest, re.I)
    a_thing = onto and re.fullmatch(r"(?:a|an|one)\s+[a-z]+", onto["c"], re.I)  # "a rainbow over the mountains": a thing
    color = parse_color(onto["c"]) if onto and not a_thing else None
    colored = _color_onto(color, onto["p"].lower(), onto["x"], turn) if onto and color else None
    if colored:  # "insert the rainbow colors onto the shirt", "add red above her eyes"
        return colored
    accessories = _accessory(rest, turn, "on") or _person_feature(rest, turn) or _worn(rest, turn, "on")
    if accessories:
        return accessories
    if _MORE_HAIR.match(rest) and not turn.animal:  # "add more hair to the front": the person's hair
        return [_person_looks("hair", _describe(rest))]
    weather = parse_phrase(rest, turn.context).ref
    falling = weather is not None and set((weather.noun or "").split()) & FALLING_WEATHER and re.search(r"\bfall", rest, re.I)
    if weather is not None and (set((weather.noun or "").split()) & WEATHER_WORDS or falling):  # "add storm clouds"
        said = _describe(" ".join(filter(None, (weather.color, weather.noun))))
        if re.search(r"\b(?:in|to|into|across|over)\s+the\s+(?:\w+\s+)?sky$", rest, re.I):  # "storm clouds in the sky": a new sky
            return [Draft(Op.background, params={"description": f"{said} in the sky"})]
        return _lighting(said)
    created = parse_phrase(rest, turn.context)
    head = (created.ref.noun or "").split()[-1:] if created.ref is not None else []
    if head and head[0] in ("effect", "effects"):  # "add a subtle spotlight effect": the effect of what is named
        head = (created.ref.noun or "").split()[-2:-1] or head
    if head and (head[0] in _LIGHT_THINGS or head[0] in ("light", "lighting") and not re.match(_INDEF, rest, re.I)):
        return _lighting(_describe(rest))  # "add a soft shadow under the box", "add warm light": the light
    if head and head[0] in PALETTE_NOUNS and turn.background and _ONE_COLOUR.match(rest):
        return [Draft(Op.background, params={"description": _describe(created.ref.noun or "")})]
    if head and head[0] in PALETTE_NOUNS and not created.relation:
        return _tone(_describe(rest))  # "add warm sunset colors": a grade of the photo's colours, not things
    if head == ["sky"]:  # "add a dramatic sky to this photo", "add a starry sky behind the castle": the scenery
        return [Draft(Op.background, params={"description": _describe(created.ref.noun or "sky")})]
    if created.ref is not None and is_background(created.ref.noun or ""):  # "create a blank background behind the bunny"
        return _background(re.sub(r"\s+(?:behind|under|around|for|of|to)\b.*$", "", rest, flags=re.I))
    background_object = _in_background(rest)
    if background_object != rest and is_scene_place(background_object) and not re.match(r"^(?:the|this|that|it|them)\b", rest, re.I):
        return _background(background_object)  # "add a futuristic city in the background": scenery there is a new backdrop
    if background_object != rest and not re.match(r"^(?:the|this|that|it|them)\b", rest, re.I):
        return [Draft(Op.add, d.target, {**d.params, "relation": "in the background"}) for d in _add(verb, background_object, turn) or []] or None
    whole = re.sub(
        # "on the image", or said bare: "add a sketch filter on image"
        r"\s+(?:to|on|around|over|for)\s+(?:everything|it all|all (?:the )?(?:objects|shapes|things)|(?:(?:the|this)\s+(?:whole\s+|entire\s+)?)?(?:image|picture|photo|scene))$",
        "",
        rest,
        flags=re.I,
    )
    look = _LOOK_NOUN.search(rest)
    if look and look[0].lower().startswith("light"):  # "a pigeon on the traffic light": a lamp, not a look
        added = parse_phrase(rest, turn.context).ref
        look = None if added is not None and not _LOOK_NOUN.search(added.noun or "") else look
    if whole != rest or look:
        global_edit = _global(whole, turn)
        if global_edit:
            return global_edit
    purpose = _PURPOSE.search(rest)
    if purpose and is_abstract(parse_phrase(rest[: purpose.start()], turn.context).ref):
        meant = re.sub(r"^[\s,]*(?:(?:in order |so as )?to|for)\s+", "", purpose[0])  # "add layers to increase vibrance"
        return _read_verbs(meant, turn)
    rest = _PURPOSE.sub("", rest) or rest
    rest = re.sub(r"\s+(?:there|here|where (?:it|they) (?:was|were|used to be)|in (?:its|their) place)$", "", rest, flags=re.I)
    count_change = re.match(
        r"^(?P<n>\d+|one|two|three|four|five|six|seven|eight|nine|ten)\s+more\s+(?P<t>.+)$", rest, re.I
    )
    if count_change:
        rest = f"{count_change['n']} {count_change['t']}"
    # "add one more next to it", "add another": one more of what the last turn was about
    rest = re.sub(r"^(?:one\s+more|another|a\s+(?:second|third|fourth|fifth)(?:\s+one)?)(?=$|\s+(?:next|near|beside|behind|by|on|in|at|to|under|over|above|below|close)\b)", "another one", rest, flags=re.I)
    drafts = []
    for phrase in _phrases(rest, turn):
        if (
            is_abstract(phrase.ref)
            or (  # "add a touch of sweetness", "create an image with ..."
                verb.lower() in ("create", "generate")
                and phrase.ref is not None
                and is_image(phrase.ref.noun or "")
            )
            or is_image(rest)
        ):  # "arrange the image with three boys" adds no image
            return None
        definite = re.match(r"^\s*(?:the|this|that|it|them|these|those)\b", rest, re.I)
        relative = phrase.relation if phrase.relation and _RELATIVE_PLACE.match(phrase.relation) else None
        referred = re.match(r"^\s*(?:it|them)\b", rest, re.I)
        if referred and phrase.relation and _WHERE.match(phrase.relation):  # "put it on the floor": it is there already
            relative = phrase.relation
        if definite and verb.lower() in ("put", "place", "position", "set", "drop", "bring") and (phrase.place or relative):
            moved = turn.targets(referred[0]) if referred else [_ref(phrase, keep_place=False)]
            drafts += [Draft(Op.move, t, {"position": phrase.place or _describe(relative)}) for t in moved]
            continue
        params = {"position": phrase.place, "relation": phrase.relation}
        drafts.append(Draft(Op.add, phrase.ref, {k: v for k, v in params.items() if v}))
    return drafts or None


# Hair added with no one named ("add more hair to the front", "add some hair on top"): a person's hair grown.
_MORE_HAIR = re.compile(r"^(?:a\s+(?:bit|little|lot)\s+(?:of\s+)?)?(?:(?:more|some|extra)\s+)?hair\b(?!\s+(?:clip|band|tie|brush|dryer|pin)s?\b)", re.I)
# One colour put in after a background edit ("take out the background and put a plain color instead"): what
# the background is filled with, not a grade of the photo's colours.
_ONE_COLOUR = re.compile(r"^(?:a|an)\s+(?:[\w-]+\s+){0,3}colou?r\b", re.I)
# What light does, added as if a thing: "add a soft shadow under the box", "add a glow around the moon".
_LIGHT_THINGS = frozenset("shadow shadows highlight highlights glow sunlight sunbeam sunbeams ray rays sunray sunrays rim-light backlight backlighting spotlight".split())
_LOOK_NOUN = re.compile(
    r"\b(?:style|filter|effect|look|aesthetic|tones?|tint|lighting|light|background|backdrop|atmosphere|mood)$", re.I
)
# "... into the image to diversify the composition", "... for added charm": why, not what.
_PURPOSE = re.compile(
    r"\s*,?\s+(?:(?:in order |so as )?to\s+(?!(?:the|a|an|this|that|these|those|its|his|her|their|my|our|your|"
    r"left|right|top|bottom|front|back|center|centre|middle|each|every|one|two|three|it|him|them|everything|all|"
    r"both|some|be)\b)[a-z]+\b|for\s+(?:added|extra|more|some|a\s+touch\s+of)\b).*$",
    re.I,
)


# Places said relative to another thing: "put the dog in the middle of the table", "next to the door".
_RELATIVE_PLACE = re.compile(
    r"^(?:(?:in|at|to)\s+the\s+(?:middle|center|centre|left|right|top|bottom|front|back|side)\s+of|next\s+to|beside|"
    r"in\s+front\s+of|behind|between)\b",
    re.I,
)


def _place_verb(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """set/rest/lay with an indefinite object add it ("rest a knife on the pizza")."""
    if re.match(r"^(?:a|an|some|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s", rest, re.I):
        return _add("add", rest, turn)
    return None


def _with(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """X with/in Y: a colour on X ("adorn the parrot with a yellow hue", "dress the girl in yellow"),
    a look on the image ("infuse the image with ... oil painting"), or objects added to X ("grace the
    grass with three cows")."""
    verb = verb.lower()
    for old, new in _splits(rest, r"with|in"):
        value = classify(new, allow_bare_noun=False)
        worn = _feature_of(old, new) if verb in ("dress", "clothe") else None
        if worn:  # "dress the girl in black shorts": what she wears
            return worn
        if value is not None and value.kind == "color":
            if verb in ("dress", "clothe", "drape"):  # the clothes take the colour
                old = f"{old}'s clothes"
            return _apply(old, value, turn)
        if is_image(old):
            look = style_mention(new)
            if look is not None:
                return _look(look)
        ref = parse_phrase(new, turn.context).ref
        said = FILLER_HEAD.sub("", new.lower())  # "with the presence of a ripe watermelon"
        if not is_abstract(ref) and said.split()[0] not in ("the", "this", "that", "its"):
            relation = None if is_image(old) else f"on {old}"
            return [Draft(Op.add, ref, {"relation": relation} if relation else {})]
    return None


def _choose(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """A colour for X: "opt for a blue shade for the cake", "apply a black hue to the bear"."""
    for value_text, target in _splits(rest, r"for|to|on|onto"):
        color = parse_color(value_text)
        if color:
            return _apply(target, Value("color", color), turn)
    return None


def _color_verb(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """A colour said as a verb: "blacken the horse's coat", "brown the ground's color"."""
    color = {"blacken": "black", "whiten": "white", "redden": "red"}.get(verb.lower()) or parse_color(verb)
    return _apply(rest, Value("color", color), turn) if color else None


# The look of the whole picture named as a thing: "the image style", "the art style", "the overall aesthetic".
_STYLE_FACET = re.compile(r"^(?:the\s+)?(?:[\w-]+\s+)?(?:style|aesthetic)$", re.I)


# The sky itself, however it looks now ("the sky", "the cloudy sky"): what replaces it is scenery.
_SKY = re.compile(r"^(?:the\s+)?(?:[a-z-]+\s+)?sk(?:y|ies)$", re.I)


def _replace(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    text = _text_edit(rest, turn, verb)
    if text:
        return text
    # "swap the positions of the cat and the dog", "swap the two cups": each goes where the other was
    swap = re.match(r"^(?:the\s+)?(?:positions?|places?|locations?|spots?|sides?)\s+of\s+(?P<x>.+)$", rest, re.I)
    if swap or (
        re.match(r"swap|switch|exchange|trade", verb, re.I) and not re.search(r"\s(?:with|for|by|to|into)\s", rest, re.I)
    ):
        written = _written(swap["x"] if swap else rest, turn)  # "switch the words on the T-shirts"
        return written or _moves(turn, swap["x"] if swap else rest, {"position": "swapped with each other"})
    for m in _splits(rest, r"with|by|for|into|to|using"):
        old, new = m
        if is_background(old) or _is_setting_change(old, new):
            return _background(new)
        if _SKY.match(old) and not parse_color(new):  # "replace the sky with a dramatic aurora": new scenery overhead
            said = _describe(new)
            return [Draft(Op.background, params={"description": said if re.search(r"\bsk(?:y|ies)$", said) else f"{said} sky"})]
        if re.match(r"^(?:the\s+)?(?:colou?r|hue)\b", old, re.I) and parse_color(new):
            continue
        if _STYLE_FACET.match(old) and parse_style(new):  # "replace the image style with fantasy art": a new style
            return _style(new)
        said = WORD.findall(new.lower()) or [""]
        matter = said[-2] if len(said) > 1 and said[-1] in MATTER_PIECES else said[-1]  # "with marble tiles": marble
        if matter in MATERIAL_WORDS and not re.match(rf"^(?:{_INDEF}|the\s)", new, re.I):
            # "replace the tabletop with imported Italian marble": a matter, not a thing; the same tabletop
            return _each(turn, old, lambda t, said=MATERIAL_WORDS[matter]: Draft(Op.attribute, t, {"name": "material", "value": said}))
        if matter in _MATTER_HEADS and not re.match(rf"^(?:{_INDEF}|the\s)", new, re.I):
            # "replace the computer's casing with bamboo fiber composite": a made matter, said as it is made
            return _each(turn, old, lambda t, said=_describe(new): Draft(Op.attribute, t, {"name": "material", "value": said}))
        if _new_thing(new, turn) is None and not _SAME_KIND.search(new):
            continue
        targets = turn.targets(old)
        if targets:  # "swap the plastic chair for a wicker one": still a chair
            return [d for t in targets for d in _replaced_by(t, new, turn, likeness=False)]
    replaced = parse_phrase(rest, turn.context).ref
    if replaced is not None and (replaced.noun or "").split()[-1] in BACKGROUND_NOUNS:  # "replace the background under the cat"
        return [Draft(Op.background, params={"description": "a new background"})]
    return None


_ATTRIBUTE_OF = re.compile(
    r"^(?:the\s+)?(?:(?:overall|main|current|existing|entire)\s+)?(?P<what>colou?r|colou?ring|hue|shade|material|texture|pattern|finish|surface|"
    r"style|lighting|tone|position|location|place|placement|size|count|number|amount|quantity|brightness|"
    r"exposure|contrast|saturation|expression|shape|time of day|time|weather|season|background|"
    r"text|writing|wording|words|lettering|content|contents|pose|posture|action|gesture)\s+(?P<prep>of|for|on|in)\s+(?P<t>.+)$",
    re.I,
)
_ATTRIBUTE_SUFFIX = re.compile(
    r"^(?P<t>.+?)(?:'s|s')?\s+(?P<what>colou?r|colou?ring|hue|material|texture|pattern|finish|size|position|location|"
    r"brightness|style|lighting|tone|expression|shape|text|writing|lettering|pose|posture|action|gesture|movements?|stance)$",
    re.I,
)
# "change the season to winter", "turn the weather to rain": a facet of the whole scene, said bare.
_SCENE_FACET = re.compile(r"^(?:the\s+)?(?P<what>time of day|time|weather|season)$", re.I)
# What a facet of an object is said to become, by facet; "content" and "number" are written text
# only when the value reads as written ("to IN SERVICE", "the number on the bus to 42").
_WRITING_FACETS = frozenset("text writing wording words lettering".split())
_POSE_FACETS = frozenset("pose posture action gesture movement movements stance".split())
_PLACE_FACETS = frozenset("position location place placement".split())
_WRITTEN = re.compile(r"^[\"']?(?:[A-Z0-9][\w:.,'&!-]*)(?:\s+[A-Z0-9][\w:.,'&!-]*)*[\"']?$")


_SIDE_OF = re.compile(r"^(?:the\s+)?(?:left|right|top|bottom|front|back|rear)(?:\s+(?:hand\s+)?side)?\s+of\b", re.I)


# Heads of made matters the lexicon's material words do not list ("bamboo fiber composite", "carbon fibre").
_MATTER_HEADS = frozenset("composite composites fiber fibre fiberglass fibreglass resin alloy laminate veneer plating".split())


def _says_where(old: str, new: str) -> bool:
    """ "the pillow | to the right of the bed": where the object is, not what it becomes (unless its
    position is what changes: "the position of the cup | to left of the jar")."""
    facet = _ATTRIBUTE_OF.match(old) or _ATTRIBUTE_SUFFIX.match(old)
    moved = facet is not None and facet["what"].lower() in _PLACE_FACETS
    return bool(_SIDE_OF.match(new)) and not moved

# "revamp the backdrop to resemble a snowy scene": these read as "change ... to".
_RESEMBLE = (
    r"(?:so as |in order )?to (?:resemble|illustrate|convey|evoke|portray|depict|showcase|show|look like|feature|"
    r"become|display|reflect|represent|create|capture|mimic|emulate|match|simulate|be set in)(?: that of)?"
)


# A colour of a thing said as the colour's own noun, then how it should be ("the green of the trees more
# natural"): the thing recoloured, that colour made right (the sky's colour is a look of the scene).
_SHADE_OF = re.compile(
    rf"^(?:the\s+)?(?P<c>{_BASIC_COLOR})\s+of\s+(?P<x>(?:the|his|her|its|their|my)\s+(?!sky\b)[a-z]+)\s+"
    r"(?:look\s+)?(?:more|less|a\s+bit|slightly|brighter|darker|richer|deeper|natural)\b.*$",
    re.I,
)
# Light said to shine or glow more or less ("the light in the box shine more", "the sunlight glow brighter").
_LIGHT_SHINING = re.compile(
    r"^(?:the\s+)?(?:[\w-]+\s+)?(?:light|lights|glow|sunlight|moonlight|candlelight|lamplight)(?:\s+(?:in|of|from|on|inside)\s+.+?)?"
    r"\s+(?:shine|glow|gleam)(?:\s+(?:(?:a\s+(?:bit|little|lot)|much|even)\s+)?(?:more|brighter|stronger|less|dimmer|softer))?$",
    re.I,
)


def _details_of_new_value(old: str, rest: str) -> bool:
    """Whether ``rest`` goes on from ``old`` with "with" after a new value in ``old``: "the time of day to
    sunset | with warm light" says more of the sunset, no second change."""
    value = re.search(r"\s(?:to|into)\s+(?P<v>.+)$", old, re.I)
    typed = classify(value["v"], allow_bare_noun=False) if value else None
    return typed is not None and typed.kind != "noun" and rest.lower().startswith(f"{old.lower()} with ")


def _change(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """change/turn/make/paint/... : what changes is read from the complement."""
    verb = verb.lower()
    rest = re.sub(r"\bnot\s+(?:so|as|too)\s+", "less ", rest, flags=re.I)  # "make the trees not so dark"
    rest = re.sub(r"\s+(?:just|simply|merely|purely)(?=\s)", "", rest)  # "make it just white": it, white
    # "make the vase a bit smaller and centered": a degree before a comparative, no "a bit ..." thing
    rest = re.sub(r"\s+(?:a\s+(?:little\s+)?bit|a\s+little|a\s+tad|a\s+lot)\s+(?=[a-z]{3,}er\b|more\b|less\b)", " ", rest, flags=re.I)
    rest = re.sub(r"\bskin[\s-]+tones?\b", "skin", rest, flags=re.I)  # "make skin tones more tan": the person's skin
    rest = re.sub(r"\s*,?\s+(?:and|but)\s+not\s+.+$", "", rest, flags=re.I)  # "colored and not B/W": what it is not
    if verb in ("make", "let", "have", "get", "render"):
        framed = strip_image_tail(rest)
        if re.match(r"\W*(?:in|within)\s", rest[len(framed) :]):
            rest = framed  # "make the dog bigger in the photo": the photo is no place ("the lighting of the photo" is)
    font = re.match(r"^(?:the|its|their|this|that)\s+(?:[\w-]+\s+)?(?:font|typeface|typography)s?\s+(?!colou?r\b|size\b)\S", rest, re.I)
    if font:  # "Make the font bolder", "change the typeface to serif": the writing restyled (its size or colour
        return [Draft(Op.text, EntityRef(noun="text"), {"text": ""})]  # is a resize or a recolor of the text)
    text = _text_edit(rest, turn, verb)  # "change the number '26' on the car to '33'"
    if text:
        return text
    if verb in ("change", "edit", "alter", "modify", "update", "rewrite", "redo", "fix") and re.match(rf"^{_DEF}", rest, re.I):
        message = _message(rest, turn)  # "change the company name", "change the text on the sign": new words, unsaid
        if message:
            return message
    lettered = _WITH_TEXT.match(rest) if not _QUOTED.search(rest) else None
    changed = _change(verb, lettered["x"], turn) if lettered else None
    things = {id(d.target): d.target for d in changed or [] if d.target is not None and d.target.noun != PERSON}
    if changed and len(things) == 1:  # "Change the sweater to be blue with white text": the colour, and words on it
        return [*changed, Draft(Op.text, next(iter(things.values())), {"text": ""})]
    around = re.match(r"^(?:the\s+)?(?:entire\s+|whole\s+)?(?:background|backdrop)\s+(?:surrounding|around|behind)\s+(?P<x>.+)$", rest, re.I)
    if around:  # "make the entire background surrounding the truck pure white": the longest value said last
        words = around["x"].split()
        said = next((" ".join(words[i:]) for i in range(1, len(words)) if classify(" ".join(words[i:]), allow_bare_noun=False)), None)
        if said:
            return _background(said)
    gapped = re.match(rf"^(?P<a>.+?)\s+and\s+(?P<b>{_DEF}.+)$", rest, re.I) if verb in ("make", "turn") else None
    if gapped:  # "make the picture more colorful and the sky more orange": the verb said once for both
        unplanned = _is_no_op_quality(gapped["a"])  # "the image sharper": no edit, the other part still is
        first, second = None if unplanned else _change(verb, gapped["a"], turn), _change(verb, gapped["b"], turn)
        if second and (first or unplanned):
            return (first or []) + second
    _no_op_quality(rest)  # "make the image less grainy"
    if verb == "switch" and not re.search(r"\s(?:to|into|with|for|by)\s|^(?:on|off)\b", rest, re.I):
        return _replace(verb, rest, turn)  # "switch the words on the T-shirts": each takes the other's place
    rest = (
        re.sub(r"\s+(?:colou?r|to|so that it is|so it is)$", "", rest, flags=re.I)
        if verb in ("dye", "paint", "repaint")
        else rest
    )
    rest = re.sub(r"^(?=(?:to|into)\s)", "the image ", rest, flags=re.I)  # "convert to watercolor": the image
    look = re.match(
        r"^(?P<x>.+?)\s+(?:look|looks|appear|seem|feel)\s+(?:like\s+|as if\s+|more\s+)?"
        r"(?:(?:it|they)(?:'s|'re|\s+is|\s+are|\s+was|\s+were)\s+)?(?P<y>.+)$",
        rest,
        re.I,
    )
    if look and is_scene_place(look["y"]) and (is_image(look["x"]) or look["x"].lower() == "it"):
        return _background(look["y"])  # "make it look like it's winter"
    if look:
        value = classify(look["y"])
        if value and value.kind != "noun":
            return _apply(look["x"], value, turn)
        person_like = re.match(r"^(?:a|an)\s+(?:[\w-]+\s+){0,3}(?P<n>[a-z]+)(?:\s+in\s+(?:this|the)\s+(?:photo|picture|image|pic))?$", look["y"], re.I)
        if person_like and names_person(look["x"]) and names_person(person_like["n"]):  # "make me look like a handsome guy",
            return [_person_looks("appearance", _describe(look["y"]))]  # "like an old man": the person's looks, nobody new
        said_it = look["x"].lower() in ("it", "this") and turn.context.last_targets and style_mention(look["y"]) is None
        whole = (is_image(look["x"]) or look["x"].lower() in ("it", "this", "everything")) and not said_it
        moods = _light_and_mood(look["y"], turn) if whole else None
        if moods:  # "make the scene look foggy and mysterious": the fog; a mood word alone changes nothing
            return moods
        if whole:
            return _style(look["y"])  # "make it look old" after an edit: that object looks old
        untyped = _untyped(look["x"], look["y"], turn)
        if untyped:
            return untyped
    if verb in ("give", "apply", "use"):
        return _give(rest, turn)
    if verb in ("make", "turn") and re.match(rf"^(?:{_QUALITY_NOUNS})\s", rest, re.I):  # "make colors warm and yellow": the colours
        return _change(verb, f"the {rest}", turn)
    said_bare = verb in ("make", "turn") and not re.match(rf"^{_DEF}|^(?:it|a|an)\b", rest, re.I)
    said_bare = said_bare and (parse_color(rest) or parse_adjustment(rest))
    bare = classify(rest, allow_bare_noun=False) if said_bare else None
    if bare is not None and bare.kind in ("color", "lighting", "tone", "looks"):  # "make flat white": it
        return _apply("it", bare, turn)
    shade = _SHADE_OF.match(rest)
    if shade and parse_color(shade["c"]):  # "make the green of the grass more natural": the grass's colour
        return _each(turn, shade["x"], lambda t: Draft(Op.recolor, t, {"color": parse_color(shade["c"])}))
    facet = _ATTRIBUTE_OF.match(rest)
    unsaid = facet is not None and not re.search(r"\s(?:to|into|in|with)\s", facet["t"])  # the new value not said
    if unsaid and facet["what"].lower().startswith("colo"):
        return _each(turn, facet["t"], lambda t: Draft(Op.recolor, t, {"color": "different"}))  # "change color of the desk"
    if unsaid and facet["what"].lower() in _PLACE_FACETS:
        return _moves(turn, facet["t"], {"position": ELSEWHERE})  # "change the position of the sun": where to is open
    rest = re.sub(
        r"^(?:some\s+)?(?:adjustments|changes|modifications|alterations|tweaks|edits)\s+(?:to|in|on)\s+",
        "",
        rest,
        flags=re.I,
    )
    if _LIGHT_SHINING.match(rest):  # "make the light in the box shine more": the light itself, brighter
        return _lighting(_describe(rest))
    copula = re.match(
        r"^(?P<x>.+?)\s+(?:be|become|turn|stay|shine|gleam|glow|glisten|sparkle)\s+(?:(?:adorned|dressed|dyed|painted|"
        r"colou?red|coated|covered|bathed)\s+)?(?:(?:in|with)\s+)?(?P<y>.+)$",
        rest,
        re.I,
    )
    if copula and verb in ("let", "have", "make"):  # "let the bird be white", "let the shoes shine in yellow"
        rest = f"{copula['x']} {copula['y']}"
    background = re.match(  # not "the background giraffe to a zebra": a giraffe in the background
        r"^(?:the\s+)?(?:entire\s+|whole\s+)?(?:background|backdrop|setting|environment|surroundings|scenery)"
        r"(?:\s+(?:wall|area|scene|image))?\s+"
        r"(?:(?:of|in)\s+(?:the|this)\s+(?:image|photo|photograph|picture|scene)\s+)?"
        rf"(?:(?:{_RESEMBLE}|to|into|with)\s+(?P<v>.+)|(?P<bare>(?!.*\s(?:to|into)\s).+))$",
        rest,
        re.I,
    )
    if background:
        return _background(background["v"] or background["bare"])
    if verb == "transfer":
        rest = re.sub(r"^(?:the\s+)?style\s+of\s+", "", rest, flags=re.I)
    # "change X (from A) to Y": try the splits, last first, preferring a value over a noun.
    splits = [
        (old, new)
        for old, new in _splits(rest, rf"{_RESEMBLE}|to be|to|into|in to|as|in|with", from_part=True)
        if not _says_where(old, new) and not re.search(r"\b(?:twice|half|times|\d+x)$", old, re.I)  # "twice as big"
        and not _details_of_new_value(old, rest)
    ]
    for old, new in reversed(splits):
        value = classify(new, allow_bare_noun=False)
        if value and value.kind != "noun":
            drafts = _change_to(old, new, value, turn)
            if drafts:
                return drafts
    for old, new in _splits(rest, rf"{_RESEMBLE}|to be|to|into|in to"):
        if _says_where(old, new):
            continue
        drafts = _change_to(old, new, classify(new), turn)
        if drafts:
            return drafts
    if re.fullmatch(r"re-?colou?r|colou?r|dye|tint", verb):  # "recolor the cabinets to sage green": a colour
        for old, new in _splits(rest, r"to|in|into"):
            if parse_color(new.split()[-1]) and len(new.split()) <= 3:
                return _each(turn, old, lambda t, said=_describe(new): Draft(Op.recolor, t, {"color": said}))
    # "make X Y": the longest Y that is a value (X never ends in "and": "fuller and | pink" is no split).
    words = rest.split()
    for i in range(1, len(words)):
        if words[i - 1].lower() in ("and", "or"):
            continue
        old, new = " ".join(words[:i]), " ".join(words[i:])
        if _SCENE_FACET.match(old):  # "make the weather snow", "make the season autumn": the scene's facet, said bare
            return _change_to(old, new, classify(new) or Value("noun", new), turn)
        value = classify(new, allow_bare_noun=False)
        if value is not None and value.kind == "noun" and re.search(r"\swith\b", old, re.I):
            continue  # "make her smile with a | gentle expression": how it is done, nothing made into a new thing
        if value is not None:
            drafts = _apply(old, value, turn)
            if drafts:
                return drafts
    if is_image(rest) or rest.lower() in ("it",):
        return None
    with_how = re.search(r"\swith\b", " ".join(words[:-1]), re.I)  # "make the sky moodier with dark clouds": how
    if verb in ("make", "turn") and len(words) > 1 and _PLURAL_NOUN.match(words[-1]) and words[-2].lower() not in _FUNCTION and not with_how:
        drafts = _apply(" ".join(words[:-1]), Value("noun", words[-1]), turn)
        if drafts:
            return drafts
    if verb in ("make", "let", "have", "get", "turn", "render"):  # "make the woman obese"
        sky = re.match(r"^(?P<x>(?:the\s+)?sk(?:y|ies))\s+(?P<c>.+)$", rest, re.I)
        untyped = _untyped(sky["x"], sky["c"], turn) if sky else None
        if untyped:  # "make the sky more dramatic (with storm clouds)": the sky is a look, changed as a whole
            return untyped
        for i in range(len(words) - 1, 0, -1):
            degree = words[i - 1].lower() in _DEGREE or words[i].lower() in _DEGREE | _PARTICLES
            changed = " ".join(words[:i])  # "the colours | more intense", "her expression | more sorrowful": a look's change
            if degree and not _image_quality(changed) and not _body_part(changed, turn):
                continue
            untyped = _untyped(changed, " ".join(words[i:]), turn)
            if untyped:
                return untyped
    style = parse_style(rest)
    return (
        _style(style)
        if style and verb in ("stylize", "stylise", "restyle", "transfer")
        else None
    )


def _light_and_mood(said: str, turn: _Turn) -> list[Draft] | None:
    """A light or grade said with mood words ("foggy and mysterious", "dark and moody"): the light or
    grade; None unless one part is such a value and no part is another kind of value or a style."""
    parts = [p for p in re.split(r"\s*(?:,\s*(?:and\s+)?|\band\s+)", said.strip(" .")) if p]
    if len(parts) < 2 or style_mention(said) is not None:
        return None
    values = [classify(p, allow_bare_noun=False) for p in parts]
    if any(v is not None and v.kind not in ("lighting", "tone") for v in values) or all(v is None for v in values):
        return None
    return [d for v in values if v is not None for d in _apply("it", v, turn) or []] or None


# A plural noun said bare ("pandas", "puppies"), not an adjective in -s ("famous", "nervous", "glass").
_PLURAL_NOUN = re.compile(r"^[a-z]{3,}(?<![su])s$", re.I)
_FUNCTION = frozenset("of with in on to and or so it that full for as at by from into than".split())
_PARTICLES = frozenset("up down out off in on over".split())
_DEGREE = frozenset("and or more less very much a bit little slightly really too even look looks".split())
_NOT_A_CHANGE = re.compile(
    r"^(?:a|an|the|some|this|that|these|those|to|into|in|on|at|with|of|from|for|by|as|like|be|is|are|everything|all)\b", re.I
)




def _untyped(old: str, change: str, turn: _Turn) -> list[Draft] | None:
    """A change of an object that no value kind covers ("obese", "older", "cracked and old", "lit
    up"): an ``attribute`` edit carrying the change as text. A conjunction of changes is read part
    by part, so a size or colour in it is still typed ("larger and lit up": a resize and an attribute)."""
    change = change.strip(" ,.")
    if style_mention(f"{old} {change}") is not None:  # "make the stylized watercolor look": a look
        return None
    if not change or _NOT_A_CHANGE.match(change) or len(change.split()) > 5 or _QUOTED.search(change):
        return None
    look = _image_quality(old)
    if look:  # "make the colors more vibrant"
        return _lighting(_describe(change)) if look in LIGHT_QUALITIES | {"time of day"} else _tone(change)
    if is_image(old) or is_background(old) or old.lower() in ("it", "everything", "this", "that"):
        if old.lower() not in ("it", "this", "that") or not turn.context.last_targets:
            return None
    part = _body_part(old, turn)
    if part:  # "make his eyes red and teary": the person's looks, as said
        return [_person_looks(part, _describe(change))]
    try:
        refs = parse_targets(old, turn.context)
    except Unresolved:
        return None
    if not refs or any(r.noun and (is_abstract(r) or is_image(r.noun)) for r in refs):
        return None
    drafts: list[Draft] = []
    for part in re.split(r"\s*(?:,\s*(?:and\s+)?|\band\s+)", change):
        value = classify(part, allow_bare_noun=False)
        typed = _apply(old, value, turn) if value is not None and value.kind != "noun" else None
        if typed:
            drafts += typed
        elif re.fullmatch(r"(?:more\s+)?(?:cent(?:er|r)ed|central)", part, re.I):  # "make the bottle bigger and centered",
            # "larger and more central": it moves there
            drafts += [Draft(Op.move, r, {"position": "center"}) for r in refs]
        elif part and all((r.noun or "").split()[-1:] == ["sky"] for r in refs):  # "make the sky look dramatic": new scenery
            drafts.append(Draft(Op.background, params={"description": _describe(f"{part} sky")}))
        elif part:
            drafts += [Draft(Op.attribute, r, {"name": "state", "value": _describe(part)}) for r in refs]
    return drafts or None


def _change_to(old: str, new: str, value: Value | None, turn: _Turn) -> list[Draft] | None:
    if value is None:
        return None
    said = _describe(new).split()
    # "the dog into a watercolor illustration": the dog drawn in a medium, a style; not a thing made of the object word
    in_a_medium = said[-1:] != ["one"] and style_mention(" ".join(said[:-1])) is not None
    object_word = said and said[-1] in (*STYLE_OBJECTS, "one") and len(said) <= 3 and not in_a_medium
    if value.kind == "style" and object_word and not is_image(old):
        value = Value("noun", new)  # "the clock to an advertisement poster", "the car to a vintage one": a thing
    came_from = re.search(r"\bfrom\s+(?P<a>.+)$", old, re.I)
    old = (
        re.sub(r"\s+from\s+.+$", "", old, flags=re.I)
        if not re.search(r"\bfrom\s+(?:the\s+)?(?:image|picture|photo)\b", old, re.I)
        else old
    )
    hairstyle = _hairstyle(old, value)
    if hairstyle:
        return hairstyle
    scene_facet = _SCENE_FACET.match(old)
    if scene_facet:
        return _attribute_change(scene_facet["what"].lower(), "the image", new, value, turn)
    if re.sub(r"^the\s+", "", old.strip(), flags=re.I).lower() in _POSE_FACETS:  # "change pose to sitting": the person's
        return [Draft(Op.pose, EntityRef(noun=PERSON), _pose_params(new))]
    attribute = _ATTRIBUTE_OF.match(old) or _ATTRIBUTE_SUFFIX.match(old)
    if attribute:
        prep = attribute.groupdict().get("prep") or "of"
        drafts = _attribute_change(attribute["what"].lower(), attribute["t"], new, value, turn, prep.lower())
        if drafts is not None:
            return drafts
    if _WRITTEN_THING.match(old):  # "change the number 881 to 960"
        return _written(old, turn, new=new.strip(" .\"'"))
    if is_background(old):
        return _background(new)
    if value.kind == "noun" and (
        _is_setting_change(old, new) or (came_from and is_scene_place(came_from["a"]) and is_scene_place(new))
    ):
        return [Draft(Op.background, params={"description": _describe(new)})]
    return _apply(old, value, turn)


def _is_style(text: str) -> bool:
    look = style_mention(text)
    return look is not None and look.kind == "style"


def _is_setting_change(old: str, new: str) -> bool:
    """Changing anything to 'a coastal setting', or one place to another ('the beach' to 'a mountain
    landscape'), changes the background."""
    old = strip_image_tail(old)
    if _is_style(new) or parse_lighting(new) in LIGHTING_VALUES:  # "into a cyberpunk-inspired urban landscape"
        return False  # "into a nighttime scene": the light changes
    return names_setting(new) or (is_scene_place(new) and (is_scene_place(old) or is_image(old)))


def _attribute_change(
    what: str, target: str, new: str, value: Value, turn: _Turn, prep: str = "of"
) -> list[Draft] | None:
    written = new.strip(" .")
    if what in _WRITING_FACETS or (
        (what in ("content", "contents") or (what == "number" and prep == "on")) and _WRITTEN.match(written)
    ):
        return _each(turn, target, lambda t: Draft(Op.text, t, {"text": written.strip("\"'")}))
    wears = re.match(r"^(?:wearing|to\s+wear|to\s+have|having)\s+(?P<x>.+)$", written, re.I)
    worn = wears and _feature_of(target if re.match(_DEF, target, re.I) else f"the {target}", wears["x"])
    if what in ("content", "contents") and worn:  # "the content of the driver to wearing a hat"
        return worn
    if what in ("pattern", "finish", "surface") and value.kind == "color":  # "the pattern to pure blue"
        return _each(turn, target, lambda t: Draft(Op.recolor, t, {"color": value.value}))
    if what in _POSE_FACETS:
        return _each(turn, target, lambda t: Draft(Op.pose, t, _pose_params(new)))
    if what == "expression" and (re.fullmatch(r"the|his|her|their", target, re.I) or names_person(target)):
        said = _describe(new)  # "change the expression to a crying face": the person's, no face replaced
        return [_person_looks("expression", next((EXPRESSION_WORDS[w] for w in said.split() if w in EXPRESSION_WORDS), said))]
    if what == "time" and not is_image(target):  # "the time of the clock": what the clock shows
        return _each(turn, target, lambda t: Draft(Op.attribute, t, {"name": "time", "value": written}))
    if what == "season":
        return _background(new)
    if what.startswith(("colo", "hue", "shade")):
        said = [w for w in re.findall(r"[a-z]+", target.lower()) if w not in ("the", "its", "all")]
        if said and set(said) <= LIGHT_QUALITIES:  # "the color of the highlights": a grade, not a light
            return _tone(new)
        if re.search(r"\bhair\b", target, re.I):  # "hair color to deep auburn with natural highlights"
            return _hair_color(classify(new, allow_bare_noun=False), new)
        if is_image(target):
            return _tone(new)
        if is_background(target):
            return _background(new)
        color = parse_color(new) or _describe(new)
        feature = _tinted_feature(target, turn)
        if feature:  # "change the colour of his beard to black": the person's beard
            return [_person_looks(feature, color)]
        return _each(turn, target, lambda t: Draft(Op.recolor, t, {"color": color}))
    if what in _PLACE_FACETS:
        place = parse_place(new) or re.sub(r"\s+of\b", "", _describe(new))
        return _each(turn, target, lambda t: Draft(Op.move, t, {"position": place}))
    if what == "size":
        return _resize_to(target, new, turn)
    if what in ("count", "number", "amount", "quantity"):
        n = re.search(r"\b(\d+|one|two|three|four|five|six|seven|eight|nine|ten)\b", new)
        if not n:
            return None
        return [Draft(Op.add, t.model_copy(update={"count": _number(n[1])})) for t in turn.targets(target)]
    if what in ("brightness", "exposure", "lighting", "time of day", "time", "weather"):
        return _lighting(parse_lighting(new) or _describe(new))
    if what in ("tone", "contrast", "saturation"):
        return [Draft(Op.tone, params={"tone": parse_tone(new) or f"{_describe(new)} {what}".strip()})]
    if what == "style":
        return _style(new)
    if what == "background":
        return _background(new)
    name = "material" if what == "material" else what
    val = MATERIAL_WORDS.get(_describe(new), _describe(new)) if name == "material" else _describe(new)
    return _each(turn, target, lambda t: Draft(Op.attribute, t, {"name": name, "value": val}))


def _pose_params(said: str) -> dict[str, str]:
    """A pose said as an action ("running", "to sit", "lying down"): its closed name when the first
    word is one of ``lexicon.ACTION_WORDS``, else "other"; what is said goes in ``description``."""
    said = _describe(re.sub(r"^(?:to\s+|be\s+)+", "", said.strip(), flags=re.I))
    word = said.split()[0] if said else ""
    stems = (word, word.removesuffix("s"), word.removesuffix("ing"), word.removesuffix("ing") + "e",
             word.removesuffix("ing")[:-1], word.removesuffix("ying") + "ie")  # fmt: skip
    name = next((ACTION_WORDS[w] for w in stems if w in ACTION_WORDS), "other")
    return {"pose": name, "description": said} if said and (said != word or name == "other") else {"pose": name}


def _apply(old: str, value: Value, turn: _Turn) -> list[Draft] | None:
    """What "make OLD VALUE" means, by the kind of value and of what is changed."""
    old = old.strip(" ,")
    if value.kind == "color" and not _is_look(old):  # "the car's color", "the color of the car": the car
        old = re.sub(r"(?:'s|s')?\s+(?:new\s+)?(?:colou?r|hue|shade)$", "", old, flags=re.I)
        old = re.sub(r"^(?:the\s+)?(?:colou?r|hue|shade)\s+of\s+", "", old, flags=re.I)
    if not old:
        return None
    hairstyle = _hairstyle(old, value)
    if hairstyle:
        return hairstyle
    if re.search(r"\bhair\b", old, re.I) and value.kind in ("color", "noun"):  # "dye her hair a honey blonde"
        return _hair_color(value, str(value.value))
    feature = _tinted_feature(old, turn)
    if value.kind == "color" and feature:  # "the lipstick shade to brown"
        return [_person_looks(feature, str(value.value))]
    if is_background(old):  # "the background needs brightening": its light; "make the background blue": a new one
        return _lighting(str(value.value)) if value.kind == "lighting" and value.value in ("bright", "dark") else _background_value(value)
    part = _body_part(old, turn)
    if part and value.kind != "noun":  # "make my eyes bigger", "whiten her face": the person's looks
        said = ("larger" if value.value > 1 else "smaller") if value.kind == "scale" else _describe(str(value.value))
        return [_person_looks(part, said)]
    looked = parse_phrase(old, turn.context).ref if value.kind in ("lighting", "tone", "looks") else None
    if looked is not None and (looked.noun == "sky" or re.search(r"\bsky$", old, re.I)):  # "the sky behind it", "the water and the sky"
        return _apply("it", value, turn)
    said_it = old.lower() in ("it", "everything", "it all", "this", "that")
    whole = is_image(old) or (_is_look(old) and not said_it)
    if said_it and turn.background and not turn.context.last_targets:  # "remove the background, make it white"
        return _background_value(value)
    if said_it and turn.context.last_targets and value.kind == "lighting" and _GLOWING.match(str(value.value)):
        return _each(turn, old, lambda t: Draft(Op.attribute, t, {"name": "state", "value": str(value.value)}))  # "make it glow": the thing lit
    if said_it:  # "make it night" is the image; "make it blue" is the last edited object, if any
        styled = value.kind in ("style", "noun") and parse_style(str(value.value))
        whole = (
            value.kind in ("lighting", "tone", "looks")
            or bool(styled)
            or bool(parse_tone(str(value.value)))  # "make it black and white"
            or (not turn.context.last_targets and value.kind != "color")
        )
    if whole:
        if re.search(r"\b(?:light|lighting)$", old, re.I) and value.kind in ("noun", "style", "description"):
            return _lighting(_describe(str(value.value)))  # "the lighting to soft window light from the left"
        if value.kind == "lighting":
            return _lighting(str(value.value))
        if value.kind == "tone":
            return [Draft(Op.tone, params={"tone": value.value})]
        if value.kind == "looks":  # "less cold and dark": the tone and the light
            return _adjust("make", str(value.value), turn)
        if value.kind in ("style", "noun"):
            if is_scene_place(str(value.value)) and not _is_style(str(value.value)):
                return [Draft(Op.background, params={"description": _describe(str(value.value))})]
            return _style(str(value.value))
        if value.kind == "color":
            return [Draft(Op.tone, params={"tone": parse_tone(str(value.value)) or str(value.value)})]
        return None
    # "make the shirt less bright", "the sunset more vibrant": the light or grade of that region (a
    # person's tone is their skin)
    who = parse_phrase(old, turn.context).ref
    said = str(value.value)
    if who is not None and who.noun and value.kind in ("lighting", "tone") and not re.search(r"\bhair\b", old):
        if value.kind == "lighting" and set(WORD.findall(said)) - _DEGREE <= _BRIGHTNESS:
            return _lighting(said)
        said_colors = any(parse_color(w) for w in WORD.findall(f"{old} {said}"))  # "the sky very blue" recolours
        if value.kind == "tone" and not said_colors and not names_person(old):
            return _tone(said)
    hair_of_them = old.lower() in ("them", "they") and value.value in HAIR_COLORS  # "make them blond": only people have blond
    if value.kind == "color" and (old.lower() in PERSON_PRONOUNS or hair_of_them or (who and (who.noun or "").split()[-1] in PERSON_NOUNS)):
        if value.value in SKIN_TONES:
            return [_person_looks("skin", str(value.value))]
        if value.value in HAIR_COLORS:  # "make her blonde": her hair
            return _hair_color(value, str(value.value))
    builders: dict[str, Callable[[EntityRef], Draft | list[Draft]]] = {
        "color": lambda t: Draft(Op.recolor, t, {"color": value.value}),
        "size": lambda t: Draft(Op.resize, t, {"size": value.value}),
        "scale": lambda t: Draft(Op.resize, t, {"scale": value.value}),
        "material": lambda t: Draft(Op.attribute, t, {"name": "material", "value": value.value}),
        "texture": lambda t: Draft(Op.attribute, t, {"name": "texture", "value": value.value}),
        "noun": lambda t: _replaced_by(t, str(value.value), turn),
        "pattern": lambda t: Draft(Op.attribute, t, {"name": "pattern", "value": value.value}),
    }
    build = builders.get(value.kind)
    if build is None:
        return None
    drafts = _each(turn, old, build)
    if drafts and value.kind == "material" and value.extra:  # "made of green ceramic": the colour too
        drafts += [Draft(Op.recolor, d.target, {"color": value.extra}) for d in drafts]
    return drafts


# A person's hairstyle changed to a named cut ("my hairstyle to a wolf-cut mullet", "her haircut to a bob",
# "the hair style of the woman to a pixie cut"): the person's looks, no thing replaced.
_HAIRSTYLE = re.compile(r"\bhair[\s-]?(?:style|cut|do)s?(?:\s+of\s+(?P<of>.+))?$", re.I)


def _hairstyle(old: str, value: Value | None) -> list[Draft] | None:
    said = _HAIRSTYLE.search(old)
    if not said or value is None or value.kind not in ("noun", "style", "description"):
        return None
    if set(re.findall(r"[a-z]+", old.lower())) & ANIMAL_NOUNS:  # "the dog's haircut": no person's looks
        return None
    return [_person_looks("hairstyle", _describe(str(value.value)))]


_BRIGHTNESS = LIGHT_COMPARATIVES | {"bright", "dark", "dim"}
# Light a thing gives off (a state of the thing, when it is what "it" is): "make it glow", "make it lit up".
_GLOWING = re.compile(r"^(?:glow|glowing|lit|lit\s+up|shine|shining|sparkle|sparkling|luminous|radiant)$", re.I)
# What a look of the whole image is said of: "make the colors warmer", "set the lighting to night", "make
# the contrast stronger", "make the image's hue more yellow", "the colours of everything besides the tree",
# "make the blue tones more intense" (one colour of the photo's palette).
_LOOK = re.compile(
    r"^(?:all\s+(?:of\s+)?)?(?:the\s+)?(?:overall\s+|whole\s+|entire\s+)?(?:(?:image|photo|picture)(?:'s)?\s+)?"
    rf"(?:(?:{_BASIC_COLOR})\s+(?=(?:colou?rs?|tones?|hues?)$))?"
    rf"(?P<q>it|everything|things|whole\s+thing|colou?r\s+(?:palette|scheme)|palette|mood|atmosphere|style|look|time\s+of\s+day|"
    rf"{_QUALITY_NOUNS})(?:\s+of\s+(?:everything|the\s+(?:image|photo|picture))(?:\s+else)?)?"
    r"(?:\s+(?:besides|except(?:\s+for)?|other\s+than|apart\s+from|but)\s+(?:the|my|his|her|their)\s+[a-z]+)?$",
    re.I,
)


_OWNER = re.compile(r"^(?:(?:the\s+)?(?P<who>[a-z]+)(?:'s|s')|my|his|her|their|your|our)\s", re.I)


def _body_part(said: str, turn: _Turn) -> str | None:
    """The part of a person's body a phrase names ("my eyes", "the girl's nose", "the face" in a photo
    of a person); None for a thing or an animal's part ("the cat's eyes")."""
    words = WORD.findall(said.lower())
    if not words or words[-1] not in BODY_PARTS | {"hair"}:
        return None
    owner = _OWNER.match(said.strip())
    if owner and owner["who"]:
        return words[-1] if names_person(owner["who"]) else None
    return words[-1] if owner or (len(words) <= 3 and not turn.animal) else None


def _hair_color(value: Value | None, said: str) -> list[Draft]:
    """The person's hair in a new colour: the colour ``value`` when it is one, else what was said."""
    color = str(value.value) if value is not None and value.kind == "color" else _describe(said)
    return [_person_looks("hair_color", color)]


def _is_look(old: str) -> str | None:
    """The quality of the whole image that ``old`` names ("the contrast" -> "contrast"), or None."""
    look = _LOOK.match(strip_image_tail(old))
    return look["q"].lower() if look else None


def _image_quality(old: str) -> str | None:
    """Like ``_is_look``, but only a quality of the image ("the contrast"), not the image itself ("it")."""
    look = _is_look(old)
    return None if look in ("it", "everything", "things") else look


def _new_thing(new: str, turn: _Turn) -> EntityRef | None:
    """What replaces a target: what is said of it, not where it is or what it refers to."""
    ref = parse_phrase(new, turn.context).ref
    if ref is None:
        return None
    return EntityRef(noun=ref.noun, color=ref.color, size=ref.size, count=ref.count, attributes=ref.attributes)


_SAME_KIND = re.compile(r"\bones?\W*$", re.I)  # "the house to a modern one": still a house


def _replaced_by(target: EntityRef, new: str, turn: _Turn, likeness: bool = True) -> list[Draft]:
    same_kind = bool(_SAME_KIND.search(new)) and bool(target.noun)
    said = _SAME_KIND.sub(target.noun.split()[-1], new) if same_kind else new  # "a red one": a red car
    replacement = _new_thing(said, turn)
    if replacement is None:
        raise Unresolved(f"cannot tell what to replace {target.describe()} with in {new!r}")
    return _replacement(target, replacement, same_kind, likeness)


# Words that say a state, not a kind: "a frozen branch", "a rusty bike" (a "palm tree" is another tree).
_STATE_WORD = re.compile(rf"(?:ed|en|ing|ic|al|ous|ful|less|ish|ive|able|ible)$|^(?:{'|'.join(TEXTURE_WORDS)})$")


def _replacement(target: EntityRef, new: EntityRef, same_kind: bool = False, likeness: bool = True) -> list[Draft]:
    """X becomes Y. When Y is the same kind of thing ("the green vase to a white vase", "the branch
    to a frozen branch", "the chair to a black leather chair") or a likeness of X ("into statues"), X
    itself changes: each thing that differs is an edit. A kind said with another noun ("the tie to a
    bow tie", "the tree to a palm tree") is another thing, unless it is said to be one of the same
    (``same_kind``: "the house to a modern one"). A likeness is X changed only when X is turned into
    it (``likeness``): "replace the vase with a sculpture" puts another thing there."""
    said = (new.noun or "").split()
    if said and said[-1] in EXPRESSION_WORDS and (target.noun or "").split()[-1] in EXPRESSION_WORDS:
        return [_person_looks("expression", EXPRESSION_WORDS[said[-1]])]
    if likeness and said and said[-1] in LIKENESS_NOUNS:
        return [Draft(Op.attribute, target, {"name": "state", "value": new.noun})]
    old = (target.noun or "").split()
    wearer = target.attributes.get("of")
    worn = (wearer is not None and names_person(wearer)) or old[-1:] and old[-1] in GARMENT_NOUNS  # not "the tie" alone
    if said and old and {said[-1], old[-1]} <= WEARABLES and worn:
        return [_person_looks(old[-1], new.noun)]  # "his shirt to a jacket"
    new_words = [w for w in said[:-1] if w not in old]
    states = [w for w in new_words if same_kind or _STATE_WORD.search(w) or w in FORM_WORDS or w in SEASONS]
    if said and old and said[-1] == old[-1] and (states or not new_words):
        material = new.attributes.get("material")
        drafts = []
        if new.color and new.color != target.color and (target.color or new.color not in COLOR_NOUNS):
            drafts.append(Draft(Op.recolor, target, {"color": new.color}))  # "an orange slice" is of an orange
        if material and material != target.attributes.get("material"):
            drafts.append(Draft(Op.attribute, target, {"name": "material", "value": material}))
        if new.size and new.size != target.size:
            drafts.append(Draft(Op.resize, target, {"size": new.size}))
        if states:
            drafts.append(Draft(Op.attribute, target, {"name": "state", "value": " ".join(new_words)}))
        if drafts:
            return drafts
    return [Draft(Op.replace, target, {"replacement": new.model_copy(update={"attributes": {}})})]


# What covers a thing all over ("a golden coat" of a dog, "a fresh coat of red paint"): its colour.
_COVERING = re.compile(
    r"^(?P<x>.+?)\s+(?:a|an)\s+(?:new\s+|fresh\s+|shiny\s+)?(?:coat\s+of\s+)?(?P<c>.+?)\s+(?:coat|fur|coating|finish|paint\s+job|paint)$",
    re.I,
)


# Space around a subject: "it more breathing room", "the logo some room around it" (what a resize or a move leaves).
_ROOM_AROUND = re.compile(
    r"^(?:it|them|him|her|the\s+[a-z]+)\s+(?:more|some|extra|a\s+(?:bit|little)\s+more)\s+"
    r"(?:breathing\s+room|room|space|negative\s+space|headroom)(?:\s+(?:around|on\s+each\s+side\s+of)\s+(?:it|them|him|her))?$",
    re.I,
)


def _give(rest: str, turn: _Turn) -> list[Draft] | None:
    """give/apply/use: "give him a hat", "give it a warm tone", "apply a watercolor style"."""
    if _ROOM_AROUND.match(rest):  # "make the subject smaller and give it more breathing room": the framing, no edit
        return []
    hair = re.search(r"\b(?P<c>[a-z]+(?:\s+[a-z]+)?)\s+hair\b", rest, re.I)
    color = hair and (parse_color(hair["c"]) or parse_color(hair["c"].split()[-1]))  # "the figure | black hair"
    if color:
        return [_person_looks("hair_color", color)]
    accessories = _accessory(rest, turn, "on") or _person_feature(rest, turn)
    if accessories:
        return accessories
    faces = "|".join(EXPRESSION_WORDS)
    given_face = re.match(rf"^(?P<who>{_WHO}|it)\s+(?:a|an|some)\s+(?:[\w-]+\s+){{0,2}}(?P<e>{faces})$", rest, re.I)
    if given_face:  # "give her a big smile": her expression, as "make her smile" (no smile object)
        face = EXPRESSION_WORDS[given_face["e"].lower()]
        if names_person(given_face["who"]):
            return [_person_looks("expression", face)]
        return _each(turn, given_face["who"], lambda t: Draft(Op.attribute, t, {"name": "expression", "value": face}))
    quality = re.sub(r"^(?:it|them|(?:the|this)\s+(?:image|picture|photo))\s+", "", rest, flags=re.I)
    if re.match(r"(?:more|less|extra|some|a\s+(?:bit|little|touch|lot))\b", quality, re.I):  # "use more filter"
        adjusted = _adjust("reduce" if quality.lower().startswith("less") else "add", quality, turn)
        if adjusted:
            return adjusted
    if re.match(r"^(?:(?:a|an|some|the)\s+)?(?:(?:proper|correct|better|slight)\s+)?(?:white|colou?r)\s+balance$", quality, re.I):
        return _adjust("adjust", quality, turn)  # "apply white balance": the colours set right, a tone edit
    covered = _COVERING.match(rest)  # "give the dog a golden coat": the dog's colour
    if covered and parse_color(covered["c"]):
        return _apply(covered["x"], Value("color", parse_color(covered["c"])), turn)
    style_of = re.match(r"^(?:the\s+)?(?:(?:art|artistic|visual|painting|drawing)\s+)?style\s+of\s+(?P<x>.+)$", rest, re.I)
    if style_of:  # "apply the art style of Hayao Miyazaki's films": whoever is named, the image in their style
        return _style(_describe(style_of["x"]))
    looks = _looks(rest) if re.search(r"\b(?:style|aesthetic|look|filter|effect)\b", rest, re.I) else None
    if looks:  # "apply a film noir aesthetic in grainy black and white"
        return looks
    chosen = _choose("apply", rest, turn)
    if chosen:
        return chosen
    words = rest.split()
    for i in range(1, len(words)):
        old, new = " ".join(words[:i]), " ".join(words[i:])
        value = classify(re.sub(r"^(?:a|an|the)\s+", "", new), allow_bare_noun=False)
        graded = value and (value.kind in ("tone", "lighting", "style") or re.search(r"\b(?:tone|tint|cast|hue)s?$", new, re.I))
        if graded and old.lower() == "it" and not turn.context.last_targets:
            old = "the image"  # "brighten the image and give it a blue tone": nothing edited before, the image
        if value and value.kind != "noun":
            drafts = _apply(old, value, turn)
            if drafts:
                return drafts
        if value is None and is_image(old):
            drafts = _global(new, turn)
            if drafts:
                return drafts
    given = re.match(rf"^(?P<x>it|them|{_DEF}[\w\s'-]+?)\s+(?P<y>{_INDEF}.+)$", rest, re.I)
    thing = parse_phrase(given["y"], turn.context).ref if given and not is_image(given["x"]) else None
    if given and not is_abstract(thing):  # "give the cat a hat": a hat put on the cat
        return [Draft(Op.add, thing, {"relation": f"on {given['x']}"})]
    return _global(rest, turn)


# Of the moving verbs, those that move a thing said with no destination ("move the logo"; not "bring the boat").
_MOVE_ALONE = frozenset("move shift drag slide relocate reposition".split())


def _move(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    moved = re.split(r"\s+(?:a\s+bit|a\s+little|slightly|more|to|towards?|into|up|down|just)\b", rest, maxsplit=1)[0]
    if _image_quality(moved):  # "shift the hue towards green": a grade; "push the saturation up just a bit": more of it
        way = re.match(rf"^{re.escape(moved)}\s+(?P<d>up|down)\b", rest, re.I)
        return _adjust({"up": "increase", "down": "reduce"}[way["d"].lower()] if way else "adjust", moved if way else rest, turn)
    if verb.lower() not in _MOVE_ALONE and re.match(r"^(?:a|an|some|one|two|three|four|five|six|seven|eight|nine|ten|\d+)\s", rest, re.I):
        return _add("add", rest, turn)  # "bring two cats into the image": nothing to move yet ("move a cup left": one of them)
    words = rest.split()
    for i in range(1, len(words)):  # "move the circle on the left to the right"
        old, new = " ".join(words[:i]), " ".join(words[i:])
        direction = parse_direction(new)
        split_place = re.search(r"\b(?:top|bottom|upper|lower)$", old, re.I) and new.split()[0].lower() in (
            "left",
            "right",
        )
        if direction and not split_place and not re.search(r"\b(?:to|the|towards?|far|very)$", old, re.I):
            return _moves(turn, old, {"direction": direction})
    for old, new in _splits(rest, r"to|into|onto|towards?|toward|in|at|over to|over"):
        place = parse_place(new)
        if place:
            return _moves(turn, old, {"position": place})
    for old, new in _splits(
        rest, r"to|into|onto|towards?|next to|near|beside|behind|above|below|under|on top of|closer to"
    ):
        position = _describe(new)
        if position and parse_targets(old, turn.context):
            return _moves(turn, old, {"position": position})
    away = re.match(r"^(?P<x>.+?)\s+(?:(?:a\s+bit|a\s+little|slightly|much)\s+)?(?:further|farther|away)\s+from\s+(?P<y>.+)$", rest, re.I)
    if away:  # "move the dog further from the tree": where it goes is away from there
        return _moves(turn, away["x"], {"position": _describe(f"away from {away['y']}")})
    said_where = re.search(rf"\s(?:{_ONTO}|into|towards?|from|in|at|by|next|near|beside|behind|above|below|under|closer|away|off)\b", rest, re.I)
    if verb.lower() in _MOVE_ALONE and not said_where:
        return _moves(turn, rest, {"position": ELSEWHERE})  # "move the logo": where to is left open
    return None


# How far, said between the thing and where it goes: "move it closer to the center", "a bit further from the tree".
_HOW_FAR = re.compile(r"(?:\s+(?:a\s+(?:bit|little|lot)|slightly|much|way|more|closer|nearer|further|farther|away))+$", re.I)


def _moves(turn: _Turn, text: str, params: dict) -> list[Draft] | None:
    text = _HOW_FAR.sub("", text) or text
    return [Draft(Op.move, t, params) for t in turn.targets(text)] or None


def _adjust(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """Retouching: a quality of the photo turned up or down ("increase the contrast a bit", "turn up
    the brightness and contrast", "remove the orange tone", "fix the glare from the flash", "brighten
    and contrast the two men"). Light is a ``lighting`` edit, also of one region; the colours of the
    photo a ``tone`` edit; colour added to one object ("colorize the tattoo") recolours it."""
    verb = re.sub(r"\s+", " ", verb.lower())
    red_eye = _RED_EYE.match(rest) if verb not in _ADJUST_SELF else None
    if red_eye and red_eye["of"] and not names_person(red_eye["of"]) and not is_image(red_eye["of"]):  # "of the dog"
        return _each(turn, red_eye["of"], lambda t: Draft(Op.attribute, t, {"name": "red_eye", "value": "off"}))
    if red_eye:
        return [_person_looks("red_eye", "off")]
    selves = [_ADJUST_SELF[verb]] if verb in _ADJUST_SELF else []
    while selves:  # "brighten and contrast the two men"
        more = re.match(rf"^(?:,?\s*and|,)\s*(?P<v>{'|'.join(_ADJUST_SELF)})\b\s*(?P<rest>.*)$", rest, re.I)
        if not more:
            break
        selves.append(_ADJUST_SELF[more["v"].lower()])
        rest = more["rest"]
    down = bool(re.fullmatch(_ADJUST_DOWN, verb)) or verb in ("darken", "dim", "desaturate", "cool down", "less")
    if selves:
        if verb in ("darken", "lighten") and re.search(r"\s(?:to|into)\s+(?:a\s+)?[\w\s-]+$", rest):
            return _change("make", rest, turn)  # "darken the boy's hair to black"
        region = re.sub(r"^(?:it|the\s+(?:image|picture|photo|scene))\b", "", rest, flags=re.I).strip()
        skin = re.match(r"^(?:the\s+)?(?:(?:his|her|their|my|your|[\w-]+'s)\s+)?(?:skin|complexion)(?:\s+(?:tone|shade|colou?r))?(?:\s+of\s+(?P<who>.+))?$", _DEGREE_TAIL.sub("", region), re.I)
        animal = set(re.findall(r"[a-z]+", region.lower())) & ANIMAL_NOUNS  # "the dog's skin": no person's
        if skin and verb in ("lighten", "darken", "brighten") and not animal and not (skin["who"] and not names_person(skin["who"])):
            said = "lighter" if verb != "darken" else "darker"  # "Lighten skin of man.": the person's skin, no light
            return [_person_looks("skin", said)]
        if verb.startswith("colo") and region and not is_image(region):  # "colorize the tattoo (red)"
            return _change("colour", region, turn) or _each(turn, region, lambda t: Draft(Op.recolor, t, {"color": "full color"}))
        also = re.match(r"^(?:the\s+)?(?:image|picture|photo|scene)\s+and\s+(?P<q>.+)$", region, re.I)
        if also and parse_adjustment(also["q"]):  # "brighten image and color saturation by 30%": both
            more = _adjust("reduce" if down else "increase", also["q"], turn) or []
            return [*_adjusted(selves[0], "dark" if down and selves[0] == "lighting" else "bright" if selves[0] == "lighting" else verb), *more]
        graded = parse_adjustment(region) if region else None
        if graded is not None and {op for op, _ in graded.parts} == {"tone"}:  # "darken the green color"
            return _tone(f"{verb} {_describe(region)}")
        said = {"lighting": "dark" if down else verb if verb in _CLEARING else "bright", "tone": verb}
        return [d for op in dict.fromkeys(selves) for d in _adjusted(op, said[op])]
    rest = re.sub(r"^with\s+", "", rest, flags=re.I)  # "overlay with color"
    if verb in _FIXES:  # "fix my skin and the lighting": the person's skin retouched, the light set right
        parts = re.split(r"\s*,?\s+and\s+", rest, maxsplit=1)
        skin = [p for p in parts if _body_part(p, turn) == "skin"]
        others = [_adjust(verb, p, turn) for p in parts if p not in skin] if skin else []
        if skin and all(others):
            return [_person_looks("skin", _participle(verb)), *(d for drafts in others for d in drafts)]
    both = re.match(r"^(?P<a>.+?)\s*,?\s+and\s+(?P<b>.+)$", rest, re.I) if re.fullmatch(_REMOVE, verb) else None
    if both and parse_adjustment(both["a"]) and parse_adjustment(both["b"]) is None:  # "remove the yellow tone and the man"
        quality, thing = _adjust(verb, both["a"], turn), _remove(verb, both["b"], turn)
        if quality and thing:
            return quality + thing
    styled = re.match(r"^(?:the\s+)?(?:(?:image|photo|picture|overall|art|visual)\s+)?style\s+(?:to|into|towards?)\s+\S", rest, re.I)
    if styled and not down:  # "adjust the image style to a watercolor effect": the style changed, not a colour
        return _change("change", rest, turn)
    toward = re.match(r"^(?P<q>.+?)\s+(?:to|into|towards?)\s+(?P<v>.+)$", rest, re.I)
    look = _is_look(_DEGREE_TAIL.sub("", toward["q"])) if toward else None  # "the hue a bit | towards green"
    if look and classify(toward["v"], allow_bare_noun=False):  # "adjust colors to cool blue tones with high contrast"
        return _lighting(_describe(toward["v"])) if look in LIGHT_QUALITIES else _tone(toward["v"])
    _no_op_quality(rest)  # "reduce noise", "improve the sharpness"
    adjusted = parse_adjustment(rest)
    if adjusted is None:
        return None
    heads = [([w for w in WORD.findall(part.lower()) if w not in ADJUST_FILLERS] or [""])[-1] for _, part in adjusted.parts]
    on_someone = bool(adjusted.region) and bool(_body_part(adjusted.region, turn) or names_person(adjusted.region))
    plain = [  # "add saturation slightly"; "remove the redness": a colour cast ("from her cheeks": her skin's flaw)
        h for h in heads
        if h in LIGHT_QUALITIES | TONE_QUALITIES | TONE_WORDS.keys()
        or (h.endswith("ness") and parse_color(h.removesuffix("ness")) and not on_someone)
    ]
    owned = re.match(r"^(?:the\s+)?(?:his|her|its|their|[\w-]+'s)\s", rest, re.I)  # "get rid of his shadow": a thing he casts
    if re.fullmatch(r"add|remove|get rid of|take out|take away|drop", verb) and (
        not plain or "light" in heads or "lights" in heads or owned
    ):
        return None  # "add an orange", "remove the light on the wall": things
    region = adjusted.region
    if region and _body_part(region, turn) == "skin":  # "add warmth to the guy's skin": his looks, no tone of the photo
        return [_person_looks("skin", _describe(f"{verb} {' and '.join(part for _, part in adjusted.parts)}"))]
    said_color = parse_color(" ".join(part for _, part in adjusted.parts)) if verb == "add" else None
    if region and (heads[-1].startswith("colo") or said_color) and not is_background(region) and verb not in ("remove",):
        colored = _color_onto(said_color or "full color", "to", region, turn)  # "add color to the flowers"
        if colored:
            return colored
    drafts = []
    for op, part in adjusted.parts:
        key = part.split()[-1]
        if op == "lighting":
            value = parse_lighting(part) or (("dark" if down else "bright") if key in LIGHT_COMPARATIVES else None)
            value = {"bright": "dark", "dark": "bright"}.get(value, value) if down else value  # "reduce the brightness": darker
            value = value if value in LIGHTING_VALUES or not down else None  # "remove fog": not fog, less of it
        else:
            value = parse_tone(part)
            value = {"warm": "cool", "cool": "warm"}.get(value, value) if down and verb != "remove" else value
            value = value or (_describe(part) if verb in _FIXES else f"{'less' if down else 'more'} {_describe(part)}")
        drafts += _adjusted(op, value or _describe(f"{verb} {part}"))
    return list({(d.op, str(d.params)): d for d in drafts}.values())


# The flash's red eyes fixed ("remove red eye", "correct the red-eye effect"): the person's eyes, no red
# eye objects taken away.
_RED_EYE = re.compile(r"^(?:the\s+)?red[\s-]?eyes?(?:\s+effect)?(?:\s+(?:from|in|on)\s+.+|\s+of\s+(?P<of>.+))?$", re.I)
def _no_op_quality(said: str) -> None:
    """Raise when all ``said`` changes is a quality no edit op changes ("reduce noise", "make the image
    less grainy"): the clause is reported, not typed as a texture or a light."""
    if _is_no_op_quality(said):
        raise Unresolved(f"no edit op changes the {' '.join(sorted(_quality_words(said)))} of a photo")


_AMOUNT = re.compile(r"\b(?:by|to)\s+(?:about\s+)?\d+(?:\.\d+)?\s*%", re.I)  # "increase detail by 10%": how much, no quality


def _quality_words(said: str) -> set[str]:
    return set(WORD.findall(_AMOUNT.sub("", said).lower())) - ADJUST_FILLERS - {"it", "look", "looks", "slight", "subtle", "effect", "filter"}


def _is_no_op_quality(said: str) -> bool:
    words = _quality_words(said)
    return bool(words) and words <= UNPLANNED_QUALITIES


_FIXES = frozenset("correct fix adjust balance tweak restore improve".split())


def _adjusted(op: str, said: str) -> list[Draft]:
    return _lighting(said) if op == "lighting" else _tone(said)


_EXTENT = re.compile(r"\s+(?:all\s+the\s+way\b.*|(?:to|towards?)\s+the\s+(?:left|right|top|bottom|edges?|ceiling|floor)\b.*)$", re.I)


# A person's marks that have a size of their own: shrunk, they get smaller (a resize of the mark).
_SIZED_MARKS = frozenset("tattoo tattoos scar scars birthmark birthmarks mole moles".split())


def _resize(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    verb = verb.lower()
    adjusted = re.match(r"^(?:the\s+)?(?:overall\s+)?(?:size|scale)(?:\s+(?:of|on|in)\s+(?P<t>.+))?$", rest, re.I)
    owned = re.match(r"^(?P<t>its|their)\s+(?:overall\s+)?(?:size|scale)\b", rest, re.I)  # "double its size": it
    rest = {"its": "it", "their": "them"}[owned["t"].lower()] if owned else rest
    grow = verb in (
        "enlarge",
        "magnify",
        "grow",
        "expand",
        "extend",
        "upscale",
        "scale up",
        "blow up",
        "increase",
        "boost",
        "double",
        "triple",
        "raise",
    )
    if verb in ("lower", "raise"):
        return None
    target = adjusted["t"] if adjusted and adjusted["t"] else rest
    target = _DEGREE_TAIL.sub("", _EXTENT.sub("", target))  # "extend the towel all the way to the left", "shrink it a little"
    if verb in ("resize", "rescale", "scale"):
        for old, new in _splits(target, r"to be|to|by|so that it is|so it is|until it is|into"):
            drafts = _resize_to(old, new, turn)
            if drafts:
                return drafts
        words = target.split()
        for i in range(len(words) - 1, 0, -1):
            drafts = _resize_to(" ".join(words[:i]), " ".join(words[i:]), turn)
            if drafts:
                return drafts
        return None
    for old, new in _splits(target, r"to be|to|until it is"):  # "shrink it to about half its size": the size it ends at
        drafts = _resize_to(old, new, turn)
        if drafts:
            return drafts
    said = parse_phrase(target, turn.context).ref
    sized = re.fullmatch(r"shrink|downsize|minify|scale\s+down|miniaturi[sz]e", verb) and said is not None and (
        (said.noun or "").split()[-1:] and (said.noun or "").split()[-1] in _SIZED_MARKS
    )  # "shrink the tattoo": the tattoo smaller; "reduce the tattoo", "minimize her wrinkles": less of it
    fewer = None if grow or sized else _worn(target, turn, "less")
    if fewer:  # "reduce the blemishes", "minimize her wrinkles": less of what a person has, not a smaller thing
        return fewer
    amount = re.match(
        r"^(?P<t>.+?)\s+(?:by\s+(?P<pct>\d+(?:\.\d+)?)\s*%|by\s+(?:a\s+)?factor\s+of\s+(?P<f>\d+(?:\.\d+)?))$",
        target,
        re.I,
    )
    scale = 3.0 if verb == "triple" else 2.0 if grow else 0.5
    if amount:
        target = amount["t"]
        if amount["pct"]:
            scale = 1 + float(amount["pct"]) / 100 if grow else max(0.05, 1 - float(amount["pct"]) / 100)
        else:
            scale = float(amount["f"]) if grow else 1 / float(amount["f"])
    return _each(turn, target, lambda t: Draft(Op.resize, t, {"scale": scale}))


def _resize_to(target: str, new: str, turn: _Turn) -> list[Draft] | None:
    value = classify(new, allow_bare_noun=False)
    if value is None or value.kind not in ("size", "scale"):
        scale = parse_scale(new)
        if scale is None:
            return None
        value = Value("scale", scale)
    key = "size" if value.kind == "size" else "scale"
    return _each(turn, target, lambda t: Draft(Op.resize, t, {key: value.value}))


_ARM = re.compile(r"\b(?:arm|arms|hand|hands)\b", re.I)
# Whom an action, a wearable or a feature is for: a pronoun or a definite noun phrase.
_WHO = r"him|her|them|me|(?:the|this|that|my|his|her|our)\s+[a-z][\w\s'-]*?"
_NAMED_POSE = re.compile(r"\b(?:pose|posture|action|gesture)\s+of\b")


def _pose(clause: str, turn: _Turn) -> list[Draft] | None:
    """Arm poses of the character: raise left/right/both arms, arms down."""
    lowered = clause.lower()
    if _NAMED_POSE.search(lowered):  # "change the pose of the pilot to waving": the pilot's pose
        return None
    if not _ARM.search(lowered) or not re.search(
        r"\b(?:raise[sd]?|raising|lift(?:s|ed)?|up|lower(?:s|ed)?|down|drop(?:s|ped)?|put|wave[sd]?|waving|hold)\b",
        lowered,
    ):
        return None
    held = re.match(r"^(?:put|place|drop)\s+(?P<x>.+?)\s+(?:in|into|on|onto)\s+(?:his|her|their|(?:the\s+)?\w+'s)\s+(?:hand|hands|arm|arms)\b", lowered)
    if held and not _ARM.search(held["x"]):  # "put a cup of coffee in his hand": the cup is added, held
        return None
    down = re.search(r"\b(?:lower(?:s|ed)?|down|drop(?:s|ped)?)\b", lowered)
    if down:
        pose = "arms_down"
    elif re.search(r"\bboth\b|\b(?:arms|hands)\b", lowered) and not re.search(r"\b(?:left|right)\b", lowered):
        pose = "raise_both_arms"
    elif re.search(r"\bleft\b", lowered) and re.search(r"\bright\b", lowered):
        pose = "raise_both_arms"
    elif re.search(r"\bleft\b", lowered):
        pose = "raise_left_arm"
    elif re.search(r"\bright\b", lowered):
        pose = "raise_right_arm"
    else:
        pose = "raise_both_arms"
    subject = re.match(r"^(?:make|have|let|get)\s+(?P<who>(?:the|this|that)\s+[a-z][\w\s]*?)\s+(?:to\s+)?(?:raise|lift|lower|put|wave|drop|hold)\b", clause, re.I)
    who = turn.targets(subject["who"]) if subject else None  # "have the man on the left put his arm around her"
    return [Draft(Op.pose, who[0] if who else EntityRef(noun=PERSON), {"pose": pose})]


# Who is added or removed, told by what they wear: "remove the man wearing glasses", "add a girl wearing a hat".
_TOLD_BY_WHAT_THEY_WEAR = re.compile(rf"^(?:{_REMOVE}|{_ADD})\s+(?:the|a|an|this|that|all\s+the)\s+(?:[\w-]+\s+){{1,3}}wearing\s", re.I)


def _wear(clause: str, turn: _Turn) -> list[Draft] | None:
    """ "make the person wear a hat", "let her wear glasses", "have the boy wear a scarf" (an attribute
    of the person); "make the elephant wear a crown" adds the crown on the elephant."""
    m = re.search(r"\b(?:wear|wears|wearing|put on|puts on|don)\s+(?P<what>.+)$", clause, re.I)
    if not m or _TOLD_BY_WHAT_THEY_WEAR.match(clause):
        return None
    accessory = _accessory(m["what"], turn, "on")
    if accessory:
        return accessory
    wearer = re.match(rf"^(?:make|let|have|get)\s+(?P<who>{_WHO})\s+(?:to\s+)?(?:wear|put on|don)\s", clause, re.I)
    if not wearer:
        return None
    if names_person(wearer["who"]):
        return _feature_of(wearer["who"], m["what"])
    return [Draft(Op.add, d.target, {**d.params, "relation": f"on {wearer['who']}"}) for d in _add("add", m["what"], turn) or []] or None


# Where someone looks: "look forward", "look up at the camera", "look away", "look to the left".
_LOOK_WAY = re.compile(r"^\s+(?:at|up|down|forward|away|toward|towards|to|into|left|right|back|over|straight|ahead|out)\b", re.I)
# Where someone looks or how they hold themselves, said as a noun: "change the direction of the man's
# gaze", "make their gaze disdainful", "adjust her hand and arm positions", "a thumbs-up": a pose. So is a
# pose changed with none named ("change her posture", "put him in a different pose"); a named one ("the
# pose of the pilot to waving") is read by ``_change``.
_POSE_NOUN = re.compile(
    r"\b(?:gaze|eyeline|line\s+of\s+sight|stance|thumbs?[\s-]*up|peace\s+sign|(?:pose|posture)$|"
    r"(?:different|new|another|other)\s+(?:pose|posture)|"
    r"(?:(?:hand|arm|leg|head|body)s?\s+(?:and\s+(?:hand|arm|leg|head|body)s?\s+)?)(?:positions?|placement))\b",
    re.I,
)


def _pose_noun(clause: str, turn: _Turn) -> list[Draft] | None:
    if not _POSE_NOUN.search(clause) or not re.match(rf"^(?:{_CHANGE}|{_MOVE}|put|place)\b", clause, re.I):
        return None
    owner = re.search(r"\b(?:the\s+)?(?P<who>[a-z]+)'s\b", clause, re.I)  # "the man's gaze"; "her gaze": a person's
    subject = re.match(r"^(?:make|have|let|get)\s+(?P<who>(?:the|this|that)\s+[a-z]+)\b", clause, re.I)  # "have the boy ..."
    targets = parse_targets(f"the {owner['who']}" if owner else subject["who"], turn.context) if owner or subject else None
    target = targets[0] if targets else EntityRef(noun=PERSON)
    return [Draft(Op.pose, target, {"pose": "other", "description": _describe(clause)})]


# Who does what: the doer runs up to the first action or expression word, so a doer of several words
# is whole ("make the two main subjects hug", "make the girl in the photo blow a kiss").
# Movements a body makes that have no closed pose name: a pose "other", described as said ("have her twirl").
_MOVEMENTS = frozenset(
    "twirl spin pirouette hop leap jog sprint crawl skate surf dive juggle somersault cartwheel sway float hover rear prance gallop trot pounce".split()
)
_ACT_OF = re.compile(
    rf"^(?:make|have|let|get)\s+(?P<who>{_WHO}|it|they)(?:\s+in\s+the\s+(?:image|picture|photo))?\s+(?:to\s+)?"
    rf"(?P<act>(?:{'|'.join(sorted({*ACTION_WORDS, *EXPRESSION_WORDS, *_MOVEMENTS}, key=len, reverse=True))})s?)\b(?P<more>.*)$",
    re.I,
)


# The background blurred: "Blur the background slightly", "defocus the backdrop a bit" (the scenery, out of focus).
_BLURRED_BACKGROUND = re.compile(
    r"^(?:blur|defocus|soften)\s+(?:out\s+)?(?:the\s+|this\s+|my\s+)?(?:background|backdrop)"
    r"(?:\s+(?:slightly|heavily|more|(?:a\s+)?(?:bit|little|lot|touch)(?:\s+more)?))?$",
    re.I,
)


def _blurred_background(clause: str, turn: _Turn) -> list[Draft] | None:
    if _BLACKED_OUT.match(clause):  # "blackout the background completely so that only the people show"
        return [Draft(Op.background, params={"color": "black"})]
    return [Draft(Op.background, params={"description": "blurred"})] if _BLURRED_BACKGROUND.match(clause) else None


_BLACKED_OUT = re.compile(
    r"^(?:blackout|black\s+out|black-out)\s+(?:the\s+|this\s+|my\s+)?(?:entire\s+|whole\s+)?(?:background|backdrop)"
    r"(?:\s+(?:completely|entirely|fully|totally))?(?:\s+(?:so|to|leaving|until)\b.*)?$",
    re.I,
)


# What a carrier of text says, unquoted: "make the sign say go instead of stop", "have the banner read happy birthday",
# "change the board to read sold out" (its words changed, not the board replaced).
_SAYS = re.compile(
    rf"^(?:make|have|let|get|change|edit|update|alter)\s+(?P<x>{_WHO})\s+(?:to\s+)?(?:say|read|spell)s?\s+(?P<w>[^,;]+?)"
    r"(?:\s+instead\s+of\s+(?P<old>[^,;]+))?$",
    re.I,
)


def _says(clause: str, turn: _Turn) -> list[Draft] | None:
    m = _SAYS.match(clause)
    if not m or _QUOTED.search(clause) or names_person(m["x"]) or set(WORD.findall(m["x"].lower())) & ANIMAL_NOUNS:
        return None  # quoted words are _text_edit's; "have the boy read a book" is an action
    carriers = parse_targets(m["x"], turn.context) or []
    params = {"text": m["w"].strip(), "old": m["old"].strip() if m["old"] else None}
    return [Draft(Op.text, c, {k: v for k, v in params.items() if v}) for c in carriers] or None


# Where a turned person faces, and the views of a person ("a three-quarter view", "full profile").
_FACED = r"(?:the\s+)?(?:left|right|camera|viewer|lens|front|forward|away|sideways)"
_VIEW = r"(?:(?:full|side|half|three[\s-]quarters?|front|back|rear)\s+)?(?:profile|view)"
# "the camera", "directly toward the camera", "straight into the lens": the way faced, however said
_FACING = rf"(?:(?:directly|straight)\s+)?(?:(?:to(?:wards?)?|at|into)\s+)?{_FACED}"
# How far a body is turned: "30°", "45 degrees", "ninety degrees".
_ANGLE = r"(?:\d+\s*°|(?:\d+|[a-z]+(?:-[a-z]+)?)\s+degrees?)"
# A body or a person turned a way: "turn the body slightly to the left", "turn her head 30° to the right".
_TURN_BODY = re.compile(
    rf"^(?:turn|rotate|twist|angle)\s+(?P<who>{_WHO})\s+(?:(?:slightly|a\s+(?:bit|little)|(?:by\s+)?{_ANGLE})\s+)?"
    r"(?:(?:to|towards?)\s+(?:the\s+)?(?:left|right|camera|side|viewer)|left|right|around|away|sideways"
    rf"|to\s+face\s+{_FACING}|(?:to|into)\s+(?:an?\s+)?{_VIEW})"  # "turn him to face the camera", "to a three-quarter view"
    rf"(?:\s+(?:slightly|a\s+(?:bit|little)))?(?:\s*,?\s+(?:facing|looking)\s+{_FACING})?$",  # the way ends the clause: "the sword in his right hand into an axe" is no turn
    re.I,
)


def _turn_body(clause: str, turn: _Turn) -> list[Draft] | None:
    m = _TURN_BODY.match(clause)
    if not m:
        return None
    said = (WORD.findall(m["who"].lower()) or [""])[-1]
    params = {"pose": "turn", "description": _describe(clause)}
    if not {said, f"{said}s"} & (BODY_PARTS | PERSON_PARTS.keys()) and not _ARM.fullmatch(said):  # "turn her hand": hers
        # "turn the dancer slightly right" turns the dancer; "turn the car to the left" is no pose
        return _each(turn, m["who"], lambda t: Draft(Op.pose, t, dict(params))) if names_person(m["who"]) else None
    owner = _OWNER.match(f"{m['who']} ")
    who = owner["who"] if owner and owner["who"] else None
    targets = parse_targets(f"the {who}", turn.context) if who and not names_person(who) else None
    return [Draft(Op.pose, targets[0] if targets else EntityRef(noun=PERSON), params)]


# Someone shown doing something ("show the person picking their nose", "depict the dog chasing a ball"): a pose.
_SHOWN_DOING = re.compile(rf"^(?:show|depict|portray)\s+(?P<who>{_WHO})\s+(?P<act>[a-z]{{3,}}ing)\b(?P<more>.*)$", re.I)


def _shown_doing(clause: str, turn: _Turn) -> list[Draft] | None:
    m = _SHOWN_DOING.match(clause)
    words = set(re.findall(r"[a-z]+", m["who"].lower())) if m else set()
    if not m or not (names_person(m["who"]) or words & ANIMAL_NOUNS) or m["act"].lower() in _NOUN_INGS:
        return None
    said = _describe(f"{m['act']}{m['more']}")
    stem = m["act"].lower().removesuffix("ing")
    face = next((w for w in (stem, stem + "e", stem[:-1]) if w in EXPRESSION_WORDS), None) if not m["more"].strip() else None
    if face and names_person(m["who"]):  # "show her laughing": her expression
        return [_person_looks("expression", EXPRESSION_WORDS[face])]
    who = [EntityRef(noun=PERSON)] if m["who"].lower() in ("him", "her", "them", "me") else turn.targets(m["who"])
    return [Draft(Op.pose, t, _pose_params(said) | {"description": said}) for t in who] or None


# A posture said bare, as what the person does instead ("standing instead", "kneeling instead of sitting"):
# the person's pose ("instead" itself is a trailing filler, gone by here).
_BARE_POSTURE = re.compile(r"^(?P<g>[a-z]+ing)(?:\s+(?:down|up))?(?:\s+instead\s+of\s+[a-z]+ing)?$", re.I)
_POSTURES = frozenset("sit stand kneel lie crouch squat lean".split())


def _bare_posture(clause: str, turn: _Turn) -> list[Draft] | None:
    m = _BARE_POSTURE.match(clause)
    act = _action_of(m["g"], _POSTURES) if m else None
    return [Draft(Op.pose, EntityRef(noun=PERSON), {"pose": ACTION_WORDS[act]})] if act else None


def _action_of(gerund: str, actions) -> str | None:
    """The action of ``actions`` a gerund names ("gazing" -> "gaze", "sitting" -> "sit", "lying" -> "lie")."""
    stem = gerund.lower().removesuffix("ing")
    return next((v for v in (stem, f"{stem}e", stem[:-1], stem.replace("y", "ie")) if v in actions), None)


_NOUN_INGS = frozenset("clothing wedding painting drawing building ring earring".split())


def _action(clause: str, turn: _Turn) -> list[Draft] | None:
    """What someone does: "make the dog sit", "have him wave at the camera" (a pose, its name closed:
    ``lexicon.POSES``), "make the man smile" (an expression: an attribute)."""
    m = _ACT_OF.match(clause)
    if not m or re.search(r"\bhair\b", m["who"], re.I):  # "make his hair stand up": the hair's, read by _hair
        return None
    if _image_quality(m["who"]) or is_image(m["who"]):  # "make the colors stand out": a look, no one acting
        return None
    act = m["act"].lower()
    if act in ("look", "looks") and not _LOOK_WAY.match(m["more"]):  # "make it look old": how it looks
        return None
    act = act[:-1] if act.endswith("s") and (act[:-1] in ACTION_WORDS or act[:-1] in _MOVEMENTS) else act
    toward = re.match(r"^\s+(?:(?:a\s+(?:bit|little|lot)|much|even|slightly|way)\s+)*(?P<d>higher|lower|upwards?|downwards?|up|down)\b", m["more"], re.I)
    comparative = toward and toward["d"].lower() in ("higher", "lower")  # "jump up" is a jump; "fly higher" goes up
    if toward and act in ("fly", "float", "hover", "swim") and (comparative or act != "swim"):  # "make it fly higher in the sky"
        return _moves(turn, m["who"], {"direction": parse_direction(toward["d"])})
    if act in _MOVEMENTS:  # "have her twirl", "make the dog spin around"
        said = f"{act}{m['more']}".strip().lower()
        return _each(turn, m["who"], lambda t: Draft(Op.pose, t, {"pose": "other", "description": said}))
    if act in EXPRESSION_WORDS and not m["more"].strip():
        expression = EXPRESSION_WORDS[act]
        if names_person(m["who"]):  # a person's expression is the person's (as hair and clothes are)
            return [_person_looks("expression", expression)]
        return _each(turn, m["who"], lambda t: Draft(Op.attribute, t, {"name": "expression", "value": expression}))
    if act not in ACTION_WORDS or act in ("hold", "read", "eat", "drink", "ride") and not m["more"].strip():
        return None
    said = f"{act}{m['more']}".strip().lower()
    params = {"pose": ACTION_WORDS[act], "description": said if said != act else None}
    return _each(turn, m["who"], lambda t: Draft(Op.pose, t, {k: v for k, v in params.items() if v}))


def _hair(clause: str, turn: _Turn) -> list[Draft] | None:
    m = re.search(r"\bhair\b", clause, re.I)
    if not m:
        return None
    after, before = clause[m.end() :], clause[: m.start()]
    for part in (after, before):
        colors = [parse_color(w) for w in re.findall(r"[a-z]+", part.lower())]
        colors = [c for c in colors if c]
        if colors:
            return [_person_looks("hair_color", colors[-1] if part is after else colors[0])]
    return None


def _accessory(rest: str, turn: _Turn, value: str) -> list[Draft] | None:
    """Hat and glasses of the character: "put a hat on him", "take off her glasses"."""
    words = re.findall(r"[a-z]+", rest.lower())
    names = {ACCESSORIES[w] for w in words if w in ACCESSORIES}
    if not names or len(words) > 8 or not turn.person:
        return None
    others = [w for w in words if w not in ACCESSORIES and w not in _ACCESSORY_FILLER]
    if others:
        return None
    return [_person_looks(n, value) for n in sorted(names)]


def _person_feature(rest: str, turn: _Turn) -> list[Draft] | None:
    """What a person has, gets or wears ("give him a beard", "add a tattoo to the man", "let the old
    man have a long white beard", "put boots on the girl"): an attribute of the person, the feature
    its name, what is said of it (or "on") its value. The person is a definite one ("a man in a coat"
    adds a man)."""
    to = re.match(rf"^(?P<what>.+?)\s+(?:to|on|onto|for)\s+(?:top\s+of\s+)?(?P<who>{_WHO})$", rest.strip(), re.I)
    side = to and re.match(r"^the\s+(?:far\s+)?(?:left|right|middle|center|centre|back|front|top|bottom)\b", to["who"], re.I)
    if to and not side:  # not "the man | on the right a straw hat": which man, then what he gets
        return _feature_of(to["who"], to["what"])
    words = rest.strip().split()
    splits = sorted(range(1, len(words)), key=lambda i: not _WHICH_ONE.search(" ".join(words[:i])))
    for split in splits:  # "the old woman | bright red lipstick": the person comes first ("the girl in the middle" whole)
        drafts = _feature_of(" ".join(words[:split]), " ".join(words[split:]))
        if drafts:
            return drafts
    return None


# Relations that say where a thing goes ("on the table", "across the left cheek"), not how it looks ("with sparkle").
_WHERE = re.compile(
    r"^(?:on|onto|in|into|at|to|near|beside|next|behind|under|over|above|below|across|around|inside|atop|upon|from|off)\b", re.I
)


# Where a thing is, said from someone: "the chair next to her", "the rock where he was" are a chair and a rock.
_NEAR_SOMEONE = re.compile(r"\s+(?:where|next\s+to|beside|near|by|behind|in\s+front\s+of)\s.*$", re.I)


def _worn(rest: str, turn: _Turn, value: str) -> list[Draft] | None:
    """What a person wears or has, with no wearer said: a thing only people wear ("add black eyeglasses
    that fit perfectly", "add scars across the forehead"), or a hat or glasses when the person is in
    the scene ("remove the hat and fill in the hair"). Said on anything else ("put the hat on the
    table") it is an object."""
    phrase = parse_phrase(rest, turn.context)
    ref = phrase.ref
    if ref is None or not ref.noun:
        return None
    head = ref.noun.split()[-1]
    owner = ref.attributes.get("of")
    where = phrase.relation if phrase.relation and _WHERE.match(phrase.relation) else ""
    part = parse_phrase(_WHERE.sub("", where), turn.context).ref if where else None
    on_body = part is not None and (part.noun or " ").split()[-1] in BODY_PARTS
    on_person = names_person(_NEAR_SOMEONE.sub("", where)) or (on_body and names_person(part.attributes.get("of") or PERSON))
    if (owner and not names_person(owner)) or (where and not on_person):
        return None
    head = head if head in WORN_BY_PEOPLE or f"{head}s" not in WORN_BY_PEOPLE else f"{head}s"  # "freckle(s)"
    beside_body = bool(re.match(r"(?:near|beside|next|behind|by)\b", where, re.I))  # "the bag near her hand": not worn
    worn_by = (owner and names_person(owner)) or (on_person and not beside_body)  # "the woman's bag", "a scarf on her"
    around_body = on_body and names_person(where) and where.lower().startswith("around")  # "a stethoscope around his neck"
    on_clothes = part is not None and (part.noun or " ").split()[-1] in WEARABLES | GARMENT_NOUNS  # "the marks on her shirt"
    of_a_thing = bool(re.search(r"\bits\b", where or "", re.I))  # "the marks near its ears": an animal's, or a thing's
    on_skin = (on_person and not on_clothes and not of_a_thing) or "skin" in ref.noun.split()[:-1]  # "blemishes on her cheek"
    # "replace the clothing with a white dress shirt", then "add a dark blue tie as well": what the person wears next
    dressed = value == "on" and not where and any(
        (t.noun or "").split()[-1:] and (t.noun or "").split()[-1] in WEARABLES and names_person(t.attributes.get("of") or "")
        for t in turn.context.last_targets
    )
    worn_by = worn_by or dressed
    if not ((head in WORN_BY_PEOPLE and (turn.person or not turn.animal)) or (head in SKIN_FLAWS and on_skin) or (head in ACCESSORIES and turn.person) or (head in WEARABLES and worn_by) or around_body):
        return None  # "remove the sunglasses and make the cat's eyes big": the cat's, an object
    said = " ".join(filter(None, (ref.color, *ref.noun.split()[:-1])))
    name = ACCESSORIES.get(head, head)
    return [_person_looks(name, said if said and value == "on" and name not in ("hat", "glasses") else value)]


# Which one of several is meant, said after the noun ("the man on the right", "the girl in the middle").
_WHICH_ONE = re.compile(
    r"\s+(?:on|at|in|to|from)\s+the\s+(?:far\s+)?(?:left|right|middle|center|centre|back|front|top|bottom)(?:\s+side)?$", re.I
)


def _feature_of(who: str, what: str) -> list[Draft] | None:
    parts = re.split(r"\s+and\s+(?=(?:a|an|some|more)\s)", what.strip())
    if len(parts) > 1:  # "a hat and a scarf", "more muscles and a stronger vibe": each that is one
        return [d for part in parts for d in _feature_of(who, part) or []] or None
    what = re.sub(r"^(?:(?:a|an|some|the)\s+)?(?:pairs?\s+of\s+)?", "", what.strip(), flags=re.I)
    feature = what.split()[-1].lower() if what else ""
    if not {feature, feature.removesuffix("s")} & (PERSON_FEATURES | WEARABLES | ACCESSORIES.keys()):
        return None
    someone = set(re.findall(r"[a-z]+", what.lower())) & (PERSON_NOUNS | PERSON_PRONOUNS)  # "a man in a coat"
    who = _WHICH_ONE.sub("", who.strip())  # "the man on the right": the man
    if not re.fullmatch(_WHO, who, re.I) or not names_person(_NEAR_SOMEONE.sub("", who)) or someone or len(what.split()) > 6:
        return None
    if feature in ACCESSORIES:  # "a hat to my grandpa": the character's hat, on or off
        return [_person_looks(ACCESSORIES[feature], "on")]
    said = what.lower()[: -len(feature)].strip()
    return [_person_looks(feature, said or "on")]


# "put her on a beach", "take him to Paris", "put the girl in front of the Eiffel Tower": the person
# stays and the world around them changes, a background edit.
_SUBJECT_SOMEWHERE = re.compile(
    rf"^(?P<verb>put|place|set|take|bring|send|transport|move|teleport|drop|make)\s+(?P<who>{_WHO}|it)\s+"
    r"(?P<prep>in\s+front\s+of|into|onto|on|in|at|to|under|beneath|before)\s+(?P<where>.+)$",
    re.I,
)


_SENT_SOMEWHERE = frozenset("make take send transport teleport".split())
# Buildings and rooms a subject can be put in as a whole new scene ("Put this sculpture in a modern museum").
_PLACES_INSIDE = frozenset(
    "museum gallery cafe café restaurant church cathedral temple airport station mall market bar pub theater theatre "
    "hall bedroom bathroom hospital school warehouse factory lobby ballroom arena".split()
)
# Gatherings and venues a person is put at ("put me at a black-tie gala", "put me in the pool"): a new scene
# for a person said as such, not a thing in the photo the person goes on.
_PERSON_VENUES = _PLACES_INSIDE | frozenset(
    "pool gala party wedding concert festival ceremony prom banquet reception carnival fair parade nightclub club".split()
)


# A subject put on a plain background ("Place the female on white background.", "put the dog on a plain
# white background"): the subject cut out onto it, an ``extract`` (not a new scene behind it). Said of
# what was just cut out ("cut the woman out and place (her) on a transparent background"), it is that cut-out;
# "place it on the white background" names a backdrop as a thing, a background edit of its own.
_CUT_BEFORE = r"it|them|this|that|these|those|him|her"
_ONTO_PLAIN = re.compile(
    r"^(?:put|place|set|paste|position|drop)\s+(?:(?P<x>(?!everything\b).+?)\s+)?"
    r"(?:on|onto|against|in\s+front\s+of)\s+(?:(?P<a>a|an|the)\s+)?"
    r"(?P<b>(?:(?:plain|solid|blank|pure|clean|simple|neutral|flat|bright|opaque|uniform|empty)\s+)*"
    r"(?:white|black|gr[ae]y|transparent|plain|solid|blank|neutral))\s+(?:background|backdrop)$",
    re.I,
)


def _onto_plain_background(clause: str, turn: _Turn) -> list[Draft] | None:
    m = _ONTO_PLAIN.match(clause)
    if not m:
        return None
    if m["x"] is None or re.fullmatch(_CUT_BEFORE, m["x"], re.I):
        indefinite = (m["a"] or "").lower() != "the"
        return [Draft(Op.extract, t, {"background": m["b"].lower()}) for t in turn.cut if indefinite] or None
    if is_image(m["x"]) or is_background(m["x"]):
        return None
    refs = [r for r in parse_targets(m["x"], turn.context) or [] if not is_abstract(r) and not is_image(r.noun or "")]
    return [Draft(Op.extract, r, {"background": m["b"].lower()}) for r in refs] or None


# Subjects said bare, put into a setting ("place dogs and sled baby into a snowy winter landscape"): the
# photo's subjects in a new scene (a new thing put in a setting is said with "a": "put a dog in a landscape").
_BARE_INTO_SETTING = re.compile(
    r"^(?:put|place|set|drop|transport|teleport)\s+(?P<who>(?!(?:a|an|some|one|two|three|\d+)\b)[a-z][a-z\s,'-]*?)\s+"
    r"(?:into|in|onto|on)\s+(?P<where>(?:a|an)\s+.+)$",
    re.I,
)


def _subject_somewhere(clause: str, turn: _Turn) -> list[Draft] | None:
    bare = _BARE_INTO_SETTING.match(clause)
    if bare and names_setting(bare["where"]) and not is_image(bare["who"]) and not parse_place(bare["where"]):
        return [Draft(Op.background, params={"description": _describe(bare["where"])})]
    m = _SUBJECT_SOMEWHERE.match(clause)
    # anything made to be somewhere ("make the hedgehog in Italy") or put in a new scene ("put it on a
    # wet city street"); only a person is put in a place that is a thing ("put the cup on the table"
    # moves a cup)
    if not m or parse_place(f"{m['prep']} {m['where']}"):
        return None
    where_head = (WORD.findall(m["where"].lower()) or [""])[-1]
    indoors = where_head in _PLACES_INSIDE  # "in a modern museum"
    new_scene = re.match(r"^(?:a|an)\s", m["where"], re.I) and (is_scene_place(m["where"]) or indoors)
    person = names_person(m["who"]) or m["who"].lower() in ("me", "us")
    if not (person or m["verb"].lower() in _SENT_SOMEWHERE or new_scene):
        return None
    new_scene = new_scene or (person and m["prep"].lower() in ("in", "at", "into", "to") and where_head in _PERSON_VENUES)
    lit = re.search(rf"\s+(?:at|during|in\s+the)\s+(?P<t>{'|'.join(LIGHTING_WORDS)})$", m["where"], re.I)
    if lit:  # "put me on a beach at sunset": the place, and its light
        drafts = _subject_somewhere(clause[: len(clause) - len(lit[0])], turn)
        return drafts and [*drafts, *_lighting(parse_lighting(lit["t"]) or lit["t"])]
    where, inside = m["where"], m["prep"].lower() in ("on", "in", "at", "into", "onto", "to")
    landmark = not inside and re.match(r"^the\s+[A-Z]", where)
    if not (is_scene_place(where) or landmark or new_scene or re.match(r"^[A-Z][a-z]+(?:\s+[A-Z][a-z]+)*$", where)):
        return None
    said = _describe(where if inside else f"{m['prep']} {where}")
    return [Draft(Op.background, params={"description": said})]


_ACCESSORY_FILLER = frozenset(
    "a an the his her their its pair of on to onto from off for him her them person character figure "
    "man woman s head face wear wearing some".split()
)


# A quoted string: "SALE", 'SALE', or 'Luigi's' (an apostrophe before a letter does not close it).
_QUOTED = re.compile(r"""(?<![A-Za-z])(?:"(?P<d>[^"]+)"|'(?P<s>(?:[^']|'(?=[a-z]))+)')""")
_TEXT_NOUN = re.compile(
    r"\b(?:text|words?|captions?|titles?|labels?|slogans?|signs?|messages?|phrases?|letters?|numbers?|digits?|"
    r"writing|headlines?|subtitles?|taglines?|names?|lettering|inscriptions?|graffiti|fonts?|typography|typefaces?|"
    r"calligraphy|poems?|verses?|instructions)\b|"
    r"\b(?:says?|reads?|spells?|saying|reading)\s*$",
    re.I,
)
# Nouns of the writing itself (a sign or a plaque is a thing that carries it).
_WRITTEN_NOUN = re.compile(
    r"\b(?:text|words?|writing|caption|title|slogan|message|phrase|letters?|lettering|inscription|graffiti|"
    r"headline|subtitle|tagline|name|number|digits?|quote|poem|verse|instructions)$",
    re.I,
)
_TEXT_VERBS = frozenset("write type label print spell say read caption inscribe".split())


_NEW_CAPITALS = re.compile(
    r"^(?P<x>.*\b(?:text|words?|wording|lettering|captions?|titles?|labels?|signs?)\b.*?)\s+(?P<p>with)\s+"
    r"(?P<w>(?-i:[A-Z0-9][A-Z0-9'&!.-]*(?:\s+[A-Z0-9][A-Z0-9'&!.-]*)*))$",
    re.I,
)
_ON_PART_OF = re.compile(r"\b(?:on|across|along)\s+the\s+(?:front|top|side|back|bottom|middle|centre|center)\s+of\s+", re.I)


def _translate(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """ "translate all English text on the poster to Chinese": the text, in the new language."""
    m = re.match(r"^(?P<x>.+?)\s+(?:in)?to\s+(?P<lang>[A-Za-z]+)$", rest, re.I)
    if not m or not _TEXT_NOUN.search(m["x"]):
        return None
    return [Draft(Op.text, _carrier(m["x"], turn), {"text": f"in {m['lang']}"})]


def _text_edit(rest: str, turn: _Turn, verb: str = "") -> list[Draft] | None:
    """Text in the image: "add the text 'SALE' at the top", "change the word 'A' to 'B'",
    "write 'Happy Birthday' on the banner", "make the sign say 'OPEN'", "replace 'TRAIN' with 'PLANE'"."""
    capitals = _NEW_CAPITALS.match(rest)
    if capitals and not _QUOTED.search(rest):  # "replace the billboard text with OPEN": written, unquoted
        rest = f"{capitals['x']} {capitals['p']} '{capitals['w']}'"
    rest = _ON_PART_OF.sub("on ", rest)  # "on the front of it": on it
    found = list(_QUOTED.finditer(rest))
    strings = [m["d"] or m["s"] for m in found]
    if not strings:
        return None
    surface = _QUOTED.sub(" ", rest)
    before_quote = rest[: found[0].start()]
    if re.search(r"\b(?:of|near|beside|behind|above|below|under|by|from|next\s+to)\s+the\s*$", before_quote, re.I):
        return None  # "a sandbag left of the 'ROAD CLOSED' sign": the sign is a landmark
    is_text = (
        _TEXT_NOUN.search(surface)
        or _TEXT_NOUN.search(before_quote)
        or verb.lower().split()[0] in _TEXT_VERBS
        or (len(strings) > 1 and not re.sub(r"\b(?:with|to|into|by|for|and)\b", "", surface).strip(" ,.:"))
        # "add 'SALE' on his shirt", "add 'OPEN' at the top": a quoted string put on a thing or in a place is written there
        or (
            not before_quote.strip()
            and verb.lower() in ("add", "put", "place", "insert", "print", "paint")
            and (re.match(r"^\s*(?:on|onto|to|across|along)\s", rest[found[0].end():], re.I) or parse_place(rest[found[0].end():]))
        )
    )
    if not is_text:
        return None
    surface = re.sub(r"\b(?:say|says|read|reads|spell|spells)\b", " ", surface, flags=re.I)
    place = parse_phrase(surface, turn.context).place
    noun = "text"
    on = re.search(r"\bon\s+(?:the|a|his|her|its|their|my)\s+(?P<n>[a-z][a-z\s-]*)", surface, re.I)
    on_ref = parse_phrase(on["n"], turn.context).ref if on else None
    on_it = re.search(r"\bon\s+(?P<it>it|them)\b", surface, re.I)  # 'write "OPEN" on it': the last thing
    on_ref = (resolve_reference(on_it["it"], turn.context) or [None])[0] if on_it and not on else on_ref
    if on_ref is not None and on_ref.noun and on_ref.noun.split()[-1] not in (
        "image", "picture", "photo", "top", "bottom", "left", "right", "center", "poster",
    ):  # fmt: skip
        noun = on_ref.noun
    # "add a brass plaque 'EST. 1892'", "add a sign saying 'OPEN'": a new thing that carries the text
    carrier = parse_phrase(re.sub(r"\s*(?:saying|that\s+says|reading|which\s+reads|with\s+the\s+(?:text|words)|:)\s*$", "", before_quote, flags=re.I), turn.context).ref
    added = []
    if (
        verb.lower() in _ADD.split("|")
        and carrier is not None
        and carrier.noun
        and not _WRITTEN_NOUN.search(carrier.noun)
        and not re.match(rf"^\s*{_DEF}", before_quote, re.I)
    ):
        added, noun = [Draft(Op.add, carrier)], carrier.noun
    target = EntityRef(noun=noun, position=place)
    new_only = re.search(r"\b(?:with|to|into|as|by)\s*$", before_quote, re.I)  # "with 'A', 'B' and 'C'"
    old = strings[0] if len(strings) > 1 and not new_only else None
    params = {"text": strings[-1] if old or len(strings) == 1 else ", ".join(strings), "old": old}
    return [*added, Draft(Op.text, target, {k: v for k, v in params.items() if v is not None})]


_DEGREE_TAIL = re.compile(r"(?:\s+(?:a\s+(?:lot|bit|little)(?:\s+bit)?|slightly|much|more|a\s+tad))+$", re.I)


def _reshape(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """A change of form said as a verb: "age him by 10 years" (the person's age), "shorten the
    giraffe's neck" (a shape), "straighten the leaning tower" (how it stands, a pose)."""
    verb = verb.lower()
    said = f"{verb} {rest}".strip()
    if verb in _AGE.split("|"):
        who = re.split(r"(?:^|\s+)(?:by|to|into|so|until|with)\b|,", rest, maxsplit=1)[0].strip()
        name = "age" if not who or names_person(who) or who.lower() in ("it", "them") else "state"
        refs = [EntityRef(noun=PERSON)] if name == "age" else turn.targets(who)
        return [Draft(Op.attribute, r, {"name": name, "value": _describe(said)}) for r in refs] or None
    what = re.split(r"\s+(?:by|to|so|until|with|while|and\s+make)\b|,", rest, maxsplit=1)[0]
    what = _DEGREE_TAIL.sub("", f" {what}").strip()  # "sharpen the image a lot": the image; "sharpen a bit": the photo
    what = re.sub(r"(?<=\w)\s+(?:length|height|width|size|shape)$", "", what.strip(), flags=re.I)
    if not what or is_image(what) or _is_look(what):
        _no_op_quality(verb)  # "sharpen the image": its sharpness, which no edit op changes
        return None  # "flatten the image", "widen the colors": the photo has no shape
    if re.search(r"\bhair\b", what, re.I):
        return [_person_looks("hairstyle", _describe(said))]
    part = _body_part(what, turn)
    if part:  # "slim down my nose", "widen her eyes": the person's looks
        return [_person_looks(part, _describe(said))]
    if re.fullmatch(_POSTURE, verb):
        against = re.match(r"^(?P<x>.+?)\s+(?P<p>against|on|onto|beside|next\s+to)\s+(?P<y>.+)$", rest, re.I)
        if against and not names_person(against["x"]):  # "lean the bike against the wall": it goes there
            return _moves(turn, against["x"], {"position": _describe(f"{against['p']} {against['y']}")})
        return _each(turn, what, lambda t: Draft(Op.pose, t, {"pose": "other", "description": _describe(said)}))
    return _each(turn, what, lambda t: Draft(Op.attribute, t, {"name": "shape", "value": _describe(said)}))


def _state_verb(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """ "open his eyes", "smooth her skin", "even out the skin tone": a person's body in a new state;
    "open the door", "freeze the apple": a thing in a new state (both ``attribute`` edits)."""
    words = re.findall(r"[a-z]+", rest.lower())
    part = next((w for w in words if w in BODY_PARTS), None)
    said = _describe(f"{verb} {rest}")
    if part is not None and (names_person(rest) or set(words) <= {"the", part, "tone", "texture"}):
        return [_person_looks(part, said)]
    thing = parse_phrase(rest, turn.context).ref
    if not re.fullmatch(rf"open|close|shut|{_THING_STATE}", verb, re.I) or thing is None or is_image(thing.noun or ""):
        return None  # "open the image in photoshop" is no edit
    return _each(turn, rest, lambda t: Draft(Op.attribute, t, {"name": "state", "value": said}))


def _touch_up(rest: str, turn: _Turn) -> list[Draft] | None:
    """How the edit before is finished ("fill in the hair"): no edit of its own, it joins that edit's text. A
    thing rebuilt in a material ("reconstruct the bus body with solid wood panels") is that thing's material."""
    rebuilt = re.match(rf"^(?P<x>{_DEF}.+?)(?:'s|s')?(?:\s+body)?\s+(?:with|from|using|in|out\s+of)\s+(?P<y>.+)$", rest, re.I)
    said = set(WORD.findall(rebuilt["y"].lower())) if rebuilt else set()
    if said & MATERIAL_WORDS.keys() or {w.removesuffix("s") for w in said} & MATERIAL_WORDS.keys():  # "with bricks"
        return _change("make", f"{rebuilt['x']} made of {rebuilt['y']}", turn)
    return []


# Parts of the frame itself, not things in the photo: cropped out, the photo is cropped.
_CROPPED_PART = re.compile(
    r"^out\s+(?:the\s+)?(?:(?:[a-z]+\s+)?(?:frame|borders?|edges?|margins?|bars?)\b|(?:top|bottom|left|right|half|third|quarter|part|portion)\b)",
    re.I,
)


def _photo_op(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """ "crop the image", "rotate it slightly": the photo, not anything in it, is what changes."""
    said = _DEGREE_TAIL.sub("", re.sub(r"\s+(?:slightly|by\s+.+|\d+\s*degrees?.*|to\s+the\s+(?:left|right))$", "", rest, flags=re.I))
    cropped_part = verb.lower() == "crop" and _CROPPED_PART.match(said)  # "crop out the black frame", "crop out half of it"
    subject = re.sub(r"\s+(?:only|alone|out)$", "", said, flags=re.I)
    photo = re.match(r"^(?:the\s+|this\s+|my\s+)?(?:image|photo|picture|pic|shot|frame)\b", subject, re.I)  # "crop image closer"
    if is_image(said) or photo or (said.lower() in ("it", "this") and not turn.context.last_targets) or cropped_part:
        raise Unresolved(f"{verb.lower()} is an operation on the photo, not an edit nanoedit plans")
    if verb.lower() == "crop" and not re.match(r"^(?:out|to|into|around|in|so|it|this|that)\b", subject, re.I):
        return _extract("extract", subject, turn)  # "Crop woman and child, place on white background": a cut-out
    return None


def _extract(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    if verb.lower() == "cut out" and re.match(r"^(?:all\s+)?(?:the\s+)?other\s", rest, re.I):
        return _remove("remove", rest, turn)  # "cut out the other people": they go, no subject is kept
    background = re.search(
        r"\s+(?:on|onto|against|with)\s+(?:a|an)\s+(?P<b>[\w\s-]+?)\s+background$", rest, re.I
    )
    params = {}
    if background:
        rest = rest[: background.start()]
        params["background"] = background["b"].lower()
    rest = re.sub(r"\s*,?\s*(?:including|along with|together with|as well as)\s+.+$", "", rest, flags=re.I)
    rest = re.sub(r"(?:'s|s')?\s+(?:(?:whole|entire|full)\s+)?body$", "", rest, flags=re.I)  # "the cat's body": the cat, cut out whole
    return [Draft(Op.extract, t, dict(params)) for t in turn.targets(rest)] or None


def _keep(verb: str, rest: str, turn: _Turn) -> list[Draft] | None:
    """keep/preserve/don't change X: lock the person (identity_lock), or protect X (a lock on X)."""
    what = re.sub(
        r"\s+(?:unchanged|untouched|intact|the same|as (?:it is|they are|is|before)|in place|unaltered|visible|"
        r"consistent|identical|unmodified|exactly as (?:it is|they are)|fixed|as-is|recognizable|recognisable|"
        r"clearly visible|undisturbed|preserved|unchanged and.*|natural|realistic)\b.*$",
        "",
        rest,
        flags=re.I,
    ).strip(" ,")
    protected = what != rest.strip(" ,")  # "keep only the face the same": a protection, no cut-out
    what = strip_image_tail(what)
    if not what:
        return None
    only = re.match(r"^(?:only|just)\s+(?P<x>.+)$", what, re.I) if not protected else None
    if only and not re.match(r"^(?:the\s+)?(?:same|original)\b", only["x"], re.I):  # "keep only the car", "keep just the
        return _extract("extract", only["x"], turn)  # logo", "leaving only the dog with a white background": a cut-out
    if re.fullmatch(r"(?:the|its|it's|a|an|their)", what, re.I):  # "maintaining a realistic style": a look, kept anyway
        return []
    if (
        _EVERYTHING_ELSE.match(what)
        and not is_background(what)
        or re.match(r"^(?:the\s+)?(?:same|original)\b", what, re.I)
    ):
        return []
    words = re.findall(r"[a-z]+", what.lower())
    parts = sorted({PERSON_PARTS[w] for w in words if w in PERSON_PARTS})
    if names_person(what) or parts:
        turn.person = True
        return [Draft(Op.identity_lock, params={"parts": parts} if parts and parts != ["face"] else {})]
    targets = parse_targets(what, turn.context)
    if not targets:
        return None
    return [Draft(Op.identity_lock, t) for t in targets]


def _global(text: str, turn: _Turn) -> list[Draft] | None:
    """A clause that is only a look: "black and white", "night time", "a striped background"."""
    cleaned = re.sub(r"^(?:(?:a|an|the|some)\s+)", "", text.strip(" .,").lower())
    cleaned = re.sub(
        r"\s+(?:to|on|for|over)\s+(?:the|this|it)(?:\s+(?:whole|entire))?(?:\s+(?:image|picture|photo|scene))?$",
        "",
        cleaned,
    )
    if re.search(r"\b(?:background|backdrop)$", cleaned):
        return _background(cleaned)
    tone = parse_tone(cleaned)
    if tone:
        return [Draft(Op.tone, params={"tone": tone})]
    lighting = parse_lighting(cleaned)
    if lighting:
        return _lighting(lighting)
    quality = re.sub(r"\s+(?:look|effect|feel)$", "", cleaned)  # "high contrast colorful look": a grade
    adjusted = parse_adjustment(quality) if quality != cleaned else None
    if adjusted is not None and adjusted.region is None:
        return _adjust("make", quality, turn)
    style = re.match(
        r"^(?:in\s+)?(?:the\s+)?style\s+of\s+(?P<s>.+)$|^(?:in\s+)?(?:a\s+|an\s+)?(?P<t>.+?)\s+(?:style|look|aesthetic|effect|filter)$",
        cleaned,
    )
    if style:
        return _style(style["s"] or style["t"])
    toy_style = STYLE_WORDS.get(cleaned.split()[-1]) if cleaned else None
    return _style(toy_style) if toy_style else None


def _background(text: str) -> list[Draft] | None:
    if set(re.findall(r"[a-z]+", text.lower())) & LIGHT_COMPARATIVES:  # "make background significantly darker"
        adjusted = parse_adjustment(text)
        if adjusted is not None and {op for op, _ in adjusted.parts} == {"lighting"}:
            return _lighting(parse_lighting(text) or _describe(text))
    text = re.sub(
        r"^(?:(?:a|an|the)\s+)?(?:background\s+|backdrop\s+)?(?:of\s+)?",
        "",
        strip_image_tail(text.strip()),
        flags=re.I,
    )
    text = re.sub(r"^(?:(?:a|an)\s+)", "", text, flags=re.I)
    value = parse_background(text)
    return _background_value(value) if value else None


def _background_value(value: Value) -> list[Draft] | None:
    if value.kind == "pattern":
        params = {"pattern": value.value, "color": value.extra}
    elif value.kind == "color":
        params = {"color": value.value}
    elif value.kind in ("description", "noun", "style", "lighting", "material", "texture"):
        params = {"description": _describe(str(value.value))}
    else:
        return None
    return [Draft(Op.background, params={k: v for k, v in params.items() if v})]


def _style(text: str) -> list[Draft]:
    """A style node: ``style`` is a name (a toy style or the medium said: "watercolor"), and the
    rest of what was said goes in ``description`` ("loose watercolor-wash")."""
    text = re.sub(r"^(?:make|give|apply|use|add|turn|render|create)\s+(?:it\s+)?", "", text.strip(), flags=re.I)
    look = style_mention(text)
    if look is not None and look.kind == "tone":  # "a timeless black and white masterpiece"
        return _looks(text) or []
    said = parse_style(text) or _describe(text)
    if said.lower() in LIGHTING_WORDS:  # "switch the scene to a nighttime style", "a sunset look": the time of day
        return _lighting(LIGHTING_WORDS[said.lower()])
    look = look or style_mention(said.replace("-", " "))  # "watercolor-wash": a watercolor
    name = said if said in STYLES else (str(look.value) if look is not None and look.kind == "style" else None)
    params = {"style": name, "description": said if said != name else None}
    return [Draft(Op.style, params={k: v for k, v in params.items() if v})]


def _lighting(said: str) -> list[Draft]:
    """A lighting node: a closed ``lighting`` name ("night", "bright") or a ``description``."""
    key = "lighting" if said in LIGHTING_VALUES else "description"
    return [Draft(Op.lighting, params={key: said})]


def _tone(said: str) -> list[Draft]:
    return [Draft(Op.tone, params={"tone": parse_tone(said) or _describe(said)})]


_GRAY_WORDS = re.compile(r"black[\s-]+and[\s-]+white|monochrom\w*|gr[ae]yscale|sepia", re.I)


def _looks(text: str) -> list[Draft] | None:
    """Every look a free-form sentence names: "film noir with high contrast monochrome" is a style and
    a tone; "a timeless black and white masterpiece" only a tone."""
    look = style_mention(text)
    if look is None:
        return None
    drafts = _look(look)
    style = style_mention(_GRAY_WORDS.sub(" ", text)) if look.kind == "tone" else None
    if style is None or style.kind != "style":
        return drafts
    last = str(style.value).split()[-1]  # the style is named as one: "a film noir aesthetic", "a cyberpunk
    named = last in ("style", "art") or re.search(rf"\b{re.escape(last)}\s+(?:style|aesthetic|look|art)\b", text, re.I)
    return drafts + _style(str(style.value)) if named else drafts  # style"; not "a minimalist composition"


def _look(look: Value) -> list[Draft]:
    """A look named in free text (see ``phrases.style_mention``) as a node."""
    if look.kind == "tone":
        return [Draft(Op.tone, params={"tone": str(look.value)})]
    return _style(str(look.value))


# -- helpers --------------------------------------------------------------------------------------


def _splits(text: str, words: str, from_part: bool = False):
    """Every (before, after) split of ``text`` at one of ``words`` (left to right)."""
    for m in re.finditer(rf"\s+(?:{words})\s+", text, re.I):
        before, after = text[: m.start()].strip(), text[m.end() :].strip()
        if before and after:
            yield before, after


def _each(turn: _Turn, text: str, build: Callable[[EntityRef], Draft | list[Draft]]) -> list[Draft] | None:
    drafts: list[Draft] = []
    for target in turn.targets(text):
        built = build(target)
        drafts += built if isinstance(built, list) else [built]
    return drafts or None


def _phrases(text: str, turn: _Turn) -> list[Phrase]:
    parts = [
        p
        for p in re.split(
            r"\s*(?:,\s*(?:and\s+)?|\band\s+)(?=(?:a|an|some|one|two|three|four|five|\d+)\s)", text
        )
        if p
    ]
    phrases = [parse_phrase(p, turn.context) for p in parts]
    if len(phrases) > 1 and all(p.ref for p in phrases):
        return phrases
    return [parse_phrase(text, turn.context)]


def _ref(phrase: Phrase, keep_place: bool = True) -> EntityRef:
    assert phrase.ref is not None
    return (
        phrase.ref.model_copy(update={"position": phrase.place})
        if keep_place and phrase.place
        else phrase.ref
    )


def _describe(text: str) -> str:
    """Free text for a param: lower case, no article, no trailing filler."""
    text = strip_image_tail(text.strip(" .,;:!?\"'").lower())
    text = re.sub(r"^(?:(?:a|an|the|some)\s+)", "", text)
    return re.sub(r"\s+(?:setting|environment|scene|background|backdrop)$", "", text) or text


def _number(word: str) -> int:
    return int(word) if word.isdigit() else NUMBER_WORDS[word.lower()]


# Leading verb -> handler. Longer verbs first so "take out" wins over "take".
_HANDLERS: list[tuple[str, Handler]] = [
    (_PHOTO_OPS, _photo_op),
    (r"translate", _translate),
    (_ADJUST, _adjust),
    (_REMOVE, _remove),
    (rf"{_BODY_STATE}|{_THING_STATE}", _state_verb),
    (_REPLACE, _replace),
    (_EXTRACT, _extract),
    (_KEEP, _keep),
    (_MOVE, _move),
    (_RESIZE, _resize),
    (_ADD, _add),
    (_PLACE_VERBS, _place_verb),
    (rf"{_AGE}|{_SHAPE}|{_POSTURE}", _reshape),
    (_TOUCH_UP, lambda verb, rest, turn: _touch_up(rest, turn)),
    (r"write|type|label|print|spell out", _add),
    (r"ensure|make sure|see to it|confirm|verify|check", lambda verb, rest, turn: _ensure(rest, turn)),
    (_WITH, _with),
    (_CHOOSE, _choose),
    (_CHANGE, _change),
    (_COLOR_VERB, _color_verb),
    (
        _STYLE_VERBS,
        lambda verb, rest, turn: (
            _style(verb) if is_image(rest) or rest.lower() in ("it", "everything") else None
        ),
    ),
    (r"take", lambda verb, rest, turn: _remove(verb, rest, turn) if re.search(r"\boff\b", rest) else None),
    (
        r"wear|don|show|let",
        lambda verb, rest, turn: _accessory(rest, turn, "on") or _change("make", rest, turn),
    ),
]
_VERB_HEAD = [
    (re.compile(rf"^(?P<verb>{verbs})\b[\s,:]*(?P<rest>.*)$", re.I | re.S), handler)
    for verbs, handler in _HANDLERS
]


def _participle(verb: str) -> str:
    """ "lighten" -> "lightened", "saturate" -> "saturated", "warm up" -> "warmed up", "dim" -> "dimmed"."""
    first, _, rest = verb.partition(" ")
    first = first + "d" if first.endswith("e") else first + first[-1] + "ed" if first == "dim" else first + "ed"
    return f"{first} {rest}".strip()


# "this has to be lightened a lot more", "the saturation might need to be lowered": a retouching verb said in the passive
_ADJUSTED = {_participle(verb): verb for verb in _ADJUST_SELF if verb not in _NOUN_TOO} | {
    _participle(verb): verb for verb in ("increase", "decrease", "reduce", "lower", "raise", "boost", "turn up", "turn down", "tone down")
} | {"brought up": "bring up", "brought down": "bring down"}
_PASSIVE = re.compile(
    r"^(?P<x>.+?)\s+(?:should|could|must|(?:(?:may|might|would|will)\s+)?(?:needs?|has|have)\s+to|is to|are to|will|shall|ought to|"
    r"has been|have been|to)\s+"
    rf"(?:be\s+)?(?P<verb>{'|'.join(_ADJUSTED)}|"
    r"removed|deleted|erased|eliminated|taken out|edited out|photoshopped out|expunged|eradicated|banished|expelled|purged|"
    r"wiped out|vanish|disappear|sold out|sold|eaten|eaten up|consumed|stolen|taken away|gone|"
    r"replaced|changed|turned|made|colou?red|(?:re)?painted|dyed|tinted|coated|adorned|"
    r"moved|shifted|enlarged|shrunk|resized|added|placed|situated|positioned|put|inserted|introduced|located|"
    r"become|becomes|be|look|appear|turn|get|stay|remain|adopt|take on|have|shine|gleam|glow)\b\s*(?P<y>.*)$",
    re.I,
)
_PASSIVE_VERB = {"removed": "remove", "deleted": "remove", "erased": "remove", "eliminated": "remove",
                 "taken out": "remove", "edited out": "remove", "photoshopped out": "remove", "expunged": "remove", "eradicated": "remove", "banished": "remove",
                 "expelled": "remove", "purged": "remove", "wiped out": "remove", "vanish": "remove",
                 "disappear": "remove", "sold out": "remove", "sold": "remove", "eaten": "remove",
                 "eaten up": "remove", "consumed": "remove", "stolen": "remove", "taken away": "remove",
                 "gone": "remove", "replaced": "replace", "moved": "move", "shifted": "move",
                 "enlarged": "enlarge", "shrunk": "shrink", "resized": "resize", "stay": "keep", "remain": "keep",
                 "added": "add", "placed": "add", "situated": "add", "positioned": "add", "put": "add",
                 "inserted": "add", "introduced": "add", "located": "add"}  # fmt: skip
# "Positioned to the left of the man is a ship": the place first, the new object last.
_INVERTED_ADD = re.compile(
    r"^(?:positioned|placed|situated|located|added|sitting|standing|perched)\s+(?P<where>.+?)\s+(?:is|are)\s+(?P<x>.+)$",
    re.I,
)
# "Blue shall be the bus's new color", "Yellow shall adorn the toilet", "Red for the horse's hue".
_COLOR_FIRST = re.compile(
    r"^(?P<v>[\w-]+(?:\s+[\w-]+)?)\s+(?:(?:shall|should|will|must|is|are|would)\s+(?:be\s+|become\s+)?|for\s+)"
    r"(?:(?:adorn|grace|cover|colou?r|paint|coat|dress|fill|tint)s?\s+)?"
    r"(?:the\s+(?:new\s+)?(?:colou?r|hue|shade)\s+(?:for|of)\s+)?(?P<x>.+)$",
    re.I,
)


# Longest clause the rules read. Real edit clauses are far shorter (the longest clause in ImgEdit and
# EdiVal has 219 characters); a prompt is split into clauses in linear time, and each clause costs at
# most a bounded amount, so planning time is linear in the prompt's length.
MAX_CLAUSE_CHARS = 600


# "her" that owns what follows ("her tail", "her head"), not the one acted on ("make her white", "give her a bow").
_HER_OWN = re.compile(rf"\bher(?=\s+(?:{'|'.join(sorted(ANIMAL_PARTS | BODY_PARTS))})\b)", re.I)
_HE_HIM = re.compile(r"\b(?:he|him|she|her)\b", re.I)


def _animal_pronouns(text: str, context: PlanContext) -> str:
    """ "he", "him", "her" after turns about an animal, with no one in the scene, are the animal, the
    last one named ("cut out the cat ... give him a bow tie", "then move him left": the cat, not a
    person, and not the tie edited in between)."""
    known = [*reversed(context.last_targets), *reversed(context.entities)]
    # a mask-only turn's target has no noun: it names no animal
    animal = next((ref.noun for ref in known if set((ref.noun or "").split()[-1:]) & ANIMAL_NOUNS), None)
    if animal is None or context.has_person or set(re.findall(r"[a-z]+", text.lower())) & PERSON_NOUNS:
        return text
    text = re.sub(r"\bhis\b", f"the {animal}'s", _HER_OWN.sub(f"the {animal}'s", text), flags=re.I)
    return _HE_HIM.sub(f"the {animal}", text)


class RulePlanner(Planner):
    """The default planner: deterministic English rules, no weights (see the module docstring)."""

    name = "rules"

    def __init__(
        self,
        gate: OpGate | None | str = "default",
        gate_threshold: float = 0.6,
        arbitrate_threshold: float | None | str = "default",
    ):
        """``gate``: the op gate asked about clauses the rules leave unparsed ("default": the shipped
        one; None: rules only). It decides only when its top op is at least ``gate_threshold`` likely.
        ``arbitrate_threshold``: when the rules type a clause with one op and the gate names another
        op at least this likely, the clause is typed again with the gate's op (when the words give that
        op its target and values; otherwise the rules' reading stands). None: the gate only reads what
        the rules leave unparsed; "default": ``ARBITRATE_THRESHOLD``."""
        self.gate = default_gate() if gate == "default" else gate
        self.gate_threshold = gate_threshold
        self.arbitrate_threshold = ARBITRATE_THRESHOLD if arbitrate_threshold == "default" else arbitrate_threshold

    def _plan(self, prompt: str, context: PlanContext) -> InstructionGraph:
        text = _animal_pronouns(normalize(prompt), context)
        turn = _Turn(context=context, person=context.has_person or names_person(text))
        turn.animal = bool(set(re.findall(r"[a-z]+", text.lower())) & ANIMAL_NOUNS)
        groups: list[list[Draft]] = []
        sequenced: list[bool] = []
        warnings: list[str] = []
        pending: list[str] = []  # "keep everything else" before any edit: joins the next edit's text
        gated: list[dict] = []  # what the op gate decided, for the trace
        place: str | None = None  # "in the top left, add a star": the place comes first
        for clause in split_clauses(text):
            if place is None and parse_place(_core(clause.text)):
                place = clause.text.strip(" ,")
                continue
            said_text = _core(clause.text)  # what the rules read (the gate arbitrates on the same words)
            if place is not None:
                said_text = f"{_core(clause.text)} {_core(place)}"
                drafts, problem = self._clause(said_text, turn)
                clause.text, place = f"{place}, {clause.text.strip()}", None
            elif any(groups) and any(form.match(_core(clause.text)) for form in (_FINISH, _FILL, _CAUTION)):
                drafts, problem = [], None  # joins the text of the edit it finishes, below
            else:
                drafts, problem = self._clause(clause.text, turn)
            said = _core(clause.text).split(maxsplit=1)
            verb = _gerund_verb(said[0]) if drafts is None and len(said) == 2 and not any(groups) else None
            if verb:  # "adding a little contrast.": an edit said as a gerund, not qualifying one before
                said_text = f"{verb} {said[1]}"
                drafts, problem = self._clause(said_text, turn)
            if drafts is None and _QUALIFIER.match(_LEADING.sub("", clause.text.strip())) and any(groups):
                drafts = []  # a qualifier of the previous edit: it joins that node's text below
            if drafts and self.gate is not None and self.arbitrate_threshold is not None:
                drafts = self._arbitrate(drafts, said_text, turn, gated)
            if drafts is None and problem is None and self.gate is not None:
                drafts = _gated(self.gate, self.gate_threshold, _core(clause.text), turn, gated)
            if drafts is None:
                warnings.append(f"unparsed: {clause.text.strip()!r}" + (f" ({problem})" if problem else ""))
                continue
            span = clause.text.strip(" ,;")
            drafts = _posed_somewhere(_posed_person(drafts, clause.text)) if drafts else drafts
            if drafts:
                span = ", ".join([*pending, span])
                pending.clear()
                for d in drafts:
                    d.text = span
                groups.append(drafts)
                sequenced.append(clause.sequenced)
                turn.refer_to(drafts)  # "move the lamp right and make it bigger": "it" is the lamp
            elif groups and groups[-1]:
                for d in groups[-1]:
                    d.text = f"{d.text}, {span}" if d.text else span
            else:
                pending.append(span)
        if place is not None:
            warnings.append(f"unparsed: {place!r} (a place with no edit)")
        if pending:
            warnings.extend(f"unparsed: {span!r} (no edit to attach it to)" for span in pending)
        drafts = _cut_then_placed([d for group in groups for d in group])
        drafts = _cut_from_backdrop(drafts)
        if any(d.op is Op.extract for d in drafts):  # a plain backdrop beside a cut-out is the cut-out's: "delete
            # everything in the background and put the dog on a plain white background", "remove the background and
            # keep only the subject", "cut out the person and set a pure white background" are one cut-out each
            backdrops = [d for d in drafts if d.op is Op.background and _plain_backdrop(d.params)]
            color = next((b.params["color"] for b in backdrops if "color" in b.params), None)
            drafts = [
                Draft(d.op, d.target, {**d.params, "background": color}, d.text)
                if color and d.op is Op.extract and not d.params.get("background")
                else d
                for d in drafts
                if d not in backdrops
            ]
        lock = [d for d in drafts if d.op is Op.identity_lock and d.target is None]
        if turn.person and not lock:
            drafts.insert(0, Draft(Op.identity_lock))
        elif len(lock) > 1:  # one lock for the person, with every part named
            parts = sorted({p for d in lock for p in d.params.get("parts", [])})
            merged = Draft(
                Op.identity_lock,
                params={"parts": parts} if parts and parts != ["face"] else {},
                text="; ".join(d.text for d in lock),
            )
            drafts = [merged, *[d for d in drafts if d not in lock]]
        elif lock:
            drafts = [lock[0], *[d for d in drafts if d is not lock[0]]]
        drafts = sorted(drafts, key=lambda d: d.op is not Op.identity_lock)  # locks first, as gold graphs
        nodes = _nodes(drafts, warnings)
        by_draft = {id(d): n for d, n in zip(drafts, nodes)}
        explicit = _explicit_order(groups, sequenced, by_draft, text)
        style_first = any(a.role is Role.style and b.role is Role.object for a, b in explicit)
        graph = link(nodes, prompt=prompt, style_after_objects=not style_first)
        _chain_repeated_looks(graph, nodes)
        for before, after in explicit:
            graph.add_edge(before.id, after.id)
        graph.warnings.extend(warnings)
        if gated:
            decided = {n.id: ("gate" if any(d is g["draft"] for g in gated) else "rules") for d, n in zip(drafts, nodes)}
            graph.trace.append({
                "event": "plan", "planner": self.name, "decided_by": decided,
                "gate": [{"clause": g["clause"], "op": g["op"], "p": g["p"]} | ({"overrode": g["overrode"]} if "overrode" in g else {})
                         for g in gated],
            })  # fmt: skip
        return graph

    def _arbitrate(self, drafts: list[Draft], core: str, turn: _Turn, gated: list[dict]) -> list[Draft]:
        """The rules typed ``core`` with ``drafts``; when they are one op (no protection) and the gate
        names another op at least ``arbitrate_threshold`` likely, the gate's op with the words' target
        and values (``_gated``'s builders), recorded as overriding the rules' op."""
        ops = {d.op for d in drafts}
        if len(ops) != 1 or Op.identity_lock in ops or not core:
            return drafts
        (rules_op,) = ops
        if rules_op is Op.attribute and all(d.target is not None and d.target.noun == PERSON for d in drafts):
            return drafts  # a person's accessory, hair or expression: the schema's convention, the rules know it
        op, p = self.gate.predict(core)
        if op is rules_op or p < self.arbitrate_threshold:
            return drafts
        mine: list[dict] = []
        retyped = _gated(self.gate, self.arbitrate_threshold, core, turn, mine, predicted=(op, p))
        if not retyped:
            return drafts
        gated += [g | {"overrode": rules_op.value} for g in mine]
        return retyped

    def _clause(self, clause: str, turn: _Turn) -> tuple[list[Draft] | None, str | None]:
        core = _core(clause)
        if not core:
            return [], None
        if len(core) > MAX_CLAUSE_CHARS:  # the readers try splits of a clause: bounded, planning stays linear
            return None, f"a clause of {len(core)} characters; split it into sentences of at most {MAX_CLAUSE_CHARS}"
        if _ASIDE.match(clause.strip()) or _ASIDE.match(core):  # no edit: it joins the text of the edit beside it
            return [], None
        try:
            follow_up = _follow_up(clause, core, turn)
            return (follow_up if follow_up is not None else _read(core, turn)), None
        except Unresolved as exc:
            return None, str(exc)


# Elliptical follow-ups: the previous turn's edit(s), said again for a new target.
_SAME = re.compile(
    r"^(?:(?:please\s+)?(?:do|apply|repeat|make)\s+)?(?:exactly\s+)?(?:the\s+)?(?:same|ditto|likewise)"
    r"(?:\s+(?:thing|edit|change|again|here))?(?:\s+goes)?(?:\s+(?:to|for|with|on)\s+(?P<x>.+))?$",
    re.I,
)
# "even more", "a bit more", "once more", "do it again": the previous edit again, further
_MORE_OF_IT = re.compile(
    r"^(?:do\s+(?:it|that|this)(?:\s+again)?|(?:do\s+(?:it|that)\s+)?(?:again|once\s+more)|(?:(?:even|much|way|slightly|a\s+(?:little|bit|tad|lot))\s+)*(?:more|further))$",
    re.I,
)
_ALSO = re.compile(
    r"^[\s\W]*(?:(?:and|now|but)\s+)*(?:also|plus)\b|\b(?:too|as\s+well|also)[\s.!?]*$"
    r"|^[\s\W]*and\s+(?=(?:the|this|that|these|those|his|her|their|its|my|your|our)\s)",  # "and the person's chair"
    re.I,
)
_ONE = re.compile(r"^(?:the|that)\s+(?:other\s+)?(?:[a-z]+\s+)?one\b", re.I)
_BARE_COMPARATIVE = re.compile(
    r"^(?:(?:a\s+(?:little\s+)?bit|a\s+little|a\s+lot|much|slightly|even|way)\s+)?(?:bigger|larger|smaller|taller|shorter|wider|"
    r"brighter|darker|warmer|cooler|lighter|(?:more|less)\s+[a-z]{3,})$",
    re.I,
)


def _follow_up(clause: str, core: str, turn: _Turn) -> list[Draft] | None:
    """A turn that says no edit of its own repeats the previous turn's: "do the same to the chair",
    "same for the cup", "the chair too", "also the one on the left". None when the clause is no such
    follow-up (it has a verb, or no word that points back)."""
    same = _SAME.match(core)
    if same:
        return _repeat(same["x"], turn)
    if _MORE_OF_IT.match(core) and turn.context.last_edits:
        return _repeat(None, turn)
    said_verb = re.match(rf"^{_VERB}\b", core, re.I) or re.search(r"\b(?:can|should|may|must|will)\s+[a-z]+", core, re.I)
    graded = turn.context.last_edits and all(n.op in _GRADES for n in turn.context.last_edits)
    quality = parse_adjustment(core) if graded and not said_verb else None
    if quality is not None and quality.region is None:  # "Bring up the contrast", then "and hue a bit": the hue too
        return [d for op, part in quality.parts for d in _adjusted(op, part)]
    if not said_verb and turn.context.last_edits and _BARE_COMPARATIVE.match(core):  # "make it blue", then "and a bit
        return _read_clause(f"make it {core}", turn)  # bigger": what was edited, bigger
    if said_verb or not (_ALSO.search(clause) or _ONE.match(core)):
        return None
    if not turn.context.last_edits or parse_targets(core, turn.context) is None:
        return None
    if all(n.op is Op.add for n in turn.context.last_edits):  # "add explosions", then "and the text 2015 Howay
        return _read_clause(f"add {core}", turn)  # Invitational": added too, each thing read as what it is (words: text)
    return _repeat(core, turn)


def _repeat(said: str | None, turn: _Turn) -> list[Draft]:
    """The previous turn's edits again, same op and params, on what ``said`` names (the same targets
    when nothing is named); an edit of the whole image stays one."""
    if not turn.context.last_edits:
        raise Unresolved("the same as what? No edit came before; say the edit")
    targets = turn.targets(said) if said and not is_image(said) else None
    drafts: list[Draft] = []
    seen: set[str] = set()
    for node in turn.context.last_edits:
        params = node.params.model_dump(exclude_none=True)
        key = f"{node.op.value}:{params}"
        if node.target is None or targets is None:
            drafts.append(Draft(node.op, node.target, params))
        elif key not in seen:
            drafts += [Draft(node.op, t, dict(params)) for t in targets]
        seen.add(key)
    return drafts


def _gated(
    gate: OpGate, threshold: float, core: str, turn: _Turn, gated: list[dict], predicted: tuple[Op, float] | None = None
) -> list[Draft] | None:
    """A clause the rules left unparsed (or typed otherwise, see ``RulePlanner._arbitrate``), typed by
    the op gate. The op comes from the gate (``predicted``: its answer, already asked); the target and
    the values still come from the words (no value said, no node: the clause stays a warning)."""
    op, p = predicted or gate.predict(core)
    if p < threshold or not core:
        return None
    words = core.split()
    said = " ".join(w for w in words[1:] if not parse_color(w)) or core  # without its verb and colour
    refs: list[EntityRef] | None = None
    if op.needs_target:
        refs = [r for r in parse_targets(said, turn.context) or [] if not is_abstract(r) and not is_image(r.noun or "")]
        if not refs:
            return None
    color = next((parse_color(w) for w in re.findall(r"[a-z]+", core.lower()) if parse_color(w)), None)
    place, _ = find_place(core)
    build: dict[Op, Callable[[], list[Draft] | None]] = {
        Op.background: lambda: [Draft(Op.background, params={"description": _describe(said)})],
        Op.lighting: lambda: _lighting(parse_lighting(said) or _describe(said)),
        Op.style: lambda: _style(said),
        Op.tone: lambda: _tone(said),
        Op.text: lambda: _text_edit(core, turn, "write"),
        Op.remove: lambda: [Draft(Op.remove, r) for r in refs or []],
        Op.extract: lambda: [Draft(Op.extract, r) for r in refs or []],
        Op.add: lambda: [Draft(Op.add, r, {"position": place} if place else {}) for r in refs or []],
        Op.recolor: lambda: [Draft(Op.recolor, r, {"color": color}) for r in refs or []] if color else None,
        Op.move: lambda: [Draft(Op.move, r, {"position": place}) for r in refs or []] if place else None,
        Op.pose: lambda: [Draft(Op.pose, r, {"pose": "other", "description": _describe(said)}) for r in refs or []],
        Op.attribute: lambda: [Draft(Op.attribute, r, {"name": "state", "value": _describe(said)}) for r in refs or []],
    }
    drafts = build[op]() if op in build else None
    if drafts:
        gated += [{"draft": d, "clause": core, "op": op.value, "p": round(p, 3)} for d in drafts]
    return drafts or None


def _core(clause: str) -> str:
    """A clause without its fillers: "please, now make it blue." -> "make it blue"."""
    core = _TRAILING.sub("", _LEADING.sub("", clause.strip())).strip(" ,")
    core = re.sub(r"\s*\([^()\"']*\)$", "", core)  # "... more natural (pop a little)": an aside
    quote = re.fullmatch(r"(?P<q>[\"'])(?P<inner>[^\"']*)(?P=q)", core)
    return quote["inner"].strip() if quote else core.removeprefix('"').strip()


_DEF = r"(?:the|this|that|these|those|my|his|her|their|its|our|your)\s"
_PUT_IN = r"add|put|place|insert|draw|bring\s+in"
_FLAWS = "|".join(w.replace("-", r"[\s-]") for w in FLAWED_LOOKS)  # "washed out", "washed-out"
_SOMEWHAT = r"(?:(?:a\s+(?:bit|little|lot)|way|much|very|kind\s+of|slightly|really|quite|rather|so)\s+)*"
_WANT = r"(?:\s+(?:want|need|would\s+like|wish\s+for|prefer)|'d\s+like)\s+"
_INDEF = r"(?:a|an|some|one|two|three|four|five|\d+|more|another)\s"
_PLACE_WORDS = r"(?:on|at|in|to)\s+the\s+(?:very\s+)?(?:top|bottom|left|right|center|centre|middle|upper|lower)\b"
# "erase everything except the logo": the logo kept alone (the exception is the target, not a spared part)
_ERASE = r"(?:remove|delete|erase|get\s+rid\s+of|take\s+out|clear|cut\s+out)"
_ALL_BUT = re.compile(
    rf"^{_ERASE}(?:\s+or\s+{_ERASE})?\s+(?:everything|all)(?:\s+else)?(?:\s+(?:from|in)\s+(?:the|this)\s+(?:image|photo|picture|pic))?\s+"
    r"(?:except(?:\s+for)?|but|apart\s+from|other\s+than)\s+"
    r"(?P<x>(?:the|my|his|her|their|this|that)\s+.+)$",
    re.I,
)
_CLOUDED = r"cloudy|overcast|gr[ae]y|stormy|hazy|dull|grey\s+and\s+cloudy|gray\s+and\s+cloudy"  # a sky said by its weather
_ON_TRANSPARENT = r"(?:on|with|against|onto)\s+(?:an?\s+)?transparent\s+(?:background|backdrop|bg)"  # nothing behind it
# Clause forms other than the imperative, each said again as one: a question, a request, a described
# target state, "instead of". Each form starts differently, so at most one applies; none depends on
# another having been tried first.
_FORMS: list[tuple[re.Pattern, str]] = [
    (r"^(?:what\s+if|imagine\s+(?:if\s+)?|suppose|how\s+about\s+if)\s+(?P<x>.+?)\s+(?:had|has|got)\s+(?P<y>.+)$", "give {x} {y}"),
    (r"^(?:what\s+if|imagine\s+(?:if\s+)?|suppose|how\s+about\s+if)\s+(?P<x>.+?)\s+(?:is|are|was|were|became|turned\s+into)\s+(?P<y>.+)$", "make {x} {y}"),
    # "What would happen if a sailboat suddenly capsized?": the event as the object's new state
    (r"^(?:what\s+(?:would|will)\s+happen\s+if|what\s+happens\s+if|what\s+if)\s+(?P<x>.+?)\s+(?:[a-z]+ly\s+)?(?P<y>[a-z]+ed)$", "make {x} {y}"),
    (rf"^(?:i|we){_WANT}(?P<y>.+?)\s+instead\s+of\s+(?P<x>.+)$", "replace {x} with {y}"),
    # "Need the red Ford GT photoshopped out of the background", "I want the trash can taken out": it goes
    # "Could I get the girl removed from the back of the photo": the same, asked for
    (r"^(?:(?:i|we)\s+)?(?:need|want|would\s+like|'d\s+like|(?:(?:could|can|may)\s+(?:i|we)\s+(?:please\s+)?)?get)\s+(?P<x>(?!to\b|rid\b).+?)\s+(?:to\s+be\s+)?(?:(?:photoshopped|shopped|edited|"
     r"taken|cut|cropped|airbrushed|cloned|painted)\s+out|removed|erased|deleted|gone)(?:\s+(?:of|from)\s+.+)?$", "remove {x}"),
    (rf"^(?:i|we){_WANT}(?P<x>.+?)\s+(?:to\s+be\s+)?(?:gone|removed|deleted|erased|out)$", "remove {x}"),
    # "Need the background replaced with something nicer", "I want the sofa swapped for a bench": it is replaced
    (r"^(?:(?:i|we)\s+)?(?:need|want|would\s+like|'d\s+like)\s+(?P<x>(?!to\b).+?)\s+(?:to\s+be\s+)?(?:replaced|swapped|exchanged)\s+"
     r"(?:with|for|by)\s+(?P<y>.+)$", "replace {x} with {y}"),
    # "make it look like it was taken at golden hour": the time of day of the image
    (rf"^make\s+(?:it|this|(?:the|this)\s+(?:image|photo|picture|pic|shot))\s+(?:look|seem)\s+(?:like|as\s+if)\s+(?:it|this)\s+(?:was|were|is)\s+"
     rf"(?:taken|shot|photographed)\s+(?:at|during|in\s+the)\s+(?P<y>{'|'.join(LIGHTING_WORDS)})$", "make it {y}"),
    # "make photo look like its in day time", "make it look like it is at dusk": that time of day
    (rf"^make\s+(?:it|this|(?:the\s+|this\s+)?(?:image|photo|picture|pic|shot))\s+(?:look|seem)\s+(?:like|as\s+if)\s+(?:it'?s|it\s+is|it\s+was)\s+"
     rf"(?:(?:in|at|during)\s+(?:the\s+)?)?(?P<y>{'|'.join(LIGHTING_WORDS)})(?:\s+(?:and\s+)?(?:bright|dark|sunny))?$", "make it {y}"),
    # "make it look like the man is bathed in sunlight instead of in the shadows": the light on him
    (r"^make\s+(?:it|this|(?:the|this)\s+(?:image|photo|picture|pic))\s+(?:look|seem)\s+(?:like|as\s+if)\s+.+?\s+(?:is|are|was|were)\s+"
     r"(?:bathed|lit|drenched|illuminated|basking)\s+(?:in|by)\s+(?P<y>.+?)(?:\s+instead\s+of\b.*)?$", "change the lighting to {y}"),
    # "have a go at removing the people", "try brightening it": the edit said as a gerund after a try
    (r"^(?:try|attempt|have\s+a\s+(?:go|try|crack|stab)\s+at|take\s+a\s+(?:stab|shot|crack)\s+at|give\s+(?:it\s+)?a\s+(?:go|try)\s+"
     r"(?:at|by)|go\s+about|work\s+on|start)\s+(?P<x>[a-z]+ing\s.+)$", "{x}"),
    (rf"^(?:i|we){_WANT}(?P<x>{_DEF}.+?)\s+to\s+(?:be|look|become)\s+(?P<y>.+)$", "make {x} {y}"),
    (rf"^(?:i|we){_WANT}(?P<x>{_INDEF}.+)$", "add {x}"),
    # "Can I get a PNG cutout of my friend to use it ...", "make a transparent cut-out of the logo", "get a png of this girl
    # on transparent background": the subject cut out
    (r"^(?:(?:could|can|may)\s+(?:we|i)\s+(?:please\s+)?(?:have|get)|get(?:\s+me)?|give\s+me|make|create|(?:i|we)\s+(?:want|need|'d\s+like|would\s+like))\s+"
     r"(?:an?\s+)?(?:(?:png|transparent|clean)\s+)*(?:cut[\s-]?out|png)\s+of\s+(?P<x>.+?)"
     rf"(?:\s+{_ON_TRANSPARENT})?(?:\s+(?:to|for|so)\s+.+)?$", "cut out {x}"),
    # "make my daughter into a transparent PNG", "make the trooper have a transparent background", "remove the background so
    # it's just the talon and the ball": the subject cut out, nothing behind it (not a new backdrop)
    (r"^(?:make|turn|convert)\s+(?P<x>(?!it\b|this\b|(?:the|this)\s+(?:image|photo|picture|pic)\b).+?)\s+(?:into|to)\s+(?:an?\s+)?(?:transparent\s+)?png$",
     "cut out {x}"),
    (rf"^(?:make|let|have|give)\s+(?P<x>(?!it\b|this\b|(?:the|this)\s+(?:image|photo|picture|pic)\b).+?)\s+(?:(?:have|get)\s+(?:an?\s+)?transparent\s+(?:background|backdrop|bg)|{_ON_TRANSPARENT})$",
     "cut out {x}"),
    (rf"^{_ERASE}\s+(?:the\s+|all\s+(?:the\s+)?)?(?:background|backdrop)\s+so\s+(?:that\s+)?(?:it'?s|it\s+is|there'?s|there\s+is)\s+"
     r"(?:just|only)\s+(?P<x>(?!(?:white|transparent|clean|plain)\b).+)$", "cut out {x}"),
    (r"^(?:could|can|may|might)\s+(?:we|i|you|they)\s+(?:please\s+)?(?:have|get|see)\s+(?P<x>.+)$", "add {x}"),
    (r"^(?:let\s+there\s+be|there\s+(?:should|could|must|needs?\s+to)\s+be|i\s+see)\s+(?P<x>(?!no\s).+)$", "add {x}"),
    (rf"^have\s+(?P<x>{_INDEF}.+)$", "add {x}"),
    (r"^(?:let|have|make)\s+(?P<x>.+?)\s+(?:have|grow|get|sport)\s+(?P<y>.+)$", "give {x} {y}"),
    # "color correct to a more yellow hue", "colour-correct the photo towards blue": the photo's colours corrected
    (r"^colou?r[\s-]?correct(?:\s+(?:it|the\s+(?:image|photo|picture)))?\s+(?:to|towards?)\s+(?P<y>.+)$", "correct the colours to {y}"),
    # "Correct spelling of the blue label to 'Nitrogen'": the label's text changed
    (r"^(?:correct|fix|change|update)\s+(?:the\s+)?spelling\s+(?:of|on|in)\s+(?P<x>.+?)\s+to\s+(?P<y>.+)$", "change {x} to {y}"),
    # "drop the envelope": a thing of the photo dropped from it (a thing dropped somewhere is put there)
    (rf"^drop\s+(?!(?:his|her|their|its|my|your)\s|.*\b(?:arms?|hands?|legs?|head|shoulders?|chin|feet|foot|gaze|eyes)$)(?P<x>{_DEF}(?:(?!\b(?:on|onto|in|into|to|from|off|down|by|under|behind|near|next)\b)[\w\s'-])+)$", "remove {x}"),
    # "Replace blue color of barn with a classic dark red": the barn's colour changed, the colour said first
    (rf"^(?:replace|swap)\s+(?:the\s+)?(?:(?:{_BASIC_COLOR})\s+)?(?P<q>colou?r|hue|shade)\s+of\s+"
     r"(?P<x>.+?)\s+(?:with|for)\s+(?P<y>.+)$", "change the {q} of {x} to {y}"),
    # "Take out some yellow", "remove a bit of the red", "removing the grey": less of a colour in the photo, no yellow thing
    (rf"^(?:take\s+out|remove|get\s+rid\s+of|cut\s+out)\s+(?:(?:some|a\s+(?:bit|little|lot)|much)\s+(?:of\s+)?(?:the\s+)?|(?:all\s+)?the\s+)"
     rf"(?P<y>{_BASIC_COLOR}|grey)(?:\s+(?:tones?|tints?|hues?|colou?rs?|cast))?$", "reduce the {y} tone"),
    # "Reduce the amount of warm colors in favor of cool colors": the warm colours reduced
    (r"^(?P<v>reduce|decrease|lower|lessen|increase|boost|raise)\s+the\s+(?:amount|level|quantity)\s+of\s+"
     r"(?P<y>(?:[\w-]+\s+)?(?:colou?rs?|tones?|hues?))(?:\s*,?\s+in\s+favou?r\s+of\s+.+)?$", "{v} the {y}"),
    # "adjust lighting from warm to cool", "shift the light from cool to warm": the warmth changed, a grade
    (r"^(?:adjust|change|shift|switch|turn|take|move|bring)\s+(?:[a-z]+\s+){0,3}?from\s+(?:warm|cool|cold)(?:er)?\s+(?:in)?to(?:wards?)?\s+"
     r"(?P<y>warm|cool|cold)(?:er)?$", "make the colours {y}"),
    # "make it at night", "make it during sunset": the time of day of the image
    (rf"^make\s+(?:it|this|everything)\s+(?:at|during|in\s+the)\s+(?P<y>{'|'.join(LIGHTING_WORDS)})$", "make it {y}"),
    # "Please edit image to look more bright, colorful and clear", "adjust the photo so it looks warmer": made to look so
    (r"^(?:edit|change|adjust|alter|modify|retouch|tweak)\s+(?P<x>(?:the\s+|this\s+)?(?:image|photo|picture|pic|it))\s+"
     r"(?:to|so\s+(?:that\s+)?it)\s+(?:looks?|appears?|seems?)\s+(?P<y>(?!as\s+(?:if|though)\b).+)$", "make {x} look {y}"),
    # "place the subject farther back in the room", "move the dog further forward": deeper into or out of the scene
    (rf"^(?:place|put|move|set|push|shift|sit)\s+(?P<x>{_DEF}.+?|it|them|him|her)\s+(?:(?:a\s+bit|a\s+little|slightly|much)\s+)?"
     r"(?:farther|further)\s+(?:back|backwards?|away)\b.*$", "move {x} to the back"),
    (rf"^(?:place|put|move|set|push|shift|bring)\s+(?P<x>{_DEF}.+?|it|them|him|her)\s+(?:(?:a\s+bit|a\s+little|slightly|much)\s+)?"
     r"(?:farther|further)\s+(?:forwards?|front|up\s+front)\b.*$", "move {x} to the front"),
    # "shop my buddy's pic to have a plain white background", "give it a white backdrop": the photo's background
    (r"^(?:edit|shop|photoshop|change|fix|alter|modify)\s+(?:it|this|(?:the|this|my|[a-z]+'s)\s+(?:[a-z']+\s+){0,2}?(?:image|photo|picture|pic|shot))\s+"
     r"(?:to|so\s+(?:that\s+)?it)\s+(?:has|have)\s+(?P<y>.+)$", "give the image {y}"),
    (r"^give\s+(?:it|this)\s+(?P<y>(?:a|an)\s+(?:[\w-]+\s+){0,3}(?:background|backdrop))$", "give the image {y}"),
    # "Please enhance for a vivid, bright photo", "edit it for a warmer look": the photo made so
    (r"^(?:enhance|edit|retouch|adjust|tweak|fix)(?:\s+(?:it|this|(?:the|this)\s+(?:image|photo|picture|pic)))?\s+(?:for|to\s+(?:get|give))\s+"
     r"(?:a|an|the)\s+(?P<y>.+?)\s+(?:photo|image|picture|pic|look|result|feel)$", "make it {y}"),
    # "Fix the overexposed background.", "correct the dark foreground": that region's light set right
    (r"^(?:fix|correct|repair)\s+(?:the\s+)?(?:overexposed|over-exposed|blown[\s-]out|too\s+bright)\s+(?P<x>.+)$", "darken {x}"),
    (r"^(?:fix|correct|repair)\s+(?:the\s+)?(?:underexposed|under-exposed|dark|too\s+dark|dim|shadowy)\s+(?P<x>.+)$", "brighten {x}"),
    # "change the red on the car to blue", "turn the turquoise of the vanity to white": that thing's colour
    (rf"^(?:change|turn|switch|make)\s+(?:the|all\s+the)\s+(?:{_ANY_COLOR})\s+(?:on|of|in)\s+(?P<x>(?!(?:the\s+)?(?:left|right|top|bottom|middle|center|centre)\b).+?)\s+(?:to|into)\s+"
     rf"(?P<y>(?:(?:a|an)\s+)?(?:[a-z-]+\s+)?(?:{_ANY_COLOR})(?:\s+colou?r)?)$", "change the colour of {x} to {y}"),
    # "change the shirt color", "alter the car's colour": that thing's colour, no colour named yet (a recolour)
    (r"^(?:change|alter|switch)\s+(?P<x>(?:the|his|her|their|my|its)\s+(?!(?:image|photo|picture|pic|overall|whole|entire)\b)"
     r"(?![a-z\s-]*\b(?:hair|eyes?|skin|lips|background|backdrop|sky|text|font)\s+colou?r$)[a-z][a-z\s'-]*?)(?:'s)?\s+colou?r$",
     "change the colour of {x}"),
    # "Make the cloudy sky blue.", "make the sky blue instead of cloudy": the weather of the sky, a new sky (a clear
    # sky's colour, "make the sky bluer", is a recolour)
    (rf"^make\s+(?:the\s+)?(?:{_CLOUDED})\s+sky\s+(?P<y>[a-z]+(?:\s+(?!and\b|instead\b)[a-z]+)?)$", "change the sky to a {y} sky"),
    (rf"^make\s+(?:the\s+)?sky\s+(?P<y>.+?)\s+(?:instead\s+of|rather\s+than|not)\s+(?:{_CLOUDED})$", "change the sky to a {y} sky"),
    # "make it winter", "turn the scene autumn": the season of the image, said bare ("fall" is also a verb: not alone)
    (rf"^(?:make|turn)\s+(?:it|this|everything|(?:the|this)\s+(?:image|scene|photo|picture))\s+(?P<y>{'|'.join(SEASONS - {'fall'})})$",
     "change the season to {y}"),
    # "Show him in full profile facing left", "have her face the camera": the person turned that way
    (rf"^(?:show|depict|portray)\s+(?P<x>{_WHO})\s+in\s+(?P<y>(?:an?\s+)?(?:(?:full|side|half|three[\s-]quarters?)\s+)?(?:profile|view)\b.*)$",
     "turn {x} to {y}"),
    (rf"^(?:make|have|let|get)\s+(?P<x>{_WHO})\s+(?:to\s+)?face\s+(?:to(?:wards?)?\s+)?(?P<y>(?:the\s+)?(?:left|right|camera|viewer|lens|front|forward|away|sideways))$",
     "turn {x} to face {y}"),
    # "Switch to an American cartoon animation effect", "switch over to black and white": the image switched
    (r"^switch\s+(?:over\s+)?to\s+(?P<y>(?!(?:the\s+)?(?:left|right|other)\b).+)$", "turn the image into {y}"),
    # "Help taking this woman out of the picture", "help me with removing the man": the edit asked for
    (r"^help\s+(?:(?:me|us)\s+)?(?:with\s+|in\s+)?(?P<x>[a-z]+ing\s+(?!me\b|us\b).+)$", "{x}"),
    (r"^help\s+(?P<x>(?!me\b|us\b|to\b|make\b|change\b).+)$", "make {x}"),  # "help the dog jump": make it jump
    (r"^(?P<x>.+?)\s+(?:can|should|may|must|will)\s+(?:stay|remain)(?:\s+as\s+(?:it\s+is|they\s+are))?$", "keep {x}"),
    # "same face", "identical pose; same room, same light": a protection said without its verb ("same for the car" repeats)
    (r"^(?:the\s+)?(?P<x>(?:same|identical)\s+(?!(?:thing|edit|change|again|here|goes|for|to|with|on)\b)[a-z].*)$", "keep the {x}"),
    # "Draw the scene after removing the balloon", "draw what the image will look like once the snow has
    # melted", "show the picture after the oranges have been sold": the event is the edit
    (r"^(?:draw|show|depict|render|generate|create|imagine)\s+(?:the\s+(?:scene|image|picture|photo)|what\s+(?:the|this)\s+"
     r"(?:scene|image|picture|photo)\s+(?:will|would)\s+look\s+like|(?:an?\s+)?(?:image|picture|version))\s+"
     r"(?:after|once|when)\s+(?P<x>.+)$", "{x}"),
    # "Generate an image of the character smiling based on this photo": the character shown doing it
    (rf"^(?:generate|create|make|draw|render|produce)\s+(?:an?\s+)?(?:image|picture|photo|version)\s+of\s+(?P<x>(?:{_WHO})\s+[a-z]{{3,}}ing\b.*?)"
     r"(?:\s+(?:based\s+on|from|using)\s+(?:this|the|my)\s+(?:photo|image|picture|pic))?$", "show {x}"),
    # "Generate an ink wash painting-style image", "create a watercolor-style version of this photo": the
    # photo in that style (an edit of the given picture, not a new thing added)
    # "Generate a Pixar-style animation", "a collage-style artwork", "a pixel-art avatar based on this girl's photo"
    (r"^(?:generate|create|make|produce|render|give\s+me)\s+(?:a|an)\s+(?P<x>(?!new\b).+?)(?:[\s-]+styled?\s+"
     r"(?:image|picture|photo|version|rendition|edition|copy|animation|artwork|illustration|avatar|portrait|render|rendering)"
     r"(?:\s+of\s+(?:it|(?:this|the|my)(?:\s+(?:image|picture|photo|pic|scene|shot))?))?|\s+(?:version|rendition|avatar|portrait)\s+"
     r"(?:based\s+on|from|of)\s+(?:this|the|my)\s+(?:[\w-]+(?:'s)?\s+)?(?:image|picture|photo|pic|selfie))"
     r"(?:\s+(?:with|against|on)\s+(?:a|an)\s+[^,.;]+?\s+(?:background|backdrop))?$",  # its backdrop: _WITH_BACKGROUND
     "apply a {x} style"),
    # "edit this photo to remove the quote", "photoshop the picture so that the sky is blue": the edit said after it
    (r"^(?:edit|photoshop|retouch|fix|modify|alter)\s+(?:the|this|my|our)\s+(?:image|picture|photo|pic)\s+(?:to|so\s+(?:that\s+)?)\s+(?P<x>.+)$", "{x}"),
    # "Make it look like the girl is jumping with everyone", "make the photo look as if the dog is sleeping": shown doing it
    (rf"^(?:make|have)\s+(?:it|this|(?:the|this)\s+(?:image|picture|photo|pic|scene))\s+(?:look|seem|appear)\s+(?:like|as\s+(?:if|though))\s+"
     rf"(?P<x>{_WHO})(?:'s|'re|\s+is|\s+are|\s+was|\s+were)\s+(?P<y>[a-z]{{3,}}ing\b.*)$", "show {x} {y}"),
    (r"^(?:make|have)\s+(?:it|this|(?:the|this)\s+(?:image|picture|photo|pic|scene))\s+(?:look|seem|appear)\s+(?:like|as\s+(?:if|though))\s+"
     r"(?:he|she)(?:'s|\s+is|\s+was)\s+(?P<y>[a-z]{3,}ing\b.*)$", "show the person {y}"),  # "make it look like she is dancing"
    # "remove the background so only the dog remains", "erase everything except the logo": the one kept, cut out
    (r"^(?:remove|delete|erase|get\s+rid\s+of|take\s+out|clear)\s+(?:the\s+)?(?:whole\s+|entire\s+)?(?:background|backdrop)\s*,?\s+so\s+(?:that\s+)?"
     r"(?:only|just)\s+(?P<x>.+?)\s+(?:remains?|is\s+left|stays?|shows?)$", "cut out {x}"),
    (_ALL_BUT.pattern, "cut out {x}"),
    # "make it so that Mario has no background", "the product should have no backdrop": the subject cut out
    (r"^(?:make\s+(?:it|this)\s+so\s+(?:that\s+)?)?(?P<x>(?!(?:it|this|the\s+(?:image|photo|picture))\b).+?)\s+(?:has|have|should\s+have|gets?)\s+no\s+"
     r"(?:background|backdrop)$", "cut out {x}"),
    # "Generate a version where the girl on the right looks slimmer", "show an image in which the dog is asleep"
    (rf"^(?:generate|create|make|show|render|produce|give\s+me)\s+(?:an?\s+)?(?:version|image|picture|photo|one)\s+(?:where|in\s+which)\s+"
     rf"(?P<x>{_WHO})\s+(?:is|are)\s+(?P<y>[a-z]{{3,}}ing\b.*)$", "show {x} {y}"),
    (rf"^(?:generate|create|make|show|render|produce|give\s+me)\s+(?:an?\s+)?(?:version|image|picture|photo|one)\s+(?:where|in\s+which)\s+"
     rf"(?P<x>{_DEF}.+?)\s+(?:looks?|appears?|seems?|is|are)\s+(?P<y>.+)$", "make {x} {y}"),
    (r"^(?:generate|create|make|show|render|produce|give\s+me)\s+(?:an?\s+)?(?:version|image|picture|photo|one)\s+(?:where|in\s+which)\s+"
     r"(?P<x>(?:an?|some|\d+|two|three)\s+.+?)\s+(?:is|are)\s+(?:added|placed|inserted|put)\b(?P<y>.*)$", "add {x}{y}"),  # "where a tent is added"
    (r"^(?:generate|create|make|show|render|produce|give\s+me)\s+(?:an?\s+)?(?:version|image|picture|photo|one)\s+(?:where|in\s+which)\s+(?P<x>.+)$", "{x}"),
    # "transform the image into one where the woman tilts her head": what happens in it
    (r"^(?:transform|turn|change|convert|make)\s+(?:the\s+|this\s+)?(?:image|picture|photo|scene|it)\s+(?:in)?to\s+"
     r"(?:one|an?\s+(?:image|picture|photo|scene|version))\s+(?:where|in\s+which)\s+(?P<x>.+)$", "{x}"),
    # "the woman tilts her head", "the dog jumps over the log": an action told, the subject does it ("the
    # sky turns orange", "the light looks dull" tell a look)
    (rf"^(?P<x>(?:the|this|that|a|an)\s+[a-z]+(?:\s+[a-z]+)?)\s+(?P<v>{'|'.join(sorted(set(ACTION_WORDS) - {'look', 'turn'}))})s\b(?P<y>.*)$",
     "make {x} {v}{y}"),
    # "switch the lamp on", "turn on the lanterns so they glow": a thing's state (the scene's lights: below)
    (r"^(?:turn|switch|flip)\s+(?P<x>(?!(?:on|off)\b)(?!.*\blights?\b).+?)\s+(?P<s>on|off)(?:\s+(?:so|and|again|now)\b.*)?$",
     "make {x} switched {s}"),
    (r"^(?:turn|switch|flip)\s+(?P<s>on|off)\s+(?P<x>(?!.*\blights?\b).+)$", "make {x} switched {s}"),
    # "light the candle", "light the fireplace": set alight (lighting the scene is a light edit)
    (r"^light\s+(?P<x>(?:the|a|an|all\s+the|his|her|their)\s+(?!(?:scene|image|photo|picture|room|background)\b)[a-z\s]+?)"
     r"(?:\s+(?:to|so|and)\b.*)?$", "make {x} lit"),
    # "make him gain 20 pounds", "have her lose weight", "make him have more muscles": the body changes
    (rf"^(?:make|have|let|get|help)\s+(?P<x>{_WHO})\s+(?:to\s+)?(?:gain|put\s+on|pack\s+on)\s+\S.*$", "make {x} heavier"),
    (rf"^(?:make|have|let|get|help)\s+(?P<x>{_WHO})\s+(?:to\s+)?(?:lose|shed|drop)\s+\S.*$", "make {x} slimmer"),
    # "it needs a little bit of brightness", "the dog needs a hat", "needs a white background": what it lacks
    (rf"^(?P<x>it|this|that|they|{_DEF}.+?|[a-z]+)\s+(?:needs?|could\s+use|requires?)\s+(?P<y>(?!to\b).+)$", "give {x} {y}"),
    (r"^(?:needs?|could\s+use|requires?)\s+(?P<y>(?!to\b).+)$", "add {y}"),
    # "The brightness of the image is a little too much", "the contrast is too strong": less of that quality
    (rf"^(?P<x>(?:the\s+)?(?:{_QUALITY_NOUNS})\b.*?)(?:'s|\s+is|\s+are|\s+seems?|\s+looks?)\s+{_SOMEWHAT}too\s+(?:much|strong|high|intense|heavy)$",
     "reduce {x}"),
    # a complaint: "it's too bright", "the photo is a bit too dark", "the colours look dull": less of it
    (rf"^(?P<x>it|this|that|everything|{_DEF}.+?)(?:'s|'re|\s+is|\s+are|\s+looks?|\s+seems?)\s+{_SOMEWHAT}too\s+(?P<y>.+)$", "make {x} less {y}"),
    (rf"^(?P<x>it|this|that|everything|{_DEF}.+?)(?:'s|'re|\s+is|\s+are|\s+looks?|\s+seems?)\s+(?:(?:currently|still|now)\s+)?{_SOMEWHAT}"
     rf"(?P<y>(?:{_FLAWS})(?:\s+and\s+(?:{_FLAWS}))?)$", "make {x} less {y}"),
    # "make a bit more brightness", "make less yellow": a quality said as what is made, more or less of it
    (r"^make\s+(?P<x>(?:a\s+(?:bit|little|lot)\s+(?:of\s+)?)?more\s.+)$", "add {x}"),
    (r"^make\s+(?:a\s+(?:bit|little|lot)\s+(?:of\s+)?)?less\s+(?P<x>.+)$", "reduce {x}"),
    (r"^(?:take|get|pull|cut|photoshop|shop|edit|clone|paint|airbrush|crop)\s+(?P<x>.+?)\s+out(?:\s+(?:of|from)\s+.+)?$", "remove {x}"),
    # "cover the marks on her leg", "conceal his tattoo": a flaw or a mark of the skin hidden is taken off
    (rf"^(?:cover(?:\s+up)?|conceal|hide)\s+(?P<x>(?!.*\b(?:with|behind|under|using)\b)"
     rf"(?=.*\b(?:{'|'.join(sorted(SKIN_FLAWS | _SIZED_MARKS))})\b).+)$", "remove {x}"),
    # "fix his eyes so that he is looking at the camera": where a person looks is a pose
    (rf"^(?:make|have|let|get|help)\s+(?P<x>{_DEF}(?:{'|'.join(ANIMAL_NOUNS)}))\s+(?:to\s+)?(?:look|stare|gaze|face)\s+(?:at|into|towards?|to)\s+(?:the\s+)?(?:camera|lens|viewer)\b.*$",
     "make {x} turn to the camera"),  # an animal's gaze is the animal's pose
    (r"^.*?\b(?:look|looking|looks|stare|staring|gaze|gazing|facing)\s+(?:at|into|towards?|to)\s+(?:the\s+)?(?:camera|lens|viewer)\b.*$", "make the person turn to the camera"),
    # "make the colors pop", "making the colours stand out", "make the reds pop": the colours of the photo
    (rf"^(?:make|making|let|have|get)\s+(?P<x>(?:the\s+)?(?:(?:colou?rs?|tones?|hues?)\b.*?|(?:{_BASIC_COLOR})s?))\s+(?:pop|stand\s+out|come\s+alive|shine|sing)(?:\s+out|\s+more)*(?:\s+in\s+the\s+(?:image|picture|photo))?$", "enhance {x}"),
    (r"^(?:make|let|have|get)\s+(?:it|this|everything|(?:the|this)\s+(?:image|photo|picture|pic|shot))\s+(?:pop|stand\s+out|come\s+alive)(?:\s+out|\s+more)?$",
     "enhance the colours"),  # "make it pop": the photo's colours
    (r"^(?P<x>.+?)\s+(?:should|must|needs?\s+to|has\s+to|will|is\s+to)\s+(?:say|read|spell)\s+(?P<y>.+)$", "make {x} say {y}"),
    # "the mans face should have more of a pink tone to it", "the dog should have a red collar": given it
    (rf"^(?P<x>{_DEF}.+?)\s+(?:should|must|needs?\s+to|has\s+to|could)\s+have\s+(?P<y>(?!been\b|to\b).+?)(?:\s+to\s+(?:it|them))?$",
     "give {x} {y}"),
    (rf"^(?P<x>{_DEF}.+?)\s+(?:should|must|needs?\s+to|has\s+to|is\s+to|will)\s+(?:be\s+|go\s+|sit\s+)?(?P<y>{_PLACE_WORDS}.*)$", "move {x} {y}"),
    (rf"^(?P<x>{_DEF}.+?|it|they)\s+(?:is|are|looks?|seems?)\s+now\s+(?P<y>.+)$", "make {x} {y}"),
    (rf"^(?P<x>(?:{_DEF})?[a-z][\w\s'-]*?|it|they)\s+(?:is|are)\s+(?P<y>made\s+(?:of|from|out\s+of)\s.+)$", "make {x} {y}"),
    # "craft the cat using cloisonne enamel", "mold the bed frame from plaster": the same thing in a new material
    (rf"^(?:craft|mou?ld|sculpt|carve|forge|cast|fashion|hand-?craft)\s+(?P<x>{_DEF}.+?)\s+(?:from|using|out\s+of|with|in)\s+(?P<y>.+)$",
     "make {x} made of {y}"),
    (rf"^(?P<x>{_DEF}.+?|it|they)\s+(?:is|are)\s+(?P<y>(?!being\b|not\b|no\b).+)\s+now$", "make {x} {y}"),
    (rf"^(?!(?:{_PUT_IN})\b)(?P<x>.+?)\s+(?P<y>[a-z]+(?:\s+[a-z]+)?)\s+instead\s+of\s+(?P<z>(?:(?:a|an|the)\s+)?[a-z]+(?:\s+(?:(?:and|or)\s+)?[a-z]+)?(?:\s+ones?)?)$", "{x} {y}"),  # "instead of taupe/beige", "of a blue one"
    # "add the duck instead of the man", "put a lamp in place of the vase": the new thing replaces the old
    (rf"^(?:{_PUT_IN})\s+(?P<y>.+?)\s+(?:instead\s+of|in\s+place\s+of)\s+(?P<x>.+)$", "replace {x} with {y}"),
    # "edit a face onto the lemon", "photoshop my dog into the picture": pasted in, an added thing
    (r"^(?:edit|photoshop|shop|paste|clone|superimpose)\s+(?P<x>.+?)\s+(?P<p>into|onto)\s+(?P<y>.+)$", "add {x} {p} {y}"),
    # "instead of the blue cup, put a red cup": the new thing replaces the old
    (r"^instead\s+of\s+(?P<x>.+?)\s*,?\s+(?:put|place|add|use|draw|have|show|insert|paint)\s+(?P<y>.+)$", "replace {x} with {y}"),
    # "turn the lights on", "switch off the lamps": the light of the scene
    (r"^(?:turn|switch|put)\s+(?:on\s+(?:the|all\s+the)\s+lights|(?:the|all\s+the)\s+lights\s+on)\b.*$", "brighten the image"),
    (r"^(?:turn|switch|put)\s+(?:off\s+(?:the|all\s+the)\s+lights|(?:the|all\s+the)\s+lights\s+off)\b.*$", "darken the image"),
    # "set the scene in outer space", "put the street at night": the whole image somewhere or at some time
    (rf"^(?:set|put|place)\s+(?:(?:the\s+)?(?:scene|image|picture|photo|story|setting|whole\s+thing)\s+(?:in|on|at|into|during)|"
     rf"(?:(?!\s(?:on|in|at|into|onto)\s).)+?\s+(?:at|in|into|during)(?=\s+(?:the\s+)?(?:{'|'.join(LIGHTING_WORDS)})$))\s+(?P<y>.+)$",
     "turn the image into {y}"),
]
_FORMS = [(re.compile(p, re.I), out) for p, out in _FORMS]


def imperative(core: str) -> str:
    """The clause said as an imperative: "What if the girl is bald" -> "make the girl bald"; "I want
    a horse instead of the cow" -> "replace the cow with a horse"; "the window is now square" ->
    "make the window square". Imperatives come back as they are."""
    posture = _NOW_IN_POSTURE.match(core)
    act = posture and ("sit" if posture["g"].lower() == "seated" else _action_of(posture["g"], _POSTURES))
    if act:  # "the woman is now kneeling by the lake": she kneels there
        return f"make {posture['x']} {act}{posture['y']}"
    for form, out in _FORMS:
        m = form.match(core)
        if m:
            said = out.format(**m.groupdict())
            said = imperative(said) if out == "{x}" else said  # an event said inside a frame: read on its own
            first, _, rest = said.partition(" ")
            verb = _gerund_verb(first)  # "(draw the scene after) removing the balloon"
            if verb and rest and out == "{x}":  # "help taking this woman out of the picture": "take ... out" read on
                return imperative(f"{verb} {rest}")
            return f"{verb} {rest}" if verb and rest else said
    late = _LATE_PARTICLE.match(core)  # "scale it up", "warm the photo up a little"
    if late and re.fullmatch(_VERB, f"{late['v']} {late['p']}", re.I):
        return f"{late['v']} {late['p']} {late['x']}{late['rest']}"
    return core


# A posture told as the state someone is in now: "the person is now seated at the desk", "he's kneeling".
_NOW_IN_POSTURE = re.compile(
    rf"^(?P<x>{_DEF}.+?|it|they|he|she)(?:'s|'re|\s+is|\s+are)\s+(?:now\s+)?(?P<g>[a-z]+ing|seated)\b(?P<y>.*)$", re.I
)


# A phrasal verb's particle said after its object: "scale it up" is "scale up it".
_LATE_PARTICLE = re.compile(
    r"^(?P<v>[a-z]+)\s+(?P<x>it|them|this|that|everything|(?:the|this|that|his|her|its|their|my|our)\s+(?:whole\s+|entire\s+)?[a-z]+)"
    r"\s+(?:back\s+)?(?P<p>up|down|out|off)\b(?P<rest>.*)$",
    re.I,
)


def _gerund_verb(word: str) -> str | None:
    """The verb of an edit said as a gerund ("adding" -> "add", "increasing" -> "increase")."""
    stem = word.lower().removesuffix("ing")
    if stem == word.lower():
        return None
    for verb in (stem, stem + "e", stem[:-1] if len(stem) > 2 and stem[-1] == stem[-2] else None):
        if verb and re.fullmatch(_VERB, verb, re.I):
            return verb
    return None


# What an edit is for or leads to ("darken it to take out glare", "darken it to counteract fading", "make it
# larger so it fills the chair"), or what it spares ("make it black and white except the red dress"): no edit
# of its own (but see ``_retouch_purpose``); "so it's just the dog" says what is left, a cut-out (see ``_FORMS``).
_PURPOSE_VERBS = r"counteract|compensate|offset|counter|combat|hide|mask"
_RESULT_TAIL = re.compile(
    rf"\s*,?\s+(?:so\s+(?:that\s+)?(?=(?:it|they|he|she|the|this|i|we|you|everything)\b)(?!it'?s\s+(?:just|only)\b)|except\s+(?:for\s+)?|"
    rf"(?:in\s+order\s+|so\s+as\s+)?to\s+(?=(?:{_VERB}|{_PURPOSE_VERBS})\b)|"
    r"for\s+(?:an?\s+)?(?:new|fresh|different|better|nicer)\s+(?:composition|look|feel|vibe|aesthetic)\b).*$",  # what it is for
    re.I,
)
_TO_EDIT = re.compile(r"^\s*,?\s+(?:in\s+order\s+|so\s+as\s+)?to\s+(?P<edit>.+)$", re.I)
_SO_THE_COLOURS = re.compile(r"^\s*,?\s+so\s+(?:that\s+)?(?P<s>(?:the\s+)?(?:colou?rs|tones|hues)\s+(?:pop|stand\s+out|come\s+alive|shine)\b.*)$", re.I)
_GRADES = frozenset((Op.lighting, Op.tone))
# A means with no look of its own: "apply a filter", "use an effect" (a named one, "a sepia filter", is an edit).
_BARE_MEANS = re.compile(r"^(?:apply|use|add)\s+(?:a|an|some)\s+(?:filter|effect)s?$", re.I)


def _retouch_purpose(tail: str, drafts: list[Draft], turn: _Turn) -> list[Draft]:
    """A retouch done to do a retouch of the other kind ("brighten the image to remove blue tones"): that one
    is an edit too; a purpose of the same kind ("darken it to take out glare") or of no retouch adds nothing."""
    purpose = _TO_EDIT.match(tail)
    colours = _SO_THE_COLOURS.match(tail)  # "brighten it so the colors pop": the colours made to pop, a tone edit
    edit = purpose["edit"] if purpose else f"make {colours['s']}" if colours else None
    if not edit or not {d.op for d in drafts} <= _GRADES:
        return []
    try:
        more = _read_clause(edit, turn) or []
    except Unresolved:
        return []
    said = {d.op for d in drafts}
    return [d for d in more if d.op not in said] if more and {d.op for d in more} <= _GRADES else []


# How an edit is done, said as gerunds: "more vibrant by removing the grey and brightening the picture".
_BY_MEANS = re.compile(r"\s*,?\s+by\s+(?P<m>[a-z]{3,}ing\s.+)$", re.I)


def _by_means(core: str, turn: _Turn) -> list[Draft] | None:
    """A retouch done by other retouches ("make the colors more vibrant by removing the grey and brightening
    the picture"): each means is an edit too; a vague goal ("improve the photo by brightening it") is only its
    means. None when the means are no edits, or the goal is an edit of another kind (read as before)."""
    said = _BY_MEANS.search(core)
    if not said or not core[: said.start()].strip():
        return None
    means: list[Draft] = []
    for part in re.split(r"\s*,?\s+and\s+(?=[a-z]{3,}ing\s)|\s*,\s*(?=[a-z]{3,}ing\s)", said["m"]):
        first, _, rest = part.partition(" ")
        verb = _gerund_verb(first)
        try:
            drafts = _read_clause(f"{verb} {rest}", turn) if verb else None
        except Unresolved:
            drafts = None
        if not drafts:
            return None
        means += drafts
    try:
        goal = _read_clause(core[: said.start()], turn)
    except Unresolved:
        goal = None
    if goal is None:
        return means
    ops = {d.op for d in goal}
    if ops <= _GRADES and {d.op for d in means} <= _GRADES:
        return goal + [d for d in means if d.op not in ops]
    return None


def _read(core: str, turn: _Turn) -> list[Draft] | None:
    """The edits of a clause, read without what it is for when that reads alone ("darken the
    picture to increase detail": only the darkening)."""
    means = _by_means(core, turn)
    if means:
        return means
    result = _RESULT_TAIL.search(core) if not _ALL_BUT.match(core) else None
    purpose = _TO_EDIT.match(result[0]) if result and _BARE_MEANS.match(core[: result.start()]) else None
    if purpose:  # "apply a filter to make the image brighter": the filter, unnamed, is only how; the purpose is the edit
        return _read_clause(purpose["edit"], turn)
    drafts = _read_clause(core[: result.start()], turn) if result and result.start() > 0 else None
    drafts = drafts + _retouch_purpose(result[0], drafts, turn) if drafts is not None else _read_clause(core, turn)
    backdrop = _WITH_BACKGROUND.search(core)
    if drafts and backdrop and any(d.op is Op.style for d in drafts) and all(d.op is not Op.background for d in drafts):
        drafts = [*drafts, *_background(backdrop["b"] or backdrop["c"])]  # "a Pixar style with a background of a park"
    return drafts


# A new look said with its background: "to a Pixar style with a background of a spring park", "... on a white backdrop".
_WITH_BACKGROUND = re.compile(
    r"\b(?:with|against|on|in\s+front\s+of)\s+(?:a|an)\s+(?:background|backdrop)\s+of\s+(?P<b>[^,.;]+?)(?=\s+(?:while|and|but)\b|[,.;]|$)"
    r"|\b(?:with|against|on)\s+(?:a|an)\s+(?P<c>[^,.;]+?)\s+(?:background|backdrop)\b",
    re.I,
)


# An action and a look said of one doer with the verb once: "make the man face to the right and look shorter".
_ACT_AND_LOOK = re.compile(
    rf"^(?P<v>make|have|let|get)\s+(?P<x>{_WHO}|it|they)\s+(?P<a>(?:to\s+)?(?:face|{'|'.join(sorted({*ACTION_WORDS, *EXPRESSION_WORDS}, key=len, reverse=True))})\b.*?)"
    r"\s*,?\s+and\s+(?P<b>(?:look|appear|seem)\s+.+)$",
    re.I,
)


def _read_clause(core: str, turn: _Turn) -> list[Draft] | None:
    both = _ACT_AND_LOOK.match(core)
    if both:  # each part read with the doer: the action, then the look
        first = _read_clause(f"{both['v']} {both['x']} {both['a']}", turn)
        second = _read_clause(f"{both['v']} {both['x']} {both['b']}", turn) if first else None
        if first and second:
            return first + second
    core = imperative(core)
    # "on top of the car, a basketball has been added": the place goes last
    place_first = re.match(
        r"^(?P<where>(?:on|in|at|to|next to|beside|behind|under|above|atop)\s[^,]+),\s*(?P<rest>.+)$",
        core,
        re.I,
    )
    if place_first:
        drafts = _read_verbs(f"{place_first['rest']} {place_first['where']}", turn)
        if drafts is not None:
            return drafts
    drafts = _read_verbs(core, turn)
    if drafts is not None:
        return drafts
    # "enliven the image by adding a horse": the gerund says the edit
    by = re.search(r"\bby\s+(?P<g>[a-z]+ing)\s+(?P<r>.+)$", core, re.I)
    verb = _gerund_verb(by["g"]) if by else None
    if verb:
        drafts = _read_verbs(f"{verb} {by['r']}", turn)
        if drafts is not None:
            return drafts
    return _looks(core)  # "immerse the image in the neon-lit world of cyberpunk"


def _ensure(rest: str, turn: _Turn) -> list[Draft] | None:
    """ "ensure there's no cloud in the image", "confirm the absence of an apple", "ensure the image
    does not feature a panda" (remove); "make sure the sheep is white" (change)."""
    rest = re.sub(r"^that\s+", "", rest, flags=re.I)
    absent = re.match(
        r"^(?:there(?:'s|\s+is|\s+are)\s+no|the\s+absence\s+of|(?:the|this)\s+(?:image|picture|photo|scene)\s+"
        r"(?:does\s+not|doesn't)\s+(?:feature|contain|include|show|have))\s+(?P<x>.+)$",
        rest,
        re.I,
    )
    if absent:
        return _remove("remove", absent["x"], turn)
    state = re.match(r"^(?P<x>.+?)\s+(?:is|are|looks?|appears?|becomes?)\s+(?P<y>.+)$", rest, re.I)
    return _change("make", f"{state['x']} {state['y']}", turn) if state else None


# Two looks listed, each named by its head ("Adjust to golden hour lighting, warm tones", "apply cinematic
# lighting, teal and orange tones"): each is read as a look of its own.
_LOOK_HEADS = r"(?:lighting|light|tones?|colou?rs|hues|palette|contrast|saturation|grad(?:e|ing)|shadows|highlights)"
_LOOK_LIST = re.compile(
    r"^(?:(?:adjust|change|set|switch|turn)\s+(?:(?:it|the\s+(?:image|photo|picture|scene))\s+)?(?:in)?to|add|apply|use|go\s+for|"
    r"give\s+(?:it|the\s+(?:image|photo|picture))|with)\s+"
    rf"(?P<a>(?:[\w-]+\s+){{0,3}}{_LOOK_HEADS})\s*(?:,\s*(?:and\s+|plus\s+|with\s+)?|\s+(?:and|plus|with)\s+)"
    rf"(?P<b>(?:[\w-]+\s+){{0,3}}{_LOOK_HEADS})$",
    re.I,
)


def _look_list(clause: str, turn: _Turn) -> list[Draft] | None:
    m = _LOOK_LIST.match(clause)
    if not m:
        return None
    first, second = _global(m["a"], turn), _global(m["b"], turn)
    if not first or not second or {d.op for d in first} == {d.op for d in second}:
        return None  # one look said twice ("soft light and warm light"): the rules' reading of the whole stands
    return [*first, *second]


def _read_verbs(core: str, turn: _Turn) -> list[Draft] | None:
    specials = (_pose, _wear, _says, _action, _pose_noun, _turn_body, _onto_plain_background, _subject_somewhere,
                _blurred_background, _look_list, _shown_doing, _bare_posture)  # fmt: skip
    for special in specials:
        drafts = special(core, turn)
        if drafts:
            return drafts
    back = re.match(r"^(?:put|bring|place|add)\s+(?P<x>it|them|that|this)\s+back\b", core, re.I)
    if back and turn.context.referent() is not None:  # "put it back": what was taken away, again
        return [Draft(Op.add, turn.context.referent())]
    rid = re.match(r"^rid\s+(?P<x>.+?)\s+of\s+(?P<y>.+)$", core, re.I)  # "rid the image of the horses"
    if rid:
        return _remove("rid", rid["y"], turn)
    gone = re.match(r"^make\s+(?P<x>.+?)\s+(?:disappear|vanish|go away)$", core, re.I)
    if gone:
        return _remove("remove", gone["x"], turn)
    joins = re.match(
        r"^(?:let|have|allow)\s+(?P<x>.+?)\s+(?:to\s+)?(?:join|appear in|enter|emerge in)\b", core, re.I
    )
    if joins:  # "let a dog join the composition of the image"
        return _add("add", joins["x"], turn)
    inverted = _INVERTED_ADD.match(core)
    if inverted:
        return _add("add", f"{inverted['x']} {inverted['where']}", turn)
    color_first = _COLOR_FIRST.match(core)
    if color_first and parse_color(color_first["v"]):
        return _apply(color_first["x"], Value("color", parse_color(color_first["v"])), turn)
    bare = core.strip(" .!,").lower()
    if bare in _ADJUST_SELF and bare not in _NOUN_TOO:  # "Saturate and make the barn red": the photo saturated
        return _adjust(bare, "the image", turn)
    for head, handler in _VERB_HEAD:
        m = head.match(core)
        if m and m["rest"].strip():
            drafts = handler(m["verb"], m["rest"].strip(" ,"), turn)
            if drafts is not None:
                return drafts
    passive = _PASSIVE.match(core)
    if passive and passive["x"].lower() != "there":
        verb = passive["verb"].lower()
        rest = (
            f"{passive['x']} {passive['y']}".strip()
            if verb in ("replaced", "changed", "turned", "made")
            else passive["x"]
        )
        if verb in _ADJUSTED:  # said again actively: "the lamp should be lowered" is "lower the lamp", a thing moved
            active = _read_verbs(f"{_ADJUSTED[verb]} {passive['x']} {passive['y']}".strip(), turn)
            return active if active is not None else _change("make", f"{passive['x']} {verb} {passive['y']}", turn)
        if verb in _PASSIVE_VERB:
            active = _PASSIVE_VERB[verb]
            if active == "keep":
                return _keep(active, f"{passive['x']} {passive['y']}", turn)
            if active == "add":
                return _add(active, f"{passive['x']} {passive['y']}", turn)
            if active == "replace":
                return _replace(active, rest, turn)
            handler = dict(
                zip(
                    ("remove", "move", "enlarge", "shrink", "resize"),
                    (_remove, _move, _resize, _resize, _resize),
                )
            )[active]
            return handler(
                active, rest if active not in ("move", "resize") else f"{passive['x']} {passive['y']}", turn
            )
        return _change("make", f"{passive['x']} {passive['y']}", turn)
    there = re.match(
        r"^there\s+(?:should\s+be|is|are|will\s+be|must\s+be)\s+(?P<no>no\s+)?(?P<rest>.+)$", core, re.I
    )
    excess = _EXCESS.match(there["rest"]) if there and not there["no"] else None
    if excess and parse_adjustment(excess["q"]) is not None:  # "there is a lot of glare": a flaw, less of it
        return _adjust("reduce", excess["q"], turn)
    if there:
        return (_remove if there["no"] else _add)("add", there["rest"], turn)
    hair = _hair(core, turn)
    if hair:
        return hair
    if re.match(r"^(?:with|in|as|into)\s", core, re.I):
        core = re.sub(r"^(?:with|in|as|into)\s+", "", core, flags=re.I)
    return _global(core, turn)


def _plain_backdrop(params: dict) -> bool:
    """A background taken away (a plain one in its place) or set to a flat colour ("place on white background"):
    no scenery of its own."""
    said = WORD.findall(params.get("description", "").lower())
    one_colour = set(params) == {"description"} and any(map(parse_color, said)) and all(
        parse_color(w) or w in ("on", "a", "an", "the", "plain", "solid", "pure") for w in said
    )
    return params == {"description": "plain"} or one_colour or (bool(params) and set(params) <= {"color", "pattern"})


def _posed_person(drafts: list[Draft], said: str) -> list[Draft]:
    """ "make him wave", "have her lean on the car" (after "add a man"): a pose of someone said only as a pronoun
    is the person's pose (a named one, "make the man on the left wave", keeps its noun; a move or resize keeps it too)."""
    return [
        Draft(Op.pose, EntityRef(noun=PERSON), d.params, d.text)
        if d.op is Op.pose and d.target is not None and d.target.noun and d.target.noun != PERSON
        and d.target.noun.split()[-1] in PERSON_NOUNS and not re.search(rf"\b{re.escape(d.target.noun.split()[-1])}", said, re.I)
        else d
        for d in drafts
    ]


_IN_A_SETTING = re.compile(r"\s(?:in|at)\s+(?:a|an|the)\s+(?P<p>[\w\s-]+)$", re.I)


def _posed_somewhere(drafts: list[Draft]) -> list[Draft]:
    """ "make him sit in the Himalayas", "have her stand in a snowy forest": the pose, and the person in that setting
    (a new background); "sit on the bench" or "stand at the door" names a thing there, no setting."""
    poses = [d for d in drafts if d.op is Op.pose and d.target is not None and d.target.noun == PERSON]
    where = _IN_A_SETTING.search(poses[0].params.get("description") or "") if len(poses) == 1 and len(drafts) == 1 else None
    if where is None or not is_scene_place(where["p"]) or is_background(where["p"]):
        return drafts
    return [*drafts, Draft(Op.background, params={"description": _describe(where["p"])})]


_CUT_OUT = re.compile(r"\bcut\s+(?:out\b|.+?\s+out\b)", re.I)


def _cut_from_backdrop(drafts: list[Draft]) -> list[Draft]:
    """ "cut this maniac out, remove background", "cut the dog out and delete the background": the subject cut
    out of its backdrop, one ``extract`` (a thing cut out with the backdrop kept is removed)."""
    if not any(d.op is Op.background and _plain_backdrop(d.params) for d in drafts):
        return drafts
    cut = [d for d in drafts if d.op is Op.remove and _CUT_OUT.search(d.text)]
    return [Draft(Op.extract, d.target, text=d.text) for d in cut] + [d for d in drafts if d not in cut] if cut else drafts


def _cut_then_placed(drafts: list[Draft]) -> list[Draft]:
    """ "cut out the girl and place her on a white background": the cut and the placing are one cut-out,
    the one that says its backdrop (the cut said first, without one, goes). A thing both removed and cut
    out ("remove/crop the lady on the left") is removed."""
    placed = [d.target for d in drafts if d.op is Op.extract and d.params.get("background")]
    drafts = [d for d in drafts if not (d.op in (Op.remove, Op.extract) and not d.params.get("background") and d.target in placed)]
    removed = [d.target for d in drafts if d.op is Op.remove]
    return [d for d in drafts if not (d.op is Op.extract and d.target in removed)]


# Too much of a quality said as what there is ("there is a lot of glare", "there's way too much noise").
_EXCESS = re.compile(r"^(?:(?:way|far|much)\s+)?(?:too\s+much|(?:a\s+)?lots?\s+of|so\s+much|excessive|heavy)\s+(?P<q>.+)$", re.I)


def _chain_repeated_looks(graph: InstructionGraph, nodes: list[EditNode]) -> None:
    """Two backgrounds (or styles, ...) in one prompt apply in the order said: the later one refines
    the earlier, and without an edge they would conflict."""
    last: dict[Op, EditNode] = {}
    for node in nodes:
        if node.role is Role.style:
            if node.op in last:
                graph.add_edge(last[node.op].id, node.id)
            last[node.op] = node


def _nodes(drafts: list[Draft], warnings: list[str]) -> list[EditNode]:
    """EditNodes with the one id scheme (``graphs.node_ids``); a draft the schema rejects becomes a
    warning, so no prompt can crash the planner."""
    valid = []
    for d in drafts:
        try:
            valid.append(d.built().model_copy(update={"text": d.text}))
        except ValidationError as exc:
            warnings.append(f"unparsed: {d.text!r} ({d.op.value}: {exc.errors()[0]['msg']})")
    return [n.model_copy(update={"id": i}) for n, i in zip(valid, node_ids(n.op for n in valid))]


_FIRST = re.compile(r"\b(?:first|firstly|to begin with|start by|begin by)\b", re.I)


def _explicit_order(groups, sequenced, by_draft, text) -> list[tuple[EditNode, EditNode]]:
    """Edges the prompt asks for in words: "first X, then Y" (a bare "then" is only prompt order)."""
    if not _FIRST.search(text):
        return []
    edges = []
    previous: list[EditNode] = []
    for group, seq in zip(groups, sequenced):
        nodes = [by_draft[id(d)] for d in group if d.op is not Op.identity_lock and id(d) in by_draft]
        if seq and previous:
            edges += [(a, b) for a in previous for b in nodes]
        if nodes:
            previous = nodes
    return edges
