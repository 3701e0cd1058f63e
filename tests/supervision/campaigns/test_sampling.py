"""The spot-check sampler: reproducible for a seed, stratified covers every province, risk prefers risk."""

from __future__ import annotations

import random

import pytest
from hypothesis import given
from hypothesis import strategies as st

from govapp.supervision.campaigns.sampling import (
    CENTRAL,
    Candidate,
    SamplingError,
    allocate,
    clean_seed,
    draw,
)

PROVINCES = ("11", "32", "33", "44", "")


def population(n: int = 60) -> list[Candidate]:
    return [Candidate(app_id=i, province=PROVINCES[i % len(PROVINCES)]) for i in range(1, n + 1)]


@pytest.mark.parametrize("method", ["random", "stratified", "risk"])
def test_same_seed_and_population_give_the_same_sample_in_any_input_order(method: str) -> None:
    people = population()
    shuffled = people[:]
    random.Random(7).shuffle(shuffled)
    first = draw(people, size=12, method=method, seed="20260801")
    again = draw(shuffled, size=12, method=method, seed="20260801")
    assert [p.app_id for p in first] == [p.app_id for p in again]
    assert len({p.app_id for p in first}) == 12


def test_another_seed_gives_another_sample() -> None:
    people = population(200)
    a = {p.app_id for p in draw(people, size=10, method="random", seed="1")}
    b = {p.app_id for p in draw(people, size=10, method="random", seed="2")}
    assert a != b


def test_stratified_covers_every_province_in_scope_and_central_units() -> None:
    people = population(60)
    picks = draw(people, size=len(PROVINCES), method="stratified", seed="x")
    assert sorted(p.stratum for p in picks) == sorted(p or CENTRAL for p in PROVINCES)


def test_stratified_allocates_in_proportion_after_one_each() -> None:
    people = [Candidate(i, "33") for i in range(1, 91)] + [Candidate(i, "32") for i in range(91, 101)]
    picks = draw(people, size=12, method="stratified", seed="s")
    strata = [p.stratum for p in picks]
    assert strata.count("32") >= 1 and strata.count("33") > strata.count("32")
    assert len(strata) == 12


def test_stratified_refuses_a_size_below_the_number_of_provinces() -> None:
    with pytest.raises(SamplingError, match="at least one app per province"):
        draw(population(), size=3, method="stratified", seed="1")


def test_risk_based_prefers_apps_with_complaints_or_violations() -> None:
    people = [Candidate(i, "33", 0.0) for i in range(1, 51)] + [
        Candidate(77, "33", 7.0),
        Candidate(88, "32", 3.5),
    ]
    picks = draw(people, size=3, method="risk", seed="9")
    assert [p.app_id for p in picks[:2]] == [77, 88]
    assert picks[2].score == 0.0


@pytest.mark.parametrize(
    ("people", "size", "method", "message"),
    [
        ([], 1, "random", "No filed app matches the scope"),
        (population(3), 4, "random", "larger than the 3 filed apps"),
        (population(3), 0, "random", "at least 1"),
        (population(3), 1, "lottery", "Unknown sampling method"),
        ([Candidate(1), Candidate(1)], 1, "random", "more than once"),
    ],
)
def test_bad_input_is_refused_with_a_clear_message(people, size, method, message) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(SamplingError, match=message):
        draw(people, size=size, method=method, seed="1")


def test_seed_is_recorded_as_given_or_generated() -> None:
    assert clean_seed(" 42 ") == "42"
    generated = clean_seed("")
    assert len(generated) == 9 and generated.isdigit()
    with pytest.raises(SamplingError):
        clean_seed("x" * 41)


@given(
    sizes=st.dictionaries(
        st.sampled_from(["11", "32", "33", "44", "central"]), st.integers(1, 40), min_size=1
    ),
    extra=st.integers(0, 200),
)
def test_allocation_covers_every_stratum_sums_to_size_and_never_exceeds_a_stratum(sizes, extra) -> None:  # type: ignore[no-untyped-def]
    size = min(len(sizes) + extra, sum(sizes.values()))
    counts = allocate(sizes, size)
    assert sum(counts.values()) == size
    assert all(1 <= counts[name] <= sizes[name] for name in sizes)
