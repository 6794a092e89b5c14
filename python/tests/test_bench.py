"""eprop.bench: the paper's efficiency benchmark from Python (same runs as `eprop bench`)."""

import pytest

import eprop


def test_variants():
    assert eprop.bench_variants() == ["eprop_plus", "eprop_original", "static", "stdp"]


def test_four_variants_same_spikes_and_record_fields():
    records = [eprop.bench(v, 200, time_ms=200.0) for v in eprop.bench_variants()]
    for r in records:
        for key in ("variant", "n_rec", "spikes", "wall_s_per_sim_s"):
            assert key in r
        assert r["n_rec"] == 200
        assert r["spikes"] > 0
    # Ignore-and-spike / ignore-and-fire: every variant has the same recurrent spikes.
    assert len({r["spikes"] for r in records}) == 1
    assert [r["variant"] for r in records] == eprop.bench_variants()


def test_estimate_grows_with_size():
    small = eprop.bench_estimate("eprop_plus", 1000)
    large = eprop.bench_estimate("eprop_plus", 10000)
    assert large[0] == 10 * small[0]  # synapses: n_rec x in-degrees
    assert large[1] > small[1]


def test_bad_input():
    with pytest.raises(ValueError):
        eprop.bench("eprop_plus", 0)
    with pytest.raises(ValueError):
        eprop.bench("eprop_plus", 100, indegree_rec=1000)  # more than the source population
    with pytest.raises(ValueError):
        eprop.bench("no_such_variant", 100)
    with pytest.raises(ValueError):
        eprop.bench("static", 100, precision="half")
    with pytest.raises(TypeError, match="unknown option 'n_recurrent'.*indegree_rec"):
        eprop.bench("static", 100, n_recurrent=5)
    with pytest.raises(TypeError, match="'n_in' = 'ten': expected a non-negative integer"):
        eprop.bench_estimate("static", 100, n_in="ten")
    with pytest.raises(TypeError, match="'time_ms'"):
        eprop.bench_estimate("static", 100, time_ms=None)


def test_options_reach_the_config():
    base = eprop.bench_estimate("eprop_plus", 1000)
    assert eprop.bench_estimate("eprop_plus", 1000, indegree_rec=50)[0] == base[0] - 50 * 1000
    assert eprop.bench_estimate("eprop_plus", 1000, precision="double")[1] > base[1]


def test_refuses_what_does_not_fit():
    with pytest.raises(ValueError, match="GiB"):
        eprop.bench("eprop_original", 2_000_000_000, indegree_rec=10000)
