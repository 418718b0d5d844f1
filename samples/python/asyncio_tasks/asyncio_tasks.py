"""asyncio_tasks.py - several concurrent asyncio tasks, each holding a different amount of memory.

    memdump run [--python-sites] -- python3 asyncio_tasks.py
    memanalyze --tasks asyncio_tasks.dump        memory retained by each task, where it waits
    memanalyze --by line asyncio_tasks.dump      (with --python-sites) the coroutine lines

The snapshot is taken from main() while the three workers are suspended in their awaits.
"""
import asyncio
import os

import memdump


async def download(nbytes):
    buf = bytearray(nbytes)                       # this task's payload
    await asyncio.sleep(1)                        # waiting for more data
    return len(buf)


async def parse(nrows):
    rows = [{"id": i, "text": "row %d" % i} for i in range(nrows)]
    await asyncio.sleep(1)                        # waiting for the next batch
    return len(rows)


async def main():
    tasks = [
        asyncio.create_task(download(100_000), name="download-small"),
        asyncio.create_task(download(5_000_000), name="download-large"),
        asyncio.create_task(parse(20_000), name="parse-rows"),
    ]
    await asyncio.sleep(0.2)                      # every worker is now waiting in its sleep()
    memdump.snapshot(os.environ.get("DUMP", "asyncio_tasks.dump"))
    print(sum(await asyncio.gather(*tasks)))


if __name__ == "__main__":
    asyncio.run(main())
