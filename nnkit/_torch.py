"""The one place nnkit imports torch and sets its thread pool.

Every nnkit module that needs torch does ``from nnkit._torch import torch``. On
first import this sets torch's intra-op thread count once: several Streamlit
sessions on one small server (Community Cloud gives 1-2 CPUs) each training a
model would otherwise each start one thread per core and oversubscribe the CPU.
The default is one thread per process-wide op pool; set ``NNKIT_TORCH_THREADS``
to use more on a laptop where you are the only user.
"""

from __future__ import annotations

import os

import torch

__all__ = ["torch", "torch_threads"]


def torch_threads() -> int:
    """Thread count nnkit gives torch: ``NNKIT_TORCH_THREADS`` if set and valid, else 1.

    Returns
    -------
    int
        A value between 1 and the number of CPUs.
    """
    raw = os.environ.get("NNKIT_TORCH_THREADS", "1")
    try:
        n = int(raw)
    except ValueError:
        n = 1
    return max(1, min(n, os.cpu_count() or 1))


if torch.get_num_threads() != torch_threads():
    torch.set_num_threads(torch_threads())
