"""Make ``data/house_prices.csv``: a synthetic stand-in for exercise 3's house-price data.

The lecture's exercise uses Kaggle's "Home Value Insights" data set (1,000 rows). We
do not ship that file; this script generates a **synthetic** data set with the same
columns and a documented formula, so every number on the House prices page can be
checked against the law that made the data::

    python data/make_house_prices.py            # writes data/house_prices.csv (seed 0)
    python data/make_house_prices.py --seed 3 -n 5000 -o /tmp/big.csv

Columns (one row per house)

===================== ============================================ =================
column                distribution                                  unit
===================== ============================================ =================
Square_Footage        integer, uniform on [500, 5000]               square feet
Num_Bedrooms          integer, uniform on {1, ..., 5}               rooms
Num_Bathrooms         integer, uniform on {1, 2, 3}                 rooms
Year_Built            integer, uniform on [1950, 2022]              year
Lot_Size              uniform on [0.5, 5.0], 2 decimals             acres
Garage_Size           integer, uniform on {0, 1, 2}                 cars
Neighborhood_Quality  integer, uniform on {1, ..., 10}              score
House_Price           the formula below, rounded to cents           dollars
===================== ============================================ =================

The formula (``price`` below); every feature is drawn independently::

    House_Price = 25,000
                + Square_Footage * (100 + 12 * Neighborhood_Quality)
                + 10,000 * Num_Bedrooms
                + 15,000 * Num_Bathrooms
                + 1,500 * (Year_Built - 1950)
                + 18,000 * Lot_Size
                + 12,000 * Garage_Size
                + noise,                noise ~ Normal(0, 30,000^2)

The price per square foot grows with the neighbourhood's quality (an interaction a
linear model cannot represent, which a network or gradient boosting can); everything
else is additive. With 1,000 rows the noise alone limits any model's R² to about 0.98.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import numpy as np
import pandas as pd

COLUMNS = (
    "Square_Footage",
    "Num_Bedrooms",
    "Num_Bathrooms",
    "Year_Built",
    "Lot_Size",
    "Garage_Size",
    "Neighborhood_Quality",
    "House_Price",
)
NOISE_SD = 30_000.0


def price(frame: pd.DataFrame) -> np.ndarray:
    """The noise-free price of each house (the formula in this module's docstring)."""
    return (
        25_000.0
        + frame["Square_Footage"] * (100.0 + 12.0 * frame["Neighborhood_Quality"])
        + 10_000.0 * frame["Num_Bedrooms"]
        + 15_000.0 * frame["Num_Bathrooms"]
        + 1_500.0 * (frame["Year_Built"] - 1950)
        + 18_000.0 * frame["Lot_Size"]
        + 12_000.0 * frame["Garage_Size"]
    ).to_numpy(dtype=float)


def make_house_prices(n: int = 1000, seed: int = 0) -> pd.DataFrame:
    """Draw ``n`` synthetic houses (seeded) with the exercise's columns.

    Parameters
    ----------
    n : int, default 1000
        Number of rows.
    seed : int, default 0
        Seed of numpy's PCG64 generator: the same seed gives the same file.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`COLUMNS`, ``House_Price`` last.
    """
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "Square_Footage": rng.integers(500, 5001, n),
            "Num_Bedrooms": rng.integers(1, 6, n),
            "Num_Bathrooms": rng.integers(1, 4, n),
            "Year_Built": rng.integers(1950, 2023, n),
            "Lot_Size": np.round(rng.uniform(0.5, 5.0, n), 2),
            "Garage_Size": rng.integers(0, 3, n),
            "Neighborhood_Quality": rng.integers(1, 11, n),
        }
    )
    frame["House_Price"] = np.round(price(frame) + rng.normal(0.0, NOISE_SD, n), 2)
    return frame


def main() -> None:
    parser = argparse.ArgumentParser(description="Write the synthetic house-price CSV.")
    parser.add_argument("-n", type=int, default=1000, help="number of rows (default 1000)")
    parser.add_argument("--seed", type=int, default=0, help="random seed (default 0)")
    parser.add_argument(
        "-o", "--out", default=str(Path(__file__).with_name("house_prices.csv")), help="output CSV"
    )
    args = parser.parse_args()
    make_house_prices(args.n, args.seed).to_csv(args.out, index=False)
    print(args.out)


if __name__ == "__main__":
    main()
