// Private to the permutohedral lattice build: lattice keys packed into 64-bit words, the hash
// table that numbers them, and a Bloom filter that screens lookups of keys that do not exist.
#pragma once

#include <algorithm>
#include <array>
#include <cstdint>
#include <limits>
#include <vector>

#include "roadbrew/kernels/large_buffer.hpp"

namespace rb::kernels::cpu::lattice {

constexpr uint32_t kAbsent = std::numeric_limits<uint32_t>::max();

// A key is the first D lattice coordinates of a vertex (the last is minus their sum) as int16
// lanes of 64-bit words, four per word, unused lanes zero: hashing, comparing and stepping to a
// neighbour work a word at a time.
template <int D>
struct KeyLayout {
  static constexpr int kWords = (D + 3) / 4;

  // Independent products (no dependency chain between words), then one mixing step.
  static uint32_t Hash(const uint64_t* key) {
    constexpr uint64_t kOdd[4] = {0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full,
                                  0x165667B19E3779F9ull, 0xD6E8FEB86659FD93ull};
    uint64_t h = 0;
    for (int w = 0; w < kWords; ++w) h += key[w] * kOdd[w];
    h ^= h >> 31;
    h *= 0x94D049BB133111EBull;
    return static_cast<uint32_t>(h >> 32);
  }
  static bool Equal(const uint64_t* a, const uint64_t* b) {
    bool equal = true;
    for (int w = 0; w < kWords; ++w) equal &= a[w] == b[w];
    return equal;
  }
  // Lane-wise a + b modulo 2^16, without carries between lanes.
  static uint64_t AddLanes(uint64_t a, uint64_t b) {
    constexpr uint64_t kHigh = 0x8000800080008000ull;
    return ((a & ~kHigh) + (b & ~kHigh)) ^ ((a ^ b) & kHigh);
  }
};

// Lane offsets of one step along each lattice axis (axis-major, kWords per axis): forward adds
// D + 1 to the axis' coordinate and -1 to all coordinates; backward is its negation. The axis D
// is the implicit last coordinate, so its step moves every stored lane by -1 (or +1).
template <int D>
std::array<uint64_t, (D + 1) * KeyLayout<D>::kWords> AxisSteps(bool forward) {
  constexpr int W = KeyLayout<D>::kWords;
  std::array<uint64_t, (D + 1) * W> steps{};
  for (int axis = 0; axis <= D; ++axis) {
    for (int i = 0; i < D; ++i) {
      const int offset = (i == axis ? D : -1) * (forward ? 1 : -1);
      steps[axis * W + i / 4] |= static_cast<uint64_t>(static_cast<uint16_t>(offset))
                                 << (16 * (i % 4));
    }
  }
  return steps;
}

// Open addressing with linear probing over 8-byte slots (hash << 32 | id + 1; 0 = empty): a probe
// compares the stored hash first, so a key (kept in insertion order in keys_) is only read on a
// likely match. Load stays under one half.
template <int D>
class KeyTable {
 public:
  static constexpr int kWords = KeyLayout<D>::kWords;

  // `expected` keys size the slots and reserve room for twice as many keys (address space only:
  // pages are touched as keys arrive), which image lattices stay under (about one vertex per
  // point for d = 10), so keys rarely move; `most` caps the reservation.
  KeyTable(int64_t expected, int64_t most) {
    size_t capacity = 1024;
    while (capacity < static_cast<size_t>(2 * expected)) capacity *= 2;
    slots_.assign(capacity, 0);
    const int64_t reserve = std::min(most, 2 * expected);
    keys_.reserve(reserve * kWords);
    hashes_.reserve(reserve);
  }

  uint32_t size() const { return static_cast<uint32_t>(hashes_.size()); }
  const uint64_t* key(uint32_t id) const { return &keys_[static_cast<size_t>(id) * kWords]; }
  const LargeVector<uint32_t>& hashes() const { return hashes_; }
  void Prefetch(uint32_t hash) const { __builtin_prefetch(&slots_[hash & (slots_.size() - 1)]); }
  // Prefetches the key of the entry in `hash`'s home slot when its hash matches: the key a
  // lookup compares next (its slot should have been prefetched a while before).
  void PrefetchKey(uint32_t hash) const {
    const uint64_t slot = slots_[hash & (slots_.size() - 1)];
    if (slot != 0 && static_cast<uint32_t>(slot >> 32) == hash) {
      __builtin_prefetch(key(static_cast<uint32_t>(slot) - 1));
    }
  }

  // The id of `key`, numbering it next when it is new.
  uint32_t Insert(const uint64_t* key, uint32_t hash) {
    const size_t mask = slots_.size() - 1;
    for (size_t s = hash & mask;; s = (s + 1) & mask) {
      const uint64_t slot = slots_[s];
      if (slot == 0) {
        const uint32_t id = size();
        slots_[s] = (static_cast<uint64_t>(hash) << 32) | (id + 1);
        keys_.insert(keys_.end(), key, key + kWords);
        hashes_.push_back(hash);
        if (2 * hashes_.size() > slots_.size()) Grow();
        return id;
      }
      if (Matches(slot, key, hash)) return static_cast<uint32_t>(slot) - 1;
    }
  }

  // Lookups in two steps, so that a pipeline can prefetch the candidate's key between them
  // (read-only: safe from many threads). Candidate: the first slot from the key's home whose
  // hash matches, or the empty slot that ends the run (id kAbsent).
  struct Candidate {
    size_t slot;
    uint32_t id;
  };
  Candidate FirstCandidate(uint32_t hash) const {
    const size_t mask = slots_.size() - 1;
    for (size_t s = hash & mask;; s = (s + 1) & mask) {
      const uint64_t slot = slots_[s];
      if (slot == 0) return {s, kAbsent};
      if (static_cast<uint32_t>(slot >> 32) == hash) return {s, static_cast<uint32_t>(slot) - 1};
    }
  }
  // The id of `key`, or kAbsent, continuing past a candidate whose key differs.
  uint32_t Resolve(const uint64_t* key, uint32_t hash, Candidate candidate) const {
    const size_t mask = slots_.size() - 1;
    if (candidate.id == kAbsent) return kAbsent;
    if (KeyLayout<D>::Equal(this->key(candidate.id), key)) return candidate.id;
    for (size_t s = (candidate.slot + 1) & mask;; s = (s + 1) & mask) {
      const uint64_t slot = slots_[s];
      if (slot == 0) return kAbsent;
      if (Matches(slot, key, hash)) return static_cast<uint32_t>(slot) - 1;
    }
  }

 private:
  bool Matches(uint64_t slot, const uint64_t* key, uint32_t hash) const {
    return static_cast<uint32_t>(slot >> 32) == hash &&
           KeyLayout<D>::Equal(this->key(static_cast<uint32_t>(slot) - 1), key);
  }

  void Grow() {
    LargeVector<uint64_t> slots(slots_.size() * 2, 0);
    const size_t mask = slots.size() - 1;
    for (uint32_t id = 0; id < size(); ++id) {
      size_t s = hashes_[id] & mask;
      while (slots[s] != 0) s = (s + 1) & mask;
      slots[s] = (static_cast<uint64_t>(hashes_[id]) << 32) | (id + 1);
    }
    slots_ = std::move(slots);
  }

  LargeVector<uint64_t> slots_;
  LargeVector<uint64_t> keys_;
  LargeVector<uint32_t> hashes_;
};

// A blocked Bloom filter over the table's hashes: two bits of one 64-bit word, about eight bits
// per key. Most blur neighbours of a high-dimensional lattice do not exist; one word (prefetched
// ahead) rules nearly all of those out without the table's cache misses.
class HashFilter {
 public:
  explicit HashFilter(const LargeVector<uint32_t>& hashes) {
    int log2_words = 4;
    while ((size_t{64} << log2_words) < 8 * hashes.size()) ++log2_words;
    shift_ = 64 - log2_words;
    words_.assign(size_t{1} << log2_words, 0);
    for (uint32_t hash : hashes) words_[Word(hash)] |= Bits(hash);
  }
  void Prefetch(uint32_t hash) const { __builtin_prefetch(&words_[Word(hash)]); }
  bool MayContain(uint32_t hash) const {
    const uint64_t bits = Bits(hash);
    return (words_[Word(hash)] & bits) == bits;
  }

 private:
  size_t Word(uint32_t hash) const {
    return (static_cast<uint64_t>(hash) * 0x9E3779B97F4A7C15ull) >> shift_;
  }
  static uint64_t Bits(uint32_t hash) {
    const uint64_t mixed = static_cast<uint64_t>(hash) * 0xBF58476D1CE4E5B9ull;
    return (1ull << (mixed >> 58)) | (1ull << ((mixed >> 52) & 63));
  }
  int shift_;
  LargeVector<uint64_t> words_;
};

}  // namespace rb::kernels::cpu::lattice
