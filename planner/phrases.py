"""Noun phrases and values: "the two small blue squares on the left" -> EntityRef; "a bright shade of
blue" -> "bright blue"; "to the top-left corner" -> "top left".

Everything here is a pure function of the text (and, for references such as "it" or "that circle",
of the ``PlanContext``), so the rule planner stays deterministic.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from nanoedit.graphs import EntityRef
from nanoedit.graphs.lexicon import (
    ABSTRACT_NOUNS,
    ADJUST_FILLERS,
    ANIMAL_NOUNS,
    ATTRIBUTE_NAMES,
    BACKGROUND_NOUNS,
    BASIC_COLORS,
    BRIGHTER_WORDS,
    COLOR_FILLER,
    COLOR_LOOKS,
    COLOR_MODIFIERS,
    COLOR_NOUNS,
    COLOR_WORDS,
    DARKER_WORDS,
    DIRECTION_WORDS,
    FALLING_WEATHER,
    FORM_WORDS,
    GENERIC_STYLE_WORDS,
    GRAYSCALE_LOOK,
    GROW_WORDS,
    IMAGE_NOUNS,
    LIGHT_LOOKS,
    LIGHT_QUALITIES,
    LIGHTING_WORDS,
    MATERIAL_WORDS,
    NUMBER_WORDS,
    OBJECT_PATTERN_WORDS,
    OPPOSITE_SIDES,
    PATTERN_WORDS,
    PERSON,
    PERSON_NOUNS,
    PERSON_PRONOUNS,
    PERSON_WORDS,
    REGION_NOUNS,
    SCENE_HEADS,
    SCENE_WORDS,
    SEASONS,
    SHAPE_WORDS,
    SHRINK_WORDS,
    SIZE_WORDS,
    STYLE_MEDIA,
    STYLE_WORDS,
    TEXTURE_WORDS,
    TONE_QUALITIES,
    TONE_WORDS,
    UNPLANNED_QUALITIES,
    WEATHER_WORDS,
    canonical_color,
    canonical_position,
    singular,
)

from .context import PlanContext

WORD = re.compile(r"[a-z0-9&]+(?:[-'][a-z0-9]+)*")

# -- references to earlier turns ------------------------------------------------------------------

_IT = re.compile(r"^(?:it|this|that|this one|that one|the same one|the same|same one|the one|the object)$")
_THEM = re.compile(r"^(?:them|they|those|these|both|both of them|all of them|them both|them all|they both|they all|the same ones|those ones)$")
_ONE_OF_THEM = re.compile(r"^(?:one|either|any)\s+of\s+(?:them|those|these)$")
_DEMONSTRATIVE = re.compile(r"^(?:that|this|those|these|the same)\s+(?P<rest>.+)$")
_PERSON_REF = re.compile(
    r"^(?:him|her|them|he|she|himself|herself|me|myself|the (?:person|character|figure|subject|human)|"
    r"(?:his|her|their) (?:self|body))$"
)

# -- places ---------------------------------------------------------------------------------------

_PLACE = (
    r"(?:(?:top|upper|bottom|lower)[\s-]*(?:left|right|middle|center|centre)|(?:left|right)[\s-]*(?:top|bottom)|"
    r"top|bottom|left|right|center|centre|middle)"
)
_PLACE_TAIL = (
    r"(?:\s+(?:hand\s+)?(?:corner|side|edge|part|half|area|region|portion|section|third|cell|spot))?"
    r"(?:\s+(?:of|in|on)\s+(?:the|this)\s+(?:image|picture|photo|photograph|frame|scene|canvas|grid))?"
)
# Words that may follow a place: "on the left of the image", "on the right, slightly"; any other word
# makes the place a modifier of a noun ("on the bottom shelf", "in the top right sky"): a relation.
_AFTER_PLACE = (
    r"(?:of|and|or|but|then|with|by|near|next|beside|behind|above|below|under|over|from|to|towards?|into|"
    r"onto|on|in|at|while|so|for|as|that|which|where|too|please|instead|again|slightly|a|an|the|more|"
    r"a bit|a little|just|is|are|should|[a-z]+ly|[a-z]+ing)\b"
)
# "on the left", "in the top-left corner of the image"; not "on the left of the dog" (a relation).
PLACE_PHRASE = re.compile(
    rf"\b(?:on|at|in|to|towards?|into|onto|near|along)\s+(?:the\s+)?(?:very\s+|far\s+)?(?P<place>{_PLACE}){_PLACE_TAIL}"
    rf"(?!(?:\s+(?:hand\s+)?(?:side|corner|edge|part|half|area|region|portion|section))?\s+of\b)(?![\w-])"
    rf"(?!\s+(?!{_AFTER_PLACE})[a-z])"
)
_LEADING_PLACE = re.compile(rf"^(?P<place>{_PLACE})(?:[\s-]+(?:hand|side|most))?\s+(?=\w)")
_IMAGE_TAIL = re.compile(
    r"\s*,?\s*\b(?:from|in|of|on|within|inside|across|throughout|to|into|amidst|amid)\s+(?:the|this|that|our|my|your)\s+"
    r"(?:whole\s+|entire\s+|given\s+|original\s+|provided\s+|current\s+)?"
    r"(?:image|picture|photo|photograph|scene|frame|canvas|shot|view|pic|avatar|selfie|headshot)\b"
    r"(?:'s\s+(?:composition|setting|scene|frame|layout))?"
    r"(?:\s+(?:of|with)\s+(?:me|us|my|our|his|her|their)\b[^,.;]*)?\s*$"  # "of this photo of my mom and her dad": whose photo
    r"|\s*,?\s*\b(?:in|within)\s+(?:frame|shot)\s*$"  # "larger in frame": a framing word said bare, as "in the frame"
    r"|\s*,?\s*\b(?:from|in|on|to)\s+(?:image|picture|photo|pic)\s*$"  # "a sketch filter on image": the image, said bare
)
_RELATION_START = re.compile(
    r"\s+(?=(?:on|in|at|near|next|beside|behind|above|below|under|underneath|beneath|over|inside|"
    r"outside|between|from|with|by|along|against|around|across|among|atop|that|which|who|where|"
    r"whose|to|into|onto|amidst|amid|within|throughout|upon|alongside|amongst|through|except|held|holding|sitting|standing|walking|wearing|lying|placed|located|parked|perched|propped|"
    r"positioned|hanging|visible|currently|shown|seen|close|closest|nearest|facing|while|so|for|dressed|all\s+the\s+way)\b)"
)
_NOUN_ING = frozenset(
    "ring building painting clothing ceiling king wing string swing thing sling earring bedding railing "
    "frosting icing stuffing pudding dumpling sibling duckling seedling wedding lighting evening "
    "morning awning spring icing topping dressing filling drawing carving setting sibling lettering "
    "casing housing siding lining packaging coating plating tubing piping flooring roofing paneling panelling tiling".split()
)
# Gerunds that name a kind of the noun after them ("a hand washing sink", "the dining table"), not an action.
_GERUND_MODIFIERS = frozenset(
    "washing dining swimming living sleeping baking frying shopping parking fishing sewing rocking waiting "
    "cooking drinking cutting mixing ironing boxing bowling skating surfing hiking climbing running walking "
    "writing reading changing dressing folding"
    .split()
)
# Words around a noun that name no object: "a dog presence", "the presence of five dogs".
FILLER_HEAD = re.compile(
    r"^(?:(?:the|a|an|any|all)\s+)?(?:presence|essence|gathering|group|flock|collection|bunch|set|row|bounty|"
    r"handful|cluster|array|assortment|instances?|traces?)\s+of\s+"
)
_FILLER_TAIL = re.compile(r"\s+(?:presence|companion|companions|friend|friends)$")
# Adverbs end a noun phrase ("three cats comfortably on the couch"); these -ly words are nouns.
_LY_NOUNS = frozenset(
    "family assembly butterfly dragonfly jelly belly holly lily bully rally ally anomaly supply".split()
)
_ADVERB = re.compile(
    r"^[a-z]{3,}(?:ably|ibly|ally|ately|fully|ously|ently|antly|ily|edly|ingly|tly|ely|rly)$"
)
# "X of Y" names Y's X, except where X is a part or a measure of Y ("the top of the table").
_OF_KEEPS = frozenset("top side front back middle center edge bottom shade shades kind type sort".split())
_DETERMINERS = frozenset(
    "the a an this that these those some any all every each its his her their our my your one's "
    "of another other existing entire whole certain".split()
)


@dataclass
class Phrase:
    """A noun phrase taken apart: what it names, where it is, and what it is related to."""

    ref: EntityRef | None
    place: str | None = None
    relation: str | None = None


# The pieces a matter is laid in ("pale marble tiles", "oak planks"): still that matter, no new thing.
MATTER_PIECES = frozenset("tiles tiling planks boards panels paneling panelling slabs".split())


def strip_image_tail(text: str) -> str:
    """'the cat from the image' -> 'the cat'."""
    return _IMAGE_TAIL.sub("", text).strip(" ,")


def find_place(text: str) -> tuple[str | None, str]:
    """The canonical position a phrase names ('in the top-left corner' -> 'top left') and the rest."""
    m = PLACE_PHRASE.search(text)
    if m:
        rest = (text[: m.start()] + text[m.end() :]).strip(" ,")
        return canonical_position(m["place"]), re.sub(r"\s{2,}", " ", rest)
    return None, text


def parse_phrase(text: str, context: PlanContext | None = None) -> Phrase:
    """Take a noun phrase apart into an ``EntityRef`` (only what is said), a place and a relation."""
    text = strip_image_tail(_clean(text))
    place, text = find_place(text)
    if place:  # "the people out on the right", "the dog down on the left": the particle points to the place
        text = re.sub(r"(?<=\w)\s+(?:out|over|down|up|way\s+(?:out|over|down|up)|all\s+the\s+way)$", "", text.rstrip())
    relation = None
    head, comma, after = text.partition(",")  # "an apple, ripe for the picking, within the image"
    modifiers_only = all(_is_modifier(w) for w in WORD.findall(head))  # "a small, orange and white monkey"
    if comma and head.strip() and not modifiers_only and _RELATION_START.search(" " + after.split(",")[0]):
        text, relation = head.strip(), after.strip()
    text = FILLER_HEAD.sub("", text)
    words = text.split()
    # "the car driving on the road": a participle, an adverb or a preposition after the noun starts
    # a relation.
    for i, word in enumerate(words[1:], start=1):
        ending = (
            word.endswith("ing")
            and word not in _NOUN_ING
            and len(word) > 4
            and words[i - 1] not in _DETERMINERS
            and not words[i - 1].endswith(("'s", "s'"))  # "the computer's casing": a noun after an owner
            and words[i - 1] not in NUMBER_WORDS
            and not words[i - 1].isdigit()
            and not (
                word in _GERUND_MODIFIERS
                and i + 1 < len(words)
                and words[i + 1] not in _DETERMINERS
                and not _RELATION_START.match(" " + words[i + 1])
            )
        )
        adverb = (
            _ADVERB.match(word)
            and word not in _LY_NOUNS
            and (
                i + 1 == len(words)
                or words[i + 1] in ("and", "then")
                or words[i + 1] in DIRECTION_WORDS  # "turn the model slightly left": the model
                or _RELATION_START.match(" " + " ".join(words[i + 1 :]))
            )
        )
        if ending or adverb:
            text, relation = " ".join(words[:i]), " ".join(words[i:])
            break
    # a relation follows a noun: "the tree closest to the house"; before one, "closest" is its adjective
    # ("the 3 closest people", "the standing man")
    m = next(
        (m for m in _RELATION_START.finditer(text)
         if not (_ADJECTIVAL.match(text, m.end()) and all(_is_modifier(w) for w in WORD.findall(text[: m.start()])))),
        None,
    )  # fmt: skip
    if m:
        text, rest = text[: m.start()], text[m.end() :]
        relation = f"{rest} {relation}" if relation else rest
    if relation:
        relation = relation.strip(" ,.")
    tailless = _FILLER_TAIL.sub("", text)  # "a dog companion" is a dog; "my friend" is a friend
    ref = _entity(tailless if any(w not in _DETERMINERS for w in tailless.split()) else text, context)
    return Phrase(ref=ref, place=place, relation=relation or None)


# Relation words that are also adjectives of the noun after them ("the nearest car", "the sitting dog").
_ADJECTIVAL = re.compile(r"(?:[a-z]+est|[a-z]{3,}ing|close|visible|currently)\b")


def _is_modifier(word: str) -> bool:
    """Whether a word before a noun only picks it out (an article, a number, a size, a basic colour
    that names no thing); "one" is a noun ("another one next to it")."""
    return (
        word in _DETERMINERS or (word in NUMBER_WORDS and word != "one") or word.isdigit() or word in SIZE_WORDS
        or word in FORM_WORDS or word == "and"
        or (canonical_color(word) in BASIC_COLORS and word not in COLOR_NOUNS)
    )  # fmt: skip


def parse_targets(text: str, context: PlanContext | None) -> list[EntityRef] | None:
    """Every target a phrase names ("the circle and the square" -> two), with places kept on the
    target; None when the phrase names nothing."""
    text = _clean(text)
    refs = resolve_reference(text, context)
    if refs is not None:
        return refs
    # "the elephant on the left and center": one such thing at each place
    places = _TWO_PLACES.match(text)
    if places:
        one = _target(f"{places['x']} {places['at']} {places['p']}", context)
        two = _target(f"{places['x']} {places['at']} {places['q']}", context)
        if one and two:
            return one + two
    # "beer, water and person sitting to the left", "the cat, dog and bird": a list, each item a thing
    listed = _LISTED.fullmatch(text)
    items = [p.strip() for p in listed["items"].split(",")] + [listed["last"].strip()] if listed else []
    if items and all(items) and all(len(p.split()) <= 4 and not all(_is_modifier(w) for w in WORD.findall(p)) for p in items[:-1]):
        listed_refs = [_target(p, context) for p in items]
        if all(listed_refs) and not any(canonical_color((WORD.findall(p) or [""])[-1]) for p in items[:-1]):
            return [r for refs in listed_refs for r in refs]  # type: ignore[union-attr]
    # "the circle and the square": each part must start like a noun phrase of its own
    parts = [p for p in _AND_THE.split(text) if p]
    if len(parts) == 1:  # "black writing and white cartoon bubble": a noun ends the first part
        parts = [p for p in re.split(r"\s+and\s+", text, maxsplit=1) if p]
        first, then = parts[0].split()[-1], (parts[1:] or [""])[0].split()[:1]
        modifier = first in COLOR_MODIFIERS and then and (canonical_color(then[0]) or then[0] in COLOR_MODIFIERS)  # not "bottle"
        if canonical_color(first) or modifier or first in _DETERMINERS or len(parts[0].split()) < 2:
            parts = parts[:1]
    if len(parts) > 1:
        split = [_target(p, context) for p in parts]
        if all(split):
            return [r for refs in split for r in refs]  # type: ignore[union-attr]
    return _target(text, context)


_LISTED = re.compile(r"(?P<items>[^,]+(?:,\s*[^,]+)*?),?\s+(?:and|&)\s+(?P<last>[^,]+)")
_TWO_PLACES = re.compile(
    rf"^(?P<x>.+?)\s+(?P<at>on|at|in)\s+(?:the\s+)?(?P<p>{_PLACE})\s+(?:and|or)\s+(?:(?:on|at|in)\s+)?(?:the\s+)?(?P<q>{_PLACE})$"
)
_AND_THE = re.compile(
    r"\s*(?:,\s*(?:and\s+)?|\band\s+)(?=(?:the|a|an|this|that|these|those|his|her|its|their|all|both|every|"
    r"\d+|one|two|three|four|five|small|large|big|tiny|medium)\b)"
)


def _target(text: str, context: PlanContext | None) -> list[EntityRef] | None:
    refs = resolve_reference(text, context)
    if refs is not None:
        return refs
    phrase = parse_phrase(text, context)
    if phrase.ref is None:
        return None
    updates: dict = {}
    if phrase.place:
        updates["position"] = phrase.place
    return [phrase.ref.model_copy(update=updates) if updates else phrase.ref]


def resolve_reference(text: str, context: PlanContext | None) -> list[EntityRef] | None:
    """'it', 'them', 'that circle', 'him' -> the entities they mean; None when the text is no reference.

    An unresolvable reference ("it" with nothing edited before) resolves to an empty list.
    """
    text = _clean(text)
    text = {"its": "it", "their": "them", "his": "him"}.get(text, text)  # "change its color": of it
    last = list(context.last_targets) if context else []
    if _PERSON_REF.match(text) and not (text == "them" and last):
        people = [t for t in last if t.noun and t.noun.split()[-1] in PERSON_NOUNS]
        animals = [t for t in last if t.noun and t.noun.split()[-1] in ANIMAL_NOUNS]
        if not people and animals and text in ("him", "her", "he", "she"):
            return animals[-1:]  # "add a dog ... make him brown": the dog
        return people[-1:] if people and text in ("him", "her", "he", "she") else [EntityRef(noun=PERSON)]
    objects = [t for t in last if t.noun != PERSON]
    last = objects or last  # "it" after "raise his arm and add a star" is the star
    if _IT.match(text) or _ONE_OF_THEM.match(text):  # "remove one of them": one of the last ones
        return last[-1:]
    if _THEM.match(text):
        return last
    m = _DEMONSTRATIVE.match(text)
    if m and m["rest"] not in ("one", "ones"):
        said = parse_phrase(m["rest"])
        if said.ref is not None and context is not None and said.ref.noun:
            plural = m["rest"].split()[-1] != said.ref.noun
            found = context.find(said.ref.noun, said.ref.color)
            if found:
                return found if plural and text.startswith(("those", "these")) else found[:1]
    return None


def _entity(text: str, context: PlanContext | None) -> EntityRef | None:
    words = WORD.findall(text.replace("\u2019", "'"))
    count = size = None
    colors: list[str] = []
    attributes: dict[str, str] = {}
    nouns: list[str] = []
    i = 0
    while i < len(words):
        word = words[i]
        pair = " ".join(words[i : i + 4])
        number = next((n for phrase, n in NUMBER_WORDS.items() if pair.startswith(phrase + " ")), None)
        if number is None and word.isdigit() and 0 < int(word) < 1000:
            number = int(word)
        if number is not None and not nouns:
            count = number
            i += len(next((p for p in NUMBER_WORDS if pair.startswith(p + " ")), word).split())
            continue
        if word == "of" and nouns and i + 1 < len(words) and nouns[-1] not in _OF_KEEPS:
            # "the cap of the woman": the cap, owned by the woman
            owner = _entity(" ".join(words[i + 1 :]), None)
            if owner is not None and owner.noun:
                attributes["of"] = owner.noun
                break
            nouns.append(word)
        elif word.endswith("'s") or word.endswith("s'"):  # "the man's shirt": the owner is a relation
            owner = word[:-2] if word.endswith("'s") else word[:-1]
            owner_ref = EntityRef(noun=PERSON if owner in ("person", "character") else singular(owner))
            attributes["of"] = " ".join([*colors, *nouns, owner_ref.noun or owner])
            colors, nouns = [], []
        elif word in PERSON_PRONOUNS and i + 1 < len(words):  # "his hat" -> hat of the person
            attributes["of"] = PERSON
        elif word in _DETERMINERS and not nouns:
            pass
        elif word in SIZE_WORDS and not nouns and word != "smaller":
            size = SIZE_WORDS[word]
        elif canonical_color(word) and not nouns:
            if colors and colors[-1] in COLOR_MODIFIERS:
                colors[-1] = f"{colors[-1]} {canonical_color(word)}"
            else:
                colors.append(canonical_color(word))  # type: ignore[arg-type]
        elif word in COLOR_MODIFIERS and i + 1 < len(words) and canonical_color(words[i + 1]) and not nouns:
            colors.append(word)
        elif word == "and" and colors and not nouns:
            pass
        elif word in MATERIAL_WORDS and i + 1 < len(words) and not nouns and words[i + 1] != "of":  # "a glass of wine": a glass
            attributes["material"] = MATERIAL_WORDS[word]
        else:
            nouns.append(word)
        i += 1
    if nouns[-1:] in (["one"], ["ones"]) and context is not None:  # "the raw one": the raw steak said before
        said = [*colors, *nouns[:-1], *attributes.values()]
        found = [e for e in context.find() if said and all(w in (e.noun or "").split() or w in (e.color, *e.attributes.values()) for w in said)]
        if found:
            return found[0]
        referent = _referent(words, nouns[:-1], context, colors, size)
        if referent is not None:
            return referent
    nouns = (
        [w for w in nouns if w not in ("and", "of", "one", "ones")]
        if nouns[-1:] in (["one"], ["ones"])
        else nouns
    )
    while nouns and nouns[-1] in ("and", "of", "with", "to"):
        nouns.pop()
    if not nouns:
        if colors and context is not None:  # "the blue one"
            found = context.find(None, colors[0])
            if found:
                return found[0]
        if colors and "one" not in words and "ones" not in words:
            nouns, colors = (
                [colors[-1].split()[-1]],
                colors[:-1],
            )  # "remove the orange": a fruit named like a colour
        else:
            return None
    if nouns[-1] in REGION_NOUNS and attributes.get("of") and not is_image(attributes["of"]):
        nouns = attributes.pop("of").split()  # "the motorcycle's white area": the motorcycle, where it is white
    noun = " ".join([*nouns[:-1], singular(nouns[-1])])
    known = context is not None and any(e.noun == noun for e in context.find())  # "the ball" added before
    shape = SHAPE_WORDS.get(noun) if not attributes and not known else None  # "a ball of yarn": no plain circle
    noun = shape or PERSON_WORDS.get(noun, noun)
    color = " and ".join(colors) if colors else None
    return EntityRef(noun=noun, color=color, size=size, count=count, attributes=attributes)


def _referent(
    words: list[str], said: list[str], context: PlanContext, colors: list[str], size: str | None
) -> EntityRef | None:
    """ "the one on the left", "the other one", "the left one", "another one": one more of the thing
    the previous turn was about, told apart by place (or, for "the other one", at the other place)."""
    referent = context.referent()
    if referent is None or not referent.noun or not all(w in ("and", "of") or canonical_position(w) for w in said):
        return None
    position = canonical_position(" ".join(said)) if said else None
    if position is None and "other" in words and referent.position:
        position = " ".join(OPPOSITE_SIDES.get(w, w) for w in referent.position.split())
    color = " and ".join(colors) if colors else None
    return EntityRef(noun=referent.noun, color=color, size=size, position=position, attributes=referent.attributes)


def _clean(text: str) -> str:
    text = text.strip().strip(" .,;:!?\"'()").lower()
    text = re.sub(r"\([^)]*\)", " ", text)  # asides: "(marked '77')"
    return re.sub(r"\s{2,}", " ", text).strip()


# -- values ---------------------------------------------------------------------------------------


def parse_color(text: str) -> str | None:
    """'a bright shade of blue' -> 'bright blue', 'grey' -> 'gray'; None when it is not only a colour."""
    said = WORD.findall(text.lower())
    if said[:1] in (["a"], ["an"]) and said[-1] in COLOR_NOUNS and (len(said) == 2 or any(canonical_color(w) for w in said[1:-1])):
        return None  # "an orange", "a red orange": a fruit
    words = [w for w in said if w not in COLOR_FILLER]
    # "blue-green", "light-blue", "yellow-orange": one colour said hyphenated (each part a colour word)
    compound = {w for w in words if "-" in w and all(p in COLOR_WORDS or p in COLOR_MODIFIERS for p in w.split("-"))
                and canonical_color(w.split("-")[-1])}  # fmt: skip
    if compound:
        if parse_color(" ".join(w.split("-")[-1] if w in compound else w for w in words)) is None:
            return None
        while len(words) > 1 and words[0] in _MORE:
            words = words[1:]
        return " ".join(w if w in compound else (canonical_color(w) or w) for w in words)
    while len(words) > 1 and (words[0] in _MORE or words[0].endswith("ly")):  # "very (naturally) blue": by degree
        words = words[1:]
    if len(words) == 1 and words[0].endswith("s") and canonical_color(words[0][:-1]) and words[0][:-1] not in COLOR_NOUNS:
        words = [words[0][:-1]]
    if len(words) == 1 and words[0].endswith("er"):  # "bluer", "redder", "greener": more of the colour
        stem = words[0][:-2]
        words = [next((c for c in (stem, stem + "e", stem[:-1]) if c in BASIC_COLORS), words[0])]
    if not words or words[0] == "and" or not all(w in COLOR_WORDS or w in COLOR_MODIFIERS or w == "and" for w in words):
        return None
    if not canonical_color(words[-1]):
        return None
    kept = [canonical_color(w) or w for w in words if w not in ("warm", "cool") or len(words) == 1]
    return " ".join(kept) or None


_MORE = frozenset("more much even way bit slightly somewhat some very really quite".split())


def parse_place(text: str) -> str | None:
    """A canonical position when the text is only a place ('the top-left corner' -> 'top left')."""
    text = _clean(text)
    m = re.fullmatch(
        rf"(?:(?:on|at|in|to|towards?|into|onto)\s+)?(?:the\s+)?(?:very\s+|far\s+)?(?P<place>{_PLACE}){_PLACE_TAIL}",
        text,
    )
    return canonical_position(m["place"]) if m else None


def parse_direction(text: str) -> str | None:
    """'a bit to the left' -> 'left', 'upwards' -> 'up'; None when it is not a bare direction."""
    text = re.sub(
        r"^(?:a (?:bit|little)(?: bit)?|slightly|one (?:step|cell|space|square|spot|place)|further)\s+",
        "",
        _clean(text),
    )
    text = re.sub(r"\s+(?:in|into|across|through)\s+the\s+(?:sky|air|frame|image|picture|water)$", "", text)
    m = re.fullmatch(  # "higher up in the sky": the direction, said twice
        r"(?:(?:to|towards?)\s+(?:the\s+)?)?(?P<d>\w+)(?:\s+(?:up|down))?(?:\s+(?:a (?:bit|little)|slightly))?", text
    )
    return DIRECTION_WORDS.get(m["d"]) if m else None


@dataclass(frozen=True)
class Value:
    """What a complement says ("blue", "bigger", "wooden", "a square"), by kind."""

    kind: str  # color | size | scale | material | texture | lighting | tone | style | pattern | noun
    value: str | float
    extra: str | None = None  # a colour that comes with a pattern: "a blue striped background"


_SCALE = re.compile(
    r"^(?:(?:a\s+)?(?:bit|little|lot|much|slightly|even|way|somewhat|significantly|noticeably)\s+)*"
    r"(?P<w>\w+)(?:\s+(?:than (?:before|it is|now|they are|the others?)|in size|size))?$"
)
_TIMES = re.compile(
    r"^(?:(?P<n>\d+(?:\.\d+)?|twice|two|three|four|half)\s*(?:x|times)?\s*(?:as\s+)?(?:big|large|bigger|larger|tall|taller|long|longer|wide|wider|high|(?:the|its|their|that|this)\s+size|its original size|smaller|small)?(?:\s+as\s+(?:before|it is|now))?|(?P<pct>\d+(?:\.\d+)?)\s*%)$"
)


def parse_scale(text: str) -> float | None:
    """'bigger' -> 2.0, 'smaller' -> 0.5, 'twice as big' -> 2.0, '150%' -> 1.5; None otherwise."""
    text = _clean(text)
    text = re.sub(r"^(?:to be |to |by )?(?:about |roughly |around |approximately |nearly |almost )?", "", text)
    m = _SCALE.match(text)
    if m and m["w"] in GROW_WORDS:
        return 2.0
    if m and m["w"] in SHRINK_WORDS:
        return 0.5
    m = _TIMES.match(text)
    if m and (m["n"] or m["pct"]):
        if m["pct"]:
            return float(m["pct"]) / 100
        n = {"twice": 2.0, "two": 2.0, "three": 3.0, "four": 4.0, "half": 0.5}.get(m["n"]) or float(m["n"])
        return 1 / n if "small" in text and n > 1 else n
    return None



# Words that may surround "brighter"/"darker" without naming a particular light.
_PREPOSITIONS = frozenset("at in on with of from by over under near behind".split())
_DEGREE_FILLERS = {"more", "much", "a", "bit", "little", "slightly", "the", "and", "scene", "image", "lot", "of", "some"}

def parse_lighting(text: str) -> str | None:
    said = _clean(text)
    text = said
    text = re.sub(r"^(?:a |an |the )?", "", text)
    text = re.sub(r"\s+(?:time|lighting|light|scene|setting|sky|mood|atmosphere|look)$", "", text)
    if text in LIGHTING_WORDS:
        return LIGHTING_WORDS[text]
    if text in WEATHER_WORDS | FALLING_WEATHER:  # "make it rain", "let it snow": the weather of the scene
        return text
    falling = next((w for w in (text.removesuffix("ing"), text.removesuffix("ing") + "e") if text.endswith("ing") and w in WEATHER_WORDS | FALLING_WEATHER), None)
    if falling:  # "make it look like it's snowing", "raining": that weather
        return falling
    words = set(WORD.findall(text))
    said_how = bool(words - _DEGREE_FILLERS)  # "image" alone says no light
    if said_how and words <= BRIGHTER_WORDS | _DEGREE_FILLERS:
        return "bright"
    if said_how and words <= DARKER_WORDS | _DEGREE_FILLERS:
        return "dark"
    head = text.split()[-1] if text else ""
    if head in LIGHTING_WORDS and len(words) <= 4 and not words & _PREPOSITIONS:  # "a moody night scene"
        return text
    if re.search(r"\b(?:lighting|light|illumination|glow|shadows?)\b|\blit(?:\s+up)?$", said) and len(words) <= 6:  # not "a lit lamp"
        return re.sub(r"^(?:a |an |the )", "", said)
    return None


def parse_tone(text: str) -> str | None:
    said = re.sub(r"^(?:a |an |the |to )?", "", _clean(text))
    text = re.sub(
        r"\s+(?:tones?|tint|toned|filter|colou?rs?|colou?r (?:tones?|palette|scheme|grading)|palette|hues?|style|look|mode|effect|feel|"
        r"scale|version|photo|photograph|picture|image)$",
        "",
        said,
    )
    text = re.sub(r"^(?:more |much |a bit |slightly |bit )", "", text)
    if text in TONE_WORDS:
        return TONE_WORDS[text]
    # "a warm vintage tone": a grade named by its own noun, with a tone word in it
    graded = re.search(r"\s(?:tones?|tint|hint|tinge|cast|wash|overlay|filter|colou?r (?:palette|grading)|palette|grade|grading)$", said)
    if graded and len(text.split()) <= 3 and set(WORD.findall(text)) & set(TONE_WORDS):
        return text
    if graded and not set(WORD.findall(said)) & STYLE_MEDIA and any(canonical_color(w) for w in WORD.findall(said)):
        return said  # "a brown hint", "a violet tint", "a green superhero filter": a colour grade
    return None


def parse_style(text: str) -> str | None:
    """A style phrase ('a loose watercolor-wash style' -> 'loose watercolor-wash'); canonical toy
    styles ('pixel art' -> 'pixelate') when the phrase is one of them."""
    text = re.sub(r"^(?:(?:a|an|the)\s+)", "", _clean(text))
    text = re.sub(r"^(?:style of|in the style of|style|the style of)\s+", "", text)
    core = re.sub(r"\s+(?:style|look|aesthetic|effect|filter|version|rendition|mode)$", "", text).strip()
    if core in STYLE_WORDS:
        return STYLE_WORDS[core]
    if (
        core.split()[-1:] and core.split()[-1] in STYLE_WORDS and len(core.split()) <= 3
    ):  # "dark outlines"
        return STYLE_WORDS[core.split()[-1]]
    words = set(WORD.findall(core)) | set(core.replace("-", " ").split())
    if core and (words & STYLE_MEDIA or text != core):
        return core
    return None


def parse_background(text: str) -> Value | None:
    """'a blue striped background' -> pattern stripes + colour blue; 'a snowy forest' -> description."""
    text = re.sub(r"^(?:(?:a|an|the)\s+)", "", _clean(text))
    text = re.sub(r"\s+(?:background|backdrop|one|pattern|patterned|design)$", "", text)
    text = re.sub(r"\s+(?:colou?r|colou?red)$", "", text)
    words = WORD.findall(text)
    pattern = next((PATTERN_WORDS[w] for w in words if w in PATTERN_WORDS), None)
    rest = " ".join(w for w in words if w not in PATTERN_WORDS and w not in ("with", "of", "a", "in"))
    color = parse_color(rest) if rest else None
    if pattern and (color or not rest):
        return Value("pattern", pattern, color)
    if color:
        return Value("color", color)
    return Value("description", text) if text else None


# Details after a value: "clear glass | with realistic refraction", "watercolor | , soft edge bleeding".
_DETAILS = re.compile(r"\s*(?:,|;|\s-\s|\s(?:with|featuring|including|showing|while|and\s+(?:a|an)|from)\s).*$")


def classify(text: str, allow_bare_noun: bool = True) -> Value | None:
    """What a complement is: 'blue' (colour), 'bigger' (scale), 'large' (size), 'wooden' (material),
    'smooth' (texture), 'night' (lighting), 'warm' (tone), 'watercolor style' (style), 'striped'
    (pattern), 'a square' (noun). A value said with details ('clear glass with realistic refraction')
    is the value."""
    cleaned = _clean(text)
    if not cleaned:
        return None
    color = parse_color(cleaned)
    if color:  # "bright, vivid orange": one colour, its commas no details
        return Value("color", color)
    core = _DETAILS.sub("", cleaned)
    if core == cleaned or GRAYSCALE_LOOK.search(cleaned[len(core) :]):  # "a striking look with black and white treatment"
        core = ""
    listed = parse_adjustment(cleaned) if core and "," in cleaned else None
    if listed is not None and listed.region is None and len({op for op, _ in listed.parts}) > 1:
        core = ""  # "more bright, colorful and clear": a list of qualities of both kinds, no details after a comma
    value = (_typed(core) if core else None) or _typed(cleaned)
    if value is not None:
        return value
    if allow_bare_noun or re.match(r"^(?:a|an|some|two|three|\d+)\s", cleaned):
        return Value("noun", cleaned)
    return None


def _typed(cleaned: str) -> Value | None:
    color = parse_color(cleaned)
    if color:
        return Value("color", color)
    scale = parse_scale(cleaned)
    if scale is not None:
        return Value("scale", scale)
    bare = re.sub(r"^(?:(?:a|an|the)\s+)?(?:bit\s+)?", "", cleaned)
    bare = re.sub(r"\s+(?:size|in size|sized)$", "", bare)
    if bare in SIZE_WORDS:
        return Value("size", SIZE_WORDS[bare])
    tone = parse_tone(cleaned)
    if tone:
        return Value("tone", tone)
    lighting = parse_lighting(cleaned)
    if lighting:
        return Value("lighting", lighting)
    made = re.match(r"^(?:(?:be\s+)?made\s+(?:of|from|out\s+of)|out\s+of)\s+(?P<m>.+)$", bare)
    if made:  # what follows "made of" is a material ("gold", "chocolate"), a colour before it its colour
        *said, matter = made["m"].split()
        return Value("material", MATERIAL_WORDS.get(matter, matter), parse_color(" ".join(said)) if said else None)
    material = re.sub(r"^(?:(?:a|an)|of)\s+", "", bare)
    material = re.sub(rf"\s+(?:material|texture|surface|finish|{'|'.join(MATTER_PIECES)})$", "", material)
    if material in MATERIAL_WORDS:
        return Value("material", MATERIAL_WORDS[material])
    *said, matter = material.split() or [""]
    if matter in MATERIAL_WORDS and not re.match(r"^(?:a|an)\s", bare) and 0 < len(said) <= 2 and all(
        w in COLOR_WORDS or w in COLOR_MODIFIERS or w in TEXTURE_WORDS or w in _MATERIAL_MODIFIERS for w in said
    ):  # "clear glass", "black leather": the material, a colour said with it its colour
        return Value("material", MATERIAL_WORDS[matter], parse_color(" ".join(said)))
    patterned = re.sub(r"\s+(?:patterns?|prints?|designs?|motifs?)$", "", material)
    if patterned in OBJECT_PATTERN_WORDS or patterned.replace(" ", "-") in OBJECT_PATTERN_WORDS:
        return Value("pattern", PATTERN_WORDS.get(patterned, patterned))
    words = WORD.findall(bare)
    fillers = ("and", "more", "surface", "appearance", "texture", "look", "finish")
    if set(words) & TEXTURE_WORDS and all(w in TEXTURE_WORDS or w in fillers for w in words):
        return Value("texture", " ".join(w for w in words if w in TEXTURE_WORDS))
    style = parse_style(cleaned)
    if style:
        return Value("style", style)
    adjusted = parse_adjustment(cleaned)
    if adjusted is not None and adjusted.region is None:
        ops = {op for op, _ in adjusted.parts}
        if ops == {"lighting"}:
            return Value("lighting", parse_lighting(cleaned) or cleaned)
        return Value("tone" if ops == {"tone"} else "looks", cleaned)
    return None


@dataclass(frozen=True)
class Adjustment:
    """Qualities of a photo said to change: each part's op ("lighting" or "tone") and words, and the
    region they are changed in, when one is said ("the brightness of the background")."""

    parts: list[tuple[str, str]]
    region: str | None = None


_ADJUST_CUT = re.compile(
    r"\s*(?P<aside>,|\s(?:until|by|like|so|because|while|as|through|since|with|making|towards?|to\s+(?:make|give|get))\s)\s*"
    r"|\s+(?:of|on|in|for|from|to|across|throughout|at|around|within)\s+|\s+over\s+(?=(?:the|this|that|his|her|its|their|my|our)\s)"
)  # "the haze over the lake"; not "the over exposure"
_ADJUST_SPLIT = re.compile(
    r"\s*(?:&|,|\b(?:and|or|plus|higher|lower|more|less|increase|decrease|reduce|raise|boost|improve|enhance)\b)\s*"
)


def _quality_word(word: str) -> str | None:
    """The op a retouching word belongs to ('contrast' -> tone, 'brightness' -> lighting), if any."""
    if word.endswith("ness") and len(word) > 6:  # "redness", "coolness": the quality of a look
        return _quality_word(word.removesuffix("ness"))
    if word in LIGHT_QUALITIES or word in LIGHT_LOOKS:
        return "lighting"
    colour = canonical_color(word) or (word.endswith("s") and word[:-1] not in COLOR_NOUNS and canonical_color(word[:-1]))
    if word in TONE_QUALITIES or word in COLOR_LOOKS or word in TONE_WORDS or colour:
        return "tone"
    return None


_NOT_A_GRADE = STYLE_MEDIA | SEASONS | SCENE_WORDS | frozenset(LIGHTING_WORDS)  # "spring colors": a season


_UNPLANNED_IN_A_LIST = UNPLANNED_QUALITIES | {"clear", "clearer"}  # the photo's clarity, said after other qualities


def parse_adjustment(text: str) -> Adjustment | None:
    """Qualities of a photo turned up or down: 'the brightness and contrast' -> lighting and tone;
    'less cold and dark' -> tone and lighting; 'the intensity of red color on the entire image' ->
    tone. What follows a preposition is the region (or the amount: 'by a little'). None unless every
    part is such a quality, so 'the size of the car' or 'a red car' is none."""
    said = re.sub(r"^(?:(?:some|all|most|part|much|a\s+lot)\s+of\s+)", "", _clean(text))
    # "warm, cozy indoor lighting": adjectives listed before the light they describe, no aside
    said = re.sub(r"^([a-z]+),\s+(?=(?:[a-z-]+\s+){0,3}(?:lighting|light)$)", r"\1 ", said)
    region = None
    for m in _ADJUST_CUT.finditer(said):
        tail = WORD.findall(said[m.end() :])
        if m.group().strip() == "of" and tail and all(_quality_word(w) or w in ADJUST_FILLERS for w in tail):
            continue  # "the intensity of red color"
        if m.group().strip() == "," and tail and all(
            _quality_word(w) or w in ADJUST_FILLERS or w in _DETERMINERS or w in _UNPLANNED_IN_A_LIST or w in ("and", "or", "overall")
            for w in tail
        ):
            continue  # "the brightness, contrast and saturation", "more bright, colorful and sharp": a list of qualities, no aside
        said, region = said[: m.start()], None if m["aside"] else said[m.end() :]
        break  # a region ("of the background"), or an aside ("until the sky is blue", "like a dreary day")
    if region is not None and all(w in ADJUST_FILLERS or w in _DETERMINERS for w in WORD.findall(region)):
        region = None  # "by a little", "in the image"
    if region is not None and is_image(region):
        region = None
    parts = []
    for part in _ADJUST_SPLIT.split(said):
        words = [w for w in WORD.findall(part) if w not in ADJUST_FILLERS and w not in _DETERMINERS]
        if not words or set(words) <= UNPLANNED_QUALITIES or (len(parts) and set(words) <= _UNPLANNED_IN_A_LIST):  # "... and a
            continue  # bit sharpen", "more bright, colorful and clear": no op changes it (alone, "a clear sky" is a look)
        if re.match(r"^(?:a|an|another|\d+)\s", part) and all(canonical_color(w) for w in words):
            return None  # "an orange": a thing
        ops = [_quality_word(w) for w in words]
        head = words[-1]
        named = head in LIGHT_QUALITIES or head in TONE_QUALITIES
        if not all(ops) and not (named and len(words) <= 3 and not set(words) & _NOT_A_GRADE):
            return None  # "sun glares", "superhero filter": a quality named by its head
        parts.append(("lighting" if "lighting" in ops else "tone", part.strip()))
    return Adjustment(parts, region) if parts else None


_MATERIAL_MODIFIERS = frozenset("clear solid real genuine natural brushed frosted stained dark light fine raw".split())


def is_image(text: str) -> bool:
    """Whether a phrase means the whole image ('the image', 'this photo', 'everything', 'it all')."""
    words = [
        w
        for w in WORD.findall(_clean(text))
        if w not in _DETERMINERS and w not in ("entire", "whole", "overall") and w not in _PHOTO_LOOKS
    ]
    return bool(words) and all(w in IMAGE_NOUNS or w in ("all", "everything") for w in words)


# "the grayscale photo", "the dark image": a look of the image said before its noun.
# Words that say which look or time the whole photo has ("the black and white photo", "the daytime scene").
_PHOTO_LOOKS = frozenset("grayscale greyscale monochrome black white and colour color old dark bright dim current".split()) | frozenset(
    w for w in LIGHTING_WORDS if " " not in w
)


def is_background(text: str) -> bool:
    """ "the background", "the yellow background outside the circle", "everything behind the girl"."""
    said = strip_image_tail(_clean(text))
    words = WORD.findall(said)
    head, *relation = _RELATION_START.split(said, maxsplit=1)
    heads = WORD.findall(head)
    around = bool(relation) and re.match(r"(?:behind|around|outside|surrounding)\b", relation[0].strip())
    return bool(words) and (
        words[-1] in BACKGROUND_NOUNS or bool(around and heads and (heads[-1] in BACKGROUND_NOUNS or heads == ["everything"]))
    )


def is_scene_place(text: str) -> bool:
    """Whether a phrase is a place to be in ('a tropical beach setting', 'the snowy forest', 'spring')."""
    words = WORD.findall(_RELATION_START.split(_clean(text), maxsplit=1)[0])
    return bool(words) and (
        words[-1] in SCENE_WORDS
        or words[-1] in SCENE_HEADS
        or words[-1] in BACKGROUND_NOUNS
        or words[-1] in SEASONS
    )


def names_setting(text: str) -> bool:
    """Whether a phrase names a setting as such ('a coastal setting', 'a snowy vista'), so changing
    anything to it is a background edit."""
    words = WORD.findall(_RELATION_START.split(_clean(text), maxsplit=1)[0])
    return bool(words) and words[-1] in SCENE_HEADS


def is_abstract(ref: EntityRef | None) -> bool:
    """Whether a parsed noun names no object ('a touch of sweetness', 'a striking composition')."""
    return ref is None or not ref.noun or ref.noun.split()[-1] in ABSTRACT_NOUNS


def style_mention(text: str) -> Value | None:
    """The look a free-form sentence names: 'immerse the image in the neon-lit world of cyberpunk'
    -> style 'cyberpunk'; 'craft a narrative with black and white styling' -> tone 'grayscale'.

    A style needs a medium word (oil, watercolor, cyberpunk); generic words ('futuristic', 'art')
    only join a medium next to them. The last medium said wins ('futuristic and gritty cyberpunk').
    """
    words = WORD.findall(_clean(text))
    runs: list[list[str]] = []
    current: list[str] = []
    for word in [*words, ""]:
        base = re.sub(r"-(?:inspired|style|styled|like|esque)$", "", word)
        if base in STYLE_MEDIA or (current and base in GENERIC_STYLE_WORDS):
            current.append(base)
            continue
        if any(w not in GENERIC_STYLE_WORDS for w in current):
            runs.append(current)
        current = []
    gray = GRAYSCALE_LOOK.search(" ".join(words))
    if gray:  # "a minimalist composition in black and white" is still black and white
        return Value("tone", TONE_WORDS.get(re.sub(r"[\s-]+", " ", gray[0]), "grayscale"))
    return Value("style", " ".join(runs[-1])) if runs else None


def names_person(text: str) -> bool:
    """Whether the prompt names a person or the character (so the identity must be locked)."""
    words = {w.removesuffix("'s") for w in WORD.findall(text.lower())}  # "the woman's head"
    return bool(words & (PERSON_NOUNS | PERSON_PRONOUNS | {"face", "hair", "arm", "arms"}))


def attribute_name(word: str) -> str | None:
    return word if word in ATTRIBUTE_NAMES else None
