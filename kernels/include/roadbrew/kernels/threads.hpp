// The thread count of the CPU kernels and of oneDNN (one OpenMP pool serves both).
#pragma once

namespace rb::kernels {

// 0 keeps the default: all cores (or OMP_NUM_THREADS).
void SetThreads(int threads);
int Threads();

}  // namespace rb::kernels
