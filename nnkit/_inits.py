"""The weight initialisations :func:`nnkit.models.mlp` understands, without importing torch.

:mod:`nnkit.models` re-exports :data:`INITS`; a settings check
(:meth:`nnkit.pinn.config.PINNConfig.validate`) reads it here, before torch is loaded.
"""

from __future__ import annotations

__all__ = ["INITS"]

INITS = ("default", "xavier", "kaiming", "normal", "siren")
"""Weight initialisations :func:`nnkit.models.mlp` understands (``"default"`` is PyTorch's own)."""
