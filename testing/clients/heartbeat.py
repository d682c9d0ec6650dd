#!/usr/bin/env python3
"""
Shardbeat heartbeats over HTTP from Python, standard library only.

The block between the `shardbeat-client` markers is the README's discord.py example, verbatim
(server/http/heartbeat-clients.spec.ts checks that). Run as a script, it feeds that same code a
fake discord.py AutoShardedClient and posts its heartbeats, printing each answer as one JSON line:

    python3 testing/clients/heartbeat.py --url http://127.0.0.1:4000 --secret "$SHARDBEAT_BOT_SECRET"
"""

import argparse
import sys

# --- shardbeat-client: begin ---
import json
import math
import time
import urllib.error
import urllib.request


def shardbeat_state(launched, closed, latency, client_ready):
    """One discord.py shard's state in Shardbeat's names (shared-types/shard-state.ts)."""
    if not launched:
        return "idle"  # not started yet: discord.py launches shards one after another
    if closed:
        return "reconnecting"  # is_closed(): the gateway connection dropped; discord.py reconnects it
    if latency is None or not math.isfinite(latency):
        return "connecting"  # no gateway heartbeat acknowledged yet (latency is inf)
    if not client_ready:
        return "waiting-for-guilds"  # connected; discord.py is still receiving the guilds
    return "ready"


def shardbeat_heartbeat(cluster_id, total_shards, shards, members, uptime_ms):
    """The heartbeat: `shards` lists (id, state, latency in seconds or None, guilds, unavailable guilds) per shard."""
    reports = []
    for shard_id, state, latency, guilds, unavailable in shards:
        report = {"id": shard_id, "state": state, "guilds": guilds, "unavailableGuilds": unavailable}
        if latency is not None and math.isfinite(latency):
            report["ping"] = min(60_000, max(0, round(latency * 1000)))
        reports.append(report)
    return {
        "v": 1,
        "clusterId": cluster_id,
        "totalShards": total_shards,
        "shardIds": [report["id"] for report in reports],
        "shards": reports,
        "guilds": sum(report["guilds"] for report in reports),
        "members": members,
        "uptimeMs": round(uptime_ms),
    }


def discord_py_heartbeat(client, cluster_id, started):
    """Reads a discord.py AutoShardedClient; `started` is time.monotonic() at process start."""
    latencies = dict(client.latencies)  # [(shard_id, seconds)], inf before the first gateway ack
    guilds, unavailable, members = {}, {}, 0
    for guild in client.guilds:  # unavailable ones included: Discord's outage, or not received yet
        guilds[guild.shard_id] = guilds.get(guild.shard_id, 0) + 1
        if guild.unavailable:
            unavailable[guild.shard_id] = unavailable.get(guild.shard_id, 0) + 1
        members += guild.member_count or 0
    shards = []
    for shard_id in client.shard_ids or range(client.shard_count or 1):
        info = client.get_shard(shard_id)  # None until discord.py has launched the shard
        latency = latencies.get(shard_id)
        state = shardbeat_state(info is not None, info is not None and info.is_closed(), latency, client.is_ready())
        shards.append((shard_id, state, latency, guilds.get(shard_id, 0), unavailable.get(shard_id, 0)))
    total = client.shard_count or len(shards)
    return shardbeat_heartbeat(cluster_id, total, shards, members, (time.monotonic() - started) * 1000)


def shardbeat_post(url, secret, heartbeat, timeout=5):
    """POSTs one heartbeat. Returns the answer ({"ok": true, ...}); raises with the server's reason."""
    request = urllib.request.Request(
        url.rstrip("/") + "/api/v1/heartbeat",
        data=json.dumps(heartbeat, allow_nan=False).encode(),
        headers={"Authorization": "Bearer " + secret, "Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:
            return json.load(response)
    except urllib.error.HTTPError as error:
        try:
            reason = json.load(error)["error"]["message"]
        except Exception:
            reason = error.reason
        raise RuntimeError(f"Shardbeat refused the heartbeat ({error.code}): {reason}") from None
# --- shardbeat-client: end ---


class FakeShard:
    """discord.py's ShardInfo, as far as the code above reads it."""

    def __init__(self, closed):
        self._closed = closed

    def is_closed(self):
        return self._closed


class FakeGuild:
    def __init__(self, shard_id, member_count, unavailable=False):
        self.shard_id = shard_id
        self.member_count = member_count
        self.unavailable = unavailable


class FakeClient:
    """discord.py's AutoShardedClient for shards 0-3 of 8: one of each state the mapping knows."""

    shard_ids = [0, 1, 2, 3]
    shard_count = 8
    # Shard 0 ready, 1 dropped (closed), 2 not yet acknowledged (inf), 3 not launched yet.
    latencies = [(0, 0.0421), (1, 0.25), (2, float("inf"))]
    # Shard 0 has one guild Discord marks unavailable (an outage: no member count).
    guilds = [FakeGuild(0, 100), FakeGuild(0, 50), FakeGuild(0, None, unavailable=True), FakeGuild(1, None), FakeGuild(2, 7)]

    def __init__(self, ready):
        self._ready = ready
        self._shards = {0: FakeShard(False), 1: FakeShard(True), 2: FakeShard(False)}

    def get_shard(self, shard_id):
        return self._shards.get(shard_id)

    def is_ready(self):
        return self._ready


def main():
    parser = argparse.ArgumentParser(description=__doc__.strip().splitlines()[0])
    parser.add_argument("--url", required=True)
    parser.add_argument("--secret", required=True)
    parser.add_argument("--cluster", type=int, default=4)
    parser.add_argument("--count", type=int, default=2, help="heartbeats to send")
    parser.add_argument("--interval", type=float, default=5.0, help="seconds between heartbeats")
    args = parser.parse_args()
    started = time.monotonic()
    client = FakeClient(ready=True)
    for i in range(args.count):
        if i:
            time.sleep(args.interval)
        try:
            answer = shardbeat_post(args.url, args.secret, discord_py_heartbeat(client, args.cluster, started))
        except RuntimeError as error:
            print(error, file=sys.stderr)
            return 1
        print(json.dumps(answer), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
