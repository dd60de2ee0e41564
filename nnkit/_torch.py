"""``from nnkit._torch import torch``: kept for modules written against it; plain ``import torch``.

nnkit changes nothing global when imported: torch's thread count is the user's (the
app sets its own in :mod:`nnkit.ui.policy`).
"""

import torch

__all__ = ["torch"]
