"""A stand-in for ``pulumi-language-python``, for CLIs built without it.

The official Pulumi CLI ships the Python language host; a CLI built from the Go modules may not (the
host is an untagged module). Without a host, ``pulumi preview`` in a project directory cannot run a
Python program at all. This stand-in serves the engine's LanguageRuntime protocol with the Pulumi
SDK's own server (the one the Automation API uses for inline programs) and runs the project's entry
point with ``runpy``, in this interpreter. Everything else -- the CLI commands, the engine, the
dynamic provider process, the backend -- is the real thing.

The engine starts it as ``pulumi-language-python [flags] ENGINE_ADDRESS`` and reads the port it
serves on from its first line of output.
"""

from __future__ import annotations

import os
import runpy
import sys
from concurrent import futures
from pathlib import Path
from typing import Any

import grpc  # type: ignore[import-untyped]
from pulumi.automation._server import LanguageServer
from pulumi.runtime.proto import language_pb2, language_pb2_grpc


class ProjectLanguageServer(LanguageServer):
    """Runs the project's program (its ``main`` entry point) instead of an inline function."""

    def __init__(self) -> None:
        super().__init__(lambda: None)

    def Handshake(self, request: Any, context: Any) -> Any:
        return language_pb2.LanguageHandshakeResponse()

    def Run(self, request: Any, context: Any) -> Any:
        program_dir = Path(request.info.program_directory or request.pwd)
        entry = program_dir / (request.info.entry_point or ".")
        if entry.is_dir():
            entry = entry / "__main__.py"

        def program() -> None:
            sys.path.insert(0, str(program_dir))
            os.chdir(request.pwd or program_dir)
            runpy.run_path(str(entry), run_name="__main__")

        self.program = program
        return super().Run(request, context)


def main() -> int:
    server = grpc.server(futures.ThreadPoolExecutor(max_workers=4))
    language_pb2_grpc.add_LanguageRuntimeServicer_to_server(ProjectLanguageServer(), server)
    port = server.add_insecure_port("127.0.0.1:0")
    server.start()
    print(port, flush=True)
    try:
        server.wait_for_termination()
    except KeyboardInterrupt:  # the engine stops its language host with SIGINT
        server.stop(grace=None)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
