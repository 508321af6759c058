# A real third-party client for interop tests: Python's `websockets` (Debian's python3-websockets).
# Usage: python3 python-client.py URL SCENARIO; prints one JSON line with what it saw.
import asyncio, json, sys
import websockets

async def main(url, scenario):
    out = {}
    compression = "deflate" if scenario.endswith("-deflate") else None
    async with websockets.connect(url, compression=compression, max_size=None, subprotocols=["chat"]) as ws:
        out["subprotocol"] = ws.subprotocol
        out["extensions"] = [type(e).__name__ for e in ws.extensions]
        texts = ["hello", "héllo wörld ✓", "x" * 70000]
        got = []
        for t in texts:
            await ws.send(t)
            got.append(await ws.recv() == t)
        blob = bytes(range(256)) * 4096  # 1 MiB
        await ws.send(blob)
        echoed = await ws.recv()
        got.append(isinstance(echoed, bytes) and echoed == blob)
        pong = await ws.ping(b"are you there")
        await asyncio.wait_for(pong, 5)
        out["pong"] = True
        out["echoes"] = got
        await ws.close(code=4000, reason="done")
        out["close_code"] = ws.close_code
    print(json.dumps(out))

asyncio.run(main(sys.argv[1], sys.argv[2]))
