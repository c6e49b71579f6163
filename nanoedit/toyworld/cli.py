"""``nanoedit toyworld sample --n 16 -o DIR``: draw toy-world edit samples and a contact sheet."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from nanoedit.errors import SceneError
from nanoedit.io import prepare_output_dir, save_image, write_text

KINDS = ("mixed", "single", "compound", "session")
MAX_SAMPLES = 1000
MAX_COLUMNS = 64


def add_commands(commands) -> None:
    toyworld = commands.add_parser("toyworld", help="procedural scenes with exact edit ground truth")
    actions = toyworld.add_subparsers(dest="toyworld_command", metavar="ACTION", required=True)
    sample = actions.add_parser(
        "sample", help="write a contact sheet (PNG) and the samples' gold graphs (JSONL)"
    )
    sample.add_argument("--n", type=int, default=16, help="number of samples (default 16)")
    sample.add_argument("-o", "--out", type=Path, required=True, help="output folder")
    sample.add_argument("--split", choices=("train", "val", "test"), default="train")
    sample.add_argument(
        "--kind", choices=KINDS, default="mixed", help="single or compound edits, both, or sessions"
    )
    sample.add_argument("--size", type=int, choices=(64, 128, 256), default=128, help="canvas size in pixels")
    sample.add_argument("--seed", type=int, default=0)
    sample.add_argument("--columns", type=int, help="tiles per row (default 4; 1 for sessions)")
    sample.set_defaults(handler=_sample)


def _sample(args: argparse.Namespace) -> int:
    from tqdm import tqdm

    from .datasets import EditTripletDataset, MultiTurnDataset
    from .sheet import contact_sheet

    if not 1 <= args.n <= MAX_SAMPLES:
        raise SceneError(f"--n {args.n} is out of range; ask for 1 to {MAX_SAMPLES} samples")
    if args.columns is not None and not 1 <= args.columns <= MAX_COLUMNS:
        raise SceneError(f"--columns {args.columns} is out of range; give 1 to {MAX_COLUMNS} tiles per row")
    out = prepare_output_dir(args.out)  # before any work: a file or device as -o fails at once
    if args.kind == "session":
        dataset = MultiTurnDataset(args.split, size=args.size, length=args.n, seed=args.seed)
    else:
        share = {"mixed": 0.3, "single": 0.0, "compound": 1.0}[args.kind]
        dataset = EditTripletDataset(
            args.split, size=args.size, length=args.n, seed=args.seed, compound_share=share
        )
    samples = [dataset.sample(i) for i in tqdm(range(args.n), desc="sampling", disable=args.quiet)]
    columns = args.columns or (1 if args.kind == "session" else 4)
    sheet_path = out / "contact_sheet.png"
    save_image(sheet_path, contact_sheet(samples, columns=columns))
    lines = [json.dumps({"index": i, **_record(s)}) for i, s in enumerate(samples)]
    write_text(out / "samples.jsonl", "\n".join(lines) + "\n")
    print(f"wrote {sheet_path} and {out / 'samples.jsonl'} ({args.n} samples, {args.split} split)")
    return 0


def _record(sample) -> dict:
    """A sample as JSON: every turn's instruction and gold graph, and the scene before and after each."""
    turns = getattr(sample, "turns", [sample])
    return {
        "turns": [{"instruction": t.instruction, "graph": t.graph.to_dict()} for t in turns],
        "scenes": [
            turns[0].source.model_dump(mode="json"),
            *(t.target.model_dump(mode="json") for t in turns),
        ],
    }

