"""Fixtures shared by several test modules."""

import pytest
import torch


@pytest.fixture
def single_thread():
    """Tiny models run faster on one thread, and do not fight other test processes for cores."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


@pytest.fixture(scope="session")
def tiny_sana(tmp_path_factory):
    """A tiny random SanaPipeline folder (diffusers format, see sana_fixtures.py); shared: do not modify it."""
    pytest.importorskip("diffusers")
    from sana_fixtures import build_tiny_sana

    return build_tiny_sana(tmp_path_factory.mktemp("sana") / "pipeline")


@pytest.fixture(scope="session")
def tiny_bundle(tmp_path_factory):
    """A tiny random nanoedit bundle with its three role adapters (tests/bundles.py); do not modify it."""
    from bundles import build_tiny_bundle

    torch.set_num_threads(1)
    return build_tiny_bundle(tmp_path_factory.mktemp("bundle"))
