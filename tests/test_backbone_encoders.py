"""Autoencoders and text encoders: save in their usual formats, load back through our loaders."""

from __future__ import annotations

import pytest
import torch

from nanoedit.backbone import (
    ConvAutoencoder,
    ConvAutoencoderConfig,
    DCAutoencoder,
    GemmaTextEncoder,
    ToyTextEncoder,
    ToyTextEncoderConfig,
    load_autoencoder,
)
from nanoedit.errors import ModelLoadError

pytestmark = pytest.mark.usefixtures("single_thread")


def blobs(gen: torch.Generator, batch: int = 8) -> torch.Tensor:
    """Flat-coloured rectangles on a flat background, in [-1, 1]."""
    images = torch.rand(batch, 3, 1, 1, generator=gen).expand(-1, -1, 32, 32).clone() * 2 - 1
    for i, (top, left) in enumerate(torch.randint(0, 16, (batch, 2), generator=gen).tolist()):
        images[i, :, top : top + 12, left : left + 12] = torch.rand(3, 1, 1, generator=gen) * 2 - 1
    return images


def test_conv_autoencoder_trains_and_round_trips(tmp_path):
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(0)
    model = ConvAutoencoder(ConvAutoencoderConfig(base_channels=16, num_downsamples=2))
    assert model.downsample_factor == 4 and model.latent_channels == 4
    optimizer = torch.optim.Adam(model.parameters(), lr=3e-3)
    images = blobs(gen, 8)
    losses = []
    for _ in range(70):
        loss = model.reconstruction_loss(images)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert sum(losses[-10:]) < 0.3 * sum(losses[:10]), (losses[:10], losses[-10:])

    images = blobs(gen, 2)
    scale = model.fit_scaling_factor(images)
    with torch.no_grad():
        latents = model.encode(images)
    assert latents.shape == (2, 4, 8, 8)
    assert abs(latents.std().item() - 1) < 1e-4 and scale != 1.0
    model.save_pretrained(tmp_path / "ae")
    loaded = load_autoencoder(tmp_path / "ae")
    assert isinstance(loaded, ConvAutoencoder) and loaded.scaling_factor == scale
    with torch.no_grad():
        assert torch.equal(loaded.encode(images), latents)
        assert torch.equal(loaded.decode(latents), model.decode(latents))
    with pytest.raises(ValueError, match="multiple of 4"):
        loaded.encode(torch.zeros(1, 3, 30, 32))


def test_dc_autoencoder_wrapper_loads_a_diffusers_folder(tmp_path):
    diffusers = pytest.importorskip("diffusers")
    torch.manual_seed(0)
    vae = diffusers.AutoencoderDC(
        in_channels=3, latent_channels=8, attention_head_dim=8,
        encoder_block_types=("ResBlock", "EfficientViTBlock"), decoder_block_types=("ResBlock", "EfficientViTBlock"),
        encoder_block_out_channels=(16, 32), decoder_block_out_channels=(16, 32),
        encoder_layers_per_block=(1, 1), decoder_layers_per_block=(1, 1),
        encoder_qkv_multiscales=((), (5,)), decoder_qkv_multiscales=((), (5,)),
        decoder_norm_types="rms_norm", decoder_act_fns="silu", scaling_factor=0.41,
    ).eval()
    vae.save_pretrained(tmp_path / "vae")
    ae = load_autoencoder(tmp_path / "vae")
    assert isinstance(ae, DCAutoencoder)
    assert (ae.latent_channels, ae.downsample_factor, ae.scaling_factor) == (8, 2, 0.41)
    images = torch.rand(1, 3, 16, 16) * 2 - 1
    with torch.no_grad():
        latents = ae.encode(images)
        torch.testing.assert_close(latents, vae.encode(images).latent * 0.41)
        torch.testing.assert_close(ae.decode(latents), vae.decode(latents / 0.41).sample.clamp(-1, 1))
    with pytest.raises(ModelLoadError):
        DCAutoencoder.from_pretrained(tmp_path / "missing")


def test_gemma_text_encoder_from_a_local_folder(tmp_path):
    from tokenizers import Tokenizer, models, pre_tokenizers
    from transformers import Gemma2Config, Gemma2Model, PreTrainedTokenizerFast

    words = ["<pad>", "<unk>", "<bos>", "<eos>", "make", "the", "circle", "blue", "red"]
    backend = Tokenizer(models.WordLevel({w: i for i, w in enumerate(words)}, unk_token="<unk>"))
    backend.pre_tokenizer = pre_tokenizers.Whitespace()
    tokenizer = PreTrainedTokenizerFast(
        tokenizer_object=backend, pad_token="<pad>", unk_token="<unk>", bos_token="<bos>", eos_token="<eos>"
    )
    torch.manual_seed(0)
    config = Gemma2Config(
        vocab_size=len(words), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
        num_attention_heads=2, num_key_value_heads=1, head_dim=16, pad_token_id=0,
    )
    model = Gemma2Model(config).eval()
    model.save_pretrained(tmp_path / "gemma")
    tokenizer.save_pretrained(tmp_path / "gemma")

    encoder = GemmaTextEncoder.from_pretrained(tmp_path / "gemma", max_length=6)
    embeddings, mask = encoder.encode(["make the circle blue", "red"])
    assert embeddings.shape == (2, 6, 32) and encoder.hidden_size == 32
    assert mask.tolist() == [[1, 1, 1, 1, 0, 0], [1, 0, 0, 0, 0, 0]]
    ids = torch.tensor([[4, 5, 6, 7, 0, 0]])
    with torch.no_grad():
        expected = model(input_ids=ids, attention_mask=mask[:1]).last_hidden_state
    torch.testing.assert_close(embeddings[:1], expected)
    with pytest.raises(ModelLoadError):
        GemmaTextEncoder.from_pretrained(tmp_path / "missing")


def test_toy_text_encoder_round_trips_and_masks_padding(tmp_path):
    torch.manual_seed(0)
    encoder = ToyTextEncoder(ToyTextEncoderConfig(vocab=["make", "the", "circle", "blue", "red"], hidden_size=32))
    assert encoder.tokenizer.split("Make the circle BLUE!") == ["make", "the", "circle", "blue"]
    with torch.no_grad():
        embeddings, mask = encoder.encode(["make the circle blue", "red square", ""])
    assert embeddings.shape == (3, 16, 32)
    assert mask[0].sum() == 4 and mask[1].sum() == 2 and mask[2].sum() == 1  # "square" is <unk>, kept
    # padding does not leak into real tokens
    with torch.no_grad():
        alone, _ = encoder.encode(["red square"])
    torch.testing.assert_close(alone[0, :2], embeddings[1, :2])
    encoder.save_pretrained(tmp_path / "text")
    loaded = ToyTextEncoder.from_pretrained(tmp_path / "text")
    with torch.no_grad():
        torch.testing.assert_close(loaded.encode(["make the circle blue"])[0], embeddings[:1])
