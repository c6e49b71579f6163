"""The learned op gate: a small text classifier that maps a clause to an op class.

The seeds' "lightweight text head that classifies the instruction, trained alongside the rules".
Features are hashed word unigrams and bigrams plus character trigrams of each word (crc32, so the
same text always gives the same features); the model is one linear layer with a softmax
(multinomial logistic regression). It is trained with numpy on the labelled public corpora in
``../shared/benchmarks`` (ImgEdit edit types, EdiVal task types, I2EBench categories), prompts
generated from the lexicon, and the hand-labelled real sets ``benchmarks/data/dev*_single.jsonl`` and
``dev*_sessions.jsonl`` (one-op prompts and turns, and clauses the rules' splitter isolates; never a
``heldout_*`` file), and ships as ``op_gate.safetensors`` + ``op_gate.json`` next to this file. The
rule planner asks it about clauses its rules leave unparsed; with ``RulePlanner(arbitrate_threshold=T)``
it also re-types a clause the rules typed when it names another op at least T likely (off by
default: ``OP_GATE.md`` has the validation figures and why). The router can use it as a gate
(``OpGate.scores``); ``graph.trace`` says which one decided each node.

    nanoedit train planner [--labelled benchmarks/data] [--out planner/]   # or train_gate(out_dir)
"""

from __future__ import annotations

import argparse
import ast
import csv
import json
import math
import re
import zlib
from functools import cache
from pathlib import Path

import numpy as np

from nanoedit.errors import ModelLoadError, PlanError, Problem
from nanoedit.graphs import EditNode, Op
from nanoedit.graphs import lexicon as lex

HERE = Path(__file__).resolve().parent
WEIGHTS, CONFIG = "op_gate.safetensors", "op_gate.json"
DEFAULT_CORPORA = HERE.parent.parent / "shared" / "benchmarks"
DEFAULT_LABELLED = HERE.parent / "benchmarks" / "data"  # the repo's hand-labelled real prompts (dev* only)
ARBITRATE_THRESHOLD: float | None = None  # the rule planner's default: unparsed clauses only (OP_GATE.md says why)
LABELS = tuple(op.value for op in Op if op is not Op.identity_lock)
_WORD = re.compile(r"[a-z]+|\d+|'[^']*'|\"[^\"]*\"")


def features(text: str, n_features: int) -> np.ndarray:
    """The hashed feature indices of a text (each present feature once)."""
    words = ["<q>" if w[0] in "'\"" else w for w in _WORD.findall(text.lower()[:400])]
    grams = [f"w:{w}" for w in words] + [f"b:{a} {b}" for a, b in zip(words, words[1:])]
    grams += [f"c:{w[i : i + 3]}" for w in (f"<{w}>" for w in words) for i in range(len(w) - 2)]
    return np.unique(np.fromiter((zlib.crc32(g.encode()) % n_features for g in grams), np.int64, len(grams)))


class OpGate:
    """``predict(text) -> (op, probability)``; ``scores(node, experts)`` for the router."""

    name = "op_gate"

    def __init__(self, weight: np.ndarray, bias: np.ndarray, labels: tuple[str, ...] = LABELS):
        if weight.ndim != 2 or weight.shape[1] != len(labels) or bias.shape != (len(labels),):
            raise ModelLoadError(
                f"op gate weights {weight.shape} / bias {bias.shape} do not fit {len(labels)} labels; "
                "retrain it with `nanoedit train planner`"
            )
        self.weight, self.bias, self.labels = weight.astype(np.float32), bias.astype(np.float32), labels

    @classmethod
    def from_pretrained(cls, folder: str | Path = HERE) -> OpGate:
        from safetensors import SafetensorError
        from safetensors.numpy import load_file

        folder = Path(folder)
        try:
            config = json.loads((folder / CONFIG).read_text(encoding="utf-8"))
            tensors = load_file(str(folder / WEIGHTS))
            return cls(tensors["weight"], tensors["bias"], tuple(config["labels"]))
        except (OSError, ValueError, KeyError, SafetensorError) as exc:
            raise ModelLoadError(
                f"cannot load the op gate from {folder} ({type(exc).__name__}: {exc}); "
                f"it needs {CONFIG} and {WEIGHTS}: run `nanoedit train planner --out {folder}`"
            ) from None

    def save_pretrained(self, folder: str | Path) -> Path:
        from safetensors.numpy import save_file

        folder = Path(folder)
        folder.mkdir(parents=True, exist_ok=True)
        save_file({"weight": self.weight, "bias": self.bias}, str(folder / WEIGHTS))
        config = {"labels": list(self.labels), "n_features": int(self.weight.shape[0]), "features": "crc32 w/b/c3"}
        (folder / CONFIG).write_text(json.dumps(config, indent=2) + "\n", encoding="utf-8")
        return folder

    def probabilities(self, text: str) -> np.ndarray:
        logits = self.weight[features(text, self.weight.shape[0])].sum(0) + self.bias
        exp = np.exp(logits - logits.max())
        return exp / exp.sum()

    def predict(self, text: str) -> tuple[Op, float]:
        p = self.probabilities(text)
        best = int(p.argmax())
        return Op(self.labels[best]), float(p[best])

    def scores(self, node: EditNode, experts) -> dict[str, float]:
        """Router gate: an expert's logit is the log-probability of the node's role under the gate
        (summed over the ops of that role); experts of other roles or claims are excluded."""
        p = self.probabilities(node.text or node.op.value)
        by_role: dict[str, float] = {}
        for label, prob in zip(self.labels, p):
            role = Op(label).role.value
            by_role[role] = by_role.get(role, 0.0) + float(prob)
        out = {}
        for expert in experts:
            claims = node.op in expert.ops or (expert.role is not None and expert.role is node.role)
            out[expert.name] = math.log(max(by_role.get(node.role.value, 0.0), 1e-9)) if claims else -math.inf
        return out


@cache
def default_gate() -> OpGate:
    """The shipped gate (loaded once)."""
    return OpGate.from_pretrained(HERE)


# -- training -------------------------------------------------------------------------------------

_IMGEDIT = {"add": "add", "remove": "remove", "replace": "replace", "style": "style", "background": "background",
            "extract": "extract", "action": "pose"}  # fmt: skip
_EDIVAL = {"subject_add": "add", "subject_remove": "remove", "subject_replace": "replace", "color_alter": "recolor",
           "material_alter": "attribute", "text_change": "text", "position_change": "move", "count_change": "add",
           "background_change": "background"}  # fmt: skip
_I2E = {"BGReplacement": "background", "ColorAlteration": "recolor", "ObjectRemoval": "remove",
        "Replacement": "replace", "StyleAlteration": "style"}  # fmt: skip


def corpus_examples(folder: Path) -> list[tuple[str, str]]:
    """(text, op) pairs from the labelled public corpora (single-op items only)."""
    if not (folder / "imgedit" / "basic_edit.json").is_file():
        raise PlanError(Problem(str(folder), "no public corpora here; pass --corpora ../shared/benchmarks"))
    pairs = []
    for item in json.loads((folder / "imgedit/basic_edit.json").read_text(encoding="utf-8")).values():
        op = _IMGEDIT.get(item["edit_type"])
        if item["edit_type"] == "adjust":
            op = "recolor" if set(_WORD.findall(item["prompt"].lower())) & lex.COLOR_WORDS else "attribute"
        if op:
            pairs.append((item["prompt"], op))
    with open(folder / "edival/oai_instruction_generation_output.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["turns"] == "3":
                for text, task in zip(ast.literal_eval(row["instructions"]), ast.literal_eval(row["task_type"])):
                    pairs.append((text, _EDIVAL[task]))
    for path in sorted((folder / "i2ebench").glob("*.json")):
        if path.stem in _I2E:
            for item in json.loads(path.read_text(encoding="utf-8")).values():
                pairs += [(item["ori_exp"], _I2E[path.stem]), (item["div_exp"], _I2E[path.stem])]
    return pairs


def generated_examples(rng: np.random.Generator, per_op: int = 80) -> list[tuple[str, str]]:
    """Prompts for the ops the corpora label rarely, built from the lexicon's words."""
    pick = lambda seq: seq[int(rng.integers(len(seq)))]  # noqa: E731
    things = ["car", "dog", "cat", "lamp", "chair", "tree", "house", "cup", "bird", "boat", "woman", "man", "sign"]
    tpl = {
        "lighting": (["make it {l}", "change the lighting to {l}", "set the scene at {l}", "make the photo {b}",
                      "turn it into a {l} scene", "add {a} lighting", "it should be {l}"],),
        "tone": (["make it {t}", "give the photo a {t} tone", "apply a {t} filter", "make the colors {t}"],),
        "resize": (["make the {x} {g}", "the {x} should be {g}", "{v} the {x}", "scale the {x} up"],),
        "pose": (["make the {p} {act}", "have the {p} {act}", "let the {p} {act}", "the {p} should {act}"],),
        "attribute": (["make the {x} look {s}", "the {x} is now {s}", "make the {x} {s}", "what if the {x} was {s}"],),
        "text": (["write '{w}' on the {x}", "change the text to \"{w}\"", "make the sign say '{w}'",
                  "replace '{w}' with '{w2}'"],),
        "move": (["move the {x} to the {pos}", "the {x} should be on the {pos}", "shift the {x} {d}"],),
        "recolor": (["make the {x} {c}", "the {x} should be {c}", "paint the {x} {c}"],),
    }  # fmt: skip
    fill = {
        "l": list(lex.LIGHTING_WORDS), "b": ["brighter", "darker", "dark", "bright"], "a": ["soft", "studio", "dramatic", "warm"],
        "t": list(lex.TONE_WORDS) + ["vibrant", "muted", "vintage"], "g": sorted(lex.GROW_WORDS | lex.SHRINK_WORDS),
        "v": ["enlarge", "shrink", "resize", "magnify"], "p": ["man", "woman", "dog", "girl", "cat"],
        "act": list(lex.ACTION_WORDS), "s": ["older", "fluffy", "bald", "rusty", "happy", "obese", "wet", "burnt", "square"],
        "w": ["SALE", "OPEN", "Hello", "NASA", "2024"], "w2": ["CLOSED", "WORLD", "PLANE"], "pos": list(lex.POSITIONS),
        "d": list(lex.DIRECTION_WORDS), "c": list(lex.BASIC_COLORS), "x": things,
    }  # fmt: skip
    pairs = []
    for op, (templates,) in tpl.items():
        for _ in range(per_op):
            pairs.append((re.sub(r"\{(\w+)\}", lambda m: pick(fill[m[1]]), pick(templates)), op))
    return pairs


def _jsonl(path: Path) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def labelled_files(folder: Path, exclude: tuple[str, ...] = ()) -> list[Path]:
    """The hand-labelled sets' files in ``folder``: ``dev*_single.jsonl`` and ``dev*_sessions.jsonl``
    only (selected by that explicit glob, so a held-out file is never opened), less the sets named in
    ``exclude`` (``"dev_real9"`` leaves out ``dev_real9_single.jsonl`` and ``dev_real9_sessions.jsonl``)."""
    files = sorted([*folder.glob("dev*_single.jsonl"), *folder.glob("dev*_sessions.jsonl")])
    return [f for f in files if f.stem.rsplit("_", 1)[0] not in exclude]


def labelled_examples(folder: str | Path, exclude: tuple[str, ...] = (), split: bool = True) -> list[tuple[str, str]]:
    """(text, op) pairs from the hand-labelled sets: single prompts and session turns with exactly one
    op class, and (``split``) their clauses, since the planner asks the gate about one clause: the
    rules' clause splitter cuts the prompt, and the clauses the rules alone find an edit in are kept
    when there are as many as the label has ops and either there is one (it carries the label's op,
    whatever op the rules gave it) or the rules type each with one distinct op of the label (the label
    decides which ops; the rules only say which clause holds which)."""
    folder = Path(folder)
    if not folder.is_dir() or not list(folder.glob("dev*_single.jsonl")):
        raise PlanError(Problem(str(folder), "no labelled dev*_single.jsonl sets here; pass --labelled benchmarks/data"))
    pairs, labelled = [], []
    for path in labelled_files(folder, exclude):
        rows = _jsonl(path)
        items = [t for r in rows for t in r["turns"]] if path.stem.endswith("_sessions") else rows
        for item in items:
            ops = [op for op in item["ops"] if op in LABELS]
            if ops and len(ops) == len(item["ops"]):
                labelled.append((item["prompt"], ops))
                if len(ops) == 1:
                    pairs.append((item["prompt"], ops[0]))
    if split:
        pairs += _clause_examples(labelled)
    return pairs


def _clause_examples(labelled: list[tuple[str, list[str]]]) -> list[tuple[str, str]]:
    from .rules import RulePlanner, _core, normalize, split_clauses  # rules imports this module

    rules, pairs = RulePlanner(gate=None, arbitrate_threshold=None), []
    for prompt, ops in labelled:
        typed: list[tuple[str, set[str]]] = []
        for clause in split_clauses(normalize(prompt)):
            core = _core(clause.text)
            found = {n.op.value for n in rules.plan(core).nodes if n.op.value in LABELS} if core else set()
            if found:
                typed.append((core, found))
        if len(typed) != len(ops) or (len(typed) == 1 and typed[0][0] == prompt.strip()):
            continue
        if len(ops) == 1:
            pairs.append((typed[0][0], ops[0]))
        elif all(len(found) == 1 for _, found in typed) and sorted(f for _, (f,) in typed) == sorted(ops):
            pairs += [(core, f) for core, (f,) in typed]
    return pairs


def fit_gate(
    pairs: list[tuple[str, str]],
    *,
    n_features: int = 1 << 13,
    epochs: int = 200,
    lr: float = 0.5,
    l2: float = 1e-4,
) -> OpGate:
    """Multinomial logistic regression on hashed features (full-batch Adam, balanced classes)."""
    index = {label: i for i, label in enumerate(LABELS)}
    rows = [features(text, n_features) for text, _ in pairs]
    y = np.array([index[op] for _, op in pairs])
    sample = np.repeat(np.arange(len(rows)), [len(r) for r in rows])
    feats = np.concatenate(rows)
    counts = np.bincount(y, minlength=len(LABELS)).astype(np.float64)
    class_weight = (len(y) / (len(LABELS) * np.maximum(counts, 1)))[y]  # balanced classes
    weight = np.zeros((n_features, len(LABELS)))
    bias = np.zeros(len(LABELS))
    m = v = None
    for step in range(1, epochs + 1):
        logits = np.zeros((len(rows), len(LABELS)))
        np.add.at(logits, sample, weight[feats])
        logits += bias
        p = np.exp(logits - logits.max(1, keepdims=True))
        p /= p.sum(1, keepdims=True)
        p[np.arange(len(y)), y] -= 1.0
        p *= class_weight[:, None] / len(y)
        grad_w = np.zeros_like(weight)
        np.add.at(grad_w, feats, p[sample])
        grad_w += l2 * weight
        grads = (grad_w, p.sum(0))
        if m is None:
            m, v = [np.zeros_like(g) for g in grads], [np.zeros_like(g) for g in grads]
        for k, (param, g) in enumerate(zip((weight, bias), grads)):  # Adam
            m[k] = 0.9 * m[k] + 0.1 * g
            v[k] = 0.999 * v[k] + 0.001 * g * g
            param -= lr * 0.01 * (m[k] / (1 - 0.9**step)) / (np.sqrt(v[k] / (1 - 0.999**step)) + 1e-8)
    return OpGate(weight, bias)


def training_pairs(
    corpora: str | Path = DEFAULT_CORPORA,
    labelled: str | Path | None = DEFAULT_LABELLED,
    *,
    exclude: tuple[str, ...] = (),
    labelled_repeat: int = 1,
    seed: int = 0,
) -> list[tuple[str, str]]:
    """The gate's training set: public corpora + generated prompts + the labelled real sets (each
    labelled pair ``labelled_repeat`` times: they are few beside the corpora)."""
    real = labelled_examples(labelled, exclude) * labelled_repeat if labelled is not None else []
    return corpus_examples(Path(corpora)) + generated_examples(np.random.default_rng(seed)) + real


def train_gate(
    out_dir: str | Path = HERE,
    corpora: str | Path = DEFAULT_CORPORA,
    labelled: str | Path | None = DEFAULT_LABELLED,
    *,
    exclude: tuple[str, ...] = (),
    labelled_repeat: int = 1,
    n_features: int = 1 << 14,
    epochs: int = 200,
    lr: float = 0.5,
    l2: float = 1e-5,
    seed: int = 0,
) -> Path:
    """Train the op gate on the corpora, generated prompts and the labelled sets; save it in ``out_dir``."""
    pairs = training_pairs(corpora, labelled, exclude=exclude, labelled_repeat=labelled_repeat, seed=seed)
    return fit_gate(pairs, n_features=n_features, epochs=epochs, lr=lr, l2=l2).save_pretrained(out_dir)


def add_train_command(commands) -> None:
    """``nanoedit train planner``: registers ``planner`` on a ``train`` sub-command parser group."""
    cmd = commands.add_parser("planner", help="train the planner's op gate (shipped under nanoedit/planner/)")
    cmd.add_argument("--out", type=Path, default=HERE, help="folder for op_gate.safetensors + op_gate.json")
    cmd.add_argument("--corpora", type=Path, default=DEFAULT_CORPORA, help="the public corpora folder")
    cmd.add_argument("--labelled", type=Path, default=DEFAULT_LABELLED, help="the hand-labelled dev* sets' folder")
    cmd.add_argument("--epochs", type=int, default=200)
    cmd.set_defaults(handler=_train)


def _train(args: argparse.Namespace) -> int:
    out = train_gate(args.out, args.corpora, args.labelled, epochs=args.epochs)
    print(f"wrote {out / WEIGHTS} and {out / CONFIG}")
    return 0
