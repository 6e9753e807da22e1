// rb-percolate's side of bench/percolate.sh: milliseconds per realization on a probability map,
// medians of repeated batches (as the Python baseline times them), printed as JSON.
//
//   step          sample the Bernoulli field + label (run union-find) + are A and B joined: the
//                 baseline's "one MC step", one thread, as rb-percolate mc runs it for pairs
//   mc_all        the same steps through RunMonteCarlo on all cores (per realization)
//   sample        the Philox sampler alone
//   label4/8      our labeller on one realization, and with the per-pixel int32 label image
//   opencv4/8_*   cv::connectedComponents on the same realization (8-bit Mat), one thread
//
// Usage: percolate_core <map.npy> <A col,row> <B col,row> [batches] [batch size]
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>
#include <opencv2/core.hpp>
#include <opencv2/imgproc.hpp>

#include "roadbrew/kernels/threads.hpp"
#include "stages/percolate/monte_carlo.hpp"

namespace {

using namespace rb::percolate;

// Median over `batches` of the time per item of `work` called `size` times.
template <class Work>
double MedianMs(int batches, int size, Work&& work) {
  std::vector<double> times;
  for (int b = 0; b < batches; ++b) {
    auto start = std::chrono::steady_clock::now();
    for (int i = 0; i < size; ++i) work(b * size + i);
    std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
    times.push_back(elapsed.count() / size);
  }
  std::sort(times.begin(), times.end());
  return times[times.size() / 2];
}

rb::geo::PixelPoint ParsePoint(const std::string& text) {
  size_t comma = text.find(',');
  return {std::stoi(text.substr(0, comma)), std::stoi(text.substr(comma + 1))};
}

cv::Mat ToMat(const BitImage& image) {
  cv::Mat mat(image.height, image.width, CV_8U);
  for (int r = 0; r < image.height; ++r) {
    for (int c = 0; c < image.width; ++c) mat.at<uint8_t>(r, c) = image.Get(c, r);
  }
  return mat;
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 4) {
    std::fprintf(stderr, "usage: %s <map.npy> <A col,row> <B col,row> [batches] [size]\n", argv[0]);
    return 2;
  }
  rb::geo::ProbabilityMap map = rb::geo::ReadProbabilityMap(argv[1]);
  PointPair pair{ParsePoint(argv[2]), ParsePoint(argv[3])};
  int batches = argc > 4 ? std::stoi(argv[4]) : 7;
  int size = argc > 5 ? std::stoi(argv[5]) : 20;
  int cores = omp_get_max_threads();
  BernoulliField field(map, 12345);
  BitImage image;
  RunLabels labels;
  nlohmann::json out = {{"pixels", map.p.size()}, {"threads_all", cores}};

  rb::kernels::SetThreads(1);
  cv::setNumThreads(1);
  int64_t hits = 0;
  out["step"] = MedianMs(batches, size, [&](int t) {
    field.Sample(static_cast<uint64_t>(t), image);
    labels.Label(image, Connectivity::kFour, RunLabels::Detail::kJoinsOnly);  // as mc for pairs
    hits += labels.Joined(image, pair.a, pair.b);
  });
  out["step_hits"] = hits;
  out["sample"] = MedianMs(batches, size, [&](int t) { field.Sample(t, image); });
  std::vector<int32_t> label_image(map.p.size());
  cv::Mat mat = ToMat(image), cv_labels;
  for (Connectivity connectivity : {Connectivity::kFour, Connectivity::kEight}) {
    std::string n = std::to_string(static_cast<int>(connectivity));
    out["label" + n] = MedianMs(batches, size, [&](int) { labels.Label(image, connectivity); });
    out["components" + n] = labels.components();
    out["label" + n + "_image"] = MedianMs(batches, size, [&](int) {
      labels.Label(image, connectivity);
      labels.FillLabelImage(label_image);
    });
    struct Algorithm {
      const char* name;
      int code;
    };
    for (Algorithm algorithm : {Algorithm{"default", cv::CCL_DEFAULT},
                                {"sauf", cv::CCL_SAUF},
                                {"bbdt", cv::CCL_BBDT},
                                {"spaghetti", cv::CCL_SPAGHETTI}}) {
      int count = 0;
      out["opencv" + n + "_" + algorithm.name] = MedianMs(batches, size, [&](int) {
        count = cv::connectedComponents(mat, cv_labels, static_cast<int>(connectivity), CV_32S,
                                        algorithm.code);
      });
      out["opencv" + n + "_components"] = count - 1;  // OpenCV counts the background
    }
  }

  rb::kernels::SetThreads(cores);
  MonteCarloOptions options;
  options.max_realizations = static_cast<int64_t>(batches) * size * cores;
  options.keep_stats = false;
  auto start = std::chrono::steady_clock::now();
  MonteCarloResult result = RunMonteCarlo(field, {pair}, options);
  std::chrono::duration<double, std::milli> elapsed = std::chrono::steady_clock::now() - start;
  out["mc_all"] = elapsed.count() / static_cast<double>(result.realizations);
  out["mc_realizations"] = result.realizations;
  out["mc_probability"] = static_cast<double>(result.hits[0]) / result.realizations;
  std::printf("%s\n", out.dump().c_str());
  return 0;
}
