"""The integrations package loads no framework until an adapter is imported by name."""

from __future__ import annotations

import json
import subprocess
import sys

FRAMEWORKS = ("lightning", "pytorch_lightning", "torch", "keras", "transformers", "xgboost")
FRAMEWORKS += ("lightgbm", "optuna", "jax", "tensorflow")


def loaded_after(code: str) -> set[str]:
    script = f"import sys, json\n{code}\nprint(json.dumps(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", script], check=True, capture_output=True, text=True)
    return set(json.loads(out.stdout))


def test_the_package_and_its_shared_module_load_no_framework() -> None:
    loaded = loaded_after("import atlas, atlas.integrations, atlas.integrations.runs")
    assert [name for name in FRAMEWORKS if name in loaded] == []


def test_an_adapter_loads_its_own_framework_only() -> None:
    loaded = loaded_after("import atlas.integrations.xgboost")
    assert "xgboost" in loaded
    assert [name for name in FRAMEWORKS if name in loaded and name != "xgboost"] == []
