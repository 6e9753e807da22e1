// RB_CHECK* macros: test a condition and throw rb::Error when it does not hold.
//
//   RB_CHECK_ARG(k > 0, "kernel size must be positive, got {}", k);   // kInvalidArgument
//   RB_CHECK_IO(n == expected, "file is truncated: {} of {} bytes", n, expected);  // kIo
//   RB_CHECK_NUMERIC(std::isfinite(x), "loss is {}", x);               // kNumerical
//   RB_CHECK(index < size);                                            // kInternal (a bug)
//   RB_CHECK_EQ(a.size(), b.size());                                   // kInternal, shows values
#pragma once

#include <fmt/format.h>

#include "common/core/error.hpp"

#define RB_CHECK_CODE(code, cond, ...)                       \
  do {                                                       \
    if (!(cond)) [[unlikely]] {                              \
      throw ::rb::Error((code), ::fmt::format(__VA_ARGS__)); \
    }                                                        \
  } while (false)

#define RB_CHECK_ARG(cond, ...) RB_CHECK_CODE(::rb::ErrorCode::kInvalidArgument, cond, __VA_ARGS__)
#define RB_CHECK_IO(cond, ...) RB_CHECK_CODE(::rb::ErrorCode::kIo, cond, __VA_ARGS__)
#define RB_CHECK_NUMERIC(cond, ...) RB_CHECK_CODE(::rb::ErrorCode::kNumerical, cond, __VA_ARGS__)
#define RB_CHECK_SUPPORTED(cond, ...) \
  RB_CHECK_CODE(::rb::ErrorCode::kUnsupported, cond, __VA_ARGS__)

#define RB_CHECK(cond)                                                                           \
  RB_CHECK_CODE(::rb::ErrorCode::kInternal, cond, "check '{}' failed at {}:{}", #cond, __FILE__, \
                __LINE__)

#define RB_CHECK_EQ(a, b)                                                                    \
  do {                                                                                       \
    const auto& rb_check_a_ = (a);                                                           \
    const auto& rb_check_b_ = (b);                                                           \
    if (!(rb_check_a_ == rb_check_b_)) [[unlikely]] {                                        \
      throw ::rb::Error(::rb::ErrorCode::kInternal,                                          \
                        ::fmt::format("check '{} == {}' failed ({} vs {}) at {}:{}", #a, #b, \
                                      rb_check_a_, rb_check_b_, __FILE__, __LINE__));        \
    }                                                                                        \
  } while (false)
