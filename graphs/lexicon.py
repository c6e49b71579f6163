"""The one lexicon: colours, shapes, people, places, sizes, materials, looks, and their canonical forms.

Planners read English with it and the toy world draws and describes its scenes with it, so a word
means the same everywhere and lives in one place. It sits low in the layers (``graphs``) and imports
nothing above it. Canonical values follow the graph schema: colours are the eleven basic colour
names (``grey`` -> ``gray``), sizes are ``SIZES``, positions are ``POSITIONS``, directions are
``DIRECTIONS``. Real-world words outside the basic names (``teal``, ``dark brown``) are kept as said.
"""

from __future__ import annotations

import re

from .schema import DIRECTIONS, POSITIONS, SIZES

__all__ = ["DIRECTIONS", "POSITIONS", "SIZES"]  # the rest is public by name; these are re-exported

# The basic colour words and what each looks like (sRGB): grounding scores a region's colour against
# these, and the toy world paints with them. Pairwise far apart, so pixels tell any two apart.
COLOR_RGB: dict[str, tuple[int, int, int]] = {
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
BASIC_COLORS = tuple(COLOR_RGB)
COLOR_ALIASES = {"grey": "gray", "violet": "purple", "golden": "gold", "colourless": "white"}
EXTRA_COLORS = (
    "gold", "silver", "beige", "cyan", "magenta", "teal", "navy", "turquoise", "maroon", "crimson",
    "cream", "tan", "ivory", "lavender", "indigo", "olive", "lime", "peach", "coral", "burgundy",
    "khaki", "scarlet", "amber", "emerald", "charcoal", "rainbow", "aqua", "mint", "rose", "mustard",
    "chestnut", "fuchsia", "ochre", "taupe",
)  # fmt: skip
# Colours said of hair ("dye it auburn", "make her blonde"): a hair colour when said of a person.
HAIR_COLORS = ("blonde", "blond", "auburn", "brunette")
COLOR_WORDS = frozenset(BASIC_COLORS) | frozenset(EXTRA_COLORS) | frozenset(HAIR_COLORS) | frozenset(COLOR_ALIASES)
# Colour names that are also things: "an orange slice" is a slice of an orange, "a rose bush" a kind of bush.
COLOR_NOUNS = frozenset(
    "orange rose lime peach olive mint coral cream amber emerald jade gold silver chestnut honey".split()
)
# Modifiers kept in a colour value ("dark brown"); filler dropped from it ("a solid shade of blue").
COLOR_MODIFIERS = frozenset(
    "light dark deep bright pale pastel vivid neon soft hot navy sky royal baby forest lemon "
    "off flat plain dusty muted rich warm cool metallic vibrant lively cheerful lush brilliant snowy pure fiery "
    "bold intense striking glossy brighter darker lighter deeper sage ocean midnight hunter electric ruby "
    "sea moss bottle powder ice steel blood candy cherry wine slate jet strawberry honey "
    "matte matt satin gloss brand".split()  # a finish ("matte black", as "glossy") or a brand's colour ("brand-blue")
)
# "a vibrant red hue", "white pigment", "red attire": words around a colour that are not the colour.
COLOR_FILLER = frozenset(
    "a an the solid shade shades of hue hues tone tones tint tinge color colour colors colours colored "
    "coloured in pigment paint appearance attire palette one ones".split()
)

SIZE_WORDS = {
    "small": "small", "tiny": "small", "little": "small", "smaller": "small", "mini": "small",
    "medium": "medium", "mid-sized": "medium", "medium-sized": "medium", "midsize": "medium",
    "large": "large", "big": "large", "huge": "large", "giant": "large", "enormous": "large",
}  # fmt: skip
GROW_WORDS = frozenset("bigger larger taller wider huger greater".split())
SHRINK_WORDS = frozenset("smaller tinier shorter narrower littler".split())

NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8,
    "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a pair of": 2, "a couple of": 2, "both": 2,
}  # fmt: skip

# Words naming the character (the toy world's person) or any person in a real photo.
PERSON_NOUNS = frozenset(
    "person people character man men woman women boy girl child children kid kids lady guy human "
    "figure subject driver pilot player rider skier surfer skater chef doctor nurse soldier athlete "
    "worker farmer dancer singer teacher student baby toddler grandpa grandma grandfather grandmother "
    "mother father mom mum dad son daughter brother sister wife husband bride groom uncle aunt "
    "cyclist biker runner jogger hiker swimmer climber tourist passenger pedestrian".split()
)
PERSON = "person"  # the canonical noun of a person (the toy world's character) in every EntityRef
# Nouns said for the person whose canonical noun is ``PERSON`` (others, "woman", "boy", stay as said).
PERSON_WORDS: dict[str, str] = {"person": PERSON, "character": PERSON, "figure": PERSON}
PERSON_PRONOUNS = frozenset("he she him her his hers himself herself me myself".split())
PERSON_PARTS = {"face": "face", "hair": "hair", "pose": "pose", "body": "body", "identity": "face",
                "expression": "face", "features": "face", "facial features": "face"}  # fmt: skip
# Poses: the closed values of a pose edit (the toy world's arm poses, then body actions) and the
# verbs that say them; what else is said ("wave at the camera") is the pose's description.
ARM_POSES = ("arms_down", "raise_left_arm", "raise_right_arm", "raise_both_arms")
ACTION_WORDS = {
    "sit": "sit", "stand": "stand", "jump": "jump", "run": "run", "walk": "walk", "kneel": "kneel",
    "lie": "lie_down", "dance": "dance", "wave": "wave", "crouch": "crouch", "cross": "cross_arms",
    "point": "point", "clap": "clap", "bow": "bow", "squat": "squat", "lean": "lean", "fly": "fly",
    "swim": "swim", "sleep": "sleep", "hug": "hug", "kick": "kick", "hold": "hold", "turn": "turn",
    "stretch": "stretch", "climb": "climb", "ride": "ride", "eat": "eat", "drink": "drink", "read": "read",
    "salute": "salute", "pray": "pray", "fold": "fold_arms", "shrug": "shrug", "nod": "nod", "roar": "roar",
    "look": "look", "gaze": "look", "stare": "look", "glance": "look", "tilt": "tilt",
    "blow": "blow",
}  # fmt: skip
POSES = (*ARM_POSES, *dict.fromkeys(ACTION_WORDS.values()), "other")
# Facial expressions: an ``attribute`` edit (name "expression") of whoever makes them.
EXPRESSION_WORDS = {
    "smile": "smile", "smiling": "smile", "laugh": "laugh", "laughing": "laugh", "frown": "frown",
    "cry": "cry", "crying": "cry", "wink": "wink", "grin": "grin", "pout": "pout", "scowl": "scowl",
    "sad": "sad", "happy": "happy", "angry": "angry", "surprised": "surprised", "scared": "scared",
}  # fmt: skip
# Features a person has or gets ("give him a beard"): an ``attribute`` edit of the person.
PERSON_FEATURES = frozenset(
    "beard mustache moustache tattoo tattoos freckles wrinkles makeup lipstick goatee stubble eyeshadow rouge "
    "sideburns scar scars eyeliner mascara blush hair hairstyle haircut bangs fringe ponytail braid braids "
    "curls dreadlocks mohawk tears tear muscles abs biceps fat acne pimple pimples zit zits".split()
)
# Features whose colour is the person's looks ("change the lipstick shade to brown", "make his beard gray"), where
# a tattoo or a scarf recoloured is a thing's colour.
TINTED_FEATURES = frozenset("beard mustache moustache goatee stubble sideburns makeup lipstick eyeshadow eyeliner mascara blush rouge".split())
# Things only a person wears or has: said with no wearer ("add diamond earrings with sparkle", "add
# battle scars across the left cheek"), they are still an attribute edit of the person in the photo.
# Flaws that are a person's skin only when said on skin or a body part ("skin blemishes", "blemishes
# from my face"); said of the photo ("blemishes from the image") they are marks on it, removed.
SKIN_FLAWS = frozenset("blemish blemishes blackhead blackheads mark marks pimple pimples spot spots redness".split())
WORN_BY_PEOPLE = frozenset(
    "glasses eyeglasses spectacles sunglasses earring earrings lipstick stockings tights leggings pantyhose".split()
) | (
    PERSON_FEATURES - {"hair"}
)
# Skin tones: "make the girl more tan" changes the person's skin (an attribute), not a colour of a thing.
SKIN_TONES = frozenset("tan tanned suntanned bronzed sunburnt sunburned pale paler".split())
# Animals: "remove the sunglasses and make the cat's eyes big" is about what the cat wears, not a person.
ANIMAL_NOUNS = frozenset(
    "cat cats kitten kittens dog dogs puppy puppies horse horses cow cows bird birds parrot owl duck ducks "
    "bear bears lion lions tiger tigers elephant elephants monkey monkeys rabbit rabbits bunny fox wolf "
    "deer sheep goat pig pigs giraffe zebra panda penguin squirrel mouse hamster turtle frog fish".split()
)
# Body parts: an added thing "across the forehead" or "on her cheek" is on a person.
# What an animal has ("her tail", "his collar"): after "her" they say whose, not whom.
ANIMAL_PARTS = frozenset("tail tails fur paw paws mane hoof hooves wing wings feathers beak snout whiskers horn horns collar leash".split())
BODY_PARTS = frozenset(
    "forehead cheek cheeks chin nose ear ears neck wrist wrists finger fingers lip lips eye eyes eyebrow "
    "eyebrows scalp shoulder shoulders arm arms face head jaw skin mouth teeth smile torso waist hips expression".split()
)
# What is only ever worn: "replace the clothes with a skirt" dresses a person, whoever it is.
GARMENT_NOUNS = frozenset("clothes clothing outfit attire".split())
# Clothes and jewellery a person wears ("give him a coat", "put boots on the girl"): like a feature,
# an ``attribute`` edit of the person (on anyone else, "a crown on the elephant" is an added object).
WEARABLES = frozenset(
    "coat jacket shirt t-shirt sweater jumper hoodie cardigan blazer vest scarf tie necktie bowtie "
    "boots boot shoes sneakers sandals slippers gloves mittens socks earring earrings necklace bracelet "
    "wristband watch ring belt beanie helmet crown tiara mask backpack dress skirt jeans pants trousers "
    "shorts uniform suit costume apron cape cloak hood headband bandana veil gown robe tuxedo overalls "
    "raincoat poncho kimono turban wig bag handbag purse headphone headphones earphones earbuds".split()
) | GARMENT_NOUNS
# Accessories the character wears: adding/removing them is an attribute edit of the person.
ACCESSORIES = {"hat": "hat", "cap": "hat", "glasses": "glasses", "sunglasses": "glasses",
               "spectacles": "glasses", "eyeglasses": "glasses"}  # fmt: skip

# Basic shapes, and the synonyms that mean them ("ball" is a circle).
SHAPES = ("circle", "square", "triangle", "star", "heart")
SHAPE_WORDS: dict[str, str] = {
    "circle": "circle", "ball": "circle", "dot": "circle",
    "square": "square", "box": "square", "block": "square",
    "triangle": "triangle",
    "star": "star",
    "heart": "heart",
}  # fmt: skip

# Words meaning "the whole image" rather than one object in it.
IMAGE_NOUNS = frozenset(
    "image picture photo photograph scene frame canvas painting whole everything shot view "
    "illustration artwork drawing pic avatar selfie headshot".split()
)
BACKGROUND_NOUNS = frozenset(
    "background backdrop setting environment surroundings scenery backgrounds".split()
)
# Places: "change the tent from the forest to the beach" is a background edit.
SCENE_WORDS = frozenset(
    "forest woods beach desert city street town mountain mountains ocean sea space jungle rainforest "
    "snow snowfield field meadow garden park underwater lake river countryside village office room "
    "kitchen studio sky skies clouds cave castle savanna grassland island farm library classroom stadium "
    "underworld galaxy universe volcano waterfall swamp glacier arctic tundra canyon cliff himalayas alps".split()
)
# Heads that name a whole setting ("a snowy vista", "a beach landscape"): the background, not an object.
SCENE_HEADS = frozenset(
    "setting environment landscape scene scenery vista ambiance ambience backdrop background cityscape "
    "skyline surroundings terrain panorama seascape landscapes".split()
)
SEASONS = frozenset("spring summer autumn fall winter".split())
# Background patterns: the canonical names, and every word that means one.
BACKGROUND_PATTERNS = ("solid", "stripes", "checker", "gradient")
PATTERN_WORDS: dict[str, str] = {
    "solid": "solid", "plain": "solid", "uniform": "solid",
    "striped": "stripes", "stripes": "stripes", "stripy": "stripes", "stripe": "stripes",
    "checker": "checker", "checkered": "checker", "checkerboard": "checker", "checked": "checker",
    "chequered": "checker", "checkers": "checker",
    "gradient": "gradient",
}  # fmt: skip
# Patterns an object can take ("the shirt to a floral pattern"): an ``attribute`` edit (name "pattern").
OBJECT_PATTERN_WORDS = frozenset(PATTERN_WORDS) - {"solid", "plain", "uniform", "gradient"} | frozenset(
    "floral flowered flowery plaid tartan paisley polka-dot polka-dotted dotted spotted zebra-striped "
    "leopard-print camouflage camo houndstooth herringbone argyle geometric tiger-striped".split()
)

LIGHTING_WORDS = {
    "day": "day", "daytime": "day", "daylight": "day", "midday": "day", "noon": "day", "sunny": "day",
    "night": "night", "nighttime": "night", "night-time": "night", "midnight": "night",
    "sunset": "sunset", "dusk": "sunset", "sundown": "sunset", "golden hour": "sunset",
    "sunrise": "sunrise", "dawn": "sunrise", "twilight": "twilight", "evening": "evening",
    "morning": "morning", "moonlight": "moonlight", "moonlit": "moonlight",
}  # fmt: skip
BRIGHTER_WORDS = frozenset(
    "brighter lighter brighten lighten bright brightness illuminate illuminated brightening lightening".split()
)
DARKER_WORDS = frozenset("dark darker darken dim dimmer dimmed gloomy darkening".split())
# Weather said as a thing added ("add storm clouds", "add falling rain"): a ``lighting`` edit of the scene.
WEATHER_WORDS = frozenset(
    "rain rainfall raindrops rainstorm storm stormy thunderstorm lightning fog foggy mist misty haze hazy "
    "snowfall snowstorm blizzard drizzle hail downpour".split()
)
# Retouching: qualities of a photo that are turned up or down or set right ("increase the contrast",
# "fix the glare", "correct white balance"), by the op that changes them: the light of the scene, or
# the tone of its colours. Looks said as adjectives ("brighter and more vibrant") split the same way.
LIGHT_QUALITIES = frozenset(
    "brightness exposure lighting light sunlight brilliance luminosity luminance shadows shadow highlights "
    "highlight glare glares darkness dimness whites blacks overexposure underexposure flash haze fog mist smog "
    "brightening lightening darkening flare flares midtone midtones mid-tone mid-tones".split()
)  # "whites" and "blacks" as a photo editor's sliders say them: the brightest and darkest tones
# The tonal ranges a grade is put on ("cool blue tones to the shadows", "warm the highlights"): colour
# there is split toning, a tone edit, not a colour of some "shadow" object.
TONAL_RANGES = frozenset("shadow shadows highlight highlights midtone midtones mid-tone mid-tones".split())
# The photo's colours said as a whole ("add warm sunset colors", "cool tones"): a grade, not things added.
PALETTE_NOUNS = frozenset("color colors colour colours tone tones hue hues".split())
TONE_QUALITIES = PALETTE_NOUNS | frozenset(
    "contrast saturation vibrance vibrancy coloring colouring tint tints warmth temperature cast channel channels "
    "balance filter intensity hint tinge curves levels desaturation contrasting".split()
)
LIGHT_LOOKS = frozenset(
    "bright brighter lighter dark darker dim dimmer shiny shinier sunny sunnier gloomy dreary luminous radiant "
    "overexposed underexposed visible hazy foggy misty smoggy".split()
)  # haze is light in the air ("make the picture look less hazy"), as in WEATHER_WORDS
COLOR_LOOKS = frozenset(
    "vibrant vivid saturated desaturated unsaturated dull duller muted faded washed colorful colourful deep deeper "
    "rich richer punchy contrasty contrasted cheerful warm warmer cool cooler cold colder grayscale greyscale "
    "monochrome sepia natural".split()
)
# Qualities of a photo no edit op changes (sharpness, noise): said beside a light or a tone ("a bit more
# brightness and a bit sharpen"), they are left out of the plan.
UNPLANNED_QUALITIES = frozenset(
    "sharpen sharpness sharper sharp sharpening clarity crisp crisper noise grain focus noisy grainy blurry detail details".split()
)
# Flaws of a photo said as a complaint ("the colours look dull", "it's a bit dark"): the edit takes them away.
FLAWED_LOOKS = frozenset("dull faded flat muted washed-out dark dim gloomy dreary overexposed underexposed".split())
# Comparatives of light: "make the background darker" changes its light, not what the background is.
LIGHT_COMPARATIVES = frozenset("brighter darker lighter dimmer brightness exposure".split())
# Words around a quality that change nothing of it: "a little bit of the overall ambient brilliance".
ADJUST_FILLERS = frozenset(
    "a an the some of and more less much bit little lot lots tad slightly way even somewhat significantly "
    "moderately considerably substantially dramatically drastically noticeably subtly mildly greatly marginally "
    "very really quite pretty rather fairly too touch overall entire whole ambient general over under sun sky image photo picture scene "
    "full current fair amount small tiny problem problems issue issues high low out only value values".split()
)
# Weather that is only weather when said falling: "add some snow falling" (not "snow on the roof").
FALLING_WEATHER = frozenset("snow snowflake snowflakes flakes".split())
# The closed values of a lighting edit; anything else said about the light is its description.
LIGHTING_VALUES = (*dict.fromkeys(LIGHTING_WORDS.values()), "bright", "dark")

TONE_WORDS = {
    "warm": "warm", "warmer": "warm", "warmth": "warm",
    "cool": "cool", "cooler": "cool", "cold": "cool", "colder": "cool",
    "grayscale": "grayscale", "greyscale": "grayscale", "black and white": "grayscale",
    "black-and-white": "grayscale", "monochrome": "grayscale", "monochromatic": "grayscale",
    "b&w": "grayscale", "desaturated": "grayscale", "colorless": "grayscale", "gray scale": "grayscale",
    "grey scale": "grayscale", "sepia": "sepia", "monotone": "grayscale", "b/w": "grayscale",
    "colored": "full color", "coloured": "full color", "in color": "full color", "in colour": "full color",
}  # fmt: skip

# Canonical style names the renderers know, and the words that mean them ("pixel art" -> pixelate).
STYLES = ("outline", "posterize", "pixelate")
STYLE_WORDS: dict[str, str] = {
    "outline": "outline", "outlines": "outline", "outlined": "outline", "cartoon outlines": "outline",
    "posterize": "posterize", "posterized": "posterize", "poster": "posterize",
    "pixelate": "pixelate", "pixelated": "pixelate", "pixel art": "pixelate",
}  # fmt: skip
# A complement naming one of these media is a style transfer when it applies to the whole image.
STYLE_MEDIA = frozenset(
    "style painting painted sketch sketched drawing drawn cartoon cartoonish anime manga watercolor "
    "watercolour oil pixel comic ukiyo-e impressionist impressionism cubist cubism pop-art pop "
    "cyberpunk steampunk noir vintage retro pencil charcoal ink line-art photorealistic realistic "
    "surreal surrealist graffiti mosaic stained art artwork illustration render rendering 3d clay "
    "claymation lego low-poly lowpoly vaporwave synthwave gothic baroque renaissance minimalist "
    "minimalism abstract poster woodcut woodblock engraving etching pastel crayon digital "
    "gogh picasso monet ghibli pixar disney origami papercut paper-cut neon glitch "
    "expressionist expressionism futuristic fantasy sci-fi medieval art-deco deco nouveau "
    "tapestry embroidery sculpture statue marble-statue hologram holographic blueprint".split()
)

# Style words that name a look only together with a medium ("futuristic", "art"); alone they are no style.
GENERIC_STYLE_WORDS = frozenset(
    "style art artwork illustration render rendering digital realistic photorealistic abstract fantasy "
    "futuristic painting painted drawing drawn neon pastel surreal medieval poster".split()
)
# Grayscale looks said as a style: "a timeless black and white masterpiece" is a tone change.
GRAYSCALE_LOOK = re.compile(
    r"\b(?:black[\s-]+and[\s-]+white|monochrom(?:e|atic)|gr[ae]yscale|sepia)\b"
    r"(?=\s*(?:$|[,.;]|(?:style|styling|photography|photos?|photograph|treatment|look|tones?|composition|"
    r"masterpiece|aesthetics?|filter|effect|palette|image|picture|scheme|film|version|rendition|narrative|world|"
    r"portraits?|shots?|snapshots?|stills?)\b))"
)
# Nouns of a feeling or of the picture itself: "add a touch of sweetness" or "create a striking
# composition" adds no object.
ABSTRACT_NOUNS = frozenset(
    "burst touch hint sense splash pop feeling element vibe vibes charm liveliness diversity appeal mood "
    "essence depth richness contrast impact narrative composition story scene world effect statement feel "
    "atmosphere ambiance ambience beauty emotion serenity tranquility energy life interest drama "
    "whimsy warmth character flair elegance simplicity presence layer layers adjustment adjustments".split()
)

# Parts of a thing named by where they are ("the motorcycle's white area", "the lower part of the
# wall"): the edit is of the thing.
REGION_NOUNS = frozenset("area areas part parts region regions section sections portion portions".split())
# Nouns of written text: "remove the writing on the top", "add text pool party" edit text, not objects.
WRITTEN_NOUNS = frozenset(
    "text texts writing writings words word lettering letter letters caption captions inscription inscriptions quote quotes "
    "numbers digits numerals poem poems verse verses slogan slogans headline headlines tagline taglines instructions".split()
)  # "numbers" and "digits" are written ("erase the numbers"); "the number of cats" is a count
# Media that are also things: "change the clock to a colorful advertisement poster" puts a poster there.
STYLE_OBJECTS = frozenset("poster painting drawing sketch mosaic tapestry hologram illustration".split())

# A likeness of a thing in another matter: "turn them into statues" changes what they are made of,
# an ``attribute`` edit of the same objects, not a replacement by new ones.
LIKENESS_NOUNS = frozenset("statue sculpture figurine carving effigy bust mannequin".split())

MATERIAL_WORDS = {
    "wood": "wood", "wooden": "wood", "metal": "metal", "metallic": "metal", "glass": "glass",
    "stone": "stone", "plastic": "plastic", "marble": "marble", "paper": "paper", "leather": "leather",
    "fabric": "fabric", "wool": "wool", "woolen": "wool", "woollen": "wool", "silk": "silk",
    "cotton": "cotton", "ceramic": "ceramic", "porcelain": "porcelain", "concrete": "concrete",
    "brick": "brick", "rubber": "rubber", "ice": "ice", "crystal": "crystal", "bronze": "bronze",
    "copper": "copper", "steel": "steel", "iron": "iron", "velvet": "velvet", "denim": "denim",
    "chalkboard": "chalkboard", "cardboard": "cardboard", "clay": "clay", "jade": "jade",
    "bamboo": "bamboo", "wicker": "wicker", "straw": "straw", "lace": "lace", "fur": "fur",
    "chrome": "chrome", "aluminum": "aluminum", "aluminium": "aluminum", "granite": "granite",
    "linen": "linen", "suede": "suede", "satin": "satin", "tin": "tin", "sand": "sand",
    "rattan": "rattan", "knitted": "knit", "knit": "knit", "painted": "painted", "golden": "gold",
    "enamel": "enamel", "plaster": "plaster", "diamond": "diamond",
}  # fmt: skip
TEXTURE_WORDS = frozenset(
    "smooth smoother rough rougher fluffy fluffier furry fuzzy shiny shinier glossy matte soft softer "
    "wrinkled bumpy polished rusty wet dry hairy silky velvety grainy sparkly sparkling glittery "
    "transparent translucent textured cracked weathered worn".split()
)
# Words that say a form or a state of a thing, not another kind of it: "a double layer cake", "an
# autumn leaf" (with ``TEXTURE_WORDS``, seasons and adjective endings, see ``planner.rules``).
FORM_WORDS = frozenset(
    "double triple single twin multi tall short long wide narrow thick thin round flat open closed empty full "
    "half broken ripe rotten fresh dead bare leafless".split()
)
ATTRIBUTE_NAMES = frozenset("material texture pattern finish surface appearance shape expression".split())

# Place words: the nine canonical positions and how people say them.
_VERTICAL = {"top": "top", "upper": "top", "bottom": "bottom", "lower": "bottom"}
_HORIZONTAL = {"left": "left", "right": "right"}
DIRECTION_WORDS = {
    "left": "left", "leftward": "left", "leftwards": "left", "right": "right", "rightward": "right",
    "rightwards": "right", "up": "up", "upward": "up", "upwards": "up", "higher": "up",
    "down": "down", "downward": "down", "downwards": "down", "lower": "down",
}  # fmt: skip
# The other side of a place word ("the other one" after "the vase on the left" is on the right).
OPPOSITE_SIDES = {"left": "right", "right": "left", "top": "bottom", "bottom": "top"}

# Misspellings and run-together words seen in real prompts, read as meant ("thebackground", "lyer").
TYPOS = {
    "thebackground": "the background", "backhground": "background", "backgound": "background",
    "backround": "background", "backgroud": "background", "lyer": "layer", "colur": "color",
    "theimage": "the image", "thephoto": "the photo", "rmove": "remove", "remvoe": "remove",
    "adn": "and", "teh": "the", "brighness": "brightness", "contrst": "contrast", "contrase": "contrast", "saturaton": "saturation",
    "saturnation": "saturation", "satuarion": "saturation", "constrast": "contrast", "contast": "contrast",
    "brightnes": "brightness", "back ground": "background", "back drop": "backdrop", "color pallet": "color palette",
    "colour pallet": "colour palette", "hight": "height", "hightlights": "highlights", "hightlight": "highlight", "darker the": "darken the", "brighter the": "brighten the",
    "pleas": "please", "pls": "please", "plz": "please", "alot": "a lot", "curretnly": "currently",
    "day time": "daytime", "night time": "nighttime", "lighen": "lighten", "birghten": "brighten", "brigthen": "brighten", "birghter": "brighter", "brigther": "brighter",
    "visable": "visible", "shapen": "sharpen", "strenghten": "strengthen", "strenght": "strength",
    "photo shop": "photoshop", "photo shopped": "photoshopped", "photo shopping": "photoshopping",
    "photo-shop": "photoshop", "photo-shopped": "photoshopped", "photo-shopping": "photoshopping",
}  # fmt: skip

# Irregular or look-alike plurals that must keep their spelling.
_KEEP_PLURAL = frozenset(
    "glasses sunglasses eyeglasses spectacles clothes pants jeans shorts scissors grass bus dress glass boss "
    "moss chess cross class canvas species series news lens gas octopus cactus hippopotamus "
    "bus walrus iris circus compass mattress goddess princess actress fungus campus status "
    "physics mathematics trousers leggings tights binoculars tongs pliers "
    "stairs overalls goggles sweatpants".split()
)
_IRREGULAR = {"men": "man", "women": "woman", "children": "child", "people": "person", "mice": "mouse",
              "geese": "goose", "feet": "foot", "teeth": "tooth", "leaves": "leaf", "knives": "knife",
              "wolves": "wolf", "shelves": "shelf", "loaves": "loaf", "halves": "half", "calves": "calf",
              "fish": "fish", "sheep": "sheep", "deer": "deer", "dice": "die", "cacti": "cactus"}  # fmt: skip


# -oes plurals of -o nouns; every other -oes word is -oe + s ("shoes", "toes", "canoes").
_OES_PLURALS = frozenset(
    "tomatoes potatoes heroes echoes mosquitoes volcanoes torpedoes buffaloes dominoes mangoes "
    "avocadoes tornadoes".split()
)


def singular(word: str) -> str:
    """The singular of an English noun, good enough for shape and object names."""
    if word in _IRREGULAR:
        return _IRREGULAR[word]
    if word in _KEEP_PLURAL or len(word) <= 3 or not word.endswith("s") or word.endswith(("ss", "us", "is")):
        return word
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith(("ches", "shes", "xes", "zes", "sses")) or word in _OES_PLURALS:
        return word[:-2]
    return word[:-1]


def canonical_color(word: str) -> str | None:
    """``grey`` -> ``gray``; None when the word is no colour."""
    if word not in COLOR_WORDS:
        return None
    return COLOR_ALIASES.get(word, word)


_POSITION = re.compile(
    r"\b(?:(?P<v>top|upper|bottom|lower)[\s-]*(?P<h1>left|right)?|(?P<h2>left|right)[\s-]*(?P<v2>top|bottom)?"
    r"|(?P<c>center|centre|middle))\b"
)


def canonical_position(text: str) -> str | None:
    """``upper-left corner`` -> ``top left``, ``middle`` -> ``center``; None when no place is named."""
    m = _POSITION.search(text)
    if not m:
        return None
    if m["c"]:
        return "center"
    vertical = _VERTICAL.get(m["v"] or m["v2"] or "")
    horizontal = _HORIZONTAL.get(m["h1"] or m["h2"] or "")
    return " ".join(w for w in (vertical, horizontal) if w)
