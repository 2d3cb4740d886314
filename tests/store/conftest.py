"""The moto S3 server of the artifact store tests (``tests/s3server.py``)."""

from tests.s3server import moto_server, s3_bucket

__all__ = ["moto_server", "s3_bucket"]
