#include "stages/train/train_log.hpp"

#include <algorithm>
#include <cmath>
#include <fstream>
#include <sstream>
#include <string>

#include <fmt/format.h>
#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/core/check.hpp"
#include "common/io/files.hpp"

namespace rb::train {
namespace fs = std::filesystem;
namespace {

constexpr const char* kHeader =
    "iteration,seconds,loss,learning_rate,images_per_second,val_loss,road_iou,background_iou,"
    "mean_iou,road_f1";

std::string Cell(const std::optional<double>& value) {
  return value ? fmt::format("{:.6g}", *value) : "";
}

std::optional<double> ParseCell(const std::string& text) {
  if (text.empty()) return std::nullopt;
  return std::stod(text);
}

}  // namespace

void TrainLog::Load(const fs::path& csv, int64_t iteration) {
  rows_.clear();
  std::ifstream in(csv);
  if (!in) return;  // a run resumed elsewhere starts a new log
  std::string line;
  std::getline(in, line);
  RB_CHECK_IO(line == kHeader, "'{}' is not a roadbrew training log", csv.string());
  while (std::getline(in, line)) {
    std::vector<std::string> cells;
    std::stringstream stream(line);
    std::string cell;
    while (std::getline(stream, cell, ',')) cells.push_back(cell);
    cells.resize(10);
    LogRow row;
    row.iteration = std::stoll(cells[0]);
    if (row.iteration > iteration) break;
    row.seconds = std::stod(cells[1]);
    row.loss = std::stod(cells[2]);
    row.learning_rate = std::stod(cells[3]);
    row.images_per_second = std::stod(cells[4]);
    row.val_loss = ParseCell(cells[5]);
    row.road_iou = ParseCell(cells[6]);
    row.background_iou = ParseCell(cells[7]);
    row.mean_iou = ParseCell(cells[8]);
    row.road_f1 = ParseCell(cells[9]);
    rows_.push_back(row);
  }
}

void TrainLog::WriteCsv(const fs::path& csv) const {
  std::string text = std::string(kHeader) + "\n";
  for (const LogRow& r : rows_) {
    text +=
        fmt::format("{},{:.3f},{:.6g},{:.6g},{:.3f},{},{},{},{},{}\n", r.iteration, r.seconds,
                    r.loss, r.learning_rate, r.images_per_second, Cell(r.val_loss),
                    Cell(r.road_iou), Cell(r.background_iou), Cell(r.mean_iou), Cell(r.road_f1));
  }
  io::WriteFileAtomic(csv, text);
}

namespace {

struct Series {
  std::string name;
  cv::Scalar colour;
  std::vector<cv::Point2d> points;  // (iteration, value)
};

// One chart: axes with five ticks each way, the series as polylines, a legend.
void DrawChart(cv::Mat& canvas, cv::Rect area, const std::string& title,
               const std::vector<Series>& series, double y_min, double y_max) {
  const cv::Scalar ink(40, 40, 40), grid(225, 225, 225);
  const int left = area.x + 60, right = area.x + area.width - 15;
  const int top = area.y + 30, bottom = area.y + area.height - 40;
  double x_max = 1;
  for (const Series& s : series)
    for (const cv::Point2d& p : s.points) x_max = std::max(x_max, p.x);
  auto to_pixel = [&](cv::Point2d p) {
    double fx = p.x / x_max, fy = (p.y - y_min) / std::max(y_max - y_min, 1e-12);
    return cv::Point(static_cast<int>(left + fx * (right - left)),
                     static_cast<int>(bottom - std::clamp(fy, 0.0, 1.0) * (bottom - top)));
  };
  for (int i = 0; i <= 4; ++i) {
    double y = y_min + (y_max - y_min) * i / 4, x = x_max * i / 4;
    cv::Point py = to_pixel({0, y}), px = to_pixel({x, y_min});
    cv::line(canvas, {left, py.y}, {right, py.y}, grid, 1);
    cv::putText(canvas, fmt::format("{:.3g}", y), {area.x + 5, py.y + 4}, cv::FONT_HERSHEY_SIMPLEX,
                0.4, ink, 1, cv::LINE_AA);
    cv::putText(canvas, fmt::format("{:.0f}", x), {px.x - 10, bottom + 16},
                cv::FONT_HERSHEY_SIMPLEX, 0.4, ink, 1, cv::LINE_AA);
  }
  cv::rectangle(canvas, {left, top}, {right, bottom}, ink, 1);
  cv::putText(canvas, title, {left, area.y + 20}, cv::FONT_HERSHEY_SIMPLEX, 0.55, ink, 1,
              cv::LINE_AA);
  cv::putText(canvas, "iteration", {(left + right) / 2 - 30, bottom + 34}, cv::FONT_HERSHEY_SIMPLEX,
              0.45, ink, 1, cv::LINE_AA);
  int legend_x = right - 150;
  for (size_t k = 0; k < series.size(); ++k) {
    const Series& s = series[k];
    std::vector<cv::Point> line;
    for (const cv::Point2d& p : s.points) line.push_back(to_pixel(p));
    if (line.size() >= 2) cv::polylines(canvas, line, false, s.colour, 2, cv::LINE_AA);
    if (line.size() == 1) cv::circle(canvas, line[0], 3, s.colour, cv::FILLED);
    int y = top + 18 + 18 * static_cast<int>(k);
    cv::line(canvas, {legend_x, y - 4}, {legend_x + 20, y - 4}, s.colour, 2);
    cv::putText(canvas, s.name, {legend_x + 26, y}, cv::FONT_HERSHEY_SIMPLEX, 0.45, ink, 1,
                cv::LINE_AA);
  }
}

}  // namespace

void TrainLog::DrawCurves(const fs::path& png) const {
  Series train{"train loss", {200, 110, 30}, {}}, val{"val loss", {30, 30, 200}, {}};
  Series road{"road IoU", {30, 30, 200}, {}}, mean{"mean IoU", {40, 150, 40}, {}};
  double loss_max = 0;
  for (const LogRow& r : rows_) {
    double x = static_cast<double>(r.iteration);
    if (std::isfinite(r.loss) && r.loss > 0) {
      train.points.push_back({x, r.loss});
      loss_max = std::max(loss_max, r.loss);
    }
    if (r.val_loss) {
      val.points.push_back({x, *r.val_loss});
      loss_max = std::max(loss_max, *r.val_loss);
    }
    if (r.road_iou) road.points.push_back({x, *r.road_iou});
    if (r.mean_iou) mean.points.push_back({x, *r.mean_iou});
  }
  cv::Mat canvas(460, 1000, CV_8UC3, cv::Scalar(255, 255, 255));
  DrawChart(canvas, {0, 0, 500, 460}, "loss", {train, val}, 0, loss_max > 0 ? loss_max * 1.05 : 1);
  DrawChart(canvas, {500, 0, 500, 460}, "validation IoU", {road, mean}, 0, 1);
  std::vector<uchar> bytes;
  RB_CHECK_IO(cv::imencode(".png", canvas, bytes), "cannot encode '{}'", png.string());
  io::WriteFileAtomic(png,
                      std::string_view(reinterpret_cast<const char*>(bytes.data()), bytes.size()));
}

}  // namespace rb::train
