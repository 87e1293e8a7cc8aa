"""A local S3 server (moto) holding Pulumi state the way a team's bucket does."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

#: moto accepts any key pair; the Pulumi CLI's S3 client needs one to sign requests.
AWS_ENV = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test", "AWS_REGION": "us-east-1"}


@dataclass
class S3Server:
    endpoint: str  # http://127.0.0.1:PORT
    pid: int

    def client(self) -> Any:
        import boto3

        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", **_keys())

    def new_bucket(self) -> str:
        """A fresh bucket; returns the ``pulumi login`` URL of a state backend kept in it."""
        name = f"state-{uuid.uuid4().hex[:12]}"
        self.client().create_bucket(Bucket=name)
        return f"s3://{name}?endpoint={self.endpoint}&use_path_style=true&region=us-east-1"

    def keys(self, backend_url: str) -> list[str]:
        bucket = backend_url.split("://", 1)[1].split("?", 1)[0]
        listing = self.client().list_objects_v2(Bucket=bucket)
        return sorted(o["Key"] for o in listing.get("Contents", []))


def _keys() -> dict[str, str]:
    return {
        "aws_access_key_id": AWS_ENV["AWS_ACCESS_KEY_ID"],
        "aws_secret_access_key": AWS_ENV["AWS_SECRET_ACCESS_KEY"],
    }
