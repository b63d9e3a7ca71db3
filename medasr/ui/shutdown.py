"""A uvicorn server that lets live sessions finish before it closes their sockets.

uvicorn's own shutdown closes every open websocket first (1012) and only then runs the
app's lifespan shutdown: too late to send anyone a final transcript. This server first asks
the app to drain (``Services.drain``: open sessions decode what they received, send
``final`` and close with 1001; detached ones are finished into the record), then shuts down
as uvicorn does.
"""

from __future__ import annotations

import logging
from typing import Any

log = logging.getLogger("medasr.ui")


def draining_server(config: Any) -> Any:
    """A ``uvicorn.Server`` for ``config`` whose shutdown drains the medasr app first."""
    import uvicorn

    class DrainingServer(uvicorn.Server):
        async def shutdown(self, sockets: Any = None) -> None:
            services = getattr(getattr(self.config.app, "state", None), "services", None)
            if services is not None:
                try:
                    await services.drain()
                except Exception:  # never block the shutdown itself
                    log.exception("draining the live sessions failed")
            await super().shutdown(sockets=sockets)

    return DrainingServer(config)
