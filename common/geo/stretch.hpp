// Percentile contrast stretch of integer imagery to 8 bits, the CosmiQ/SpaceNet convention
// (per-band linear stretch between the 2nd and 98th percentile, shared notes 1.4).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include <nlohmann/json_fwd.hpp>

namespace rb::geo {

// Exact counts of 16-bit sample values, for percentiles over one image or a whole AOI.
class Histogram16 {
 public:
  Histogram16() : bins_(65536, 0) {}
  void Add(std::span<const uint16_t> samples, std::optional<uint16_t> nodata);
  void Merge(const Histogram16& other);
  uint64_t count() const;
  // numpy.percentile's default ("linear") interpolation between order statistics; throws
  // kInvalidArgument when empty.
  double Percentile(double percent) const;
  // Sparse [[value, count], ...] of the non-empty bins.
  nlohmann::json ToJson() const;
  static Histogram16 FromJson(const nlohmann::json& json);

 private:
  std::vector<uint64_t> bins_;
};

struct StretchRange {
  double lo = 0;
  double hi = 0;
};

// The `lo_percent` and `hi_percent` percentiles (0..100) of `samples`, ignoring `nodata`, with
// numpy's default ("linear") interpolation between order statistics. Exact: it counts values in
// a 65536-bin histogram. Throws kInvalidArgument when no valid sample is left.
StretchRange PercentileRange(std::span<const uint16_t> samples, double lo_percent,
                             double hi_percent, std::optional<uint16_t> nodata);

// out = clamp(round(255 * (v - lo) / (hi - lo)), 0, 255); nodata samples become `nodata_out`.
// A flat range (hi <= lo) maps everything at or above lo to 255.
void StretchToByte(std::span<const uint16_t> samples, StretchRange range, std::span<uint8_t> out,
                   std::optional<uint16_t> nodata, uint8_t nodata_out = 0);

}  // namespace rb::geo
