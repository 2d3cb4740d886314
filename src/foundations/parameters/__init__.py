"""``foundations.parameters``: random draws from a search space, as the old SDK made them."""

from foundations.parameters.generate_random_parameters import generate_random_parameters

__all__ = ["generate_random_parameters"]
