"""The integrations package loads no framework until an adapter is imported by name."""

from __future__ import annotations

import ast
import json
import subprocess
import sys
from pathlib import Path

import atlas.integrations

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


PUBLIC = {"atlas": None, "atlas.domain": None, "atlas.errors": None}
"""The modules of Atlas an adapter may import from (None: any of their names), as a user's
script does: ``atlas`` and what docs/sdk.md documents for its Client."""
PUBLIC_NAMES = {"atlas.sdk.buffer": {"MetricColumns"}}


def test_adapters_import_only_atlas_public_names() -> None:
    package = Path(atlas.integrations.__file__).parent
    used: list[tuple[str, str, str]] = []
    for source in sorted(package.glob("*.py")):
        for node in ast.walk(ast.parse(source.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                used += [(source.name, alias.name, "") for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                used += [(source.name, node.module, alias.name) for alias in node.names]
    assert ("optuna.py", "atlas.sdk.buffer", "MetricColumns") in used  # the check sees it
    private = [
        (name, module, what)
        for name, module, what in used
        if module.partition(".")[0] == "atlas"
        and not module.startswith("atlas.integrations")
        and module not in PUBLIC
        and what not in PUBLIC_NAMES.get(module, set())
    ]
    assert private == []
