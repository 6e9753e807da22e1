// A stable 64-bit hash of names (FNV-1a), to derive per-layer random streams that do not
// depend on the order layers are built in.
#pragma once

#include <cstdint>
#include <string_view>

namespace rb::nn {

inline uint64_t NameHash(std::string_view text, uint64_t salt = 0) {
  uint64_t hash = 14695981039346656037ull ^ salt;
  for (char c : text) {
    hash ^= static_cast<uint8_t>(c);
    hash *= 1099511628211ull;
  }
  return hash;
}

}  // namespace rb::nn
