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
