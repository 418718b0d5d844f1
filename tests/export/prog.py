# prog.py — fixture of tests/e2e/export_*.sh: a Python program with known objects, dumped by
# `memdump --pid` while it sleeps (it prints "ready" first). Named references (attributes, dict
# keys, locals) become property edges, list slots element edges; a reference cycle left for the
# collector is unreachable garbage.
import gc
import sys
import time

gc.disable()


class Item:
    def __init__(self, i):
        self.i = i
        self.payload = [i] * 10


cache = {f"k{i}": Item(i) for i in range(300)}
blobs = [bytearray(1000) for _ in range(20)]


def cycle():
    a, b = {}, {}
    a["b"], b["a"] = b, a


cycle()


def wait():
    local_list = list(range(50))
    print("ready", flush=True)
    time.sleep(float(sys.argv[1]) if len(sys.argv) > 1 else 30)
    return local_list


wait()
