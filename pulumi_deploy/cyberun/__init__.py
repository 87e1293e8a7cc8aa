"""Cyberun core API: ContainerService.

Configuration: ``cyberun:token`` (secret) or ``CYBERUN_TOKEN`` (an ``sk-`` integration key, or a user
JWT); with a JWT also ``cyberun:teamId`` or ``CYBERUN_TEAM_ID``; ``cyberun:baseUrl`` or
``CYBERUN_BASE_URL`` (default ``https://core.cyberun.cloud/api/v1``).
"""

from .connection import Connection
from .container_service import ContainerService, ContainerServiceArgs, EnvVarArgs, VolumeMountArgs

__all__ = ["Connection", "ContainerService", "ContainerServiceArgs", "EnvVarArgs", "VolumeMountArgs"]
