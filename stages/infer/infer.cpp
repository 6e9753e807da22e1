#include "stages/infer/infer.hpp"

#include <algorithm>

#include <fmt/ranges.h>

#include "common/core/check.hpp"
#include "common/io/safetensors.hpp"
#include "common/nn/net.hpp"
#include "common/nn/solver.hpp"

namespace rb::infer {
namespace fs = std::filesystem;

InferModel LoadInferModel(const fs::path& weights, const fs::path& model) {
  io::SafeTensorsReader reader = io::SafeTensorsReader::Open(weights);
  const auto& meta = reader.metadata();
  InferModel out;
  out.weights = weights;
  if (!model.empty()) {
    out.spec = nn::LoadNetSpec(model);
  } else {
    auto it = meta.find("model");
    RB_CHECK_ARG(it != meta.end(), "'{}' holds no model; give --model", weights.string());
    out.spec = nn::ParseNetSpec(nlohmann::json::parse(it->second), weights.string() + ":model");
  }
  if (auto it = meta.find("input"); it != meta.end()) {
    nlohmann::json input = nlohmann::json::parse(it->second);
    out.bands = input.value("bands", std::vector<std::string>{});
    out.scale = input.value("scale", out.scale);
  }
  return out;
}

Predictor::Predictor(const InferModel& model, int height, int width, nn::Backend backend)
    : model_(model), height_(height), width_(width) {
  nn::NetSpec spec = model.spec;
  int channels = 0;
  for (const nn::LayerSpec& layer : spec.layers) {
    if (layer.type == "Input" && !layer.top.empty() && layer.top[0] == "data") {
      channels = layer.options.at("shape").at(0).at(1).get<int>();
    }
  }
  RB_CHECK_ARG(channels > 0, "model '{}' has no Input layer making 'data'", spec.source);
  RB_CHECK_ARG(model.bands.empty() || static_cast<int>(model.bands.size()) == channels,
               "model '{}' takes {} bands but its weights were trained on {} ({})", spec.source,
               channels, model.bands.size(), fmt::join(model.bands, ","));
  bands_ = channels;
  spec.SetInputShape("data", {1, channels, height, width});
  nn::BuildContext build{nn::Phase::kDeploy, backend, 0};
  build.keep = {"prob"};
  net_ = std::make_unique<nn::Net>(spec, build);
  nn::CopyReport report = nn::CopyWeights(*net_, model.weights);
  if (!report.missing.empty() || !report.mismatched.empty()) {
    Throw(ErrorCode::kInvalidArgument,
          "weights '{}' do not fit model '{}': {} missing, {} of another shape (first: {})",
          model.weights.string(), spec.source, report.missing.size(), report.mismatched.size(),
          report.missing.empty() ? report.mismatched[0] : report.missing[0]);
  }
  RB_CHECK_ARG(net_->has_blob("prob"), "model '{}' has no 'prob' output (a Softmax)", spec.source);
}

Predictor::~Predictor() = default;

std::vector<float> Predictor::Once(const std::vector<float>& input) {
  std::copy(input.begin(), input.end(), net_->blob("data").mutable_flat_data());
  net_->Forward({nn::Phase::kDeploy, 0, 0, false});
  const nn::Blob& prob = net_->blob("prob");
  const int classes = prob.shape().c;
  std::vector<float> road(static_cast<size_t>(height_) * width_);
  for (size_t p = 0; p < road.size(); ++p) road[p] = prob.flat_data()[p * classes + 1];
  return road;
}

std::vector<float> Predictor::Predict(const uint8_t* image, bool flips) {
  const size_t pixels = static_cast<size_t>(height_) * width_;
  std::vector<float> sum(pixels, 0.0f);
  const int variants = flips ? 4 : 1;
  std::vector<float> input(pixels * bands_);
  for (int v = 0; v < variants; ++v) {
    bool flip_x = v & 1, flip_y = v & 2;
    // The flipped image in, the flipped probabilities back: the flip is its own inverse.
    auto source = [&](int row, int column) {
      return static_cast<size_t>(flip_y ? height_ - 1 - row : row) * width_ +
             (flip_x ? width_ - 1 - column : column);
    };
    for (int row = 0; row < height_; ++row) {
      for (int column = 0; column < width_; ++column) {
        const uint8_t* in = image + source(row, column) * bands_;
        float* out = input.data() + (static_cast<size_t>(row) * width_ + column) * bands_;
        for (int b = 0; b < bands_; ++b) out[b] = static_cast<float>(in[b]) * model_.scale;
      }
    }
    std::vector<float> road = Once(input);
    for (int row = 0; row < height_; ++row) {
      for (int column = 0; column < width_; ++column) {
        sum[source(row, column)] += road[static_cast<size_t>(row) * width_ + column];
      }
    }
  }
  for (float& value : sum) value /= static_cast<float>(variants);
  return sum;
}

std::vector<int> WindowOrigins(int length, int window, int overlap) {
  RB_CHECK_ARG(window > overlap && overlap >= 0, "window {} must exceed overlap {}", window,
               overlap);
  if (length <= window) return {0};
  std::vector<int> origins;
  for (int origin = 0;; origin += window - overlap) {
    if (origin + window >= length) {
      origins.push_back(length - window);
      break;
    }
    origins.push_back(origin);
  }
  return origins;
}

float BlendWeight(int i, int window, int overlap, bool ramp_before, bool ramp_after) {
  float weight = 1.0f;
  float steps = static_cast<float>(overlap + 1);
  if (ramp_before && i < overlap) weight = std::min(weight, static_cast<float>(i + 1) / steps);
  if (ramp_after && i >= window - overlap) {
    weight = std::min(weight, static_cast<float>(window - i) / steps);
  }
  return weight;
}

namespace {

int RoundUp(int value, int factor) { return (value + factor - 1) / factor * factor; }

// Mirror index (edge not repeated) into [0, length).
int Mirror(int i, int length) {
  if (length == 1) return 0;
  int period = 2 * (length - 1);
  i = ((i % period) + period) % period;
  return i < length ? i : period - i;
}

}  // namespace

int WindowSize(int length, int window, int overlap, int factor) {
  if (length <= window) return RoundUp(length, factor);
  int count = (length - overlap + (window - overlap) - 1) / (window - overlap);
  int even = (length + (count - 1) * overlap + count - 1) / count;
  return std::min(RoundUp(even, factor), RoundUp(window, factor));
}

void PredictScene(const InferModel& model, const ScenePlan& plan, nn::Backend backend,
                  const ReadRows& read, const EmitRows& emit) {
  const int factor = nn::DownsamplingFactor(model.spec);
  const int overlap = plan.overlap;
  const int size_y = WindowSize(plan.height, plan.window, overlap, factor);
  const int size_x = WindowSize(plan.width, plan.window, overlap, factor);
  const std::vector<int> rows = WindowOrigins(plan.height, size_y, overlap);
  const std::vector<int> columns = WindowOrigins(plan.width, size_x, overlap);
  Predictor predictor(model, size_y, size_x, backend);
  const int width = plan.width, bands = plan.bands;

  // Accumulators for rows [base, base + 2 size_y): a strip's rows plus what the next adds.
  std::vector<float> sum(static_cast<size_t>(2) * size_y * width, 0.0f), weight(sum.size(), 0.0f);
  int base = 0;
  std::vector<uint8_t> tile(static_cast<size_t>(size_y) * size_x * bands);
  for (size_t k = 0; k < rows.size(); ++k) {
    const int r0 = rows[k];
    const int strip_rows = std::min(size_y, plan.height - r0);
    std::vector<uint8_t> strip = read(r0, strip_rows);
    RB_CHECK_EQ(strip.size(), static_cast<size_t>(strip_rows) * width * bands);
    for (size_t j = 0; j < columns.size(); ++j) {
      const int c0 = columns[j];
      for (int y = 0; y < size_y; ++y) {
        int sy = Mirror(y, strip_rows);
        for (int x = 0; x < size_x; ++x) {
          int sx = Mirror(c0 + x, width);
          std::copy_n(strip.data() + (static_cast<size_t>(sy) * width + sx) * bands, bands,
                      tile.data() + (static_cast<size_t>(y) * size_x + x) * bands);
        }
      }
      std::vector<float> p = predictor.Predict(tile.data(), plan.flips);
      for (int y = 0; y < strip_rows; ++y) {
        float wy = BlendWeight(y, size_y, overlap, k > 0, k + 1 < rows.size());
        size_t row_offset = static_cast<size_t>(r0 - base + y) * width;
        for (int x = 0; x < std::min(size_x, width - c0); ++x) {
          float w = wy * BlendWeight(x, size_x, overlap, j > 0, j + 1 < columns.size());
          sum[row_offset + c0 + x] += w * p[static_cast<size_t>(y) * size_x + x];
          weight[row_offset + c0 + x] += w;
        }
      }
    }
    const int final_end = k + 1 < rows.size() ? rows[k + 1] : plan.height;
    const size_t done = static_cast<size_t>(final_end - base) * width;
    std::vector<float> out(done);
    for (size_t i = 0; i < done; ++i) out[i] = sum[i] / weight[i];
    emit(base, final_end - base, out);
    std::copy(sum.begin() + done, sum.end(), sum.begin());
    std::copy(weight.begin() + done, weight.end(), weight.begin());
    std::fill(sum.end() - done, sum.end(), 0.0f);
    std::fill(weight.end() - done, weight.end(), 0.0f);
    base = final_end;
  }
}

}  // namespace rb::infer
