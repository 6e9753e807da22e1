#include "stages/synth/canvas.hpp"

#include <cmath>

#include <opencv2/imgproc.hpp>

namespace rb::synth {
namespace {

constexpr int kShift = 3;  // sub-pixel precision of OpenCV's fill functions: 1/8 px
constexpr double kScale = 1 << kShift;

std::vector<cv::Point> Fixed(const std::vector<cv::Point2d>& points) {
  std::vector<cv::Point> out;
  out.reserve(points.size());
  for (const cv::Point2d& p : points) {
    out.emplace_back(static_cast<int>(std::lround(p.x * kScale)),
                     static_cast<int>(std::lround(p.y * kScale)));
  }
  return out;
}

}  // namespace

Canvas::Canvas(int size, GroundScale scale)
    : size(size),
      scale(scale),
      material(size, size, CV_8U, cv::Scalar(0)),
      tint(size, size, CV_32F, cv::Scalar(1.0)),
      shade(size, size, CV_32F, cv::Scalar(1.0)),
      road(size, size, CV_8U, cv::Scalar(0)),
      paved(size, size, CV_8U, cv::Scalar(0)),
      occupied(size, size, CV_8U, cv::Scalar(0)),
      occluder(size, size, CV_8U, cv::Scalar(0)) {}

template <class Draw>
void Canvas::Apply(const Brush& brush, Draw&& draw) {
  if (brush.material) draw(material, cv::Scalar(static_cast<int>(*brush.material)));
  if (brush.tint) draw(tint, cv::Scalar(*brush.tint));
  if (brush.shade) draw(shade, cv::Scalar(*brush.shade));
  if (brush.road) draw(road, cv::Scalar(*brush.road));
  if (brush.paved) draw(paved, cv::Scalar(*brush.paved));
  if (brush.occupied) draw(occupied, cv::Scalar(*brush.occupied));
  if (brush.occluder) draw(occluder, cv::Scalar(*brush.occluder));
}

void Canvas::FillPolygon(const std::vector<cv::Point2d>& pixels, const Brush& brush) {
  std::vector<std::vector<cv::Point>> polygons = {Fixed(pixels)};
  Apply(brush, [&](cv::Mat& layer, const cv::Scalar& value) {
    cv::fillPoly(layer, polygons, value, cv::LINE_8, kShift);
  });
}

void Canvas::FillCircle(cv::Point2d centre, double radius_m, const Brush& brush) {
  cv::Point c(static_cast<int>(std::lround(centre.x * kScale)),
              static_cast<int>(std::lround(centre.y * kScale)));
  cv::Size axes(static_cast<int>(std::lround(radius_m / scale.x_m * kScale)),
                static_cast<int>(std::lround(radius_m / scale.y_m * kScale)));
  Apply(brush, [&](cv::Mat& layer, const cv::Scalar& value) {
    cv::ellipse(layer, c, axes, 0, 0, 360, value, cv::FILLED, cv::LINE_8, kShift);
  });
}

void Canvas::StrokeLine(const geo::LineString& pixels, double width_m, const Brush& brush) {
  double half = width_m / 2;
  for (size_t i = 0; i + 1 < pixels.size(); ++i) {
    cv::Point2d a(pixels[i].x, pixels[i].y), b(pixels[i + 1].x, pixels[i + 1].y);
    double east = (b.x - a.x) * scale.x_m, south = (b.y - a.y) * scale.y_m;
    double length = std::hypot(east, south);
    if (length < 1e-6) continue;
    cv::Point2d normal = Offset(-south / length * half, east / length * half);
    FillPolygon({a + normal, b + normal, b - normal, a - normal}, brush);
  }
  for (const geo::Point2& p : pixels) FillCircle({p.x, p.y}, half, brush);
}

void Canvas::ThinLine(cv::Point2d a, cv::Point2d b, const Brush& brush) {
  cv::Point pa(static_cast<int>(std::lround(a.x * kScale)),
               static_cast<int>(std::lround(a.y * kScale)));
  cv::Point pb(static_cast<int>(std::lround(b.x * kScale)),
               static_cast<int>(std::lround(b.y * kScale)));
  Apply(brush, [&](cv::Mat& layer, const cv::Scalar& value) {
    cv::line(layer, pa, pb, value, 1, cv::LINE_8, kShift);
  });
}

std::vector<cv::Point2d> Canvas::Rectangle(cv::Point2d centre, double heading, double length_m,
                                           double width_m) const {
  double c = std::cos(heading), s = std::sin(heading);
  std::vector<cv::Point2d> corners;
  for (auto [u, v] : {std::pair{1, 1}, {1, -1}, {-1, -1}, {-1, 1}}) {
    double along = u * length_m / 2, across = v * width_m / 2;
    corners.push_back(centre + Offset(along * c - across * s, along * s + across * c));
  }
  return corners;
}

double Canvas::OccupiedFraction(const std::vector<cv::Point2d>& pixels) const {
  cv::Rect box = cv::boundingRect(Fixed(pixels));
  box = cv::Rect(box.x >> kShift, box.y >> kShift, (box.width >> kShift) + 2,
                 (box.height >> kShift) + 2) &
        cv::Rect(0, 0, size, size);
  if (box.area() == 0) return 1.0;  // entirely outside the tile
  cv::Mat local(box.size(), CV_8U, cv::Scalar(0));
  std::vector<cv::Point2d> shifted;
  for (const cv::Point2d& p : pixels) shifted.emplace_back(p.x - box.x, p.y - box.y);
  std::vector<std::vector<cv::Point>> polygons = {Fixed(shifted)};
  cv::fillPoly(local, polygons, cv::Scalar(1), cv::LINE_8, kShift);
  double area = cv::countNonZero(local);
  if (area == 0) return 1.0;
  cv::Mat overlap;
  cv::bitwise_and(local, occupied(box), overlap);
  return cv::countNonZero(overlap) / area;
}

}  // namespace rb::synth
