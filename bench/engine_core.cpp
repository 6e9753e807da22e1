// engine_core: times forward+backward training passes of a model with the roadbrew engine and
// exports what a peer framework needs to run the identical work (bench/engine.sh drives it).
//
//   engine_core --model configs/models/fc_densenet56.json --batch 2 --size 224
//               [--backend onednn|reference|cuda] [--precision fp32|tf32|fp16|bf16]
//               [--iterations 5] [--warmup 1] [--export DIR]
//   engine_core --sgemm 2048      # the machine's single-precision GEMM rate through oneDNN
//   engine_core --devices         # the CUDA devices as JSON ([] without CUDA or a GPU)
//
// On the CUDA backend each timed pass ends with a device synchronisation, and the results add
// the caching allocator's peak (device memory held by the process, and in use by blobs).
//
// --export DIR writes, before any timing: expanded.json (the primitive layers),
// weights.safetensors (the initial weights), data.npy and label.npy (NCHW inputs), and
// prob.npy (NCHW softmax of a TEST-phase forward pass with those weights), so a peer can check
// forward parity. Prints one JSON line of results.
#include <sys/resource.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>
#include <random>
#include <vector>

#include "common/core/error.hpp"
#include "common/io/files.hpp"
#include "common/io/npy.hpp"
#include "common/nn/net.hpp"
#include "common/nn/solver.hpp"
#include "common/nn/spec.hpp"
#include "roadbrew/build_config.hpp"
#include "roadbrew/kernels/cuda_ops.hpp"
#include "roadbrew/kernels/device.hpp"
#include "roadbrew/kernels/onednn.hpp"

#if ROADBREW_HAVE_ONEDNN
#include <dnnl.h>
#endif

namespace {

using rb::nn::Net;
using Clock = std::chrono::steady_clock;

double PeakRssMb() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  return static_cast<double>(usage.ru_maxrss) / 1024.0;  // Linux reports KiB
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  size_t n = values.size();
  return n % 2 ? values[n / 2] : 0.5 * (values[n / 2 - 1] + values[n / 2]);
}

// Images uniform in [0, 1), labels from a blocky random road/background map.
void FillInputs(Net& net, uint32_t seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> uniform(0.0f, 1.0f);
  rb::nn::Blob& data = net.blob("data");
  float* x = data.mutable_flat_data();
  for (int64_t i = 0; i < data.count(); ++i) x[i] = uniform(rng);
  if (!net.has_blob("label")) return;
  rb::nn::Blob& label = net.blob("label");
  const rb::nn::Shape& s = label.shape();
  float* y = label.mutable_flat_data();
  std::vector<float> blocks(static_cast<size_t>(s.n) * 64);
  for (float& b : blocks) b = uniform(rng) < 0.3f ? 1.0f : 0.0f;
  for (int n = 0; n < s.n; ++n) {
    for (int h = 0; h < s.h; ++h) {
      for (int w = 0; w < s.w; ++w) {
        y[(static_cast<int64_t>(n) * s.h + h) * s.w + w] =
            blocks[static_cast<size_t>(n) * 64 + (h * 8 / s.h) * 8 + (w * 8 / s.w)];
      }
    }
  }
}

// NHWC blob -> NCHW npy.
void WriteNchw(const rb::nn::Blob& blob, const std::filesystem::path& path) {
  const rb::nn::Shape& s = blob.shape();
  std::vector<float> out(static_cast<size_t>(blob.count()));
  const float* in = blob.flat_data();
  for (int n = 0; n < s.n; ++n)
    for (int h = 0; h < s.h; ++h)
      for (int w = 0; w < s.w; ++w)
        for (int c = 0; c < s.c; ++c)
          out[((static_cast<size_t>(n) * s.c + c) * s.h + h) * s.w + w] =
              in[((static_cast<size_t>(n) * s.h + h) * s.w + w) * s.c + c];
  rb::io::WriteNpy(path, rb::io::NpyArray::From<float>(out, {s.n, s.c, s.h, s.w}));
}

// Builds at the benchmark's size, so no memory is ever planned for the file's default size.
void SetSize(rb::nn::NetSpec& spec, int batch, int size) {
  for (const rb::nn::LayerSpec& layer : spec.layers) {
    if (layer.type != "Input") continue;
    for (size_t t = 0; t < layer.top.size(); ++t) {
      int channels = layer.options.at("shape").at(t).at(1).get<int>();
      spec.SetInputShape(layer.top[t], {batch, channels, size, size});
    }
  }
}

void Export(const rb::nn::NetSpec& spec, Net& train, const std::filesystem::path& dir) {
  std::filesystem::create_directories(dir);
  rb::io::WriteFileAtomic(dir / "expanded.json", rb::nn::ExpandedJson(spec).dump(1) + "\n");
  rb::nn::SaveWeights(train, dir / "weights.safetensors", {{"model", spec.name}});
  rb::nn::BuildContext build{rb::nn::Phase::kTest, train.backend(), 1};
  build.keep = {"prob"};
  Net test(spec, build);
  rb::nn::CopyWeights(test, dir / "weights.safetensors");
  FillInputs(test, 7);
  test.Forward({rb::nn::Phase::kTest, 0, 1});
  WriteNchw(test.blob("data"), dir / "data.npy");
  WriteNchw(test.blob("label"), dir / "label.npy");
  WriteNchw(test.blob("prob"), dir / "prob.npy");
}

#if ROADBREW_HAVE_ONEDNN
double SgemmGflops(int n) {
  std::vector<float> a(static_cast<size_t>(n) * n, 1.0f), b(a), c(a.size());
  std::vector<double> rates;
  for (int rep = 0; rep < 5; ++rep) {
    auto start = Clock::now();
    dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    double seconds = std::chrono::duration<double>(Clock::now() - start).count();
    rates.push_back(2.0 * n * n * static_cast<double>(n) / seconds / 1e9);
  }
  return *std::max_element(rates.begin(), rates.end());
}
#endif

nlohmann::json Devices() {
  nlohmann::json out = nlohmann::json::array();
  try {
    for (const auto& d : rb::kernels::cuda::ListDevices()) {
      out.push_back(
          {{"index", d.index},
           {"name", d.name},
           {"compute", std::to_string(d.compute_major) + "." + std::to_string(d.compute_minor)},
           {"memory_mb", d.memory_bytes >> 20}});
    }
  } catch (const rb::Error&) {  // no CUDA in this build, no driver: no devices
  }
  return out;
}

rb::nn::Backend ParseBackend(const std::string& name) {
  if (name == "cuda") return rb::nn::Backend::kCuda;
  return name == "onednn" ? rb::nn::Backend::kOneDnn : rb::nn::Backend::kReference;
}

int Main(int argc, char** argv) {
  CLI::App app{"roadbrew engine benchmark core"};
  std::string model, backend_name = "onednn", export_dir, precision_name = "fp32";
  int batch = 2, size = 224, iterations = 5, warmup = 1, sgemm = 0;
  bool profile = false, devices = false;
  app.add_option("--model", model, "model JSON");
  app.add_option("--batch", batch)->check(CLI::PositiveNumber);
  app.add_option("--size", size)->check(CLI::PositiveNumber);
  app.add_option("--backend", backend_name)->check(CLI::IsMember({"onednn", "reference", "cuda"}));
  app.add_option("--precision", precision_name, "CUDA convolution arithmetic")
      ->check(CLI::IsMember({"fp32", "tf32", "fp16", "bf16"}));
  app.add_flag("--devices", devices, "print the CUDA devices as JSON and exit");
  app.add_option("--iterations", iterations)->check(CLI::PositiveNumber);
  app.add_option("--warmup", warmup)->check(CLI::NonNegativeNumber);
  app.add_option("--export", export_dir, "write expanded model, weights, inputs and prob here");
  app.add_flag("--profile", profile, "print the time per layer type to stderr");
  app.add_option("--sgemm", sgemm, "print the SGEMM GFLOP/s of an N x N x N product and exit");
  CLI11_PARSE(app, argc, argv);

  if (devices) {
    std::printf("%s\n", Devices().dump().c_str());
    return 0;
  }
  if (sgemm > 0) {
#if ROADBREW_HAVE_ONEDNN
    std::printf(
        "%s\n",
        nlohmann::json{{"sgemm_n", sgemm}, {"sgemm_gflops", SgemmGflops(sgemm)}}.dump().c_str());
    return 0;
#else
    std::fprintf(stderr, "engine_core: --sgemm needs the oneDNN build\n");
    return 3;
#endif
  }
  if (model.empty()) {
    std::fprintf(stderr, "engine_core: --model is required\n");
    return 2;
  }
  double baseline_rss = PeakRssMb();
  rb::nn::Backend backend = ParseBackend(backend_name);
  bool gpu = backend == rb::nn::Backend::kCuda;
  rb::nn::NetSpec spec = rb::nn::LoadNetSpec(model);
  SetSize(spec, batch, size);
  rb::nn::BuildContext build{rb::nn::Phase::kTrain, backend, 1};
  build.precision = rb::kernels::cudnn::ParsePrecision(precision_name);
  Net net(spec, build);
  if (!export_dir.empty()) Export(spec, net, export_dir);
  FillInputs(net, 7);
  if (profile && warmup == 0) net.SetProfiling(true);

  std::vector<double> seconds;
  double first_loss = 0;
  for (int i = 0; i < warmup + iterations; ++i) {
    rb::nn::RunState state{rb::nn::Phase::kTrain, static_cast<uint64_t>(i), 1};
    auto start = Clock::now();
    net.ClearParamDiffs();
    double loss = net.Forward(state);
    net.Backward(state);
    if (gpu) rb::kernels::cuda::Synchronize();
    double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    if (i == 0) first_loss = loss;
    if (i >= warmup) seconds.push_back(elapsed);
    if (profile && i + 1 == warmup) net.SetProfiling(true);
  }
  if (profile) {
    std::fprintf(stderr, "%s", net.ProfileTable().c_str());
  }
  double median = Median(seconds);
  double flops = 3.0 * 2.0 * static_cast<double>(net.ForwardMacs());  // fwd + 2x for bwd
  nlohmann::json out = {{"tool", gpu ? "roadbrew cuda " + precision_name : "roadbrew"},
                        {"backend", backend_name},
                        {"precision", precision_name},
                        {"model", spec.name},
                        {"batch", batch},
                        {"size", size},
                        {"seconds", seconds},
                        {"median_s", median},
                        {"images_per_s", batch / median},
                        {"gflops", flops / median / 1e9},
                        {"first_loss", first_loss},
                        {"baseline_rss_mb", baseline_rss},
                        {"peak_rss_mb", PeakRssMb()}};
  if (gpu) {
    rb::kernels::cuda::MemoryStats memory = rb::kernels::cuda::GetMemoryStats();
    out["device_peak_mb"] = static_cast<double>(memory.peak_cached) / (1 << 20);
    out["device_in_use_peak_mb"] = static_cast<double>(memory.peak_in_use) / (1 << 20);
    out["device_mallocs"] = memory.device_mallocs;
  }
  std::printf("%s\n", out.dump().c_str());
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "engine_core: %s\n", e.what());
    return 1;
  }
}
