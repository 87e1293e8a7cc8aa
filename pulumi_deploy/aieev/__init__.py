"""Aieev (AirCloud) External API: Endpoint (adopted by id; the API cannot create or delete endpoints).

Configuration: ``aieev:apiKey`` (secret) or ``AIEEV_API_KEY``; ``aieev:baseUrl`` or ``AIEEV_BASE_URL``
(default ``https://external.aieev.cloud:5007/external/api/v1``).
"""

from .connection import Connection
from .endpoint import Endpoint, EndpointArgs, EnvVarArgs

__all__ = ["Connection", "Endpoint", "EndpointArgs", "EnvVarArgs"]
