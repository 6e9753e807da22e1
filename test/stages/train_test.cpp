// rb-train: data order and augmentation, manifest checks, and the binary: a run that learns,
// resumes bit-identically (after --max-iter and after SIGTERM), and refuses bad inputs early.
#include <catch2/catch.hpp>

#include <signal.h>

#include <chrono>
#include <set>
#include <string>
#include <thread>

#include "common/io/files.hpp"
#include "common/io/safetensors.hpp"
#include "stages/train/batch_feeder.hpp"
#include "stages/train/train.hpp"
#include "test/stages/learning_fixtures.hpp"
#include "test/support/test_support.hpp"

namespace rb::train {
namespace {

namespace fs = std::filesystem;
using test::ProcessResult;
using test::TempDir;

TEST_CASE("Every epoch visits every tile once in a seeded order", "[train]") {
  const size_t tiles = 13;
  std::vector<size_t> first, second;
  for (int64_t k = 0; k < 13; ++k) first.push_back(SampleTile(5, k, tiles));
  for (int64_t k = 13; k < 26; ++k) second.push_back(SampleTile(5, k, tiles));
  CHECK(std::set<size_t>(first.begin(), first.end()).size() == tiles);
  CHECK(std::set<size_t>(second.begin(), second.end()).size() == tiles);
  CHECK(first != second);
  CHECK(SampleTile(5, 20, tiles) == second[7]);
  bool other_seed_differs = SampleTile(6, 0, tiles) != SampleTile(5, 0, tiles) ||
                            SampleTile(6, 1, tiles) != SampleTile(5, 1, tiles);
  CHECK(other_seed_differs);
}

TEST_CASE("Augmentation moves image and mask together", "[train]") {
  Sample tile;
  tile.size = 8;
  tile.bands = 2;
  for (int p = 0; p < 64; ++p) {
    tile.mask.push_back(static_cast<uint8_t>(p % 3 == 0));
    tile.image.push_back(static_cast<uint8_t>(p));                        // band 0: position
    tile.image.push_back(static_cast<uint8_t>(100 + 50 * tile.mask[p]));  // band 1: the mask
  }
  std::set<std::string> seen;  // (a set of byte vectors trips a GCC 12 -Wstringop-overread)
  for (uint64_t stream = 0; stream < 40; ++stream) {
    RandomStream random(1, stream);
    Sample out = Augment(tile, {6, true, true}, random);
    REQUIRE(out.size == 6);
    for (int p = 0; p < 36; ++p) {
      uint8_t source = out.image[p * 2];
      REQUIRE(out.image[p * 2 + 1] == 100 + 50 * tile.mask[source]);
      REQUIRE(out.mask[p] == tile.mask[source]);
    }
    // A rigid transform: neighbours stay neighbours.
    int step = std::abs(out.image[2] - out.image[0]);
    CHECK((step == 1 || step == 8));
    seen.insert(std::string(out.image.begin(), out.image.end()));
  }
  CHECK(seen.size() > 20);  // crops, flips and rotations all vary
}

TEST_CASE("Tile manifests are checked before anything is trained", "[train]") {
  TempDir dir;
  fs::path manifest = test::WriteTileSet(dir.path(), 3, 16, 3, 1);
  TileSet set = LoadTileManifest(manifest);
  CHECK(set.tiles.size() == 3);
  CHECK(set.band_names == std::vector<std::string>{"Coastal", "Blue", "Green"});
  CHECK(set.tiles[0].image == dir / "tiles" / "AOI_2_Vegas_img1.tif");

  fs::remove(dir / "tiles" / "AOI_2_Vegas_img2_mask.tif");
  CHECK_THROWS_WITH(LoadTileManifest(manifest),
                    Catch::Contains("names '" + (dir / "tiles/AOI_2_Vegas_img2_mask.tif").string() +
                                    "' (tiles[1]), which does not exist"));
  fs::path other = test::WriteTileSet(dir / "four", 1, 16, 4, 2);
  fs::copy_file(dir / "four/tiles/AOI_2_Vegas_img1.tif", dir / "tiles/AOI_2_Vegas_img2.tif",
                fs::copy_options::overwrite_existing);
  fs::copy_file(dir / "four/tiles/AOI_2_Vegas_img1_mask.tif",
                dir / "tiles/AOI_2_Vegas_img2_mask.tif");
  CHECK_THROWS_WITH(LoadTileManifest(manifest),
                    Catch::Contains("AOI_2_Vegas_img2.tif' has 4 bands, the manifest's tiles 3"));
  (void)other;
}

TEST_CASE("Batches are a function of the seed and the batch number", "[train]") {
  TempDir dir;
  TileSet set = LoadTileManifest(test::WriteTileSet(dir.path(), 5, 16, 3, 4));
  TileReader reader(set, {1, 2, 3}, 1 << 20);
  FeedSpec spec{2, {8, true, true}, 9, 2};
  Batch direct = AssembleBatch(reader, set.tiles.size(), spec, 3);
  BatchFeeder feeder(reader, set.tiles.size(), spec, 2);
  Batch second = feeder.Next();
  Batch third = feeder.Next();
  CHECK(second.number == 2);
  CHECK(third.number == 3);
  CHECK(third.data == direct.data);
  CHECK(third.labels == direct.labels);
  CHECK(direct.data.size() == 2u * 8 * 8 * 3);
  CHECK(*std::max_element(direct.data.begin(), direct.data.end()) <= 1.0f);
}

// --- the binary -------------------------------------------------------------------------------

struct TrainFixture {
  TempDir dir;
  fs::path train, val, model, solver;
  explicit TrainFixture(int max_iter = 12, int bands = 3) {
    train = test::WriteTileSet(dir / "train", 8, 16, bands, 1);
    val = test::WriteTileSet(dir / "val", 3, 16, bands, 2);
    model = dir / "model.json";
    solver = dir / "solver.json";
    test::WriteText(model, test::TinyModel(bands, 16).dump());
    test::WriteText(solver, test::QuickSolver(max_iter).dump());
  }
  std::vector<std::string> Args(const fs::path& out) const {
    return {RB_TRAIN_PATH,
            "--model",
            model.string(),
            "--solver",
            solver.string(),
            "--train",
            train.string(),
            "--val",
            val.string(),
            "--out",
            out.string(),
            "--threads",
            "2",
            "-q"};
  }
};

ProcessResult Train(const TrainFixture& f, const fs::path& out,
                    std::vector<std::string> extra = {}) {
  std::vector<std::string> args = f.Args(out);
  args.insert(args.end(), extra.begin(), extra.end());
  return test::RunProcess(args);
}

std::string ParamBytes(const fs::path& snapshot) {
  io::SafeTensorsReader reader = io::SafeTensorsReader::Open(snapshot);
  std::string bytes;
  for (const std::string& name : reader.names()) {
    if (name.rfind("param/", 0) != 0) continue;
    auto values = reader.Get(name).as<float>();
    bytes.append(reinterpret_cast<const char*>(values.data()), values.size_bytes());
  }
  return bytes;
}

TEST_CASE("rb-train learns roads and keeps its outputs", "[train][e2e]") {
  TrainFixture f(36);
  ProcessResult run = Train(f, f.dir / "out");
  INFO(run.err);
  REQUIRE(run.exit_code == 0);
  for (const char* file :
       {"best.safetensors", "train_log.csv", "curves.png", "snapshots/iter_36.safetensors"}) {
    CHECK(fs::exists(f.dir / "out" / file));
  }
  std::string log = test::ReadText(f.dir / "out/train_log.csv");
  CHECK_THAT(log, Catch::StartsWith("iteration,seconds,loss,learning_rate"));
  CHECK(std::count(log.begin(), log.end(), '\n') == 1 + 18);  // a row every 2 iterations
  io::SafeTensorsReader best = io::SafeTensorsReader::Open(f.dir / "out/best.safetensors");
  auto input = nlohmann::json::parse(best.metadata().at("input"));
  CHECK(input["bands"] == nlohmann::json({"Coastal", "Blue", "Green"}));
  auto validation = nlohmann::json::parse(best.metadata().at("validation"));
  CHECK(validation["iou"]["road"].get<double>() > 0.5);  // bright stripes are easy
  auto report = nlohmann::json::parse(test::ReadText(f.dir / "out/train.report.json"));
  CHECK(report["figures"]["iterations"] == 36);
}

TEST_CASE("A run stopped at an iteration and resumed ends with the same weights", "[train][e2e]") {
  TrainFixture f(12);
  REQUIRE(Train(f, f.dir / "whole").exit_code == 0);
  REQUIRE(Train(f, f.dir / "split", {"--max-iter", "5"}).exit_code == 0);
  ProcessResult resumed = Train(f, f.dir / "split", {"--resume", (f.dir / "split").string()});
  INFO(resumed.err);
  REQUIRE(resumed.exit_code == 0);
  CHECK(ParamBytes(f.dir / "split/snapshots/iter_12.safetensors") ==
        ParamBytes(f.dir / "whole/snapshots/iter_12.safetensors"));
  // The log continues where the snapshot was taken.
  std::string log = test::ReadText(f.dir / "split/train_log.csv");
  CHECK(log.find("\n4,") != std::string::npos);
  CHECK(log.find("\n6,") != std::string::npos);
}

TEST_CASE("SIGTERM writes a snapshot and exits 0 and resuming ends where an unbroken run ends",
          "[train][e2e]") {
  TrainFixture f(400);
  TempDir logs;
  pid_t pid = test::StartProcess(f.Args(f.dir / "run"), logs.path());
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (!fs::exists(f.dir / "run/train_log.csv") && std::chrono::steady_clock::now() < deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  kill(pid, SIGTERM);
  ProcessResult stopped = test::WaitProcess(pid, logs.path());
  INFO(stopped.err);
  REQUIRE(stopped.exit_code == 0);
  int64_t stopped_at = -1;
  for (const auto& entry : fs::directory_iterator(f.dir / "run/snapshots")) {
    std::string name = entry.path().stem().string();  // iter_<N>
    stopped_at = std::max<int64_t>(stopped_at, std::stoll(name.substr(5)));
  }
  REQUIRE(stopped_at > 0);
  auto report = nlohmann::json::parse(test::ReadText(f.dir / "run/train.report.json"));
  CHECK(report["figures"]["interrupted"] == true);
  CHECK(report["figures"]["iterations"] == stopped_at);
  // Resumed and unbroken runs both go on to the same iteration.
  std::string target = std::to_string(stopped_at + 10);
  REQUIRE(Train(f, f.dir / "run", {"--resume", (f.dir / "run").string(), "--max-iter", target})
              .exit_code == 0);
  REQUIRE(Train(f, f.dir / "unbroken", {"--max-iter", target}).exit_code == 0);
  CHECK(ParamBytes(f.dir / ("run/snapshots/iter_" + target + ".safetensors")) ==
        ParamBytes(f.dir / ("unbroken/snapshots/iter_" + target + ".safetensors")));
}

TEST_CASE("rb-train refuses bad inputs before training", "[train]") {
  TrainFixture f(4);
  ProcessResult bands = Train(f, f.dir / "a", {"--bands", "red,green"});
  CHECK(bands.exit_code == 2);
  CHECK_THAT(bands.err, Catch::Contains("band Red ('red' in 'red,green') is not among the bands "
                                        "Coastal,Blue,Green"));
  CHECK_FALSE(fs::exists(f.dir / "a/snapshots"));

  test::WriteText(f.model, test::TinyModel(5, 16).dump());
  ProcessResult channels = Train(f, f.dir / "b");
  CHECK(channels.exit_code == 2);
  CHECK_THAT(channels.err, Catch::Contains("takes 5 input bands") &&
                               Catch::Contains("selects 3 of the tiles' bands"));

  test::WriteText(f.model, test::TinyModel(3, 16).dump());
  fs::remove(f.dir / "train/tiles/AOI_2_Vegas_img3.tif");
  ProcessResult missing = Train(f, f.dir / "c");
  CHECK(missing.exit_code == 1);
  CHECK_THAT(missing.err,
             Catch::Contains("AOI_2_Vegas_img3.tif' (tiles[2]), which does not exist"));
  CHECK(std::count(missing.err.begin(), missing.err.end(), '\n') == 1);
}

}  // namespace
}  // namespace rb::train
