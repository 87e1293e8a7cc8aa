"""``python -m pulumi_deploy.emulator [--host 127.0.0.1] [--port 0]``

Serves every vendor emulator and prints, once listening, one ``<VENDOR>_BASE_URL=<url>`` line per
served API (RunPod: ``RUNPOD_BASE_URL`` for v2, the client's default, and ``RUNPOD_V1_BASE_URL`` for v1) plus
``EMULATOR_URL=<root>`` (ready for ``export``), then serves until interrupted.
"""

from __future__ import annotations

import argparse
import asyncio
import sys

import uvicorn

from .app import create_app


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pulumi_deploy.emulator", description=__doc__)
    parser.add_argument("--host", default="127.0.0.1", help="interface to bind (default 127.0.0.1)")
    parser.add_argument("--port", type=int, default=0, help="port (default 0: any free port)")
    args = parser.parse_args(argv)

    app = create_app()
    config = uvicorn.Config(app, host=args.host, port=args.port, log_level="warning", lifespan="off")
    server = uvicorn.Server(config)

    async def serve() -> None:
        task = asyncio.create_task(server.serve())
        while not server.started:
            if task.done():
                await task
                return
            await asyncio.sleep(0.01)
        host, port = server.servers[0].sockets[0].getsockname()[:2]
        root = f"http://{host}:{port}"
        print(f"EMULATOR_URL={root}")
        for view in app.state.control.views:
            print(f"{view.base_url_env}={root}{view.prefix}")
        sys.stdout.flush()
        await task

    asyncio.run(serve())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
