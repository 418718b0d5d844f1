"""growth.py — memory that creeps, in Python: one structure grows, one churns, one stays flat.

    build/bin/memdump run -- /usr/bin/python3 samples/python/growth.py DIR 3
    build/bin/memdiff DIR/growth-py.1.dump DIR/growth-py.2.dump     what grew, and where

    python3 growth.py DIR STEPS [--asyncio]

Every step adds 200 users to registry["users"] (a dict reachable from the module global
`registry`: the steady growth), refills the list `scratch` with 50 fresh 2000-byte bytearrays
(churn: always 50 alive), and leaves SETTINGS alone (flat). Then it takes a snapshot
DIR/growth-py.N.dump through the memdump API (ctypes: the agent's memdump_snapshot is in the
process when it runs under `memdump run`).

With --asyncio, the growing structure is instead a list local to one asyncio task named
"collector" (items.append each step) while a second task, "idler", just waits: the growth
source must name the collector task.
"""
import asyncio
import ctypes
import os
import sys

registry = {"users": {}}
scratch = []
SETTINGS = {"option%d" % i: "value %d" % i for i in range(64)}

_api = ctypes.CDLL(None)
try:
    _snapshot = _api.memdump_snapshot
    _snapshot.argtypes = [ctypes.c_char_p]
except AttributeError:
    _snapshot = None


def snapshot(directory, n):
    path = os.path.join(directory, "growth-py.%d.dump" % n)
    if _snapshot(path.encode()) != 0:
        sys.exit("growth.py: snapshot %s failed (errno %d)" % (path, ctypes.get_errno()))


def add_users(n):
    users = registry["users"]
    for i in range(200):
        k = n * 200 + i
        users["user%d" % k] = {"id": k, "name": "user number %d" % k}


def churn():
    scratch.clear()
    scratch.extend(bytearray(2000) for _ in range(50))


def plain(directory, steps):
    for n in range(1, steps + 1):
        add_users(n)
        churn()
        snapshot(directory, n)


async def collector(directory, steps, ready):
    items = []
    for n in range(1, steps + 1):
        for i in range(200):
            items.append({"n": n, "i": i, "payload": "item %d.%d" % (n, i)})
        churn()
        snapshot(directory, n)
        await asyncio.sleep(0)
    ready.set()


async def idler(ready):
    await ready.wait()


async def with_tasks(directory, steps):
    ready = asyncio.Event()
    idle = asyncio.create_task(idler(ready), name="idler")
    work = asyncio.create_task(collector(directory, steps, ready), name="collector")
    await asyncio.gather(idle, work)


def main():
    if len(sys.argv) < 3:
        sys.exit("usage: growth.py DIR STEPS [--asyncio]")
    if _snapshot is None:
        sys.exit("growth.py: run me under 'memdump run' (the memdump API is not loaded)")
    directory, steps = sys.argv[1], int(sys.argv[2])
    if "--asyncio" in sys.argv[3:]:
        asyncio.run(with_tasks(directory, steps))
    else:
        plain(directory, steps)


main()
