// The calling thread's CUDA device and its stream. Every kernel, copy and library call of the
// backend is ordered on this one stream, so buffers returned to the caching allocator can be
// handed out again at once (a later user is queued after the earlier one's last kernel).
#pragma once

#include <cuda_runtime_api.h>

namespace rb::kernels::cuda {

int CurrentDevice();
cudaStream_t Stream();

}  // namespace rb::kernels::cuda
