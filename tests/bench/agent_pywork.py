# agent_pywork.py — a Python workload for the agent benchmark: JSON round trip of 200 000 dicts,
# a Counter and a regex scan (about a second). Run by tests/bench/agent_bench.sh.
import json, re, collections
data = [{"id": i, "name": "item%d" % i, "tags": ["a", "b", str(i % 7)], "v": i * 1.5} for i in range(200000)]
s = json.dumps(data)
back = json.loads(s)
c = collections.Counter(d["tags"][2] for d in back)
words = re.findall(r"item\d+", s[:2000000])
print(len(back), len(c), len(words))
