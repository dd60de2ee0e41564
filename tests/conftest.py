"""Shared test set-up: the repository root on sys.path, and deterministic threads."""

from __future__ import annotations

import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

# Tests run with nnkit's hosted-demo defaults: one torch thread per process.
os.environ.setdefault("NNKIT_TORCH_THREADS", "1")
