"""A tiny random SANA pipeline folder, built in-process and saved in diffusers' own format.

``build_tiny_sana(folder)`` writes what ``SanaPipeline.from_pretrained`` (and nanoedit's loaders) read:
``transformer/`` (``SanaTransformer2DModel``), ``vae/`` (``AutoencoderDC``), ``text_encoder/`` (a tiny
Gemma-2), ``tokenizer/`` (a word-level tokenizer trained here on a few sentences), ``scheduler/``
(SANA's flow DPM-Solver, or flow-matching Euler) and ``model_index.json``. Nothing is downloaded. Every weight is random, the norms too, so a wrong key or
a skipped layer shows up in the outputs.

Used by tests/test_backbone_diffusers.py, the ``tiny_sana`` fixture in conftest.py (the Editor tests'
``Editor.from_pretrained(sana_folder)``) and benchmarks/pipeline.py (with a larger transformer).
"""

from __future__ import annotations

from pathlib import Path

import torch

SENTENCES = [
    "make the circle blue",
    "remove the red square and make the background green",
    "a photo of a cat sitting on a wooden table",
    "turn the lighting warm and add a small yellow star at the top left",
    "replace the dog with a white horse in a field of flowers",
]
SPECIAL = ["<pad>", "<eos>", "<bos>", "<unk>"]

# Small enough for a test, with more than one head and layer so layouts and masks are exercised.
TINY_TRANSFORMER = dict(
    patch_size=1, in_channels=4, out_channels=4, num_layers=2, num_attention_heads=2, attention_head_dim=8,
    num_cross_attention_heads=2, cross_attention_head_dim=8, cross_attention_dim=16, caption_channels=16,
    sample_size=32, mlp_ratio=2.5,
)
TINY_TEXT_ENCODER = dict(
    hidden_size=16, intermediate_size=32, num_hidden_layers=1, num_attention_heads=2, num_key_value_heads=1,
    head_dim=8, max_position_embeddings=512,
)


def train_tokenizer(sentences=SENTENCES):
    """A word-level tokenizer trained on ``sentences``, as a transformers fast tokenizer.

    ``PreTrainedTokenizerFast``, not ``GemmaTokenizerFast``: transformers 5's Gemma tokenizer rebuilds its
    own BPE model on load and would map these words to ``<unk>``; the generic class round-trips exactly.
    """
    from tokenizers import Tokenizer, models, pre_tokenizers, processors, trainers
    from transformers import PreTrainedTokenizerFast

    backend = Tokenizer(models.WordLevel(unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    backend.train_from_iterator(sentences, trainers.WordLevelTrainer(special_tokens=SPECIAL))
    # Gemma's tokenizer starts every text with <bos>: an empty negative prompt still has one real token.
    bos = backend.token_to_id("<bos>")
    backend.post_processor = processors.TemplateProcessing(single="<bos> $A", special_tokens=[("<bos>", bos)])
    return PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", eos_token="<eos>", bos_token="<bos>", unk_token="<unk>"
    )


def make_scheduler(kind: str = "dpm"):
    """SANA's shipped scheduler (flow DPM-Solver++, shift 3) or flow-matching Euler."""
    from diffusers import DPMSolverMultistepScheduler, FlowMatchEulerDiscreteScheduler

    if kind == "dpm":
        return DPMSolverMultistepScheduler(
            algorithm_type="dpmsolver++", solver_order=2, prediction_type="flow_prediction", use_flow_sigmas=True,
            flow_shift=3.0,
        )
    if kind == "euler":
        return FlowMatchEulerDiscreteScheduler(shift=3.0)
    raise ValueError(f"unknown scheduler kind {kind!r}; use 'dpm' or 'euler'")


def perturb(module: torch.nn.Module, scale: float, seed: int) -> None:
    """Add noise to every parameter (diffusers initialises norm weights to one and some layers to zero)."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for param in module.parameters():
            param.add_(torch.randn(param.shape, generator=gen) * scale)


def build_tiny_sana(
    folder: str | Path,
    *,
    transformer: dict | None = None,
    text_encoder: dict | None = None,
    scheduler: str = "dpm",
    seed: int = 0,
) -> Path:
    """Build, save and return ``folder``: a complete random SanaPipeline in diffusers' folder format.

    ``transformer`` / ``text_encoder`` override TINY_TRANSFORMER / TINY_TEXT_ENCODER fields (the text
    width follows ``caption_channels``; the latent channels follow ``in_channels``).
    """
    from diffusers import AutoencoderDC, SanaPipeline, SanaTransformer2DModel
    from transformers import Gemma2Config, Gemma2Model

    folder = Path(folder)
    transformer_config = {**TINY_TRANSFORMER, **(transformer or {})}
    text_config = {**TINY_TEXT_ENCODER, "hidden_size": transformer_config["caption_channels"], **(text_encoder or {})}
    tokenizer = train_tokenizer()

    torch.manual_seed(seed)
    dit = SanaTransformer2DModel(**transformer_config).eval()
    perturb(dit, 0.1, seed)
    vae = AutoencoderDC(
        in_channels=3, latent_channels=transformer_config["in_channels"], attention_head_dim=2,
        encoder_block_types=("ResBlock", "EfficientViTBlock"), decoder_block_types=("ResBlock", "EfficientViTBlock"),
        encoder_block_out_channels=(8, 8), decoder_block_out_channels=(8, 8),
        encoder_qkv_multiscales=((), (5,)), decoder_qkv_multiscales=((), (5,)),
        encoder_layers_per_block=(1, 1), decoder_layers_per_block=(1, 1),
        downsample_block_type="conv", upsample_block_type="interpolate", decoder_norm_types="rms_norm",
        decoder_act_fns="silu", scaling_factor=0.41407,
    ).eval()
    gemma = Gemma2Model(
        Gemma2Config(vocab_size=len(tokenizer), pad_token_id=tokenizer.pad_token_id, **text_config)
    ).eval()
    pipe = SanaPipeline(
        tokenizer=tokenizer, text_encoder=gemma, vae=vae, transformer=dit, scheduler=make_scheduler(scheduler)
    )
    pipe.save_pretrained(folder)
    return folder
