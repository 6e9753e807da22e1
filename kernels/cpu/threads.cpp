#include "roadbrew/kernels/threads.hpp"

#include <omp.h>

namespace rb::kernels {

void SetThreads(int threads) {
  if (threads > 0) omp_set_num_threads(threads);
}

int Threads() { return omp_get_max_threads(); }

}  // namespace rb::kernels
