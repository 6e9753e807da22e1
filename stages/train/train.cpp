#include "stages/train/train.hpp"

#include <algorithm>
#include <chrono>
#include <cmath>

#include <fmt/ranges.h>

#include "common/core/cancel.hpp"
#include "common/core/check.hpp"
#include "common/core/log.hpp"
#include "common/geo/bands.hpp"
#include "common/io/safetensors.hpp"
#include "common/nn/net.hpp"
#include "common/nn/segmentation_metrics.hpp"
#include "roadbrew/kernels/threads.hpp"
#include "stages/train/batch_feeder.hpp"
#include "stages/train/train_log.hpp"

namespace rb::train {
namespace fs = std::filesystem;
namespace {

using Clock = std::chrono::steady_clock;
const std::vector<std::string> kClassNames = {"background", "road"};
constexpr uint8_t kIgnore = 255;

const nn::LayerSpec& InputLayerOf(const nn::NetSpec& spec, const std::string& blob) {
  for (const nn::LayerSpec& layer : spec.layers) {
    if (layer.type == "Input" &&
        std::find(layer.top.begin(), layer.top.end(), blob) != layer.top.end()) {
      return layer;
    }
  }
  Throw(ErrorCode::kInvalidArgument, "model '{}' has no Input layer making '{}'", spec.source,
        blob);
}

std::array<int, 4> InputShape(const nn::NetSpec& spec, const std::string& blob) {
  const nn::LayerSpec& layer = InputLayerOf(spec, blob);
  size_t index = std::find(layer.top.begin(), layer.top.end(), blob) - layer.top.begin();
  return layer.options.at("shape").at(index).get<std::array<int, 4>>();
}

// Median-frequency balancing (Eigen and Fergus 2015) from the tiles' road fractions.
std::vector<float> AutoClassWeights(const TileSet& set) {
  double road = 0;
  for (const TileRecord& tile : set.tiles) road += tile.road_fraction;
  road = std::clamp(road / set.tiles.size(), 1e-6, 1 - 1e-6);
  double median = 0.5;  // the median of two frequencies is their mean
  return {static_cast<float>(median / (1 - road)), static_cast<float>(median / road)};
}

std::vector<float> ParseClassWeights(const std::string& text, const TileSet& set) {
  if (text == "none") return {};
  if (text == "auto") return AutoClassWeights(set);
  std::vector<float> weights;
  size_t start = 0;
  while (start <= text.size()) {
    size_t comma = text.find(',', start);
    std::string item = text.substr(start, comma - start);
    try {
      weights.push_back(std::stof(item));
    } catch (const std::exception&) {
      Throw(ErrorCode::kInvalidArgument, "--class-weights '{}': '{}' is not a number", text, item);
    }
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  RB_CHECK_ARG(weights.size() == 2, "--class-weights '{}' needs 2 values (background, road)", text);
  return weights;
}

void CopyParams(const nn::Net& from, nn::Net& to) {
  auto source = from.NamedParams();
  for (const auto& [name, blob] : to.NamedParams()) {
    auto it = std::find_if(source.begin(), source.end(), [&](auto& p) { return p.first == name; });
    RB_CHECK(it != source.end() && it->second->count() == blob->count());
    std::copy_n(it->second->flat_data(), blob->count(), blob->mutable_flat_data());
  }
}

void Feed(nn::Net& net, const std::vector<float>& data, const std::vector<float>& labels) {
  nn::Blob& x = net.blob("data");
  nn::Blob& y = net.blob("label");
  RB_CHECK_EQ(static_cast<int64_t>(data.size()), x.count());
  RB_CHECK_EQ(static_cast<int64_t>(labels.size()), y.count());
  std::copy(data.begin(), data.end(), x.mutable_flat_data());
  std::copy(labels.begin(), labels.end(), y.mutable_flat_data());
}

struct Validation {
  double loss = 0;
  nn::Confusion confusion{2};
};

// Every validation tile once, in order; a short last batch is padded with ignored pixels.
Validation Validate(nn::Net& net, TileReader& reader, size_t tiles) {
  const nn::Shape shape = net.blob("data").shape();
  const size_t per_sample = static_cast<size_t>(shape.h) * shape.w;
  Validation result;
  double loss_sum = 0;
  for (size_t first = 0; first < tiles; first += shape.n) {
    std::vector<float> data(static_cast<size_t>(shape.count()), 0.0f);
    std::vector<float> labels(per_sample * shape.n, static_cast<float>(kIgnore));
    size_t count = std::min<size_t>(shape.n, tiles - first);
    for (size_t j = 0; j < count; ++j) {
      auto sample = reader.Get(first + j);
      std::transform(sample->image.begin(), sample->image.end(),
                     data.begin() + j * per_sample * shape.c,
                     [](uint8_t v) { return static_cast<float>(v) * (1.0f / 255.0f); });
      std::copy(sample->mask.begin(), sample->mask.end(), labels.begin() + j * per_sample);
    }
    Feed(net, data, labels);
    loss_sum += net.Forward({nn::Phase::kTest, 0, 0, false}) * static_cast<double>(count);
    const nn::Blob& prob = net.blob("prob");
    std::vector<uint8_t> predicted(per_sample * count), truth(per_sample * count);
    for (size_t p = 0; p < predicted.size(); ++p) {
      const float* scores = prob.flat_data() + p * prob.shape().c;
      predicted[p] =
          static_cast<uint8_t>(std::max_element(scores, scores + prob.shape().c) - scores);
      truth[p] = static_cast<uint8_t>(labels[p]);
    }
    result.confusion.Count(predicted, truth, kIgnore);
  }
  result.loss = loss_sum / static_cast<double>(tiles);
  return result;
}

std::string Duration(double seconds) {
  int s = static_cast<int>(seconds + 0.5);
  return s >= 3600 ? fmt::format("{}h{:02}m", s / 3600, s / 60 % 60)
                   : fmt::format("{}m{:02}s", s / 60, s % 60);
}

fs::path SnapshotPath(const fs::path& out, int64_t iteration) {
  return out / "snapshots" / fmt::format("iter_{}.safetensors", iteration);
}

// A snapshot given directly, or the latest one under <folder>/snapshots.
fs::path ResolveResume(const fs::path& resume) {
  if (!fs::is_directory(resume)) return resume;
  fs::path latest;
  int64_t best = -1;
  std::error_code ec;
  for (const auto& entry : fs::directory_iterator(resume / "snapshots", ec)) {
    std::string name = entry.path().filename().string();
    if (name.rfind("iter_", 0) != 0 || entry.path().extension() != ".safetensors") continue;
    int64_t iteration = std::stoll(name.substr(5));
    if (iteration > best) best = iteration, latest = entry.path();
  }
  RB_CHECK_IO(best >= 0, "no snapshot under '{}'", (resume / "snapshots").string());
  return latest;
}

}  // namespace

std::pair<nn::NetSpec, int> PrepareModel(const TrainSettings& settings, int bands) {
  nn::NetSpec spec = settings.model;
  std::array<int, 4> data = InputShape(spec, "data");
  InputLayerOf(spec, "label");
  if (data[1] != bands) {
    Throw(ErrorCode::kInvalidArgument,
          "model '{}' takes {} input bands (its 'data' is [{}]) but --bands '{}' selects {} of "
          "the tiles' bands ({})",
          spec.source, data[1], fmt::join(data, ", "), settings.bands, bands,
          fmt::join(settings.train.band_names, ","));
  }
  int crop = settings.crop > 0 ? settings.crop : data[2];
  int factor = nn::DownsamplingFactor(spec);
  RB_CHECK_ARG(crop % factor == 0, "crop {} is not a multiple of the model's downsampling {}", crop,
               factor);
  RB_CHECK_ARG(crop <= settings.train.tile_size,
               "crop {} is larger than the {}-pixel tiles of '{}'", crop, settings.train.tile_size,
               settings.train.manifest.string());
  int batch = settings.solver.batch_size;
  spec.SetInputShape("data", {batch, bands, crop, crop});
  spec.SetInputShape("label", {batch, 1, crop, crop});
  std::vector<float> weights = ParseClassWeights(settings.class_weights, settings.train);
  for (nn::LayerSpec& layer : spec.layers) {
    if (layer.type == "SoftmaxWithLoss" && !weights.empty())
      layer.options["class_weights"] = weights;
  }
  return {spec, crop};
}

nlohmann::json Train(const TrainSettings& settings, const RunContext& context) {
  const nn::SolverSpec& solver_spec = settings.solver;
  std::vector<int> bands = geo::SelectNamedBands(settings.bands, settings.train.band_names);
  std::vector<std::string> band_names;
  for (int b : bands) band_names.push_back(settings.train.band_names[b - 1]);
  auto [spec, crop] = PrepareModel(settings, static_cast<int>(bands.size()));
  kernels::SetThreads(context.threads());

  nn::BuildContext train_build{nn::Phase::kTrain, settings.backend, solver_spec.random_seed};
  train_build.precision = settings.precision;
  nn::Net net(spec, train_build);
  auto solver = nn::Solver::Create(solver_spec, net);
  nlohmann::json input = {{"bands", band_names}, {"scale", 1.0 / 255.0}};
  TrainLog log;
  double best_iou = -1, seconds_before = 0;
  int64_t best_iteration = -1, tests_since_best = 0;
  if (!settings.weights.empty()) {
    nn::CopyReport report = nn::CopyWeights(net, settings.weights);
    LogInfo("initial weights from '{}': {} copied, {} missing, {} of another shape, {} unused",
            settings.weights.string(), report.copied.size(), report.missing.size(),
            report.mismatched.size(), report.unused.size());
  }
  if (!settings.resume.empty()) {
    fs::path snapshot = ResolveResume(settings.resume);
    solver->Restore(snapshot);
    io::SafeTensorsReader reader = io::SafeTensorsReader::Open(snapshot);
    const auto& meta = reader.metadata();
    auto number = [&](const char* key, double fallback) {
      auto it = meta.find(key);
      return it == meta.end() ? fallback : std::stod(it->second);
    };
    best_iou = number("best_mean_iou", -1);
    best_iteration = static_cast<int64_t>(number("best_iteration", -1));
    tests_since_best = static_cast<int64_t>(number("tests_since_best", 0));
    seconds_before = number("seconds", 0);
    log.Load(settings.out / "train_log.csv", solver->iteration());
    LogInfo("resumed from '{}' at iteration {}", snapshot.string(), solver->iteration());
  }

  TileReader train_reader(settings.train, bands, settings.cache_bytes);
  FeedSpec feed{solver_spec.batch_size,
                {crop, settings.flips, settings.rotations},
                solver_spec.random_seed,
                3};
  const int iter_size = solver_spec.iter_size;
  BatchFeeder feeder(train_reader, settings.train.tiles.size(), feed,
                     solver->iteration() * iter_size);

  std::unique_ptr<nn::Net> val_net;
  std::unique_ptr<TileReader> val_reader;
  auto validate = [&]() -> std::optional<Validation> {
    if (!settings.val) return std::nullopt;
    if (!val_net) {
      RB_CHECK_ARG(settings.val->band_names == settings.train.band_names,
                   "validation tiles have bands {} but training tiles {}",
                   fmt::join(settings.val->band_names, ","),
                   fmt::join(settings.train.band_names, ","));
      int size = settings.val->tile_size;
      RB_CHECK_ARG(size % nn::DownsamplingFactor(spec) == 0,
                   "validation tiles of {} pixels are not a multiple of the model's downsampling",
                   size);
      nn::NetSpec test = spec;
      test.SetInputShape("data",
                         {solver_spec.batch_size, static_cast<int>(bands.size()), size, size});
      test.SetInputShape("label", {solver_spec.batch_size, 1, size, size});
      nn::BuildContext build{nn::Phase::kTest, settings.backend, solver_spec.random_seed};
      build.precision = settings.precision;
      build.keep = {"prob"};
      val_net = std::make_unique<nn::Net>(test, build);
      val_reader = std::make_unique<TileReader>(*settings.val, bands, settings.cache_bytes / 4);
    }
    CopyParams(net, *val_net);
    return Validate(*val_net, *val_reader, settings.val->tiles.size());
  };

  const nlohmann::json model_json = settings.model.source_json;
  auto snapshot = [&](double seconds) {
    fs::create_directories(settings.out / "snapshots");
    fs::path path = SnapshotPath(settings.out, solver->iteration());
    solver->Snapshot(path, model_json,
                     {{"seconds", fmt::format("{}", seconds)},
                      {"best_mean_iou", fmt::format("{}", best_iou)},
                      {"best_iteration", std::to_string(best_iteration)},
                      {"tests_since_best", std::to_string(tests_since_best)},
                      {"input", input}});
    return path;
  };

  const auto start = Clock::now();
  auto elapsed = [&] {
    return seconds_before + std::chrono::duration<double>(Clock::now() - start).count();
  };
  double loss_sum = 0;
  int64_t loss_count = 0, images_since = 0;
  auto window_start = Clock::now();
  bool interrupted = false, early_stop = false, timed_out = false;
  int64_t last_test = -1;
  std::optional<Validation> last_validation;

  auto record = [&](bool with_validation) {
    LogRow row;
    row.iteration = solver->iteration();
    row.seconds = elapsed();
    row.loss = loss_count > 0 ? loss_sum / loss_count : NAN;
    row.learning_rate = solver->LearningRate();
    double window = std::chrono::duration<double>(Clock::now() - window_start).count();
    row.images_per_second = window > 0 ? images_since / window : 0;
    if (with_validation) {
      last_validation = validate();
      last_test = solver->iteration();
      if (last_validation) {
        const nn::Confusion& c = last_validation->confusion;
        row.val_loss = last_validation->loss;
        row.road_iou = c.IoU(1);
        row.background_iou = c.IoU(0);
        row.mean_iou = c.MeanIoU();
        row.road_f1 = c.F1(1);
        LogInfo(
            "validation at {}: loss {:.4f}, IoU road {:.4f} background {:.4f} mean {:.4f}, "
            "road F1 {:.4f}",
            row.iteration, *row.val_loss, *row.road_iou, *row.background_iou, *row.mean_iou,
            *row.road_f1);
        if (*row.mean_iou > best_iou) {
          best_iou = *row.mean_iou;
          best_iteration = row.iteration;
          tests_since_best = 0;
          nn::SaveWeights(net, settings.out / "best.safetensors",
                          {{"model", model_json.dump()},
                           {"input", input},
                           {"iteration", std::to_string(row.iteration)},
                           {"validation", c.ToJson(kClassNames, 1)}});
        } else if (solver_spec.patience > 0 && ++tests_since_best >= solver_spec.patience) {
          early_stop = true;
          LogInfo("early stop: {} validations without a better mean IoU than {:.4f} (iteration {})",
                  tests_since_best, best_iou, best_iteration);
        }
      }
    }
    log.Add(row);
    log.WriteCsv(settings.out / "train_log.csv");
    log.DrawCurves(settings.out / "curves.png");
    loss_sum = 0;
    loss_count = images_since = 0;
    window_start = Clock::now();
  };

  const int64_t max_iter = solver_spec.max_iter;
  while (solver->iteration() < max_iter && !early_stop) {
    if (CancelRequested()) {
      interrupted = true;
      break;
    }
    if (settings.max_minutes > 0 && elapsed() >= 60 * settings.max_minutes) {
      timed_out = true;
      LogInfo("time limit of {} minutes reached at iteration {}", settings.max_minutes,
              solver->iteration());
      break;
    }
    double loss = solver->Step([&](int) {
      Batch batch = feeder.Next();
      Feed(net, batch.data, batch.labels);
    });
    loss_sum += loss;
    ++loss_count;
    images_since += static_cast<int64_t>(solver_spec.batch_size) * iter_size;
    const int64_t it = solver->iteration();
    bool display = solver_spec.display > 0 && it % solver_spec.display == 0;
    bool test = solver_spec.test_interval > 0 && it % solver_spec.test_interval == 0;
    if (display || test) {
      if (display) {
        double rate =
            images_since /
            std::max(std::chrono::duration<double>(Clock::now() - window_start).count(), 1e-9);
        double eta = (max_iter - it) * solver_spec.batch_size * iter_size / std::max(rate, 1e-9);
        LogInfo("iter {}/{}  loss {:.4f}  lr {:.3g}  {:.1f} img/s  ETA {}", it, max_iter,
                loss_sum / loss_count, solver->LearningRate(), rate, Duration(eta));
      }
      record(test);
    }
    if (solver_spec.snapshot > 0 && it % solver_spec.snapshot == 0) snapshot(elapsed());
  }
  if (interrupted) {
    fs::path path = snapshot(elapsed());
    LogInfo("stopped by signal {} at iteration {}; resume with --resume '{}'", CancelSignal(),
            solver->iteration(), path.string());
    ResetCancel();  // handled: the driver keeps what was written and exits 0
  } else {
    if (last_test != solver->iteration() && settings.val) record(true);
    snapshot(elapsed());
  }
  nlohmann::json figures = {{"iterations", solver->iteration()},
                            {"seconds", elapsed()},
                            {"interrupted", interrupted},
                            {"early_stop", early_stop},
                            {"time_limit", timed_out},
                            {"trainable_parameters", net.TrainableParameterCount()},
                            {"bands", band_names},
                            {"crop", crop}};
  if (best_iteration >= 0) {
    figures["best_mean_iou"] = best_iou;
    figures["best_iteration"] = best_iteration;
  }
  if (last_validation)
    figures["last_validation"] = last_validation->confusion.ToJson(kClassNames, 1);
  return figures;
}

}  // namespace rb::train
