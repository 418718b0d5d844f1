"""with_memory_profiler.py - asyncio_tasks.py with memory_profiler's @profile on the workers
(and no snapshot): what memory_profiler can say about the same program."""
import asyncio

from memory_profiler import profile


@profile
async def download(nbytes):
    buf = bytearray(nbytes)                       # this task's payload
    await asyncio.sleep(1)                        # waiting for more data
    return len(buf)


@profile
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
    print(sum(await asyncio.gather(*tasks)))


if __name__ == "__main__":
    asyncio.run(main())
