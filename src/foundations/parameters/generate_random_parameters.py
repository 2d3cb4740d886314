"""``generate_random_parameters(space)``: one random point of a search space, the old way.

Each entry of ``space`` is kept as it is, except a mapping with ``min`` and ``max``: it
becomes a float drawn uniformly from ``[min, max)``, or, when it also has ``min_count`` and
``max_count``, a list of such floats whose length is drawn from ``[min_count, max_count)``.
Draws use numpy's global generator, so ``numpy.random.seed`` makes them repeatable, as
before.
"""

from __future__ import annotations

from collections.abc import Mapping

__all__ = ["generate_random_parameters"]


def generate_random_parameters(parameter_search_space: dict[str, object]) -> dict[str, object]:
    """One random point of ``parameter_search_space`` (see the module docstring);
    ``TypeError`` when it is not a dict."""
    if type(parameter_search_space) is not dict:
        raise TypeError(
            f"parameter_search_space must be a dict, not {type(parameter_search_space).__name__}"
        )
    return {name: _drawn(content) for name, content in parameter_search_space.items()}


def _drawn(content: object) -> object:
    if not isinstance(content, Mapping) or "min" not in content or "max" not in content:
        return content
    import numpy

    low, high = content["min"], content["max"]
    if "min_count" in content and "max_count" in content:
        length = int(numpy.random.randint(content["min_count"], content["max_count"]))
        return [float(numpy.random.uniform(low, high)) for _ in range(length)]
    return float(numpy.random.uniform(low, high))
