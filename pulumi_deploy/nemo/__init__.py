"""NVIDIA NeMo Platform models API v2: ModelDeploymentConfig, ModelDeployment, ModelDeploymentStatus.

Configuration: ``nemo:baseUrl`` or ``NEMO_BASE_URL`` (the platform root, e.g.
``http://127.0.0.1:8080`` for a local platform; required); ``nemo:token`` (secret) or ``NEMO_TOKEN``,
sent as a bearer token when set (a local platform runs with auth off and needs none; with auth on, a
Scoped Access Key is the token for automation); ``nemo:workspace``
or ``NEMO_WORKSPACE`` (default ``default``), overridable per resource. ``connection=nemo.Connection(...)``
points one resource at another platform.
"""

from .connection import Connection
from .deployment import ModelDeployment, ModelDeploymentArgs
from .deployment_config import (
    ExecutorConfigArgs,
    K8sNimOperatorConfigArgs,
    ModelDeploymentConfig,
    ModelDeploymentConfigArgs,
    ModelSpecArgs,
    ToolCallConfigArgs,
)
from .deployment_status import ModelDeploymentStatus, ModelDeploymentStatusArgs

__all__ = [
    "Connection",
    "ExecutorConfigArgs",
    "K8sNimOperatorConfigArgs",
    "ModelDeployment",
    "ModelDeploymentArgs",
    "ModelDeploymentConfig",
    "ModelDeploymentConfigArgs",
    "ModelDeploymentStatus",
    "ModelDeploymentStatusArgs",
    "ModelSpecArgs",
    "ToolCallConfigArgs",
]
