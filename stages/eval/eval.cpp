#include "stages/eval/eval.hpp"

#include <cmath>
#include <map>

#include <fmt/format.h>

#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/image_id.hpp"
#include "common/geo/raster_io.hpp"
#include "common/io/files.hpp"

namespace rb::eval {
namespace fs = std::filesystem;
namespace {

const std::vector<std::string> kClassNames = {"background", "road"};
constexpr uint8_t kIgnore = 255;
constexpr int kStripRows = 512;

std::string KeyOf(const fs::path& path) {
  std::string name = path.filename().string();
  if (auto id = geo::CanonicalImageId(name)) return *id;
  return name.substr(0, name.find('.'));
}

// Class per pixel of a prediction strip: thresholded probabilities (NaN is not road) or a
// mask's 1s.
std::vector<uint8_t> PredictedClasses(const geo::Raster& strip, double threshold) {
  std::vector<uint8_t> out(strip.band_pixels());
  if (strip.type() == geo::PixelType::kUInt8) {
    auto values = strip.Band<uint8_t>(0);
    for (size_t i = 0; i < out.size(); ++i) out[i] = values[i] == 1;
  } else {
    auto values = strip.Band<float>(0);
    for (size_t i = 0; i < out.size(); ++i) out[i] = values[i] > threshold;  // NaN: false
  }
  return out;
}

nlohmann::json MetricsRow(const nn::Confusion& c) { return c.ToJson(kClassNames, 1); }

}  // namespace

std::vector<EvalPair> PairFiles(const std::vector<fs::path>& predictions,
                                const std::vector<fs::path>& labels) {
  std::map<std::string, fs::path> by_key;
  for (const fs::path& label : labels) by_key[KeyOf(label)] = label;
  std::vector<EvalPair> pairs;
  for (const fs::path& prediction : predictions) {
    std::string key = KeyOf(prediction);
    auto it = by_key.find(key);
    if (it == by_key.end()) {
      Throw(ErrorCode::kIo, "no label for prediction '{}' (image '{}')", prediction.string(), key);
    }
    pairs.push_back({key, prediction, it->second});
  }
  std::sort(pairs.begin(), pairs.end(), [](const EvalPair& a, const EvalPair& b) {
    return geo::ImageIdLess()(a.image_id, b.image_id);
  });
  return pairs;
}

nn::Confusion EvaluatePair(const EvalPair& pair, double threshold) {
  geo::RasterReader prediction = geo::RasterReader::Open(pair.prediction);
  geo::RasterReader label = geo::RasterReader::Open(pair.label);
  const geo::RasterInfo& p = prediction.info();
  const geo::RasterInfo& l = label.info();
  if (p.width != l.width || p.height != l.height || !(p.georef == l.georef)) {
    Throw(ErrorCode::kInvalidArgument,
          "prediction '{}' ({}x{}) and label '{}' ({}x{}) are not on the same grid",
          pair.prediction.string(), p.width, p.height, pair.label.string(), l.width, l.height);
  }
  RB_CHECK_IO(l.type == geo::PixelType::kUInt8 && l.bands == 1,
              "label '{}' is not a single Byte band (0, 1, 255)", pair.label.string());
  bool byte_prediction = p.type == geo::PixelType::kUInt8;
  nn::Confusion counts(2);
  for (int row = 0; row < p.height; row += kStripRows) {
    geo::PixelWindow window{0, row, p.width, std::min(kStripRows, p.height - row)};
    geo::Raster predicted = prediction.Read(
        {.window = window,
         .bands = {1},
         .as_type = byte_prediction ? geo::PixelType::kUInt8 : geo::PixelType::kFloat32});
    geo::Raster truth = label.Read({.window = window, .bands = {1}});
    std::vector<uint8_t> classes = PredictedClasses(predicted, threshold);
    counts.Count(classes, truth.Band<uint8_t>(0), kIgnore);
  }
  return counts;
}

nlohmann::json Summarise(const std::vector<EvalPair>& pairs,
                         const std::vector<nn::Confusion>& counts) {
  RB_CHECK_EQ(pairs.size(), counts.size());
  nlohmann::json images = nlohmann::json::array();
  nn::Confusion total(2);
  std::map<std::string, std::pair<double, int>> sums;  // metric -> (sum, images where defined)
  for (size_t i = 0; i < pairs.size(); ++i) {
    nlohmann::json row = MetricsRow(counts[i]);
    total.Add(counts[i]);
    auto add = [&](const std::string& key, const nlohmann::json& value) {
      if (value.is_null()) return;
      sums[key].first += value.get<double>();
      sums[key].second += 1;
    };
    add("iou_road", row["iou"]["road"]);
    add("iou_background", row["iou"]["background"]);
    for (const char* key : {"mean_iou", "precision", "recall", "f1"}) add(key, row[key]);
    row["image_id"] = pairs[i].image_id;
    row["prediction"] = pairs[i].prediction.string();
    row["label"] = pairs[i].label.string();
    images.push_back(row);
  }
  auto mean = [&](const std::string& key) -> nlohmann::json {
    auto it = sums.find(key);
    if (it == sums.end() || it->second.second == 0) return nullptr;
    return it->second.first / it->second.second;
  };
  nlohmann::json mean_of_images = {
      {"iou", {{"background", mean("iou_background")}, {"road", mean("iou_road")}}},
      {"mean_iou", mean("mean_iou")},
      {"precision", mean("precision")},
      {"recall", mean("recall")},
      {"f1", mean("f1")},
      {"images", pairs.size()}};
  return {{"images", images}, {"dataset", MetricsRow(total)}, {"mean_of_images", mean_of_images}};
}

std::string ToCsv(const nlohmann::json& summary) {
  auto cell = [](const nlohmann::json& v) {
    return v.is_null() ? std::string() : fmt::format("{:.6f}", v.get<double>());
  };
  std::string out = "image_id,iou_road,iou_background,mean_iou,precision,recall,f1,pixels\n";
  auto line = [&](const std::string& name, const nlohmann::json& m) {
    out += fmt::format("{},{},{},{},{},{},{},{}\n", name, cell(m["iou"]["road"]),
                       cell(m["iou"]["background"]), cell(m["mean_iou"]), cell(m["precision"]),
                       cell(m["recall"]), cell(m["f1"]), m.value("pixels", int64_t{0}));
  };
  for (const nlohmann::json& row : summary["images"]) line(row["image_id"], row);
  line("dataset", summary["dataset"]);
  line("mean_of_images", summary["mean_of_images"]);
  return out;
}

}  // namespace rb::eval
