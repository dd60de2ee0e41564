"""nnkit.tabular.profile on files of the wrong kind (issue 18): a column named like the target
that cannot be one is named, and a target that is only a guess says so."""

from __future__ import annotations

import numpy as np
import pandas as pd

from nnkit import tabular


def test_a_named_target_that_cannot_be_one_is_named_and_nothing_is_guessed():
    rng = np.random.default_rng(0)
    n = 120
    base = pd.DataFrame({"area": rng.uniform(40, 200, n), "rooms": rng.integers(1, 6, n) * 1.0})
    cases = {
        "price": (np.full(n, np.nan), "'price' is named like the target, but it is mostly-missing"),
        "label": (
            np.array(["yes"] * n, dtype=object),
            "'label' is named like the target, but it is constant",
        ),
        "species": (
            np.array([f"s{i % 60}" for i in range(n)], dtype=object),
            "has 60 distinct values",
        ),
    }
    for name, (values, why) in cases.items():
        prof = tabular.profile(base.assign(**{name: values}))
        assert prof.target is None and why in prof.target_reason and not prof.target_guessed
        assert "area" in prof.targets  # the user can still choose
    # Nothing named like a target: the last numeric column is a guess, and says so.
    prof = tabular.profile(base.assign(w=rng.normal(size=n)))
    assert prof.target == "w" and prof.target_guessed
    named = tabular.profile(base.assign(value=rng.normal(size=n)))
    assert named.target == "value" and not named.target_guessed
