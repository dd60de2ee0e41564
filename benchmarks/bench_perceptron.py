"""Perceptron & activations: nnkit beside its peers, measured in the same run.

* ``Perceptron.fit`` (records every update for replay) vs scikit-learn's ``Perceptron``
  (Cython, records nothing): 50 epochs on 500 noisy moons, no early stop on either side
  (the data are not separable). The ratio is the price of the replay history and the
  pure-Python sample loop.
* Activation value + derivative on 10⁶ points: the numpy registry functions vs the
  torch module's forward + autograd backward (one torch thread, as the app runs).
* One replay frame of the page (the training and mistakes charts built and serialised
  to Vega-Lite) vs a plain Altair scatter of the same points: what a Play tick costs.
"""

from __future__ import annotations

import numpy as np

from benchmarks import Row, median_time


def run() -> list[Row]:
    from sklearn.linear_model import Perceptron as SkPerceptron

    from nnkit import datasets as ds
    from nnkit._torch import torch
    from nnkit.activations import get
    from nnkit.perceptron import Perceptron

    rows: list[Row] = []
    X, y = ds.moons(500, 0.2, seed=0)
    ours = median_time(lambda: Perceptron(max_epochs=50, seed=0).fit(X, y), repeat=5)
    peer = median_time(
        lambda: SkPerceptron(max_iter=50, tol=None, random_state=0).fit(X, y), repeat=5
    )
    rows.append(
        Row(
            "Perceptron.fit, 500 moons × 50 epochs",
            ours,
            peer,
            peer_name="sklearn Perceptron",
            note="ours records every update and epoch for replay",
        )
    )

    x = np.linspace(-8, 8, 1_000_000)
    for name in ("sigmoid", "gelu", "silu"):
        act = get(name)
        module = act.torch_module()

        def numpy_pair(act=act):
            act.fn(x)
            act.deriv(x)

        def torch_pair(module=module):
            t = torch.tensor(x, requires_grad=True)
            module(t).sum().backward()

        rows.append(
            Row(
                f"{name}: value + derivative, 10⁶ points (float64)",
                median_time(numpy_pair, repeat=5),
                median_time(torch_pair, repeat=5),
                peer_name="torch forward + autograd",
            )
        )

    import altair as alt
    import pandas as pd

    from nnkit.perceptron import view_box
    from nnkit.plots import perceptron as plots

    Xs, ys = ds.moons(200, 0.1, seed=0)
    model = Perceptron(max_epochs=20, seed=0).fit(Xs, ys)
    box = view_box(Xs, pad=0.3, min_span=2.0)

    def frame():
        s = model.replay(Xs, ys, 100)
        plots.training_chart(Xs, ys, s.w, s.b, box[0], box[1], s.misclassified, s.sample).to_dict()
        plots.mistakes_chart(model.history_.epochs, s.epoch).to_dict()

    df = pd.DataFrame({"x1": Xs[:, 0], "x2": Xs[:, 1], "c": ys})

    def scatter():
        alt.Chart(df).mark_point().encode(x="x1:Q", y="x2:Q", color="c:N").to_dict()

    rows.append(
        Row(
            "one replay frame (2 charts → Vega-Lite), 200 points",
            median_time(frame, repeat=5),
            median_time(scatter, repeat=5),
            peer_name="plain Altair scatter",
            note="a Play tick runs this every 0.5 s",
        )
    )
    return rows
