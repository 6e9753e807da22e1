#include "stages/train/batch_feeder.hpp"

#include <algorithm>
#include <numeric>

#include "common/core/check.hpp"
#include "common/core/rng.hpp"

namespace rb::train {
namespace {

// Stream numbers of the feeder's random draws (the seed is the run's).
constexpr uint64_t kShuffleStream = 0x5348554646000000ull;  // + epoch
constexpr uint64_t kAugmentStream = 0x4155474d00000000ull;  // + sample

}  // namespace

size_t SampleTile(uint64_t seed, int64_t k, size_t tiles) {
  RB_CHECK(tiles > 0 && k >= 0);
  int64_t epoch = k / static_cast<int64_t>(tiles);
  size_t position = static_cast<size_t>(k % static_cast<int64_t>(tiles));
  // Fisher-Yates over the epoch's stream; only the prefix up to `position` is needed.
  std::vector<size_t> order(tiles);
  std::iota(order.begin(), order.end(), size_t{0});
  RandomStream random(seed, kShuffleStream + static_cast<uint64_t>(epoch));
  for (size_t i = 0; i <= position; ++i) {
    size_t j = static_cast<size_t>(
        random.UniformInt(static_cast<int64_t>(i), static_cast<int64_t>(tiles) - 1));
    std::swap(order[i], order[j]);
  }
  return order[position];
}

Batch AssembleBatch(TileReader& reader, size_t tiles, const FeedSpec& spec, int64_t number) {
  Batch batch;
  batch.number = number;
  for (int j = 0; j < spec.batch_size; ++j) {
    int64_t k = number * spec.batch_size + j;
    RandomStream random(spec.seed, kAugmentStream + static_cast<uint64_t>(k));
    Sample sample = Augment(*reader.Get(SampleTile(spec.seed, k, tiles)), spec.augment, random);
    if (batch.data.empty()) {
      batch.data.reserve(sample.image.size() * spec.batch_size);
      batch.labels.reserve(sample.mask.size() * spec.batch_size);
    }
    for (uint8_t v : sample.image) batch.data.push_back(static_cast<float>(v) * (1.0f / 255.0f));
    for (uint8_t v : sample.mask) batch.labels.push_back(static_cast<float>(v));
  }
  return batch;
}

BatchFeeder::BatchFeeder(TileReader& reader, size_t tiles, FeedSpec spec, int64_t first_batch)
    : reader_(reader), tiles_(tiles), spec_(spec), next_to_make_(first_batch) {
  worker_ = std::thread([this] { Work(); });
}

BatchFeeder::~BatchFeeder() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stopping_ = true;
  }
  changed_.notify_all();
  worker_.join();
}

void BatchFeeder::Work() {
  try {
    while (true) {
      int64_t number;
      {
        std::unique_lock<std::mutex> lock(mutex_);
        changed_.wait(
            lock, [&] { return stopping_ || static_cast<int>(ready_.size()) < spec_.queue_depth; });
        if (stopping_) return;
        number = next_to_make_++;
      }
      Batch batch = AssembleBatch(reader_, tiles_, spec_, number);
      {
        std::lock_guard<std::mutex> lock(mutex_);
        ready_.push_back(std::move(batch));
      }
      changed_.notify_all();
    }
  } catch (...) {
    std::lock_guard<std::mutex> lock(mutex_);
    error_ = std::current_exception();
    changed_.notify_all();
  }
}

Batch BatchFeeder::Next() {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait(lock, [&] { return !ready_.empty() || error_; });
  if (ready_.empty()) std::rethrow_exception(error_);
  Batch batch = std::move(ready_.front());
  ready_.pop_front();
  changed_.notify_all();
  return batch;
}

}  // namespace rb::train
