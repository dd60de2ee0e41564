"""Caps for a training run or an upload, as plain data (the library imposes none by default).

A :class:`Limits` is passed explicitly to what should be capped (``fit(...,
limits=...)``, ``PINN(..., limits=...)``, ``load_csv(..., limits=...)``); every field
defaults to no cap. nnkit Lab's fair-use caps for its hosted demo, read from
``NNKIT_*`` environment variables, live in :mod:`nnkit.ui.policy`.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

__all__ = ["Limits"]


@dataclass(frozen=True)
class Limits:
    """Caps for one training run or one upload; ``math.inf`` (the default) caps nothing.

    Attributes
    ----------
    max_train_seconds : float
        Wall-clock budget of one training run.
    max_epochs : float
        Largest total number of epochs of a model (over continued runs).
    max_samples : float
        Largest number of training samples / collocation points.
    max_upload_mb : float
        Largest CSV accepted, in MB.
    max_rows : float
        Largest number of CSV rows.
    max_columns : float
        Largest number of CSV columns.
    """

    max_train_seconds: float = math.inf
    max_epochs: float = math.inf
    max_samples: float = math.inf
    max_upload_mb: float = math.inf
    max_rows: float = math.inf
    max_columns: float = math.inf

    def __post_init__(self) -> None:
        for name, value in vars(self).items():
            if not value > 0:
                raise ValueError(f"{name} must be positive (math.inf for no cap), got {value!r}")
