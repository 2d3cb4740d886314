"""Table layout: aligned columns that fit the width they are given."""

from __future__ import annotations

from atlas.cli.tables import Column, render_table


def test_columns_are_aligned_and_numbers_right_aligned() -> None:
    table = render_table(
        [Column("NAME"), Column("JOBS", align="right")],
        [["mnist", "3"], ["imagenet-long", "120"]],
        width=80,
    )
    assert table.text.splitlines() == [
        "NAME           JOBS",
        "mnist             3",
        "imagenet-long   120",
    ]
    assert table.hidden_columns == 0


def test_optional_columns_are_dropped_from_the_right_first() -> None:
    columns = [Column("ID"), Column("loss", optional=True), Column("lr", optional=True)]
    rows = [["0123456789abcdef", "0.25", "0.001"]]
    table = render_table(columns, rows, width=24)
    assert table.text.splitlines() == ["ID                loss", "0123456789abcdef  0.25"]
    assert table.hidden_columns == 1


def test_shrinkable_columns_are_cut_with_an_ellipsis_to_fit() -> None:
    columns = [Column("ID"), Column("NAME", shrink=True, min_width=6)]
    rows = [["0123456789abcdef", "a-very-long-job-name-indeed"]]
    table = render_table(columns, rows, width=30)
    lines = table.text.splitlines()
    assert all(len(line) <= 30 for line in lines)
    assert lines[1] == "0123456789abcdef  a-very-long…"


def test_a_table_never_cuts_below_the_minimum_width() -> None:
    columns = [Column("ID"), Column("NAME", shrink=True, min_width=6)]
    table = render_table(columns, [["0123456789abcdef", "abcdefghijkl"]], width=10)
    assert table.text.splitlines()[1] == "0123456789abcdef  abcde…"
