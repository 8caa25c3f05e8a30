"""The baseline server of `redeem_status_load.py`: a bare ASGI app answering every request.

It does no routing, no signature check and no database work, so the load
generator measured against it (same uvicorn workers, same requests) shows what
this machine, the HTTP stack and the load process themselves allow.
"""

from __future__ import annotations

import json
from typing import Any

BODY = json.dumps({"success": True, "message": "hello", "data": {"redeem_code": "-"}}).encode()
HEADERS = [(b"content-type", b"application/json"), (b"content-length", str(len(BODY)).encode())]


async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
    """Drain the request body, then answer 200 with a small JSON document."""
    if scope["type"] != "http":
        return
    more = True
    while more:
        message = await receive()
        more = message.get("more_body", False)
    await send({"type": "http.response.start", "status": 200, "headers": HEADERS})
    await send({"type": "http.response.body", "body": BODY})
