#include "common/geo/bands.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <charconv>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/core/check.hpp"

namespace rb::geo {
namespace {

constexpr std::array<std::string_view, 8> kNames = {"coastal", "blue",    "green", "yellow",
                                                    "red",     "rededge", "nir1",  "nir2"};
constexpr std::array<std::string_view, 8> kDisplayNames = {"Coastal", "Blue",    "Green", "Yellow",
                                                           "Red",     "RedEdge", "NIR1",  "NIR2"};

std::string Lower(std::string_view text) {
  std::string out;
  for (char c : text) {
    if (c != ' ' && c != '-' && c != '_') out += static_cast<char>(std::tolower(c));
  }
  return out;
}

}  // namespace

std::vector<int> ParseBandSelection(std::string_view text, int band_count) {
  std::string preset = Lower(text);
  std::vector<int> bands;
  if (preset == "all") {
    for (int b = 1; b <= band_count; ++b) bands.push_back(b);
  } else if (preset == "ms8") {
    bands = {1, 2, 3, 4, 5, 6, 7, 8};
  } else if (preset == "rgb") {
    bands = {5, 3, 2};
  } else if (preset == "rnir") {
    bands = {6, 7, 8};
  } else {
    size_t start = 0;
    while (start <= text.size()) {
      size_t comma = text.find(',', start);
      std::string item = Lower(text.substr(start, comma - start));
      int band = 0;
      auto [end, ec] = std::from_chars(item.data(), item.data() + item.size(), band);
      if (ec == std::errc() && end == item.data() + item.size()) {
        bands.push_back(band);
      } else {
        auto it = std::find(kNames.begin(), kNames.end(), item);
        if (it == kNames.end()) {
          Throw(ErrorCode::kInvalidArgument,
                "unknown band '{}' in '{}' (a 1-based number, a name such as red or nir1, or a "
                "preset: all, ms8, rgb, rnir)",
                item, text);
        }
        bands.push_back(static_cast<int>(it - kNames.begin()) + 1);
      }
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  RB_CHECK_ARG(!bands.empty(), "empty band selection");
  for (int band : bands) {
    if (band < 1 || band > band_count) {
      Throw(ErrorCode::kInvalidArgument, "band {} of '{}' does not exist in a {}-band raster", band,
            text, band_count);
    }
  }
  return bands;
}

std::vector<int> SelectNamedBands(std::string_view text, const std::vector<std::string>& names) {
  const int count = static_cast<int>(names.size());
  if (Lower(text) == "all") return ParseBandSelection(text, count);
  std::vector<int> bands;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string_view item = text.substr(start, comma - start);
    int number = 0;
    std::string lowered = Lower(item);
    auto [end, ec] = std::from_chars(lowered.data(), lowered.data() + lowered.size(), number);
    if (ec == std::errc() && end == lowered.data() + lowered.size()) {
      bands.push_back(number);
    } else {
      for (int wv3 : ParseBandSelection(item, 8)) {
        std::string wanted = Lower(WorldView3BandName(wv3));
        auto it = std::find_if(names.begin(), names.end(),
                               [&](const std::string& name) { return Lower(name) == wanted; });
        if (it == names.end()) {
          Throw(ErrorCode::kInvalidArgument, "band {} ('{}' in '{}') is not among the bands {}",
                WorldView3BandName(wv3), item, text, fmt::join(names, ","));
        }
        bands.push_back(static_cast<int>(it - names.begin()) + 1);
      }
    }
    if (comma == std::string_view::npos) break;
    start = comma + 1;
  }
  for (int band : bands) {
    if (band < 1 || band > count) {
      Throw(ErrorCode::kInvalidArgument, "band {} of '{}' does not exist among the {} bands {}",
            band, text, count, fmt::join(names, ","));
    }
  }
  return bands;
}

std::string WorldView3BandName(int band) {
  if (band >= 1 && band <= 8) return std::string(kDisplayNames[band - 1]);
  return fmt::format("band {}", band);
}

}  // namespace rb::geo
