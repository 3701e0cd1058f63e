"""Reproducible samples for spot checks (抽查检测): the same seed and population always give the same apps.

Pure Python, no Django: the population is a list of ``Candidate`` rows (the snapshot a campaign records),
so a draw can be repeated from the stored snapshot at any later time and compared with the recorded one.
``random.Random`` seeded with a string hashes it with SHA-512, independent of PYTHONHASHSEED and platform.
"""

from __future__ import annotations

import random
import secrets
from collections import defaultdict
from collections.abc import Sequence
from dataclasses import dataclass

METHODS = ("random", "stratified", "risk")
CENTRAL = "central"  # the stratum of central (national-level) units, which have no province
SEED_MAX_LENGTH = 40


class SamplingError(ValueError):
    """The draw cannot be made as asked; the message says which input to change."""


@dataclass(frozen=True)
class Candidate:
    """One app of the population: its id, province ('' for central units) and risk score."""

    app_id: int
    province: str = ""
    score: float = 0.0

    @property
    def stratum(self) -> str:
        return self.province or CENTRAL


@dataclass(frozen=True)
class Pick:
    """One drawn app, in draw order, with the stratum it came from."""

    app_id: int
    stratum: str
    score: float


def new_seed() -> str:
    """A fresh seed to record and show: nine decimal digits are easy to read out and type again."""
    return f"{secrets.randbelow(10**9):09d}"


def clean_seed(raw: str) -> str:
    seed = (raw or "").strip()
    if not seed:
        return new_seed()
    if len(seed) > SEED_MAX_LENGTH or not seed.isprintable():
        raise SamplingError(f"The seed must be at most {SEED_MAX_LENGTH} printable characters.")
    return seed


def _rng(seed: str, method: str, salt: str = "") -> random.Random:
    # The method and stratum are part of the seed so that strata do not draw in lockstep.
    return random.Random(f"govapp-sample/1|{method}|{seed}|{salt}")


def _validate(population: Sequence[Candidate], size: int, method: str) -> list[Candidate]:
    if method not in METHODS:
        raise SamplingError(f"Unknown sampling method {method!r}; use one of: {', '.join(METHODS)}.")
    if isinstance(size, bool) or not isinstance(size, int) or size < 1:
        raise SamplingError("The sample size must be a whole number of at least 1.")
    ordered = sorted(population, key=lambda c: c.app_id)
    ids = [c.app_id for c in ordered]
    if len(set(ids)) != len(ids):
        raise SamplingError("The population lists an app more than once.")
    if not ordered:
        raise SamplingError("No filed app matches the scope; widen the provinces, unit levels or app kinds.")
    if size > len(ordered):
        raise SamplingError(
            f"The sample size {size} is larger than the {len(ordered)} filed apps in scope; choose at most {len(ordered)}."
        )
    return ordered


def allocate(strata: dict[str, int], size: int) -> dict[str, int]:
    """How many apps to draw per stratum: one each first (every province in scope is covered when the
    size allows), the rest in proportion to stratum size by largest remainder, never more than a stratum has."""
    names = sorted(strata)
    if size < len(names):
        raise SamplingError(
            f"A stratified sample needs at least one app per province in scope: choose a size of at least "
            f"{len(names)} or narrow the provinces."
        )
    counts = {name: 1 for name in names}
    left = size - len(names)
    while left:
        room = {name: strata[name] - counts[name] for name in names if strata[name] > counts[name]}
        total_room = sum(room.values())
        shares = {name: left * room[name] / total_room for name in room}
        whole = {name: min(int(shares[name]), room[name]) for name in room}
        given = sum(whole.values())
        for name, n in whole.items():
            counts[name] += n
        rest = left - given
        # Largest remainder; ties go to the larger stratum, then the name, so the split is deterministic.
        order = sorted(room, key=lambda n: (-(shares[n] - int(shares[n])), -strata[n], n))
        for name in order:
            if rest == 0:
                break
            if counts[name] < strata[name]:
                counts[name] += 1
                rest -= 1
        left = rest
    return counts


def draw(population: Sequence[Candidate], *, size: int, method: str, seed: str) -> list[Pick]:
    """Draw ``size`` apps from ``population`` by ``method`` with ``seed``; deterministic for the same inputs.

    random: a simple random sample. stratified: every province in scope (central units form one stratum)
    gets at least one app, the rest in proportion. risk: the highest risk scores first; equal scores are
    ordered randomly by the seed, so a population without any risk signal is sampled at random.
    """
    ordered = _validate(population, size, method)
    if method == "random":
        chosen = _rng(seed, method).sample(ordered, size)
        return [Pick(c.app_id, c.stratum, c.score) for c in chosen]
    if method == "risk":
        rng = _rng(seed, method)
        keyed = [(-c.score, rng.random(), c) for c in ordered]
        keyed.sort(key=lambda row: (row[0], row[1]))
        return [Pick(c.app_id, c.stratum, c.score) for _score, _tie, c in keyed[:size]]
    groups: dict[str, list[Candidate]] = defaultdict(list)
    for candidate in ordered:
        groups[candidate.stratum].append(candidate)
    counts = allocate({name: len(members) for name, members in groups.items()}, size)
    picks: list[Pick] = []
    for name in sorted(groups):
        chosen = _rng(seed, method, name).sample(groups[name], counts[name])
        picks.extend(Pick(c.app_id, name, c.score) for c in chosen)
    return picks
