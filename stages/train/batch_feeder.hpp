// Batches for the trainer, assembled ahead of time by a worker thread so the engine never waits
// on disk. Batch number b holds samples b * N ... b * N + N - 1 of an endless sequence that
// visits the tiles in a fresh seeded shuffle every epoch; each sample's augmentation is drawn
// from its own stream. So batch b is a pure function of (seed, b): a resumed run sees the same
// data as an uninterrupted one.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <map>
#include <mutex>
#include <thread>
#include <vector>

#include "stages/train/tile_data.hpp"

namespace rb::train {

struct Batch {
  int64_t number = 0;
  std::vector<float> data;    // (N, size, size, bands) NHWC, samples / 255
  std::vector<float> labels;  // (N, size, size, 1): 0, 1 or 255 (ignore)
};

struct FeedSpec {
  int batch_size = 4;
  AugmentSpec augment;
  uint64_t seed = 0;
  int queue_depth = 3;
};

// The tile index of sample `k` (epoch-wise shuffles of `tiles` tiles).
size_t SampleTile(uint64_t seed, int64_t k, size_t tiles);

// Assembles batch `number` (used by the worker; also callable directly).
Batch AssembleBatch(TileReader& reader, size_t tiles, const FeedSpec& spec, int64_t number);

class BatchFeeder {
 public:
  // Starts producing batches first_batch, first_batch + 1, ...
  BatchFeeder(TileReader& reader, size_t tiles, FeedSpec spec, int64_t first_batch);
  ~BatchFeeder();
  BatchFeeder(const BatchFeeder&) = delete;
  BatchFeeder& operator=(const BatchFeeder&) = delete;

  // The next batch in order; rethrows the worker's error (e.g. an unreadable tile).
  Batch Next();

 private:
  void Work();

  TileReader& reader_;
  size_t tiles_;
  FeedSpec spec_;
  int64_t next_to_make_;
  std::deque<Batch> ready_;
  std::exception_ptr error_;
  bool stopping_ = false;
  std::mutex mutex_;
  std::condition_variable changed_;
  std::thread worker_;
};

}  // namespace rb::train
