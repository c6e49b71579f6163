"""Paraphrase templates from I2EBench's instruction pairs (``ori_exp`` and its ChatGPT paraphrase ``div_exp``).

I2EBench (Apache-2.0, github.com/cocoshe/I2EBench, NeurIPS 2024) pairs every original instruction
with a paraphrase. ``extract_templates`` turns the pairs whose paraphrase names the same object and
value as the original into templates with slots (``{target}``, ``{color}``, ``{new}``,
``{background}``), so the routing probe can say a toy-world edit both ways. Pairs whose paraphrase
changes the meaning (the published data has some, e.g. "brown" -> "black") are dropped by this rule.
The extracted templates ship in ``data/i2ebench_templates.json``; ``python -m nanoedit.evals.i2ebench
FOLDER`` rebuilds that file from the benchmark's JSON files.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path

TEMPLATES_FILE = Path(__file__).parent / "data" / "i2ebench_templates.json"
_SLOTS = re.compile(r"[{}]")


def _once(pattern: str, text: str) -> bool:
    return len(re.findall(pattern, text)) == 1


def _pairs(folder: Path, dimension: str):
    data = json.loads((folder / f"{dimension}.json").read_text(encoding="utf-8"))
    for key, item in data.items():
        ori, div = item["ori_exp"].strip(), item["div_exp"].strip()
        if not _SLOTS.search(ori + div):
            yield f"{dimension}/{key}", ori, div, item


def extract_templates(folder: str | Path) -> dict[str, list[dict[str, str]]]:
    """Templates per toy-world op, each ``{"ori", "div", "source"}``, de-duplicated, in file order."""
    folder = Path(folder)
    found: dict[str, list[dict[str, str]]] = {
        "recolor": [],
        "remove": [],
        "replace": [],
        "background": [],
        "tone": [],
    }

    def keep(op: str, ori: str, div: str, source: str) -> None:
        if all((t["ori"], t["div"]) != (ori, div) for t in found[op]):
            found[op].append({"ori": ori, "div": div, "source": source})

    for source, ori, div, _ in _pairs(folder, "ColorAlteration"):
        m = re.fullmatch(r"Change the color of the (.+?) to (\w+)", ori)
        if m and _once(rf"\b{m[2]}\b", div) and div.count(f"the {m[1]}") == 1:
            template = re.sub(rf"\b{m[2]}\b", "{color}", div.replace(f"the {m[1]}", "the {target}"))
            keep("recolor", "Change the color of the {target} to {color}", template, source)
    for source, ori, div, _ in _pairs(folder, "ObjectRemoval"):
        m = re.fullmatch(r"Remove the (.+?)\s+from the image\.?", ori)
        if m and div.count(f"the {m[1]}") == 1:
            keep(
                "remove",
                "Remove the {target} from the image",
                div.replace(f"the {m[1]}", "the {target}"),
                source,
            )
    for source, ori, div, _ in _pairs(folder, "Replacement"):
        m = re.fullmatch(r"replace (.+?) with (.+?)", ori, flags=re.IGNORECASE)
        if (
            m
            and m[1] != m[2]
            and _once(rf"\b{re.escape(m[1])}\b", div)
            and _once(rf"\b{re.escape(m[2])}\b", div)
        ):
            template = re.sub(rf"\b{re.escape(m[1])}\b", "{target}", div)
            template = re.sub(rf"\b{re.escape(m[2])}\b", "{new}", template)
            keep("replace", "replace {target} with {new}", template, source)
    for source, ori, div, _ in _pairs(folder, "BGReplacement"):
        m = re.fullmatch(r"Change the background of this photo to (\w+)", ori)
        # Only paraphrases that still speak of the background, with the value as a word of its own.
        if m and _once(rf"\b{m[1]}\b(?!-)", div) and re.search(r"\b(background|backdrop)\b", div):
            template = re.sub(rf"\b{m[1]}\b", "{background}", div)
            keep("background", "Change the background of this photo to {background}", template, source)
    for source, ori, div, item in _pairs(folder, "StyleAlteration"):
        if "black and white" in item.get("style", ""):  # the one I2EBench style the toy world has: a tone
            keep("tone", ori, div, source)
    return found


def load_templates() -> dict[str, list[dict[str, str]]]:
    """The shipped templates (extracted from I2EBench by ``extract_templates``)."""
    return json.loads(TEMPLATES_FILE.read_text(encoding="utf-8"))["templates"]


def main(argv: list[str]) -> int:
    if len(argv) != 1:
        print("usage: python -m nanoedit.evals.i2ebench I2EBENCH_FOLDER", file=sys.stderr)
        return 2
    templates = extract_templates(argv[0])
    document = {
        "source": "I2EBench (Apache-2.0), github.com/cocoshe/I2EBench, EditData/<Dim>/<Dim>.json at be06989",
        "rule": "pairs whose div_exp names the same object and value as ori_exp; slots replace them",
        "templates": templates,
    }
    TEMPLATES_FILE.parent.mkdir(parents=True, exist_ok=True)
    tmp = TEMPLATES_FILE.with_suffix(".tmp")
    tmp.write_text(json.dumps(document, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
    tmp.replace(TEMPLATES_FILE)
    print(", ".join(f"{op}: {len(items)}" for op, items in templates.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
