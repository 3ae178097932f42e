"""Reading history files: valid files, and bad input reported by file, line and column."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import numpy as np
import pytest

from tradewind.errors import InputFileError
from tradewind.planning.history import HistoryFileError, read_history_csv, synthetic_intermittent_history


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "history.csv"
    path.write_text(text)
    return path


def test_reads_a_valid_file_and_fills_missing_days_with_zero(tmp_path: Path) -> None:
    path = write(tmp_path, "sku,date,units\nA,2024-01-01,3\nB,2024-01-03,2.5\nA,2024-01-03,1\n")
    history = read_history_csv(path)
    assert history.skus == ("A", "B")
    assert history.first_day == date(2024, 1, 1)
    np.testing.assert_array_equal(history.demand("D"), [[3, 0, 1], [0, 0, 2.5]])


def test_weekly_and_monthly_calendars(tmp_path: Path) -> None:
    path = write(tmp_path, "sku,date,units\nA,2024-01-31,1\nA,2024-02-05,2\nA,2024-03-01,4\n")
    history = read_history_csv(path)
    np.testing.assert_array_equal(history.demand("M"), [[1, 2, 4]])
    weekly = history.demand("W")
    assert weekly.shape == (1, 5) and weekly.sum() == 7 and weekly[0, 1] == 2


@pytest.mark.parametrize(
    ("text", "line", "column"),
    [
        ("sku,day,units\nA,2024-01-01,3\n", 1, "date"),
        ("sku,date\nA,2024-01-01\n", 1, "units"),
        ("sku,date,units\nA,2024-01-01,three\n", 2, "units"),
        ("sku,date,units\nA,2024-01-01,3\nA,2024-01-02,-1\n", 3, "units"),
        ("sku,date,units\nA,2024-01-01,3\nA,2024-01-01,4\n", 3, "date"),
        ("sku,date,units\nA,01/02/2024,3\n", 2, "date"),
        ("sku,date,units\nA,2024-02-30,3\n", 2, "date"),
        ("sku,date,units\n,2024-01-01,3\n", 2, "sku"),
        ("sku,date,units\nA,2024-01-01,nan\n", 2, "units"),
    ],
)
def test_bad_input_names_file_line_and_column(tmp_path: Path, text: str, line: int, column: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(HistoryFileError) as caught:
        read_history_csv(path)
    error = caught.value
    assert (error.file, error.line, error.column) == (str(path), line, column)
    assert f"{path}:{line} [{column}]" in str(error)
    assert isinstance(error, InputFileError) and error.errors[0].line == line


def test_synthetic_history_is_deterministic_and_intermittent() -> None:
    first = synthetic_intermittent_history(n_skus=200, n_months=40).demand("M")
    second = synthetic_intermittent_history(n_skus=200, n_months=40).demand("M")
    np.testing.assert_array_equal(first, second)
    assert 0.6 < float((first == 0).mean()) < 0.85
