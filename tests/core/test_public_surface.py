"""`import atlas` stays light: no heavy module is loaded until it is needed."""

from __future__ import annotations

import json
import subprocess
import sys

HEAVY = ["httpx", "numpy", "sqlalchemy", "fastapi", "pydantic", "yaml", "pandas", "atlas.store"]


def test_import_atlas_loads_nothing_heavy() -> None:
    code = "import sys, json, atlas; print(json.dumps(sorted(sys.modules)))"
    out = subprocess.run(
        [sys.executable, "-c", code], check=True, capture_output=True, text=True
    ).stdout
    loaded = set(json.loads(out))
    assert not [name for name in HEAVY if name in loaded]


def test_public_names_are_sorted_and_exist() -> None:
    import atlas

    assert atlas.__all__ == sorted(atlas.__all__)
    for name in atlas.__all__:
        assert hasattr(atlas, name), name
