"""nnkit: the small library behind nnkit Lab.

Each lecture topic has its own module (``nnkit.finite_diff``, ``nnkit.autodiff``,
``nnkit.models``, ``nnkit.training``, ``nnkit.pinn``, ``nnkit.symbolic`` ...). Import
the one you need; importing ``nnkit`` itself is cheap and never pulls in torch or
scikit-learn, so the app's home page starts fast.

Only ``nnkit.ui`` imports streamlit; everything else works in notebooks and scripts.
"""

__version__ = "0.1.0"
