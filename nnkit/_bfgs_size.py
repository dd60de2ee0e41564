"""How big BFGS's dense inverse-Hessian estimate is, without importing torch.

:mod:`nnkit.bfgs` (which needs torch) re-exports both names; a settings form
(:meth:`nnkit.pinn.config.PINNConfig.check_bfgs_size`, the PINN page) reads them here
so that it can be drawn before torch is imported.
"""

from __future__ import annotations

__all__ = ["MAX_BFGS_PARAMETERS", "bfgs_matrix_bytes"]

MAX_BFGS_PARAMETERS = 6000
"""Largest number of weights BFGS accepts: its matrix then takes 288 MB in float64."""


def bfgs_matrix_bytes(n_parameters: int, itemsize: int = 8) -> int:
    """Memory the n × n inverse-Hessian estimate takes (``itemsize`` 8: float64)."""
    return int(n_parameters) ** 2 * int(itemsize)
