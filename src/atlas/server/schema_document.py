"""``python -m atlas.server.schema_document``: print the REST API's OpenAPI schema.

The one way the schema leaves the package: the GUI's build generates its typed client from
it (web/scripts/gen-api.mjs), and an sdist ships it (hatch_build.py), since Atlas cannot be
imported while a wheel is built from the sdist. Keys are sorted, so the text is stable.
"""

from __future__ import annotations

import json
import sys

from atlas.server.app import create_app
from atlas.settings import Settings

__all__ = ["schema_text"]


def schema_text() -> str:
    """The OpenAPI schema of an app built with the default settings, as sorted JSON."""
    return json.dumps(create_app(Settings()).openapi(), indent=1, sort_keys=True)


if __name__ == "__main__":
    sys.stdout.write(schema_text())
