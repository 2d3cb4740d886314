"""The Atlas server: the REST API (docs/rest-api.md) as a FastAPI app.

``create_app(settings)`` builds it; ``atlas server`` runs it with uvicorn.
"""

from atlas.server.app import create_app

__all__ = ["create_app"]
