// RB_HOST_DEVICE marks arithmetic shared by CPU code and CUDA kernels: plain inline functions in
// a C++ translation unit, __host__ __device__ ones under nvcc. No CUDA header is needed.
#pragma once

#if defined(__CUDACC__)
#define RB_HOST_DEVICE __host__ __device__ __forceinline__
#else
#define RB_HOST_DEVICE inline
#endif
