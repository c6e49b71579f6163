"""A real (tiny, random) diffusers InstructPix2Pix pipeline, saved and loaded back, evaluated through as_editor."""

from __future__ import annotations

import json

import numpy as np
import pytest
import torch
from PIL import Image

from nanoedit.evals import run_probes
from nanoedit.evals.adapters import EditRequest, PipelineEditor, as_editor, call_editor

WORDS = ["make", "the", "background", "blue", "red", "change", "color", "of", "to", "photo", "this"]
MERGES = ["t h", "th e</w>", "t o</w>", "o f</w>", "m a", "ma k", "mak e</w>"]


def write_clip_tokenizer(folder):
    """A CLIP BPE tokenizer in its usual files (vocab.json + merges.txt): characters, their word-final
    forms and a few merges, enough to tokenize the suite's instructions without unknown tokens."""
    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    letters = sorted(set("".join(WORDS)) | set("abcdefghijklmnopqrstuvwxyz0123456789',.!-"))
    for char in letters:
        vocab.setdefault(char, len(vocab))
        vocab.setdefault(char + "</w>", len(vocab))
    for merge in MERGES:
        vocab.setdefault(merge.replace(" ", ""), len(vocab))
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "vocab.json").write_text(json.dumps(vocab))
    (folder / "merges.txt").write_text("#version: 0.2\n" + "\n".join(MERGES) + "\n")
    return len(vocab)


@pytest.fixture(scope="module")
def pipeline(tmp_path_factory):
    from diffusers import (
        AutoencoderKL,
        EulerAncestralDiscreteScheduler,
        StableDiffusionInstructPix2PixPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextConfig, CLIPTextModel, CLIPTokenizer

    folder = tmp_path_factory.mktemp("tiny-instruct-pix2pix")
    vocab_size = write_clip_tokenizer(folder / "tokenizer-files")
    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        sample_size=16, in_channels=8, out_channels=4,  # 8 = noisy latent + image latent
        block_out_channels=(8, 16), layers_per_block=1, norm_num_groups=4, attention_head_dim=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"),
        up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"), cross_attention_dim=16,
    )  # fmt: skip
    vae = AutoencoderKL(
        in_channels=3, out_channels=3, latent_channels=4, block_out_channels=(8, 16), norm_num_groups=4,
        down_block_types=("DownEncoderBlock2D",) * 2, up_block_types=("UpDecoderBlock2D",) * 2,
    )  # fmt: skip
    text_encoder = CLIPTextModel(
        CLIPTextConfig(
            vocab_size=vocab_size, hidden_size=16, intermediate_size=32, num_hidden_layers=1,
            num_attention_heads=2, max_position_embeddings=32, bos_token_id=0, eos_token_id=1, pad_token_id=1,
        )
    )  # fmt: skip
    tokenizer = CLIPTokenizer.from_pretrained(folder / "tokenizer-files", model_max_length=32)
    scheduler = EulerAncestralDiscreteScheduler(
        beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear"
    )
    built = StableDiffusionInstructPix2PixPipeline(
        unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer, scheduler=scheduler,
        safety_checker=None, feature_extractor=None, requires_safety_checker=False,
    )  # fmt: skip
    built.save_pretrained(folder / "pipeline")
    loaded = StableDiffusionInstructPix2PixPipeline.from_pretrained(folder / "pipeline")
    assert torch.equal(loaded.unet.conv_in.weight, unet.conv_in.weight)  # the saved weights came back
    return loaded


def test_tokenizer_knows_the_instruction_words(pipeline):
    ids = pipeline.tokenizer("make the background blue").input_ids
    assert pipeline.tokenizer.unk_token_id not in ids[1:-1] and len(ids) > 4


def test_real_pipeline_through_as_editor(pipeline, capfd):
    editor = as_editor(pipeline)
    assert isinstance(editor, PipelineEditor) and editor.name == "StableDiffusionInstructPix2PixPipeline"
    editor.call_kwargs.update(num_inference_steps=2)
    source = Image.fromarray(np.random.default_rng(0).integers(0, 256, (36, 44, 3), dtype=np.uint8), "RGB")

    first = call_editor(editor, EditRequest(source, "make the background blue", seed=3))
    again = call_editor(editor, EditRequest(source, "make the background blue", seed=3))
    other = call_editor(editor, EditRequest(source, "make the background blue", seed=4))
    assert first.ok, first.error
    # The pipeline works on multiples of its VAE factor: the answer comes back at the source's size.
    assert first.image.size == source.size and first.image.mode == "RGB"
    assert first.image.tobytes() == again.image.tobytes()  # the seed makes it reproducible
    assert first.image.tobytes() != other.image.tobytes()  # and the seed is really used
    assert "it/s" not in capfd.readouterr().err  # the pipeline's own progress bar is off

    for output_type in ("np", "pt"):  # whatever the user asks the pipeline for, an image comes back
        typed = PipelineEditor(pipeline, num_inference_steps=2, output_type=output_type)
        assert typed.edit(EditRequest(source, "make the background blue", seed=3)).size == (44, 36)


def test_probe_cases_on_a_real_pipeline(pipeline, tmp_path):
    editor = PipelineEditor(pipeline, num_inference_steps=2, name="tiny-ip2p")
    results = run_probes(editor, suite="routing", out=tmp_path / "toy", n=1, quiet=True)
    assert results.results["cases_failed"] == 0 and results["routing"]["cases_done"] == 1
    photo = tmp_path / "photo.png"
    Image.new("RGB", (40, 32), (180, 120, 60)).save(photo)
    results = run_probes(
        editor, suite="composition", out=tmp_path / "photos", n=1, images=[photo], quiet=True
    )
    figures = results.figures()["composition"]
    assert results.results["cases_failed"] == 0 and figures["edit_l1"] > 0  # a random model changes pixels
