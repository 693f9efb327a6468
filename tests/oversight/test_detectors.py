"""The alert detectors are pure functions over series: each rule is checked with plain lists."""

from datetime import UTC, datetime, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from civicloop.oversight import detectors

NOW = datetime(2026, 3, 2, 10, 0, tzinfo=UTC)


def test_bucket_counts_places_each_instant_in_its_window_and_drops_the_rest() -> None:
    instants = [NOW - timedelta(minutes=m) for m in (1, 59, 61, 119, 121, 500)] + [NOW, NOW + timedelta(minutes=5)]
    assert detectors.bucket_counts(instants, end=NOW, width=timedelta(hours=1), buckets=3) == [1, 2, 2]


def test_a_tenfold_hour_on_a_steady_account_is_a_spike_and_says_why() -> None:
    series = [4, 5, 3, 6, 4, 5] * 28 + [48]
    found = detectors.volume_spike(series)
    assert found is not None
    assert found.value == 48 and 4 < found.baseline < 5
    assert "48 messages in the last hour" in found.explanation and "usually 4.5" in found.explanation


def test_a_quiet_account_needs_the_minimum_count_before_anything_is_a_spike() -> None:
    assert detectors.volume_spike([0] * 168 + [9]) is None
    assert detectors.volume_spike([0] * 168 + [10]) is not None


def test_a_noisy_account_needs_a_bigger_jump_than_a_steady_one() -> None:
    noisy = [0, 30] * 84
    assert detectors.volume_spike([*noisy, 50]) is None  # mean 15, std 15: 50 is within 4 sigmas
    assert detectors.volume_spike([15] * 168 + [50]) is not None


def test_no_spike_without_enough_history() -> None:
    assert detectors.volume_spike([0] * 10 + [500]) is None


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=50), min_size=30, max_size=200))
def test_a_spike_never_fires_below_its_threshold_nor_below_the_usual_level(history: list[int]) -> None:
    mean = sum(history) / len(history)
    for current in (0, int(mean), int(mean * 2)):
        found = detectors.volume_spike([*history, current])
        if found is not None:
            assert found.value >= found.threshold >= max(10, mean * 3)


def test_a_jump_in_the_share_of_negative_messages_is_a_spike() -> None:
    negatives = [2] * 56 + [12]
    totals = [20] * 56 + [20]
    found = detectors.share_spike(negatives, totals)
    assert found is not None
    assert round(found.baseline, 2) == 0.10 and found.value == 0.6
    assert "12 of 20 messages (60%) were negative" in found.explanation


def test_a_negative_share_at_its_usual_level_or_on_too_few_messages_is_not_a_spike() -> None:
    assert detectors.share_spike([5] * 57, [10] * 57) is None  # always half negative
    assert detectors.share_spike([1] * 56 + [4], [20] * 56 + [4]) is None  # 4 of 4, but only 4 messages
    assert detectors.share_spike([0, 5], [0, 10]) is None  # no history to compare with


def _hours(pattern: str, days: int) -> list[bool]:
    """``pattern`` is 24 characters per day, '#' for an hour with activity."""
    return [c == "#" for c in pattern * days]


OFFICE_DAY = "." * 9 + "#" * 8 + "." * 7


def test_an_account_quiet_every_night_is_not_silent_at_night() -> None:
    flags = _hours(OFFICE_DAY, 14) + [False] * 10
    assert detectors.silence(flags) is None


def test_an_account_quiet_for_three_days_after_a_steady_rhythm_has_gone_silent() -> None:
    flags = _hours(OFFICE_DAY, 14) + [False] * 72
    found = detectors.silence(flags)
    assert found is not None
    assert found.baseline == 16  # its longest usual pause: overnight, 16 hours
    assert "no event for" in found.explanation and "usual longest pause is 16 hours" in found.explanation


def test_an_account_with_too_little_history_is_never_called_silent() -> None:
    assert detectors.silence([True] * 5 + [False] * 500) is None


def test_backlog_breach_needs_several_breached_conversations_and_a_real_share() -> None:
    assert detectors.backlog_breach(open_count=100, breached=2) is None
    assert detectors.backlog_breach(open_count=100, breached=10) is None  # 10 %: within what is tolerated
    found = detectors.backlog_breach(open_count=10, breached=4)
    assert found is not None and "4 of 10 open conversations (40%)" in found.explanation
    assert detectors.backlog_breach(open_count=1000, breached=15) is not None  # many, whatever the share


def test_token_expiry_warns_two_weeks_ahead_and_says_when() -> None:
    assert detectors.token_expiry(None, now=NOW) is None
    assert detectors.token_expiry(NOW + timedelta(days=30), now=NOW) is None
    soon = detectors.token_expiry(NOW + timedelta(days=5), now=NOW)
    assert soon is not None and soon.explanation == "the access token expires in 5 days"
    gone = detectors.token_expiry(NOW - timedelta(days=3), now=NOW)
    assert gone is not None and gone.explanation == "the access token expired 3 days ago"
