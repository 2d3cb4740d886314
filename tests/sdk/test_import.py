"""`import atlas` stays light: the SDK loads its heavy parts when a job starts."""

from __future__ import annotations

import json
import subprocess
import sys

# What `import atlas` may load of Atlas: the package and its version; every public name is
# imported on first use.
LIGHT = {"atlas", "atlas.version"}
# What the first tracking call loads of Atlas before its job starts: the hot path only.
TRACKING = {
    "atlas.errors",
    "atlas.sdk",
    "atlas.sdk.buffer",
    "atlas.names",
    "atlas.sdk.run",
    "atlas.sdk.tracking",
}
LATER = ["httpx", "yaml", "json", "dataclasses", "pathlib", "logging", "atlas.settings"]


def modules_after(code: str) -> set[str]:
    """The modules loaded after running ``code`` in a fresh interpreter."""
    script = (
        f"import sys\n{code}\nloaded = sorted(sys.modules)\nimport json\nprint(json.dumps(loaded))"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], check=True, capture_output=True, text=True
    ).stdout
    return set(json.loads(out))


def test_import_atlas_loads_only_the_package() -> None:
    loaded = modules_after("import atlas") - modules_after("")
    assert {name for name in loaded if name.startswith("atlas")} == LIGHT
    assert [name for name in LATER if name in loaded] == []


def test_reaching_log_metric_loads_only_the_hot_path() -> None:
    loaded = modules_after("import atlas\natlas.log_metric") - modules_after("")
    assert {name for name in loaded if name.startswith("atlas")} == LIGHT | TRACKING
    assert [name for name in LATER if name in loaded] == []


def test_client_is_importable_from_atlas() -> None:
    loaded = modules_after("from atlas import Client\nassert Client.__name__ == 'Client'")
    assert "httpx" in loaded


def test_sdk_modules_import_each_other_without_circles() -> None:
    """No circle among the SDK's modules, counting imports inside functions and for type
    checking: each module can be read (and loaded) after the ones it uses."""
    import grimp

    graph = grimp.build_graph("atlas")
    modules = {m for m in graph.modules if m.startswith("atlas.sdk.")}
    circles = [
        (module, other)
        for module in sorted(modules)
        for other in sorted(graph.find_modules_directly_imported_by(module) & modules)
        if graph.chain_exists(importer=other, imported=module)
    ]
    assert circles == []


def test_reaching_the_media_calls_loads_neither_numpy_nor_more_of_atlas() -> None:
    code = "import atlas\n" + "\n".join(
        f"atlas.{name}"
        for name in ("log_image", "log_audio", "log_video", "log_table", "log_histogram")
    )
    loaded = modules_after(code) - modules_after("")
    assert {name for name in loaded if name.startswith("atlas")} == LIGHT | TRACKING
    assert "numpy" not in loaded


def test_the_client_loads_httpx_without_its_command_line() -> None:
    """httpx's command-line client (rich, click: half of httpx's import) is not loaded by a
    job's process, and stays importable afterwards."""
    loaded = modules_after("import atlas.sdk.client")
    assert "httpx" in loaded
    assert [name for name in ("httpx._main", "rich", "click") if name in loaded] == []
    later = modules_after("import atlas.sdk.client\nimport httpx._main")
    assert "httpx._main" in later
