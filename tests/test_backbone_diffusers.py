"""LinearDiT as a drop-in for diffusers' SanaTransformer2DModel, and one loading convention for all parts.

A tiny random SanaPipeline folder is built and saved with ``save_pretrained``, loaded back with
``SanaPipeline.from_pretrained``, and its transformer swapped for ``LinearDiT.from_pretrained``: the
images must be diffusers' own.
"""

from __future__ import annotations

import inspect

import pytest
import torch

from nanoedit.backbone import (
    ConvAutoencoder,
    ConvAutoencoderConfig,
    DCAutoencoder,
    GemmaTextEncoder,
    LinearDiT,
    ToyTextEncoder,
    ToyTextEncoderConfig,
    load_autoencoder,
)
from nanoedit.backbone.linear_dit import LinearDiTOutput

diffusers = pytest.importorskip("diffusers")
from sana_fixtures import build_tiny_sana  # noqa: E402  (after the diffusers skip)

PROMPTS = ["make the circle blue", "remove the red square and make the background green"]


def generate(pipe, seed=0, **overrides):
    options = dict(
        negative_prompt="", height=32, width=32, num_inference_steps=4, guidance_scale=4.5, output_type="pt",
        use_resolution_binning=False, clean_caption=False,
    )
    options.update(overrides)
    return pipe(PROMPTS, generator=torch.Generator().manual_seed(seed), **options).images


@pytest.mark.parametrize("scheduler", ["dpm", "euler"])
def test_linear_dit_in_sana_pipeline_gives_diffusers_images(single_thread, tmp_path, scheduler):
    folder = build_tiny_sana(tmp_path / "sana", scheduler=scheduler)
    pipe = diffusers.SanaPipeline.from_pretrained(folder)
    pipe.set_progress_bar_config(disable=True)
    # SANA's default complex human instruction: long, mostly padded prompts with CFG.
    reference = generate(pipe)
    short = generate(pipe, complex_human_instruction=None, max_sequence_length=12)

    pipe.transformer = LinearDiT.from_pretrained(folder, subfolder="transformer")
    assert isinstance(pipe.transformer, LinearDiT)
    ours = generate(pipe)
    assert reference.shape == (2, 3, 32, 32) and reference.std() > 0.01
    torch.testing.assert_close(ours, reference, rtol=0, atol=1e-5)
    torch.testing.assert_close(generate(pipe, complex_human_instruction=None, max_sequence_length=12), short,
                               rtol=0, atol=1e-5)
    assert (generate(pipe, seed=1) - ours).abs().max() > 1e-3  # the comparison can tell images apart


def test_what_sana_pipeline_reads_from_its_transformer(tiny_sana):
    theirs = diffusers.SanaTransformer2DModel.from_pretrained(tiny_sana, subfolder="transformer")
    ours = LinearDiT.from_pretrained(tiny_sana, subfolder="transformer")
    for field in ("sample_size", "in_channels", "out_channels", "timestep_scale", "patch_size", "guidance_embeds"):
        assert getattr(ours.config, field) == getattr(theirs.config, field), field
    assert ours.dtype == theirs.dtype and ours.device == theirs.device
    half = LinearDiT.from_pretrained(tiny_sana, subfolder="transformer", dtype=torch.bfloat16)
    assert half.dtype == torch.bfloat16 and not half.training


def diffusers_call_inputs(seed=1):
    gen = torch.Generator().manual_seed(seed)
    latents = torch.randn(2, 4, 8, 8, generator=gen)
    text = torch.randn(2, 6, 16, generator=gen)
    mask = torch.ones(2, 6, dtype=torch.long)
    mask[1, 3:] = 0
    return latents, text, torch.tensor([900.0, 20.0]), mask


def test_forward_takes_diffusers_call(tiny_sana):
    theirs = diffusers.SanaTransformer2DModel.from_pretrained(tiny_sana, subfolder="transformer").eval()
    ours = LinearDiT.from_pretrained(tiny_sana, subfolder="transformer")
    latents, text, timestep, mask = diffusers_call_inputs()
    call = dict(hidden_states=latents, encoder_hidden_states=text, timestep=timestep, encoder_attention_mask=mask)
    with torch.no_grad():
        expected = theirs(**call).sample
        out = ours(**call)
        assert isinstance(out, LinearDiTOutput) and out[0] is out.sample and out["sample"] is out.sample
        torch.testing.assert_close(out.sample, expected, rtol=0, atol=1e-5)
        as_tuple = ours(latents, encoder_hidden_states=text, timestep=timestep, encoder_attention_mask=mask,
                        return_dict=False, attention_kwargs=None)
        assert isinstance(as_tuple, tuple) and len(as_tuple) == 1
        torch.testing.assert_close(as_tuple[0], expected, rtol=0, atol=1e-5)
        native = ours(latents, text, timestep, mask)  # our own call: a plain tensor
        assert isinstance(native, torch.Tensor)
        torch.testing.assert_close(native, expected, rtol=0, atol=1e-5)
        # diffusers' pre-converted bias form of the mask, (B, 1, L)
        bias = ((1 - mask.float()) * -10000.0)[:, None]
        torch.testing.assert_close(ours(**{**call, "encoder_attention_mask": bias})[0], expected, rtol=0, atol=1e-5)
        # the image-token mask is ignored by both, as in diffusers' SANA
        image_mask = torch.zeros(2, 64)
        torch.testing.assert_close(ours(**call, attention_mask=image_mask)[0], expected, rtol=0, atol=1e-5)
        # ControlNet residuals go after the same blocks
        residuals = (torch.randn(2, 64, 16),)
        torch.testing.assert_close(
            ours(**call, controlnet_block_samples=residuals)[0],
            theirs(**call, controlnet_block_samples=residuals)[0], rtol=0, atol=1e-5,
        )
    with pytest.raises(TypeError, match="not both"):
        ours(latents, text, timestep, hidden_states=latents)


def test_lora_scale_in_attention_kwargs_matches_diffusers(tiny_sana):
    """The same peft LoRA on both models (same state-dict keys), scaled through attention_kwargs."""
    peft = pytest.importorskip("peft")
    theirs = diffusers.SanaTransformer2DModel.from_pretrained(tiny_sana, subfolder="transformer").eval()
    ours = LinearDiT.from_pretrained(tiny_sana, subfolder="transformer")
    targets = ["to_q", "to_k", "to_v", "to_out.0", "conv_inverted", "conv_point", "proj_out"]
    theirs.add_adapter(peft.LoraConfig(r=4, lora_alpha=4, target_modules=targets))
    peft.inject_adapter_in_model(peft.LoraConfig(r=4, lora_alpha=4, target_modules=targets), ours)
    torch.manual_seed(3)
    with torch.no_grad():
        for name, param in theirs.named_parameters():
            if "lora_B" in name:
                param.normal_(std=0.3)
    ours.load_state_dict(theirs.state_dict(), strict=True)
    latents, text, timestep, mask = diffusers_call_inputs()
    call = dict(hidden_states=latents, encoder_hidden_states=text, timestep=timestep, encoder_attention_mask=mask)
    with torch.no_grad():
        for scale in (1.0, 0.5, 0.0):
            kwargs = {"attention_kwargs": {"scale": scale}}
            torch.testing.assert_close(ours(**call, **kwargs)[0], theirs(**call, **kwargs)[0], rtol=0, atol=2e-5)
        full, base = ours(**call)[0], ours(**call, attention_kwargs={"scale": 0.0})[0]
        assert (full - base).abs().max() > 1e-3
        torch.testing.assert_close(ours(**call)[0], full)  # the scale was undone after each call


def test_one_loading_convention(tiny_sana, tmp_path):
    for cls in (LinearDiT, ConvAutoencoder, DCAutoencoder, ToyTextEncoder, GemmaTextEncoder):
        params = inspect.signature(cls.from_pretrained).parameters
        for name in ("subfolder", "dtype", "device"):
            assert params[name].kind is inspect.Parameter.KEYWORD_ONLY, (cls.__name__, name)
        assert list(params)[0] == "folder"
        assert "folder" in inspect.signature(cls.save_pretrained).parameters

    vae = DCAutoencoder.from_pretrained(tiny_sana, subfolder="vae")
    assert isinstance(load_autoencoder(tiny_sana, subfolder="vae"), DCAutoencoder) and not vae.training
    image = torch.rand(1, 3, 32, 32) * 2 - 1
    with torch.no_grad():
        latents = vae.encode(image)
        reference = diffusers.AutoencoderDC.from_pretrained(tiny_sana, subfolder="vae").encode(image).latent
    torch.testing.assert_close(latents, reference * vae.scaling_factor)

    # SANA's text_encoder/ holds no tokenizer: the sibling tokenizer/ is found
    encoder = GemmaTextEncoder.from_pretrained(tiny_sana, subfolder="text_encoder", max_length=12)
    pipe = diffusers.SanaPipeline.from_pretrained(tiny_sana)
    embeds, mask = encoder.encode(PROMPTS)
    expected, expected_mask, _, _ = pipe.encode_prompt(
        PROMPTS, do_classifier_free_guidance=False, max_sequence_length=12, complex_human_instruction=None,
        clean_caption=False,
    )
    torch.testing.assert_close(embeds, expected)
    assert mask.tolist() == expected_mask.tolist()
    encoder.save_pretrained(tmp_path / "text")
    again = GemmaTextEncoder.from_pretrained(tmp_path / "text", max_length=12, dtype=torch.bfloat16)
    assert again.model.dtype == torch.bfloat16

    # the nanoedit-format models, into a bundle-like folder with subfolders
    torch.manual_seed(0)
    ae = ConvAutoencoder(ConvAutoencoderConfig(base_channels=8, num_downsamples=1))
    text = ToyTextEncoder(ToyTextEncoderConfig(vocab=["red", "blue"], hidden_size=16, num_heads=2))
    ae.save_pretrained(tmp_path / "bundle" / "vae")
    text.save_pretrained(tmp_path / "bundle" / "text_encoder")
    ae_back = ConvAutoencoder.from_pretrained(tmp_path / "bundle", subfolder="vae", dtype=torch.float64)
    text_back = ToyTextEncoder.from_pretrained(tmp_path / "bundle", subfolder="text_encoder")
    assert next(ae_back.parameters()).dtype == torch.float64 and not text_back.training
    with torch.no_grad():
        torch.testing.assert_close(ae_back.encode(image.double()).float(), ae.encode(image), atol=1e-5, rtol=0)
        torch.testing.assert_close(text_back.encode(["red"])[0], text.encode(["red"])[0])
