// Status checks for the CUDA build: every CUDA call goes through RB_CUDA_CHECK.
#pragma once

#include <cuda_runtime_api.h>

#include "common/core/error.hpp"

#define RB_CUDA_CHECK(call)                                                                     \
  do {                                                                                          \
    cudaError_t rb_cuda_status_ = (call);                                                       \
    if (rb_cuda_status_ != cudaSuccess) {                                                       \
      ::rb::Throw(rb_cuda_status_ == cudaErrorMemoryAllocation ? ::rb::ErrorCode::kNumerical    \
                                                               : ::rb::ErrorCode::kUnsupported, \
                  "{} failed: {} ({})", #call, cudaGetErrorString(rb_cuda_status_),             \
                  cudaGetErrorName(rb_cuda_status_));                                           \
    }                                                                                           \
  } while (false)
