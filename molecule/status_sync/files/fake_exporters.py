#!/usr/bin/env python3
"""Healthy Ephemery exporters for molecule/status_sync: one path per scrape job, values derived
from the clock so counters and heads move and the chain id follows the reset schedule.
Usage: fake_exporters.py PORT"""
import http.server
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


class Handler(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        data = body(self.path, time.time())
        self.send_response(200 if data else 404)
        self.send_header("Content-Type", "text/plain; version=0.0.4")
        self.end_headers()
        self.wfile.write(data or b"not found\n")

    def log_message(self, *args):
        pass


http.server.ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
