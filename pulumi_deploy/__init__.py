"""pulumi-deploy: Pulumi dynamic resources for AI-deployment objects."""

__version__ = "0.1.0"
