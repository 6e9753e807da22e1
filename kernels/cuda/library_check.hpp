// Status checks of the CUDA libraries: every cuDNN and cuBLAS call goes through these, and a
// failure becomes an rb::Error naming the call and the library's status string.
#pragma once

#include <cublas_v2.h>
#include <cudnn.h>

#define RB_CUDNN_CHECK(call)                                         \
  do {                                                               \
    cudnnStatus_t rb_cudnn_status_ = (call);                         \
    if (rb_cudnn_status_ != CUDNN_STATUS_SUCCESS) {                  \
      ::rb::kernels::cuda::ThrowCudnnError(#call, rb_cudnn_status_); \
    }                                                                \
  } while (false)

#define RB_CUBLAS_CHECK(call)                                          \
  do {                                                                 \
    cublasStatus_t rb_cublas_status_ = (call);                         \
    if (rb_cublas_status_ != CUBLAS_STATUS_SUCCESS) {                  \
      ::rb::kernels::cuda::ThrowCublasError(#call, rb_cublas_status_); \
    }                                                                  \
  } while (false)

namespace rb::kernels::cuda {

// kNumerical for an allocation failure (out of memory), kUnsupported otherwise.
[[noreturn]] void ThrowCudnnError(const char* call, cudnnStatus_t status);
[[noreturn]] void ThrowCublasError(const char* call, cublasStatus_t status);

// The thread's device's library handles, bound to its stream.
cudnnHandle_t CudnnHandle();
cublasHandle_t CublasHandle();

}  // namespace rb::kernels::cuda
