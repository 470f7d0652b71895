#!/usr/bin/env python3
"""Open-loop load of start/collect cycles against washboard, at a fixed request rate.

Each lane owns one machine and one resident and alternates POST /api/machines/{id}/uses
and POST /api/uses/{useId}/collect on its own keep-alive connection. Request k of a lane
is due at start + k * lanes / rate; its latency is measured from when it was *due*, not
from when it was sent, so a server that falls behind is charged for the queueing too
(no coordinated omission).
"""
import argparse
import asyncio
import json
import statistics
import sys
import time


async def request(reader, writer, method, path, token):
    writer.write(
        f"{method} {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer {token}\r\n"
        f"Content-Length: 0\r\n\r\n".encode()
    )
    await writer.drain()
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split(" ")[1])
    length = 0
    for line in lines[1:]:
        if line.lower().startswith("content-length:"):
            length = int(line.split(":", 1)[1])
    body = await reader.readexactly(length) if length else b""
    return status, body


async def lane(port, machine, token, interval, start, deadline, latencies, failures, open_uses):
    """open_uses[machine] carries a lane's open use from one phase to the next."""
    reader, writer = await asyncio.open_connection("127.0.0.1", port)
    use_id = open_uses.get(machine)
    k = 0
    while True:
        due = start + k * interval
        if due >= deadline:
            break
        delay = due - time.perf_counter()
        if delay > 0:
            await asyncio.sleep(delay)
        if use_id is None:
            status, body = await request(reader, writer, "POST", f"/api/machines/{machine}/uses", token)
            if status == 201:
                use_id = json.loads(body)["id"]
            elif status == 409:
                # Left open by an earlier run: collect it next.
                use_id = (json.loads(body).get("machine", {}).get("use") or {}).get("id")
        else:
            status, _ = await request(reader, writer, "POST", f"/api/uses/{use_id}/collect", token)
            use_id = None
        latencies.append(time.perf_counter() - due)
        if status not in (200, 201):
            failures.append(status)
        k += 1
    open_uses[machine] = use_id
    writer.close()


def percentile(values, p):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(round(p / 100 * (len(ordered) - 1))))]


async def main():
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--lanes", required=True, help="file with one 'machineId token' per line")
    parser.add_argument("--rate", type=float, default=1000, help="requests per second, all lanes together")
    parser.add_argument("--duration", type=float, default=20)
    parser.add_argument("--warmup", type=float, default=3, help="seconds at the same rate before measuring")
    args = parser.parse_args()
    lanes = [line.split() for line in open(args.lanes) if line.strip()]
    interval = len(lanes) / args.rate
    open_uses = {}

    for phase, duration in (("warmup", args.warmup), ("measure", args.duration)):
        latencies, failures = [], []
        start = time.perf_counter() + 0.2
        # Spread the lanes' first requests over one interval, so the load is even.
        await asyncio.gather(*(
            lane(args.port, machine, token, interval, start + i * interval / len(lanes), start + duration, latencies, failures, open_uses)
            for i, (machine, token) in enumerate(lanes)
        ))
    ms = [value * 1000 for value in latencies]
    print(json.dumps({
        "rate_target": args.rate,
        "requests": len(ms),
        "rate_achieved": round(len(ms) / args.duration, 1),
        "failures": len(failures),
        "failure_statuses": sorted(set(failures)),
        "latency_ms": {
            "p50": round(statistics.median(ms), 3),
            "p90": round(percentile(ms, 90), 3),
            "p99": round(percentile(ms, 99), 3),
            "p99.9": round(percentile(ms, 99.9), 3),
            "max": round(max(ms), 3),
        },
    }, indent=2))


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
