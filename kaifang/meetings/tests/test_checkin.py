"""The rotating sign-in code, with an injected clock."""

import datetime

from django.utils import timezone

from kaifang.meetings.checkin import code_for_window, code_is_valid, current_code, window_of

SECRET = "a" * 64
T0 = timezone.make_aware(datetime.datetime(2018, 3, 20, 9, 0, 0))  # a window boundary (epoch seconds % 30 == 0)


def at(seconds: int) -> datetime.datetime:
    return T0 + datetime.timedelta(seconds=seconds)


def test_the_code_is_six_digits_and_stays_the_same_within_a_30_second_window():
    assert int(T0.timestamp()) % 30 == 0
    code, remaining = current_code(SECRET, at(0))
    assert len(code) == 6 and code.isdigit() and remaining == 30
    assert current_code(SECRET, at(29)) == (code, 1)
    assert current_code(SECRET, at(30))[0] != code


def test_the_current_and_the_previous_window_are_accepted_and_older_codes_are_not():
    code = code_for_window(SECRET, window_of(at(0)))
    assert code_is_valid(SECRET, code, at(0))
    assert code_is_valid(SECRET, code, at(29))
    assert code_is_valid(SECRET, code, at(30))  # the previous window
    assert code_is_valid(SECRET, code, at(59))
    assert not code_is_valid(SECRET, code, at(60))  # two windows old
    assert not code_is_valid(SECRET, code, at(-1))  # a code from the future


def test_codes_differ_between_meetings_and_garbage_is_rejected():
    assert code_for_window(SECRET, 100) != code_for_window("b" * 64, 100)
    code = code_for_window(SECRET, window_of(at(0)))
    assert code_is_valid(SECRET, f" {code[:3]} {code[3:]} ", at(1))  # spaces typed on a phone are ignored
    for bad in ["", "12345", "1234567", "abcdef", None]:
        assert not code_is_valid(SECRET, bad, at(0))  # type: ignore[arg-type]
