"""The PINN page's notes are computed from the run, and say the opposite when it goes the other way."""

from __future__ import annotations

from nnkit.pinn.explain import what_you_see
from nnkit.pinn.solver import RunReport


def _report(rel_l2=3e-3, mu=None):
    return RunReport(
        rel_l2=rel_l2,
        max_abs_error=0.01,
        where={"t": 0.25},
        mean_abs_residual=2e-3,
        coefficients={} if mu is None else {"mu": (mu, 4.0)},
        n_points=1000,
    )


def test_the_error_and_its_place_come_from_the_report():
    notes = what_you_see(_report(rel_l2=4.2e-3), epochs=30, steps=210, seconds=4.4)
    assert "4.20e-03" in notes[0] and "t = 0.250" in notes[0] and "30 epochs" in notes[0]
    assert not any("cut by a cap" in n for n in notes)


def test_a_cut_run_is_said_to_be_cut_and_its_error_provisional():
    notes = what_you_see(_report(), epochs=12, steps=84, seconds=60.0, cut=True)
    assert "cut by a cap" in notes[0] and "12 epochs" in notes[0]
    assert "provisional" in notes[1]


def test_an_estimate_at_the_noise_floor_is_there_and_one_far_from_it_is_not():
    near = what_you_see(
        _report(mu=4.07),
        epochs=1,
        steps=1,
        seconds=1.0,
        least_squares={"mu": 4.077},
        n_measurements=20,
        noise=0.04,
    )
    far = what_you_see(
        _report(mu=4.8),
        epochs=1,
        steps=1,
        seconds=1.0,
        least_squares={"mu": 4.077},
        n_measurements=20,
        noise=0.04,
    )
    mu_near = next(n for n in near if n.startswith("Estimated μ"))
    mu_far = next(n for n in far if n.startswith("Estimated μ"))
    assert "1.75 % off" in mu_near and "this run is there" in mu_near
    assert "20.00 % off" in mu_far and "not there yet" in mu_far
