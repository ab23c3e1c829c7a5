#!/usr/bin/env python3
"""Healthy Ephemery exporters for molecule/status_sync: one path per scrape job, values derived
from the clock so counters and heads move and the chain id follows the reset schedule; and the
health APIs the built-in probes read: an execution client's JSON-RPC (POST), a beacon node's
API (/eth/v1/...) and Grafana's /api/health. (tests/standins holds the stand-ins held to the
Beacon API spec; these only answer healthy.)
Usage: fake_exporters.py PORT"""
import http.server
import json
import sys
import time

GENESIS, ITERATION, INTERVAL, CHAIN_BASE = 1780599600, 160, 2419200, 39438000


def chain_id(now):
    return CHAIN_BASE + ITERATION + (now - GENESIS) // INTERVAL


def body(path, now):
    slot = int(now) // 12
    lines = {
        "/geth": [f"p2p_peers 25", f"chain_head_block {slot}", f"eth_chain_id {chain_id(int(now))}"],
        "/lighthouse": [f"slotclock_present_slot {slot}", f"beacon_head_slot {slot}", "libp2p_peers 40",
                        f"slotclock_present_epoch {slot // 32}", f"beacon_finalized_epoch {slot // 32 - 2}"],
        "/validator": ["vc_beacon_nodes_synced_count 1"],
        "/checkpoint": ["probe_success 1", "probe_duration_seconds 0.2"],
        "/grafana": ["grafana_build_info 1"],
        "/node": ['node_filesystem_avail_bytes{fstype="ext4",mountpoint="/"} 60e9',
                  'node_filesystem_size_bytes{fstype="ext4",mountpoint="/"} 100e9',
                  'node_filesystem_readonly{fstype="ext4",mountpoint="/"} 0',
                  "node_memory_MemAvailable_bytes 6e9", "node_memory_MemTotal_bytes 16e9",
                  f'node_cpu_seconds_total{{cpu="0",mode="idle"}} {now * 0.7:.3f}',
                  "node_vmstat_oom_kill 0"],
    }.get(path)
    return None if lines is None else ("\n".join(lines) + "\n").encode()


BEACON_GENESIS = GENESIS + 600


def api(path, now):
    """The JSON answer of a beacon API or Grafana route, or None."""
    slot = (int(now) - BEACON_GENESIS) // 12
    epoch = slot // 32
    root = "0x" + "ab" * 32
    return {
        "/eth/v1/node/syncing": {"data": {"head_slot": str(slot), "sync_distance": "0", "is_syncing": False,
                                          "is_optimistic": False, "el_offline": False}},
        "/eth/v1/node/peer_count": {"data": {"disconnected": "0", "connecting": "0", "connected": "40",
                                             "disconnecting": "0"}},
        "/eth/v1/beacon/genesis": {"data": {"genesis_time": str(BEACON_GENESIS), "genesis_validators_root": root,
                                            "genesis_fork_version": "0x1000101b"}},
        "/eth/v1/config/spec": {"data": {"SECONDS_PER_SLOT": "12", "SLOTS_PER_EPOCH": "32",
                                         "DEPOSIT_CHAIN_ID": str(chain_id(int(now)))}},
        "/eth/v1/beacon/states/head/finality_checkpoints": {
            "execution_optimistic": False, "finalized": False,
            "data": {k: {"epoch": str(epoch - d), "root": root}
                     for k, d in (("previous_justified", 2), ("current_justified", 1), ("finalized", 2))}},
        "/api/health": {"commit": "fake", "database": "ok", "version": "10.4.0"},
    }.get(path)


def rpc(method, now):
    return {
        "eth_chainId": hex(chain_id(int(now))),
        "eth_syncing": False,
        "eth_getBlockByNumber": {"number": hex(int(now) // 12), "timestamp": hex(int(now) - 3)},
        "net_peerCount": "0x19",
    }.get(method)


class Handler(http.server.BaseHTTPRequestHandler):
    def send(self, status, data, content_type):
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        request = json.loads(self.rfile.read(int(self.headers.get("Content-Length", 0))) or b"{}")
        result = rpc(request.get("method"), time.time())
        answer = {"jsonrpc": "2.0", "id": request.get("id")}
        if result is None:
            answer["error"] = {"code": -32601, "message": "Method not found"}
        else:
            answer["result"] = result
        self.send(200, json.dumps(answer).encode(), "application/json")

    def do_GET(self):
        if self.path == "/eth/v1/node/health":
            return self.send(200, b"", "application/json")
        answer = api(self.path, time.time())
        if answer is not None:
            return self.send(200, json.dumps(answer).encode(), "application/json")
        data = body(self.path, time.time())
        self.send_response(200 if data else 404)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(data or b"not found\n")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
