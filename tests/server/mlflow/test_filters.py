"""MLflow's search filters and orders in Atlas's query language (docs/mlflow.md)."""

from __future__ import annotations

import pytest

from atlas.server.mlflow.filters import atlas_filter, atlas_sort


@pytest.mark.parametrize(
    ("mlflow", "atlas"),
    [
        ("", ""),
        ("metrics.acc > 0.9", "metrics.`acc` > 0.9"),
        ("metric.`val loss` <= 1", "metrics.`val loss` <= 1.0"),
        ("params.lr = '0.01'", "params.`lr` = 0.01"),
        ('params.layers != "3"', "params.`layers` != 3"),
        ("params.opt = 'adam'", 'params.`opt` = "adam"'),
        ("params.lr = '1e-3'", 'params.`lr` = "1e-3"'),
        (
            "tags.stage = 'prod' AND metrics.loss < 2",
            'tags.`stage` = "prod" and metrics.`loss` < 2.0',
        ),
        ("tags.\"mlflow.user\" LIKE 'an%'", 'tags.`mlflow.user` ~ "^an.*$"'),
        ("tags.team ILIKE '_x'", 'tags.`team` ~ "(?i)^.x$"'),
        ("attributes.status = 'FINISHED'", 'status = "completed"'),
        ("status IN ('FAILED', 'KILLED')", 'status in ("failed", "cancelled")'),
        ("attributes.run_name = 'first'", 'name = "first"'),
        ("run.run_id NOT IN ('abc')", 'id not in ("abc")'),
        ("attributes.start_time > 0", 'created_at > "1970-01-01T00:00:00+00:00"'),
    ],
)
def test_filters_translate(mlflow: str, atlas: str) -> None:
    assert atlas_filter(mlflow) == atlas


@pytest.mark.parametrize(
    "text",
    ["metrics.acc >", "metrics.acc > 1 or metrics.acc < 0", "datasets.digest = 'x'", "and", "'x'"],
)
def test_filters_atlas_cannot_run_are_refused(text: str) -> None:
    with pytest.raises(ValueError, match=r"."):
        atlas_filter(text)


def test_orders_translate() -> None:
    assert atlas_sort([]) == ["-created_at"]
    order = ["metrics.acc DESC", "params.lr", "attributes.start_time ASC", "tags.`a b` desc"]
    assert atlas_sort(order) == ["-metrics.`acc`", "params.`lr`", "created_at", "-tags.`a b`"]
