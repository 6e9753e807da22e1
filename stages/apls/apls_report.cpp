// rb-apls results: per image, mean per AOI and the leaderboard's overall mean of AOI means.
#include <iterator>

#include <fmt/format.h>

#include "stages/apls/apls_run.hpp"

namespace rb::apls {
namespace {

using Json = nlohmann::ordered_json;

double F1(double precision, double recall) {
  return precision + recall > 0 ? 2 * precision * recall / (precision + recall) : 0;
}

Json ImageJson(const ImageResult& r) {
  Json j = {{"image_id", r.image_id},
            {"aoi", AoiOf(r.image_id)},
            {"status", r.scored ? "scored" : "skipped"},
            {"note", r.note}};
  if (!r.scored) return j;
  const DirectionScore& t = r.score.truth_to_proposal;
  const DirectionScore& p = r.score.proposal_to_truth;
  j.update(Json{{"apls", r.score.apls},
                {"truth_to_proposal", t.score},
                {"proposal_to_truth", p.score},
                {"routes_truth_to_proposal", t.routes},
                {"missing_truth_to_proposal", t.missing},
                {"routes_proposal_to_truth", p.routes},
                {"missing_proposal_to_truth", p.missing},
                {"truth_control_points", t.control_points},
                {"truth_snapped", t.snapped},
                {"proposal_control_points", p.control_points},
                {"proposal_snapped", p.snapped},
                {"truth_nodes", r.truth_nodes},
                {"proposal_nodes", r.proposal_nodes},
                {"truth_length_m", r.overlap.truth_length},
                {"proposal_length_m", r.overlap.proposal_length},
                {"length_precision", r.overlap.precision},
                {"length_recall", r.overlap.recall},
                {"length_f1", F1(r.overlap.precision, r.overlap.recall)}});
  return j;
}

const char* VariantName(Variant v) { return v == Variant::kLeaderboard ? "leaderboard" : "cosmiq"; }

// The CSV columns after image_id, aoi and status, in order (keys of ImageJson).
const std::vector<std::string> kCsvColumns = {"apls",
                                              "truth_to_proposal",
                                              "proposal_to_truth",
                                              "routes_truth_to_proposal",
                                              "missing_truth_to_proposal",
                                              "routes_proposal_to_truth",
                                              "missing_proposal_to_truth",
                                              "truth_control_points",
                                              "truth_snapped",
                                              "proposal_control_points",
                                              "proposal_snapped",
                                              "truth_length_m",
                                              "proposal_length_m",
                                              "length_precision",
                                              "length_recall",
                                              "length_f1"};

std::string Cell(const Json& value) {
  if (value.is_null()) return "";
  if (value.is_number_float()) return fmt::format("{}", value.get<double>());
  if (value.is_string()) return value.get<std::string>();
  return value.dump();
}

}  // namespace

Json Summarise(const std::vector<ImageResult>& results, const RunSettings& settings) {
  Json images = Json::array();
  std::map<std::string, std::pair<double, int64_t>> aoi_sums;  // sorted by AOI name
  double image_sum = 0;
  int64_t scored = 0;
  for (const ImageResult& r : results) {
    images.push_back(ImageJson(r));
    if (!r.scored) continue;
    auto& [sum, count] = aoi_sums[AoiOf(r.image_id)];
    sum += r.score.apls;
    ++count;
    image_sum += r.score.apls;
    ++scored;
  }
  Json aois = Json::object();
  double aoi_mean_sum = 0;
  for (const auto& [aoi, sum_count] : aoi_sums) {
    double mean = sum_count.first / static_cast<double>(sum_count.second);
    aois[aoi] = {{"images", sum_count.second}, {"apls", mean}};
    aoi_mean_sum += mean;
  }
  Json overall = {
      {"apls",
       aoi_sums.empty() ? Json() : Json(aoi_mean_sum / static_cast<double>(aoi_sums.size()))},
      {"mean_of_images", scored ? Json(image_sum / static_cast<double>(scored)) : Json()},
      {"images_scored", scored},
      {"images_skipped", static_cast<int64_t>(results.size()) - scored}};
  return {{"variant", VariantName(settings.options.variant)},
          {"images", images},
          {"aois", aois},
          {"overall", overall}};
}

std::string ToCsv(const Json& summary) {
  std::string csv = "image_id,aoi,status";
  for (const std::string& c : kCsvColumns) fmt::format_to(std::back_inserter(csv), ",{}", c);
  csv += "\n";
  for (const Json& image : summary["images"]) {
    csv +=
        fmt::format("{},{},{}", Cell(image["image_id"]), Cell(image["aoi"]), Cell(image["status"]));
    for (const std::string& c : kCsvColumns) {
      fmt::format_to(std::back_inserter(csv), ",{}", image.contains(c) ? Cell(image[c]) : "");
    }
    csv += "\n";
  }
  // Aggregates: one row per AOI, then the overall mean of AOI means, APLS column only.
  std::string blanks(kCsvColumns.size() - 1, ',');
  for (const auto& [aoi, value] : summary["aois"].items()) {
    csv += fmt::format("{},{},aoi_mean,{}{}\n", aoi, aoi, Cell(value["apls"]), blanks);
  }
  csv += fmt::format("overall,,mean_of_aoi_means,{}{}\n", Cell(summary["overall"]["apls"]), blanks);
  return csv;
}

}  // namespace rb::apls
