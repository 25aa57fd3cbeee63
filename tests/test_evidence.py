"""The site's rule for paired differences over seeds (snippets/evidence.py)."""

import numpy as np
import pytest

from snippets import evidence


def test_direction_follows_the_rule_by_hand():
    # mean 2, std 1 (n - 1), all positive: a difference
    assert evidence.direction([1.0, 2.0, 3.0]) == 1
    assert evidence.direction([-1.0, -2.0, -3.0]) == -1
    # mean 1, std 2.65: no difference these seeds can resolve
    assert evidence.direction([-1.0, 1.0, 3.0, -1.0, 3.0]) == 0
    # mean above std but two seeds of five with the other sign: not a finding
    d = [5.0, 5.0, 5.0, -0.1, -0.1]
    m, s = evidence.mean_std(d)
    assert m > s and evidence.direction(d) == 0
    # one seed against is allowed
    assert evidence.direction([5.0, 5.0, 5.0, 5.0, -0.1]) == 1


def test_beats_and_not_ahead_are_negations():
    rng = np.random.default_rng(0)
    for _ in range(50):
        a, b = rng.normal(size=5), rng.normal(size=5)
        assert evidence.beats(a, b, "x")[0] != evidence.not_ahead(a, b, "x")[0]
        assert evidence.beats(a, b, "x")[0] == (evidence.direction(a - b) == 1)


def test_no_difference_checks_every_pair():
    same = {"a": [1.0, 2.0, 3.0], "b": [2.0, 1.0, 3.0]}
    assert evidence.no_difference(same, "t")[0]
    apart = dict(same, c=[9.0, 10.0, 11.0])
    holds, text = evidence.no_difference(apart, "t")
    assert not holds and "a − c" in text and "b − c" in text


def test_describe_shows_each_seed_and_sample_std():
    text = evidence.describe([1.0, 2.0, 3.0])
    assert "+1.0, +2.0, +3.0" in text and "± std 1.0" in text and "3 of 3" in text


def test_all_of():
    assert evidence.all_of((True, "a"), (True, "b")) == (True, "a; b")
    assert evidence.all_of((True, "a"), (False, "b"))[0] is False


@pytest.mark.parametrize("bad", [[1.0], [], [1.0, np.nan], "ab", [[1.0, 2.0]]])
def test_bad_input_names_the_argument(bad):
    with pytest.raises((TypeError, ValueError), match=r"^d: "):
        evidence.direction(bad)


def test_paired_needs_same_seed_count():
    with pytest.raises(ValueError, match="b: expected 3 seeds"):
        evidence.paired([1, 2, 3], [1, 2])
