from memory_profiler import profile
import time
import numpy as np

@profile
def allocate_and_free():
    arr = np.random.rand(100000)
    del arr
    time.sleep(0.01)  # Simulate some work between allocate and free
    arr2 = np.random.rand(100000)
    return np.sum(arr2)


if __name__ == '__main__':
    allocate_and_free()
