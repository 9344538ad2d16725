"""Cutting output to a token budget keeps whole lines, the head and the tail, and says what it cut."""

from __future__ import annotations

import re

import pytest

from tools.budget import estimate_tokens, fit_lines, fit_text, truncate_line

LINES = [f"2024-05-12T10:00:{i % 60:02d}Z line {i} of the container log" for i in range(500)]
TEXT = "\n".join(LINES)
MARKER = re.compile(r"^… (\d+) lines \((\d+) chars\) cut …$")


def test_text_that_fits_is_returned_unchanged() -> None:
    short = "\n".join(LINES[:5])
    assert fit_text(short, 1000) == (short, False)


def test_text_that_does_not_fit_keeps_head_and_tail_around_a_marker() -> None:
    fitted, cut = fit_text(TEXT, 300)
    assert cut
    assert estimate_tokens(fitted) <= 300
    kept = fitted.split("\n")
    markers = [line for line in kept if MARKER.match(line)]
    assert len(markers) == 1
    at = kept.index(markers[0])
    assert kept[:at] == LINES[:at]  # the head, whole lines in order
    tail = kept[at + 1 :]
    assert tail and tail == LINES[len(LINES) - len(tail) :]  # the tail, ending with the last line
    lines_cut, chars_cut = map(int, MARKER.match(markers[0]).groups())  # type: ignore[union-attr]
    assert lines_cut == len(LINES) - at - len(tail)
    assert chars_cut == sum(len(line) + 1 for line in LINES[at : len(LINES) - len(tail)])


@pytest.mark.parametrize("budget", [40, 100, 500, 2000])
def test_fitted_text_never_exceeds_the_budget(budget: int) -> None:
    fitted, cut = fit_text(TEXT, budget)
    assert cut
    assert estimate_tokens(fitted) <= budget


def test_one_huge_line_is_shortened_instead_of_dropping_everything() -> None:
    text = "start\n" + "x" * 50_000 + "\nend"
    fitted, cut = fit_text(text, 200)
    assert cut
    assert estimate_tokens(fitted) <= 200
    assert fitted.startswith("start\n")
    assert fitted.endswith("\nend")
    assert re.search(r"… \(\+\d+ chars\)", fitted)


def test_a_single_line_too_long_for_the_budget_is_truncated() -> None:
    fitted, cut = fit_text("word " * 10_000, 100)
    assert cut
    assert 0 < estimate_tokens(fitted) <= 100


@pytest.mark.parametrize("keep", ["head", "tail", "both"])
def test_lines_that_fit_are_all_kept(keep: str) -> None:
    assert fit_lines(LINES[:3], 1000, keep=keep) == (LINES[:3], 0)  # type: ignore[arg-type]


def test_fit_lines_head_keeps_the_first_lines() -> None:
    kept, cut = fit_lines(LINES, 200, keep="head")
    assert kept == LINES[: len(kept)]
    assert cut == len(LINES) - len(kept) > 0
    assert estimate_tokens("\n".join(kept)) <= 200


def test_fit_lines_tail_keeps_the_last_lines() -> None:
    kept, cut = fit_lines(LINES, 200, keep="tail")
    assert kept == LINES[len(LINES) - len(kept) :]
    assert cut == len(LINES) - len(kept) > 0
    assert estimate_tokens("\n".join(kept)) <= 200


def test_fit_lines_both_puts_the_marker_between_head_and_tail() -> None:
    kept, cut = fit_lines(LINES, 200, keep="both")
    markers = [i for i, line in enumerate(kept) if MARKER.match(line)]
    assert len(markers) == 1
    assert len(kept) - 1 + cut == len(LINES)
    assert kept[0] == LINES[0] and kept[-1] == LINES[-1]


def test_a_budget_too_small_for_the_marker_keeps_nothing() -> None:
    kept, cut = fit_lines(LINES, 3, keep="both")
    assert kept == []
    assert cut == len(LINES)


@pytest.mark.parametrize("max_chars", [10, 20, 40, 79])
def test_truncated_line_fits_and_says_how_much_was_cut(max_chars: int) -> None:
    line = "a" * 80
    short = truncate_line(line, max_chars)
    assert len(short) <= max_chars
    if max_chars >= 20:
        match = re.fullmatch(r"(a*)… \(\+(\d+) chars\)", short)
        assert match is not None
        assert len(match.group(1)) + int(match.group(2)) == len(line)


def test_truncate_line_leaves_short_lines_alone_and_handles_zero() -> None:
    assert truncate_line("short", 10) == "short"
    assert truncate_line("short", 0) == ""
    assert truncate_line("abcdef", 3) == "ab…"
