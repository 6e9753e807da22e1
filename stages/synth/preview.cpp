#include "stages/synth/preview.hpp"

#include <opencv2/imgproc.hpp>

#include "common/geo/stretch.hpp"

namespace rb::synth {
namespace {

cv::Mat StretchedBand(const geo::Raster& raster, int band) {
  auto samples = raster.Band<uint16_t>(band);
  cv::Mat out(raster.height(), raster.width(), CV_8U);
  geo::StretchRange range = geo::PercentileRange(samples, 2, 98, uint16_t{0});
  geo::StretchToByte(samples, range, {out.ptr<uint8_t>(), samples.size()}, uint16_t{0});
  return out;
}

cv::Mat Composite(const geo::Raster& raster, int red, int green, int blue, int panel) {
  cv::Mat bgr, small;
  cv::merge(std::vector<cv::Mat>{StretchedBand(raster, blue), StretchedBand(raster, green),
                                 StretchedBand(raster, red)},
            bgr);
  cv::resize(bgr, small, cv::Size(panel, panel), 0, 0, cv::INTER_AREA);
  return small;
}

}  // namespace

cv::Mat PreviewImage(const Imagery& imagery, int panel) {
  const geo::Raster& ms = imagery.mul_pansharpen;
  cv::Mat out;
  cv::hconcat(Composite(ms, kRed, kGreen, kBlue, panel), Composite(ms, kNir1, kRed, kGreen, panel),
              out);
  return out;
}

}  // namespace rb::synth
