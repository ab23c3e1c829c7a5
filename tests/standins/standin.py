#!/usr/bin/env python3
"""Stand-ins for the services of an Ephemery host that no registry gives us to run in CI.

  standin.py beacon     --port P [--genesis-time T] [--seconds-per-slot S] [--slots-per-epoch N]
                        [--deposit-chain-id ID] [--peers N] [--no-el-offline]
  standin.py checkpoint --port P ...  (a checkpoint sync provider: genesis, spec, finality only)
  standin.py grafana    --port P      (GET /api/health, as Grafana answers it)
  standin.py validator  --port P      (GET /metrics of a validator client)
  standin.py metrics    --port P --text 'eth_chain_id 39438166'   (this text on any path)

The beacon stand-in is held to the published Beacon API (ethereum/beacon-APIs, the routes the
probe reads, vendored in beacon-apis/ and checked by check_beacon_spec.py): numbers are decimal
strings, roots 0x-hex, `data` envelopes. Its head follows the wall clock (one block per slot) and
its finalized epoch trails by 2, as a healthy node's does. POST /control with a JSON object
changes it while it runs: {"stalled": true} freezes the head, {"peers": 0}, {"el_offline": true},
{"health": 206}. Binds 127.0.0.1 only. A real Beacon node (Lodestar 1.5.1 from npm) needs a
110-entry pinned lock and about a minute of native builds per install: see docs/bridge.md.
"""
import argparse
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

ZERO_ROOT = "0x" + "00" * 32


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("kind", choices=["beacon", "checkpoint", "grafana", "validator", "metrics"])
    ap.add_argument("--port", type=int, required=True)
    ap.add_argument("--genesis-time", type=int, default=None)
    ap.add_argument("--seconds-per-slot", type=int, default=12)
    ap.add_argument("--slots-per-epoch", type=int, default=32)
    ap.add_argument("--deposit-chain-id", type=int, default=39438000)
    ap.add_argument("--peers", type=int, default=50)
    ap.add_argument("--no-el-offline", action="store_true", help="omit el_offline and is_optimistic (older clients)")
    ap.add_argument("--text", default="")
    args = ap.parse_args()
    genesis = args.genesis_time if args.genesis_time is not None else int(time.time()) - 3600
    state = {"stalled_at": None, "peers": args.peers, "el_offline": False, "health": 200}
    lock = threading.Lock()

    def wall_slot():
        return max(0, int(time.time()) - genesis) // args.seconds_per_slot

    def head_slot():
        with lock:
            return state["stalled_at"] if state["stalled_at"] is not None else wall_slot()

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def send(self, status, body=None, content_type="application/json"):
            data = b"" if body is None else (body if isinstance(body, bytes) else json.dumps(body).encode())
            self.send_response(status)
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def do_POST(self):
            if self.path != "/control":
                return self.send(404, {"code": 404, "message": "not found"})
            body = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
            with lock:
                if "stalled" in body:
                    state["stalled_at"] = wall_slot() if body["stalled"] else None
                for key in ("peers", "el_offline", "health"):
                    if key in body:
                        state[key] = body[key]
            self.send(200, {"ok": True})

        def do_GET(self):
            path = self.path.split("?")[0]
            if args.kind == "grafana":
                if path == "/api/health":
                    return self.send(200, {"commit": "standin", "database": "ok", "version": "10.4.0"})
                return self.send(404, {"message": "Not found"})
            if args.kind in ("validator", "metrics"):
                # geth serves its metrics at /debug/metrics/prometheus: `metrics` answers any path.
                if path == "/metrics" or args.kind == "metrics":
                    text = args.text.replace("\\n", "\n") or "vc_beacon_nodes_synced_count 1\nvc_beacon_nodes_available_count 1\n"
                    return self.send(200, (text.rstrip("\n") + "\n").encode(), "text/plain; version=0.0.4")
                return self.send(404, b"404 page not found\n", "text/plain")
            spec = {
                "SECONDS_PER_SLOT": str(args.seconds_per_slot),
                "SLOTS_PER_EPOCH": str(args.slots_per_epoch),
                "DEPOSIT_CHAIN_ID": str(args.deposit_chain_id),
                "DEPOSIT_NETWORK_ID": str(args.deposit_chain_id),
                "GENESIS_FORK_VERSION": "0x1000101b",
            }
            wall_epoch = wall_slot() // args.slots_per_epoch
            finalized = max(0, min(head_slot() // args.slots_per_epoch, wall_epoch) - 2)
            checkpoint = lambda e: {"epoch": str(e), "root": ZERO_ROOT if e == 0 else "0x" + f"{e:064x}"}
            routes = {
                "/eth/v1/beacon/genesis": lambda: (200, {"data": {
                    "genesis_time": str(genesis),
                    "genesis_validators_root": "0x" + "ab" * 32,
                    "genesis_fork_version": "0x1000101b"}}),
                "/eth/v1/config/spec": lambda: (200, {"data": spec}),
                "/eth/v1/beacon/states/head/finality_checkpoints": lambda: (200, {
                    "execution_optimistic": False, "finalized": False,
                    "data": {"previous_justified": checkpoint(max(0, finalized)),
                             "current_justified": checkpoint(finalized + 1 if finalized else 0),
                             "finalized": checkpoint(finalized)}}),
            }
            if args.kind == "beacon":
                def syncing():
                    h = head_slot()
                    data = {"head_slot": str(h), "sync_distance": str(max(0, wall_slot() - h)),
                            "is_syncing": False}
                    if not args.no_el_offline:
                        with lock:
                            data["is_optimistic"] = False
                            data["el_offline"] = bool(state["el_offline"])
                    return 200, {"data": data}
                with lock:
                    peers, health = state["peers"], state["health"]
                routes.update({
                    "/eth/v1/node/syncing": syncing,
                    "/eth/v1/node/health": lambda: (health, None),
                    "/eth/v1/node/peer_count": lambda: (200, {"data": {
                        "disconnected": "3", "connecting": "0", "connected": str(peers), "disconnecting": "0"}}),
                })
            route = routes.get(path)
            if route is None:
                return self.send(404, {"code": 404, "message": f"Route GET:{path} not found"})
            status, body = route()
            self.send(status, body)

    server = ThreadingHTTPServer(("127.0.0.1", args.port), Handler)
    server.serve_forever()


if __name__ == "__main__":
    main()
