#!/usr/bin/python3
"""read_dump.py - a complete reader of memdump's .dump files, from formats/FORMAT.md alone.

It shows the format is open: the standard library, zlib and python3-msgpack are enough.
    read_dump.py FILE            one line per record
    read_dump.py --json FILE     one JSON object per record: {"chunk": offset, "record": "NODE",
                                 then the fields named as in FORMAT.md}; NODE addresses and
                                 edge targets are absolute, absent optional fields are null
    read_dump.py --summary FILE  chunk and record counts (the same lines as memanalyze --check)
It checks the header, each chunk's frame, CRC and length, and the trailer's counts; it stops
with "read_dump.py: FILE: offset N: what" (exit 1) at the first problem. Strings that are not
UTF-8 (paths, names from the target) are decoded with replacement characters.
"""
import json
import signal
import struct
import sys
import zlib

import msgpack

MAGIC = b"MDMP\r\n\x1a\n"
KINDS = ["TRAILER", "PROCESS", "SNAPSHOT", "STRING", "TYPE", "MODULE", "THREAD", "FRAME",
         "STACK", "NODE", "EDGES", "ROOT", "COUNTER", "ALLOCATOR", "TASK", "WARNING"]
FIELDS = {  # positional fields after the kind, FORMAT.md section 3
    0: "record_count chunk_count raw_bytes counts_by_kind",
    1: "pid ppid exe argv time_ns python_version hostname page_size",
    2: "reason mode seq pause_ns child_ns trigger_bytes trigger_stack heap_peak",
    3: "id text", 4: "id name kind type_addr", 5: "id path build_id bias lo hi",
    6: "tid name stack_lo stack_hi flags", 7: "id pc module function file line",
    8: "id frames", 9: "addr size type stack flags edges labels usable_size",
    10: "from edges labels", 11: "kind target label source",
    12: "stack allocs frees bytes_allocated bytes_freed", 13: "stats",
    14: "task name coroutine stack", 15: "message"}
RAW_MAX, STORED_MAX = 4 << 20, 5 << 20


class DumpError(Exception):
    pass


def chunks(data, name):
    """Yields (offset, tag, inflated bytes) for every chunk, checking each frame."""
    if len(data) < 16 or data[:8] != MAGIC:
        raise DumpError(f"{name}: offset 0: not a memdump file")
    major, minor, hsize = struct.unpack_from("<HHI", data, 8)
    if major != 1:
        raise DumpError(f"{name}: offset 8: format version {major}.{minor} is not supported "
                        f"(this reader reads 1.x)")
    off = hsize
    while off < len(data):
        if len(data) - off < 16:
            raise DumpError(f"{name}: offset {off}: incomplete file: chunk frame cut off")
        tag, stored, raw_len, crc = struct.unpack_from("<4sIII", data, off)
        body = data[off + 16:off + 16 + stored]
        if tag not in (b"CHNK", b"TRLR"):
            raise DumpError(f"{name}: offset {off}: unknown chunk tag {tag!r}")
        if stored > STORED_MAX or not 1 <= raw_len <= RAW_MAX:
            raise DumpError(f"{name}: offset {off}: chunk lengths out of bounds")
        if len(body) < stored:
            raise DumpError(f"{name}: offset {off}: incomplete file: chunk cut off")
        if zlib.crc32(body) != crc:
            raise DumpError(f"{name}: offset {off}: CRC mismatch")
        z = zlib.decompressobj()
        raw = z.decompress(body, raw_len + 1)
        if len(raw) != raw_len or not z.eof or z.unused_data:
            raise DumpError(f"{name}: offset {off}: chunk does not inflate to raw_len bytes")
        yield off, tag, raw
        off += 16 + stored
        if tag == b"TRLR":
            if off != len(data):
                raise DumpError(f"{name}: offset {off}: bytes follow the trailer")
            return
    raise DumpError(f"{name}: offset {off}: incomplete file: no trailer")


def records(data, name):
    """Yields (chunk offset, record dict); NODE/EDGES addresses resolved to absolute values."""
    seen = {}
    for off, tag, raw in chunks(data, name):
        base = 0  # NODE address delta base, reset per chunk
        unpacker = msgpack.Unpacker(raw=True, strict_map_key=False)
        unpacker.feed(raw)
        for rec in unpacker:
            if not isinstance(rec, list) or not rec or not isinstance(rec[0], int):
                raise DumpError(f"{name}: offset {off}: a record is not [kind, ...]")
            kind = rec[0]
            if (kind == 0) != (tag == b"TRLR"):
                raise DumpError(f"{name}: offset {off}: TRAILER record misplaced")
            if kind not in FIELDS:
                seen[kind] = seen.get(kind, 0) + 1
                continue  # unknown kinds are skipped (FORMAT.md section 2)
            names = FIELDS[kind].split()
            r = dict(zip(names, rec[1:] + [None] * (len(names) - len(rec) + 1)))
            if kind == 9:
                base = r["addr"] = (base + r["addr"]) % 2**64
            if kind in (9, 10):
                src = r["addr"] if kind == 9 else r["from"]
                r["edges"] = [(src + d) % 2**64 for d in r["edges"] or []]
            if kind == 0:
                check_trailer(r, seen, name, off)
            else:
                seen[kind] = seen.get(kind, 0) + 1
            yield off, {"record": KINDS[kind], **r}
        if unpacker.tell() != len(raw):
            raise DumpError(f"{name}: offset {off}: a record is cut off at the end of the chunk")


def check_trailer(t, seen, name, off):
    counts = t["counts_by_kind"] or []
    if t["record_count"] != sum(seen.values()) or any(
            seen.get(k, 0) != (counts[k] if k < len(counts) else 0)
            for k in set(seen) | set(range(len(counts)))):
        raise DumpError(f"{name}: offset {off}: trailer counts disagree with the records")


def plain(v):
    """JSON-friendly: msgpack str arrives as bytes (raw=True keeps non-UTF-8 names intact)."""
    if isinstance(v, bytes):
        return v.decode("utf-8", "replace")
    if isinstance(v, list):
        return [plain(x) for x in v]
    if isinstance(v, dict):
        return {plain(k): plain(x) for k, x in v.items()}
    return v


def main(argv):
    signal.signal(signal.SIGPIPE, signal.SIG_DFL)  # quiet under `| head`
    mode = "text"
    if len(argv) == 3 and argv[1] in ("--json", "--summary"):
        mode, path = argv[1][2:], argv[2]
    elif len(argv) == 2 and not argv[1].startswith("-"):
        path = argv[1]
    else:
        print(__doc__.strip(), file=sys.stderr)
        return 2
    with open(path, "rb") as f:
        data = f.read()
    counts, nchunks = {}, set()
    try:
        for off, r in records(data, path):
            if r["record"] == "MODULE" and isinstance(r["build_id"], bytes):
                r["build_id"] = r["build_id"].hex()  # bin, not text
            if r["record"] != "TRAILER":
                counts[r["record"]] = counts.get(r["record"], 0) + 1
                nchunks.add(off)
            if mode == "json":
                print(json.dumps({"chunk": off, **plain(r)}))
            elif mode == "text":
                print(r["record"], " ".join(f"{k}={plain(v)!r}" for k, v in r.items() if k != "record"))
    except DumpError as e:
        print(f"read_dump.py: {e}", file=sys.stderr)
        return 1
    if mode == "summary":
        print(f"chunks: {len(nchunks)}")
        print(f"records: {sum(counts.values())}")
        for k in KINDS[1:]:
            if k in counts:
                print(f"  {k:<10} {counts[k]:12}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
