from memory_profiler import profile
import time
import numpy as np

@profile
def create_and_sum(n):
    arr = np.random.rand(n)
    return np.sum(arr)

def create_and_sum_no_profile(n):
    arr = np.random.rand(n)
    return np.sum(arr)

if __name__ == '__main__':
    n = 10000000
    start = time.perf_counter()
    create_and_sum(n)
    end = time.perf_counter()
    print(f"Profiling runtime: {end - start:.4f} seconds")

    start = time.perf_counter()
    create_and_sum_no_profile(n)
    end = time.perf_counter()
    print(f"No profiling runtime: {end - start:.4f} seconds")
