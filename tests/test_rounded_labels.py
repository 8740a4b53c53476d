"""The Germany map's labels formatted once per distinct rounded value (germ35, issue #32):
the same text as Python's format of every value, which was the reference before."""

from __future__ import annotations

import random
import struct

import pytest

from app.pages.data.gebiet_map import rounded_texts


def _reference(values: list[float], decimals: int) -> str:
    return "\n".join(f"{v:,.{decimals}f}" for v in values)


def _cases(rng: random.Random, decimals: int) -> list[list[float]]:
    scale = 10**decimals
    return [
        [rng.uniform(-1e6, 1e6) for _ in range(300)],
        # halves and their neighbours: where rounding the product could go the other way
        [
            (rng.randint(-(10**6), 10**6) + 0.5) / scale + rng.choice([0.0, 1e-12, -1e-12, 5e-17])
            for _ in range(300)
        ],
        [0.0, -0.0, -0.04, 0.05, -0.05, 0.25, 2.5, 0.125, 1e15, -1e15, 123456789.125],
        [round(rng.uniform(0, 100), rng.randint(0, 6)) for _ in range(300)],
        [
            v
            for v in (
                struct.unpack("d", struct.pack("Q", rng.getrandbits(62)))[0] for _ in range(300)
            )
            if abs(v) < 1e300
        ],
    ]


@pytest.mark.parametrize("decimals", [0, 1, 2, 3])
def test_rounded_texts_are_pythons_format_of_every_value(decimals):
    rng = random.Random(decimals)
    for values in _cases(rng, decimals):
        got = rounded_texts(values, decimals)
        if got is not None:  # None: the caller formats each value itself
            assert got == _reference(values, decimals)


def test_the_map_values_are_done_here_and_too_large_ones_are_not():
    rng = random.Random(1)
    values = [rng.uniform(0, 60) for _ in range(11_000)]
    assert rounded_texts(values, 1) == _reference(values, 1)
    assert rounded_texts([1e17, 2.0], 1) is None
    assert rounded_texts([float("nan"), 2.0], 1) is None
    assert rounded_texts([2.0], -1) is None
    assert rounded_texts([], 1) is None
