#include "common/geo/stretch.hpp"

#include <algorithm>
#include <cmath>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/core/check.hpp"

namespace rb::geo {

void Histogram16::Add(std::span<const uint16_t> samples, std::optional<uint16_t> nodata) {
  for (uint16_t v : samples) ++bins_[v];
  if (nodata) {
    // Removing afterwards is cheaper than a branch per sample.
    uint64_t nodata_count = 0;
    for (uint16_t v : samples) nodata_count += v == *nodata;
    bins_[*nodata] -= nodata_count;
  }
}

void Histogram16::Merge(const Histogram16& other) {
  for (size_t i = 0; i < bins_.size(); ++i) bins_[i] += other.bins_[i];
}

uint64_t Histogram16::count() const {
  uint64_t total = 0;
  for (uint64_t n : bins_) total += n;
  return total;
}

double Histogram16::Percentile(double percent) const {
  RB_CHECK_ARG(percent >= 0 && percent <= 100, "percentile {} is outside 0..100", percent);
  uint64_t count = this->count();
  RB_CHECK_ARG(count > 0, "no valid samples to stretch (all are nodata)");
  // The value of the 0-based order statistic `rank`.
  auto order_statistic = [&](uint64_t rank) {
    uint64_t seen = 0;
    for (size_t v = 0; v < bins_.size(); ++v) {
      seen += bins_[v];
      if (seen > rank) return static_cast<double>(v);
    }
    return static_cast<double>(bins_.size() - 1);
  };
  double position = percent / 100.0 * static_cast<double>(count - 1);
  auto below = static_cast<uint64_t>(std::floor(position));
  uint64_t above = std::min(below + 1, count - 1);
  double lo = order_statistic(below), hi = order_statistic(above);
  return lo + (position - static_cast<double>(below)) * (hi - lo);
}

nlohmann::json Histogram16::ToJson() const {
  nlohmann::json out = nlohmann::json::array();
  for (size_t v = 0; v < bins_.size(); ++v) {
    if (bins_[v] > 0) out.push_back({v, bins_[v]});
  }
  return out;
}

Histogram16 Histogram16::FromJson(const nlohmann::json& json) {
  Histogram16 histogram;
  RB_CHECK_ARG(json.is_array(), "a histogram is an array of [value, count] pairs");
  for (const nlohmann::json& pair : json) {
    RB_CHECK_ARG(pair.is_array() && pair.size() == 2 && pair[0].is_number_unsigned() &&
                     pair[1].is_number_unsigned() && pair[0].get<uint64_t>() < 65536,
                 "bad histogram entry {}", pair.dump());
    histogram.bins_[pair[0].get<size_t>()] += pair[1].get<uint64_t>();
  }
  return histogram;
}

StretchRange PercentileRange(std::span<const uint16_t> samples, double lo_percent,
                             double hi_percent, std::optional<uint16_t> nodata) {
  RB_CHECK_ARG(lo_percent >= 0 && hi_percent <= 100 && lo_percent <= hi_percent,
               "percentiles must satisfy 0 <= low <= high <= 100, got {} and {}", lo_percent,
               hi_percent);
  Histogram16 histogram;
  histogram.Add(samples, nodata);
  return {histogram.Percentile(lo_percent), histogram.Percentile(hi_percent)};
}

void StretchToByte(std::span<const uint16_t> samples, StretchRange range, std::span<uint8_t> out,
                   std::optional<uint16_t> nodata, uint8_t nodata_out) {
  RB_CHECK_EQ(samples.size(), out.size());
  // One lookup table for all 65536 values keeps the per-pixel work to a load.
  std::vector<uint8_t> table(65536);
  double width = range.hi - range.lo;
  for (size_t v = 0; v < table.size(); ++v) {
    double scaled = width > 0 ? 255.0 * (static_cast<double>(v) - range.lo) / width
                              : (static_cast<double>(v) >= range.lo ? 255.0 : 0.0);
    table[v] = static_cast<uint8_t>(std::clamp(std::lround(scaled), 0L, 255L));
  }
  if (nodata) table[*nodata] = nodata_out;
  for (size_t i = 0; i < samples.size(); ++i) out[i] = table[samples[i]];
}

}  // namespace rb::geo
