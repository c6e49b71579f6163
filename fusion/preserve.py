"""Exact pixel-space preservation: what the user did not ask to change stays bit-identical.

Both functions work on uint8 RGB arrays (HxWx3), after the model's output is quantised, so "the
same" means the same bytes. Other editors drift everywhere (re-encoding, re-sampling); here every
pixel outside the union of the edited regions is the source's.
"""

from __future__ import annotations

import numpy as np
from scipy import ndimage


def keep_outside(source: np.ndarray, edited: np.ndarray, region: np.ndarray, margin: int = 0) -> np.ndarray:
    """``edited`` inside ``region`` (grown by ``margin`` pixels), ``source`` everywhere else."""
    if source.shape != edited.shape or region.shape != source.shape[:2]:
        raise ValueError(f"shapes differ: source {source.shape}, edited {edited.shape}, region {region.shape}")
    if margin > 0:
        region = ndimage.binary_dilation(region, np.ones((3, 3), bool), iterations=margin)
    return np.where(region[..., None], edited, source)


def restore_locked(
    reference: np.ndarray, edited: np.ndarray, lock: np.ndarray, tolerance: int
) -> tuple[np.ndarray, int]:
    """Inside ``lock``, put back the reference's pixels wherever the edit moved them by at most
    ``tolerance`` (0-255, largest channel): drift is undone, a deliberate change (glasses on a locked
    face, night lighting) is kept. Returns the image and how many pixels were restored."""
    drift = np.abs(edited.astype(np.int16) - reference.astype(np.int16)).max(axis=2)
    restore = lock & (drift <= tolerance) & (drift > 0)
    return np.where(restore[..., None], reference, edited), int(restore.sum())
