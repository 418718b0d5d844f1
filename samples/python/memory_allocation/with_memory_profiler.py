from memory_profiler import profile

@profile
def memory_allocation():
   a = [1] * 1000
   b = [2] * 2000
   c = [3] * 3000
   return sum(a) + sum(b) + sum(c)


if __name__ == '__main__':
  memory_allocation()
