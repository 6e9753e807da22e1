// Solvers: update rules by hand, learning-rate policies, a toy problem trained to near-zero
// loss, iter_size, freezing, fine-tuning and bit-identical resume from snapshots.
#include <catch2/catch.hpp>

#include <cmath>

#include "common/core/rng.hpp"
#include "common/nn/solver.hpp"
#include "roadbrew/kernels/solver_update.hpp"
#include "test/support/test_support.hpp"

namespace rb::nn {
namespace {

using json = nlohmann::json;

TEST_CASE("Update rules follow their formulas", "[nn][solver]") {
  using namespace kernels::ops;
  float w = 1.0f, h = 0.5f;
  SgdStep(w, 2.0f, h, 0.1f, 0.9f);  // h = 0.45 + 0.2
  CHECK(h == Approx(0.65));
  CHECK(w == Approx(0.35));
  w = 1.0f, h = 0.5f;
  NesterovStep(w, 2.0f, h, 0.1f, 0.9f);  // w -= 1.9 * 0.65 - 0.9 * 0.5
  CHECK(w == Approx(1.0 - (1.9 * 0.65 - 0.45)));
  w = 1.0f, h = 1.0f;
  AdaGradStep(w, 2.0f, h, 0.1f, 1e-8f);  // h = 5
  CHECK(w == Approx(1.0 - 0.2 / std::sqrt(5.0)));
  w = 1.0f, h = 1.0f;
  RmsPropStep(w, 2.0f, h, 0.01f, 0.9f, 1e-6f, true);  // h = 0.9 + 0.4 = 1.3
  CHECK(w == Approx(1.0 - 0.02 / std::sqrt(1.3 + 1e-6)));
  float m = 0, v = 0;
  w = 1.0f;
  AdamStep(w, 2.0f, m, v, 0.001f, 0.9f, 0.999f, 1e-8f);
  CHECK(m == Approx(0.2));
  CHECK(v == Approx(0.004).epsilon(1e-4));  // 1 - 0.999f is 1.00005e-3 in float
}

json SolverJson(json extra) {
  json base = {{"schema_version", 1}, {"type", "SGD"}, {"base_lr", 0.1}, {"momentum", 0.0}};
  base.update(extra);
  return base;
}

// Conv 3x3 -> ReLU -> conv 3x3 -> ReLU -> 1x1 classifier; `bn` adds a BatchNorm.
json ToyNet(int batch, bool bn, double dropout = 0.0) {
  json filler = {{"type", "msra"}};
  json layers = {
      {{"name", "data"},
       {"type", "Input"},
       {"top", {"data", "label"}},
       {"input", {{"shape", {{batch, 1, 16, 16}, {batch, 1, 16, 16}}}}}},
      {{"name", "c1"},
       {"type", "Convolution"},
       {"bottom", "data"},
       {"top", "c1"},
       {"convolution",
        {{"num_output", 8}, {"kernel_size", 3}, {"pad", 1}, {"weight_filler", filler}}}}};
  std::string last = "c1";
  if (bn) {
    layers.push_back({{"name", "bn"}, {"type", "BatchNorm"}, {"bottom", "c1"}, {"top", "bn"}});
    last = "bn";
  }
  layers.push_back({{"name", "r1"}, {"type", "ReLU"}, {"bottom", last}, {"top", last}});
  if (dropout > 0) {
    layers.push_back({{"name", "drop"},
                      {"type", "Dropout"},
                      {"bottom", last},
                      {"top", "dropped"},
                      {"dropout", {{"ratio", dropout}}}});
    last = "dropped";
  }
  layers.push_back(
      {{"name", "c2"},
       {"type", "Convolution"},
       {"bottom", last},
       {"top", "c2"},
       {"convolution",
        {{"num_output", 8}, {"kernel_size", 3}, {"pad", 1}, {"weight_filler", filler}}}});
  layers.push_back({{"name", "r2"}, {"type", "ReLU"}, {"bottom", "c2"}, {"top", "c2"}});
  layers.push_back(
      {{"name", "score"},
       {"type", "Convolution"},
       {"bottom", "c2"},
       {"top", "score"},
       {"convolution", {{"num_output", 2}, {"kernel_size", 1}, {"weight_filler", filler}}}});
  layers.push_back({{"name", "loss"},
                    {"type", "SoftmaxWithLoss"},
                    {"bottom", {"score", "label"}},
                    {"top", "loss"}});
  return {{"schema_version", 1}, {"name", "toy"}, {"layers", layers}};
}

// Images of bright disks on noise; labels mark the disks. Batch `index` is a pure function of it.
void FeedDisks(Net& net, uint64_t index, int first = 0) {
  Blob& data = net.blob("data");
  Blob& label = net.blob("label");
  const Shape& s = data.shape();
  for (int n = 0; n < s.n; ++n) {
    RandomStream random(1234, index * 64 + static_cast<uint64_t>(n + first));
    double cx = random.Uniform(4, 12), cy = random.Uniform(4, 12), r = random.Uniform(2, 5);
    for (int y = 0; y < s.h; ++y) {
      for (int x = 0; x < s.w; ++x) {
        bool inside = (x - cx) * (x - cx) + (y - cy) * (y - cy) <= r * r;
        int64_t i = (static_cast<int64_t>(n) * s.h + y) * s.w + x;
        data.mutable_flat_data()[i] =
            (inside ? 1.0f : 0.0f) + 0.3f * static_cast<float>(random.Normal());
        label.mutable_flat_data()[i] = inside ? 1.0f : 0.0f;
      }
    }
  }
}

TEST_CASE("A toy segmentation problem trains to near-zero loss", "[nn][solver]") {
  Net net(ParseNetSpec(ToyNet(4, true), "toy"), {Phase::kTrain, Backend::kReference, 3});
  auto solver = Solver::Create(
      SolverSpec::Parse(
          SolverJson({{"type", "Adam"}, {"base_lr", 0.01}, {"momentum", 0.9}, {"random_seed", 5}}),
          "adam"),
      net);
  double first = 0, last = 0;
  for (int i = 0; i < 300; ++i) {
    double loss = solver->Step([&](int) { FeedDisks(net, static_cast<uint64_t>(i)); });
    if (i == 0) first = loss;
    last = loss;
  }
  INFO("loss " << first << " -> " << last);
  CHECK(first > 0.3);
  CHECK(last < 0.05);
}

TEST_CASE("Learning-rate policies", "[nn][solver]") {
  Net net(ParseNetSpec(ToyNet(1, false), "toy"), {});
  auto rate = [&](json extra, int64_t iteration) {
    auto solver = Solver::Create(SolverSpec::Parse(SolverJson(extra), "s"), net);
    for (int64_t i = 0; i < iteration; ++i) solver->Step([&](int) { FeedDisks(net, 0); });
    return solver->LearningRate();
  };
  CHECK(rate({{"lr_policy", "step"}, {"gamma", 0.5}, {"stepsize", 2}}, 5) == Approx(0.1 * 0.25));
  CHECK(rate({{"lr_policy", "multistep"}, {"gamma", 0.1}, {"stepvalue", {1, 3}}}, 3) ==
        Approx(0.001));
  CHECK(rate({{"lr_policy", "exp"}, {"gamma", 0.9}}, 2) == Approx(0.081));
  CHECK(rate({{"lr_policy", "inv"}, {"gamma", 0.5}, {"power", 2}}, 2) == Approx(0.1 / 4));
  CHECK(rate({{"lr_policy", "poly"}, {"power", 1}, {"max_iter", 4}}, 1) == Approx(0.075));
  CHECK(rate({{"lr_policy", "cosine"}, {"max_iter", 4}}, 2) == Approx(0.05));
  CHECK(rate({{"lr_policy", "exp_epoch"}, {"gamma", 0.995}, {"epoch_iters", 2}}, 5) ==
        Approx(0.1 * 0.995 * 0.995));
  CHECK_THROWS_WITH(SolverSpec::Parse(SolverJson({{"lr_polcy", "step"}}), "s.json"),
                    Catch::Contains("unknown key 'lr_polcy' in 's.json'"));
  CHECK_THROWS_WITH(SolverSpec::Parse(SolverJson({{"type", "LBFGS"}}), "s.json"),
                    Catch::Contains("unknown solver type 'LBFGS'"));
}

TEST_CASE("iter_size accumulates gradients like one larger batch", "[nn][solver]") {
  Net whole(ParseNetSpec(ToyNet(4, false), "a"), {Phase::kTrain, Backend::kReference, 3});
  Net halves(ParseNetSpec(ToyNet(2, false), "b"), {Phase::kTrain, Backend::kReference, 3});
  auto one = Solver::Create(SolverSpec::Parse(SolverJson(json::object()), "s"), whole);
  auto two = Solver::Create(SolverSpec::Parse(SolverJson({{"iter_size", 2}}), "s"), halves);
  one->Step([&](int) { FeedDisks(whole, 0); });
  two->Step([&](int pass) { FeedDisks(halves, 0, 2 * pass); });
  for (size_t i = 0; i < whole.learnable_params().size(); ++i) {
    const Blob& a = *whole.learnable_params()[i].blob;
    const Blob& b = *halves.learnable_params()[i].blob;
    for (int64_t k = 0; k < a.count(); ++k)
      REQUIRE(a.flat_data()[k] == Approx(b.flat_data()[k]).margin(1e-6));
  }
}

TEST_CASE("Weight decay, clipping and lr_mult 0", "[nn][solver]") {
  json frozen = ToyNet(2, false);
  frozen["layers"][1]["param"] = {{{"lr_mult", 0}}, {{"lr_mult", 0}}};
  Net net(ParseNetSpec(frozen, "frozen"), {Phase::kTrain, Backend::kReference, 3});
  std::vector<float> before(net.layer("c1")->params()[0]->flat_data(),
                            net.layer("c1")->params()[0]->flat_data() + 72);
  auto solver = Solver::Create(
      SolverSpec::Parse(SolverJson({{"weight_decay", 0.01}, {"clip_gradients", 0.5}}), "s"), net);
  std::vector<float> score_before(net.layer("score")->params()[0]->flat_data(),
                                  net.layer("score")->params()[0]->flat_data() + 16);
  solver->Step([&](int) { FeedDisks(net, 0); });
  CHECK(std::equal(before.begin(), before.end(), net.layer("c1")->params()[0]->flat_data()));
  // Clipped: the whole update has norm lr * 0.5.
  double squares = 0;
  for (const LearnableParam& p : net.learnable_params()) {
    if (p.lr_mult == 0) continue;
    for (int64_t k = 0; k < p.blob->count(); ++k) squares += std::pow(p.blob->flat_diff()[k], 2);
  }
  CHECK(std::sqrt(squares) == Approx(0.5).epsilon(1e-4));
  const float* score = net.layer("score")->params()[0]->flat_data();
  CHECK(score[0] != score_before[0]);
}

TEST_CASE("A resumed run continues bit-identically and fine-tuning copies by name",
          "[nn][solver]") {
  test::TempDir dir;
  json model = ToyNet(2, true, 0.3);
  json solver_json = SolverJson({{"type", "RMSProp"},
                                 {"base_lr", 0.01},
                                 {"delta", 1e-6},
                                 {"delta_inside_sqrt", true},
                                 {"random_seed", 9}});
  auto run = [&](Net& net, Solver& solver, int64_t until, std::vector<double>& losses) {
    while (solver.iteration() < until) {
      uint64_t i = static_cast<uint64_t>(solver.iteration());
      losses.push_back(solver.Step([&](int) { FeedDisks(net, i); }));
    }
  };
  Net straight(ParseNetSpec(model, "m"), {Phase::kTrain, Backend::kReference, 3});
  auto straight_solver = Solver::Create(SolverSpec::Parse(solver_json, "s"), straight);
  std::vector<double> straight_losses, resumed_losses;
  run(straight, *straight_solver, 12, straight_losses);

  Net first(ParseNetSpec(model, "m"), {Phase::kTrain, Backend::kReference, 3});
  auto first_solver = Solver::Create(SolverSpec::Parse(solver_json, "s"), first);
  run(first, *first_solver, 5, resumed_losses);
  first_solver->Snapshot(dir / "iter5.safetensors", model);
  Net second(ParseNetSpec(model, "m"), {Phase::kTrain, Backend::kReference, 77});  // other init
  auto second_solver = Solver::Create(SolverSpec::Parse(solver_json, "s"), second);
  second_solver->Restore(dir / "iter5.safetensors");
  CHECK(second_solver->iteration() == 5);
  run(second, *second_solver, 12, resumed_losses);
  CHECK(resumed_losses == straight_losses);
  for (size_t i = 0; i < straight.NamedParams().size(); ++i) {
    const Blob& a = *straight.NamedParams()[i].second;
    const Blob& b = *second.NamedParams()[i].second;
    CHECK(std::equal(a.flat_data(), a.flat_data() + a.count(), b.flat_data()));
  }

  // Fine-tuning into a net with a renamed classifier of another size.
  json other = model;
  other["layers"].back()["bottom"] = {"head", "label"};
  other["layers"][other["layers"].size() - 2]["name"] = "head";
  other["layers"][other["layers"].size() - 2]["top"] = "head";
  other["layers"][other["layers"].size() - 2]["convolution"]["num_output"] = 3;
  Net tuned(ParseNetSpec(other, "other"), {Phase::kTrain, Backend::kReference, 3});
  CopyReport report = CopyWeights(tuned, dir / "iter5.safetensors");
  CHECK(report.missing == std::vector<std::string>{"head/weights", "head/bias"});
  CHECK(report.unused == std::vector<std::string>{"score/bias", "score/weights"});
  CHECK(report.copied.size() == 8);  // c1, bn (4 incl. running stats), c2
  CHECK_THROWS_WITH(second_solver->Restore(dir / "missing.safetensors"),
                    Catch::Contains("cannot open"));
}

}  // namespace
}  // namespace rb::nn
