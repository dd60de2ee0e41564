"""Fair-use caps for training runs and uploads, in one place.

The defaults suit the hosted demo (one small server shared by a class). On your own
laptop raise them with environment variables, e.g.::

    NNKIT_MAX_TRAIN_SECONDS=600 NNKIT_MAX_EPOCHS=100000 streamlit run app.py

Every page that trains or reads data takes its caps from :data:`LIMITS`, and says
which cap stopped a run.
"""

from __future__ import annotations

import math
import os
from dataclasses import dataclass


def _env_number(name: str, default: float) -> float:
    raw = os.environ.get(name)
    if raw is None:
        return default
    try:
        value = float(raw)
    except ValueError:
        return default
    return value if math.isfinite(value) and value > 0 else default


@dataclass(frozen=True)
class Limits:
    """Caps for one training run or one upload.

    Attributes
    ----------
    max_train_seconds : float
        Wall-clock budget of one training run (``NNKIT_MAX_TRAIN_SECONDS``).
    max_epochs : int
        Largest number of epochs a page lets you ask for (``NNKIT_MAX_EPOCHS``).
    max_samples : int
        Largest number of training samples / collocation points (``NNKIT_MAX_SAMPLES``).
    max_upload_mb : float
        Largest CSV accepted, in MB (``NNKIT_MAX_UPLOAD_MB``); Streamlit's own
        ``server.maxUploadSize`` in ``.streamlit/config.toml`` must be at least this.
    max_rows : int
        Largest number of CSV rows (``NNKIT_MAX_ROWS``).
    max_columns : int
        Largest number of CSV columns (``NNKIT_MAX_COLUMNS``).
    max_concurrent_jobs : int
        How many training runs the whole server trains at once
        (``NNKIT_MAX_CONCURRENT_JOBS``); further runs wait in a first-come queue
        and their page says how many runs are ahead. All runs share one Python
        process and its CPUs: the cap bounds memory and how thinly the CPUs are
        sliced (four runs on a 2-CPU server get about half a core each for their
        time budget; waiting does not count toward it). See the README's Limits.
    """

    max_train_seconds: float = 60.0
    max_epochs: int = 5000
    max_samples: int = 50_000
    max_upload_mb: float = 5.0
    max_rows: int = 100_000
    max_columns: int = 500
    max_concurrent_jobs: int = 4

    @classmethod
    def from_env(cls) -> Limits:
        """Defaults overridden by the ``NNKIT_MAX_*`` environment variables."""
        d = cls()
        return cls(
            max_train_seconds=_env_number("NNKIT_MAX_TRAIN_SECONDS", d.max_train_seconds),
            max_epochs=int(_env_number("NNKIT_MAX_EPOCHS", d.max_epochs)),
            max_samples=int(_env_number("NNKIT_MAX_SAMPLES", d.max_samples)),
            max_upload_mb=_env_number("NNKIT_MAX_UPLOAD_MB", d.max_upload_mb),
            max_rows=int(_env_number("NNKIT_MAX_ROWS", d.max_rows)),
            max_columns=int(_env_number("NNKIT_MAX_COLUMNS", d.max_columns)),
            max_concurrent_jobs=max(
                1, int(_env_number("NNKIT_MAX_CONCURRENT_JOBS", d.max_concurrent_jobs))
            ),
        )


LIMITS = Limits.from_env()
