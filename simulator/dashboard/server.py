"""`rwa-sim dashboard`: serve the page with Solara, offline and private.

Solara's server fetches a missing front-end asset from a CDN and sends usage telemetry unless told not to; here
its assets come from the pinned `solara-assets` package, its CDN is pointed at an address that refuses (so a
missing asset fails loudly instead of reaching the internet), telemetry and the version check are off, and the
server listens on the loopback interface unless asked otherwise.
"""

from __future__ import annotations

import errno
import os
import socket
from pathlib import Path

from simulator.errors import InputError, UserError

OFFLINE_ENV = {
    "SOLARA_TELEMETRY_MIXPANEL_ENABLE": "False",
    "SOLARA_ASSETS_CDN": "http://127.0.0.1:9/",  # the discard port: nothing answers, nothing leaves the machine
    "SOLARA_ASSETS_FONTAWESOME_ENABLED": "False",
    "MPLBACKEND": "Agg",
}


def check_port(host: str, port: int) -> None:
    """A clear error before the server starts when the port is not free."""
    if not 0 < port < 65536:
        raise InputError(f"--port must be from 1 to 65535, not {port}")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            why = "is in use" if exc.errno == errno.EADDRINUSE else f"cannot be opened ({exc.strerror})"
            raise UserError(f"port {port} on {host} {why}: choose another with --port") from None


def serve(host: str, port: int, workspace: Path, scenarios: Path | None) -> int:
    from simulator.dashboard.state import SCENARIOS_ENV, WORKSPACE_ENV

    if scenarios is not None and not scenarios.is_dir():
        raise InputError(f"--scenarios {scenarios}: not a folder")
    check_port(host, port)
    workspace.mkdir(parents=True, exist_ok=True)
    os.environ.update(OFFLINE_ENV)
    os.environ[WORKSPACE_ENV] = str(workspace.resolve())
    if scenarios is not None:
        os.environ[SCENARIOS_ENV] = str(scenarios.resolve())
    from solara.__main__ import cli  # after the environment: Solara reads its settings on import

    print(f"rwa-sim dashboard: http://{host}:{port}  (runs are written to {workspace}; Ctrl+C stops)", flush=True)
    cli.main(args=["run", "simulator.dashboard.app", "--host", host, "--port", str(port), "--production",
                   "--no-open", "--no-check-version", "--theme-variant", "light", "--log-level", "warning",
                   "--log-level-uvicorn", "warning"], prog_name="rwa-sim dashboard", standalone_mode=False)
    return 0
