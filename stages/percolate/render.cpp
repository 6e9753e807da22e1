#include "stages/percolate/render.hpp"

#include <algorithm>
#include <cmath>

#include <opencv2/imgcodecs.hpp>
#include <opencv2/imgproc.hpp>

#include "common/core/check.hpp"

namespace rb::percolate {

cv::Mat RenderRealization(const BitImage& image) {
  cv::Mat out(image.height, image.width, CV_8UC3, cv::Scalar(0, 0, 0));
  for (int r = 0; r < image.height; ++r) {
    auto* row = out.ptr<cv::Vec3b>(r);
    for (int c = 0; c < image.width; ++c) {
      if (image.Get(c, r)) row[c] = cv::Vec3b(255, 255, 255);
    }
  }
  return out;
}

cv::Mat RenderComponents(const RunLabels& labels) {
  std::vector<int64_t> sizes = labels.ComponentSizes();
  auto largest = static_cast<int32_t>(std::max_element(sizes.begin(), sizes.end()) - sizes.begin());
  std::vector<cv::Vec3b> colours(sizes.size());
  for (size_t label = 0; label < sizes.size(); ++label) {
    // Hue by the golden ratio of the label: neighbours in raster order differ strongly.
    auto hue = static_cast<uint8_t>(std::fmod(static_cast<double>(label) * 0.618033988749895, 1.0) *
                                    180.0);
    cv::Mat hsv(1, 1, CV_8UC3, cv::Scalar(hue, 200, 235)), bgr;
    cv::cvtColor(hsv, bgr, cv::COLOR_HSV2BGR);
    colours[label] = bgr.at<cv::Vec3b>(0, 0);
  }
  if (!sizes.empty()) colours[largest] = cv::Vec3b(255, 255, 255);
  cv::Mat out(labels.height(), labels.width(), CV_8UC3, cv::Scalar(0, 0, 0));
  for (int r = 0; r < labels.height(); ++r) {
    auto* row = out.ptr<cv::Vec3b>(r);
    for (int32_t run = labels.RowFirstRun(r); run < labels.RowFirstRun(r + 1); ++run) {
      std::fill(row + labels.RunStart(run), row + labels.RunEnd(run),
                colours[labels.RunLabel(run)]);
    }
  }
  return out;
}

cv::Mat RenderHeatmap(const std::vector<float>& field, const geo::RgbImage& background,
                      const std::vector<geo::PixelPoint>& marks) {
  int width = background.width, height = background.height;
  RB_CHECK_EQ(field.size(), static_cast<size_t>(width) * height);
  cv::Mat levels(height, width, CV_8U), colours;
  for (size_t i = 0; i < field.size(); ++i) {
    float v = std::isnan(field[i]) ? 0.0f : std::clamp(field[i], 0.0f, 1.0f);
    levels.data[i] = static_cast<uint8_t>(std::lround(255.0f * v));
  }
  cv::applyColorMap(levels, colours, cv::COLORMAP_INFERNO);
  cv::Mat out(height, width, CV_8UC3);
  for (size_t i = 0; i < field.size(); ++i) {
    // Background at half brightness; the heat covers it in proportion to the field.
    float alpha = levels.data[i] == 0 ? 0.0f : 0.35f + 0.65f * levels.data[i] / 255.0f;
    const uint8_t* rgb = &background.rgb[i * 3];
    const uint8_t* heat = colours.data + i * 3;  // B G R
    for (int ch = 0; ch < 3; ++ch) {
      float under = 0.5f * rgb[2 - ch];  // RGB -> BGR
      out.data[i * 3 + ch] =
          static_cast<uint8_t>(std::lround((1 - alpha) * under + alpha * heat[ch]));
    }
  }
  int radius = std::max(4, std::min(width, height) / 100);
  for (size_t m = 0; m < marks.size(); ++m) {
    cv::Scalar colour = m == 0 ? cv::Scalar(255, 255, 0) : cv::Scalar(0, 255, 0);
    cv::circle(out, {marks[m].column, marks[m].row}, radius, colour, std::max(1, radius / 3),
               cv::LINE_AA);
  }
  return out;
}

void Caption(cv::Mat& image, const std::string& text) {
  double scale = std::max(0.35, image.cols / 1600.0);
  int thickness = std::max(1, static_cast<int>(std::lround(scale * 1.5)));
  int baseline = 0;
  cv::Size size = cv::getTextSize(text, cv::FONT_HERSHEY_SIMPLEX, scale, thickness, &baseline);
  int pad = std::max(2, size.height / 3);
  cv::rectangle(image, {0, 0}, {size.width + 2 * pad, size.height + baseline + 2 * pad},
                cv::Scalar(30, 30, 30), cv::FILLED);
  cv::putText(image, text, {pad, pad + size.height}, cv::FONT_HERSHEY_SIMPLEX, scale,
              cv::Scalar(255, 255, 255), thickness, cv::LINE_AA);
}

void WritePng(const std::filesystem::path& path, const cv::Mat& image) {
  bool ok = false;
  try {
    ok = cv::imwrite(path.string(), image, {cv::IMWRITE_PNG_COMPRESSION, 6});
  } catch (const cv::Exception& error) {
    Throw(ErrorCode::kIo, "cannot write PNG '{}': {}", path.string(), error.what());
  }
  RB_CHECK_IO(ok, "cannot write PNG '{}'", path.string());
}

}  // namespace rb::percolate
