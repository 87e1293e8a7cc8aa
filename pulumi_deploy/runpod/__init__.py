"""RunPod: Template, Endpoint, NetworkVolume, ContainerRegistryAuth over REST v2 (default) or v1.

Configuration: ``runpod:apiKey`` (secret) or ``RUNPOD_API_KEY``; ``runpod:apiVersion`` or
``RUNPOD_API_VERSION`` (``v2``, the default, or ``v1``); ``runpod:baseUrl`` or ``RUNPOD_BASE_URL``
(default ``https://api.runpod.io/v2``, or ``https://rest.runpod.io/v1`` on v1).
"""

from .connection import Connection
from .endpoint import Endpoint, EndpointArgs
from .enums import DATA_CENTER_IDS, GPU_TYPE_IDS
from .network_volume import NetworkVolume, NetworkVolumeArgs
from .registry_auth import ContainerRegistryAuth, ContainerRegistryAuthArgs
from .template import Template, TemplateArgs

__all__ = [
    "DATA_CENTER_IDS",
    "GPU_TYPE_IDS",
    "Connection",
    "ContainerRegistryAuth",
    "ContainerRegistryAuthArgs",
    "Endpoint",
    "EndpointArgs",
    "NetworkVolume",
    "NetworkVolumeArgs",
    "Template",
    "TemplateArgs",
]
