"""RunPod (REST v1): Template, Endpoint, NetworkVolume.

Configuration: ``runpod:apiKey`` (secret) or ``RUNPOD_API_KEY``; ``runpod:baseUrl`` or
``RUNPOD_BASE_URL`` (default ``https://rest.runpod.io/v1``).
"""

from .connection import Connection
from .endpoint import Endpoint, EndpointArgs
from .network_volume import NetworkVolume, NetworkVolumeArgs
from .template import Template, TemplateArgs

__all__ = [
    "Connection",
    "Endpoint",
    "EndpointArgs",
    "NetworkVolume",
    "NetworkVolumeArgs",
    "Template",
    "TemplateArgs",
]
