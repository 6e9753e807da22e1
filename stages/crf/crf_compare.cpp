#include "stages/crf/crf_compare.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <limits>

#include <opencv2/core.hpp>
#include <opencv2/imgcodecs.hpp>

#include "common/core/check.hpp"
#include "common/io/files.hpp"

namespace rb::crf {
namespace {

constexpr int kGap = 8;  // white columns between panels
constexpr float kNoData = std::numeric_limits<float>::quiet_NaN();

// Linear stretch of the finite values between their 2nd and 98th percentiles.
std::vector<uint8_t> Stretch(const float* values, size_t count) {
  std::vector<float> finite;
  for (size_t i = 0; i < count; ++i) {
    if (std::isfinite(values[i])) finite.push_back(values[i]);
  }
  std::vector<uint8_t> out(count, 0);
  if (finite.empty()) return out;
  auto at = [&](double fraction) {
    auto nth = finite.begin() + static_cast<int64_t>(fraction * (finite.size() - 1));
    std::nth_element(finite.begin(), nth, finite.end());
    return *nth;
  };
  const float lo = at(0.02);
  const float hi = at(0.98);
  const float scale = hi > lo ? 255.0f / (hi - lo) : 0.0f;
  for (size_t i = 0; i < count; ++i) {
    if (!std::isfinite(values[i])) continue;
    out[i] = static_cast<uint8_t>(std::clamp((values[i] - lo) * scale, 0.0f, 255.0f) + 0.5f);
  }
  return out;
}

// B, G, R of label l in a many-label panel.
cv::Vec3b PaletteColour(int label) {
  static const std::array<cv::Vec3b, 8> kPalette = {
      cv::Vec3b(0, 0, 0),     cv::Vec3b(255, 255, 255), cv::Vec3b(40, 160, 255),
      cv::Vec3b(255, 120, 0), cv::Vec3b(60, 200, 60),   cv::Vec3b(200, 60, 200),
      cv::Vec3b(0, 220, 220), cv::Vec3b(120, 120, 255)};
  return kPalette[label % kPalette.size()];
}

}  // namespace

ComparePicture::ComparePicture(int width, int height, int max_side) {
  step_ = std::max(1, (std::max(width, height) + max_side - 1) / max_side);
  width_ = (width + step_ - 1) / step_;
  height_ = (height + step_ - 1) / step_;
  const size_t n = static_cast<size_t>(width_) * height_;
  background_.assign(3 * n, kNoData);
  before_.assign(n, 255);
  after_.assign(n, 255);
}

void ComparePicture::Add(int column, int row, const geo::Raster& background,
                         const geo::Raster& before, const geo::Raster& after) {
  background_bands_ = std::min(background.bands(), 3);
  const size_t n = static_cast<size_t>(width_) * height_;
  // The first kept pixel of the window on the decimated grid.
  const int r0 = (row + step_ - 1) / step_ * step_ - row;
  const int c0 = (column + step_ - 1) / step_ * step_ - column;
  for (int r = r0; r < before.height(); r += step_) {
    for (int c = c0; c < before.width(); c += step_) {
      const size_t src = static_cast<size_t>(r) * before.width() + c;
      const size_t dst = static_cast<size_t>((row + r) / step_) * width_ + (column + c) / step_;
      for (int b = 0; b < background_bands_; ++b) {
        background_[b * n + dst] = background.Band<float>(b)[src];
      }
      before_[dst] = before.Band<uint8_t>(0)[src];
      after_[dst] = after.Band<uint8_t>(0)[src];
    }
  }
}

void ComparePicture::Write(const std::filesystem::path& path, int labels) const {
  const size_t n = static_cast<size_t>(width_) * height_;
  std::array<std::vector<uint8_t>, 3> rgb;
  for (int b = 0; b < 3; ++b) {
    rgb[b] = Stretch(&background_[std::min(b, background_bands_ - 1) * n], n);
  }
  cv::Mat canvas(height_, 3 * width_ + 2 * kGap, CV_8UC3, cv::Scalar(255, 255, 255));
  const cv::Vec3b kNoDataColour(90, 30, 0);
  for (int r = 0; r < height_; ++r) {
    for (int c = 0; c < width_; ++c) {
      const size_t i = static_cast<size_t>(r) * width_ + c;
      const cv::Vec3b pixel(rgb[2][i], rgb[1][i], rgb[0][i]);
      const cv::Vec3b dark = pixel * 0.35;
      canvas.at<cv::Vec3b>(r, c) = pixel;
      cv::Vec3b& threshold = canvas.at<cv::Vec3b>(r, width_ + kGap + c);
      cv::Vec3b& crf = canvas.at<cv::Vec3b>(r, 2 * (width_ + kGap) + c);
      if (before_[i] == 255 || after_[i] == 255) {
        threshold = crf = kNoDataColour;
      } else if (labels > 2) {
        threshold = before_[i] == 0 ? dark : PaletteColour(before_[i]);
        crf = after_[i] == 0 ? dark : PaletteColour(after_[i]);
      } else {
        threshold = before_[i] == 1 ? cv::Vec3b(255, 255, 255) : dark;
        if (after_[i] == before_[i]) {
          crf = threshold;
        } else {
          crf = after_[i] == 1 ? cv::Vec3b(0, 200, 0) : cv::Vec3b(0, 0, 220);
        }
      }
    }
  }
  // Encoded explicitly: the file is PNG whatever its name ends with.
  std::vector<uint8_t> png;
  RB_CHECK_IO(cv::imencode(".png", canvas, png), "cannot encode comparison PNG '{}'",
              path.string());
  io::WriteFileAtomic(path, {reinterpret_cast<const char*>(png.data()), png.size()});
}

}  // namespace rb::crf
