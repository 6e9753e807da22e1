// rb-synth: SpaceNet 3 look-alike AOIs, rendered around real road graphs (or procedural ones),
// in either SpaceNet release layout, so that every later stage reads synthetic and real data
// through the same code.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <vector>

#include "common/cli/stage.hpp"
#include "common/geo/georef.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/geo/spacenet_dataset.hpp"
#include "stages/synth/scene.hpp"
#include "stages/synth/sensor.hpp"

namespace rb::synth {

struct SynthOptions {
  const CityStyle* style = nullptr;
  int images = 24;
  uint64_t seed = 0;
  geo::SpaceNetLayout layout = geo::SpaceNetLayout::kOriginal;
  bool test_split = false;         // Roads_Test_Public: imagery only, labels kept under truth/
  bool procedural = false;         // procedural roads instead of the real graphs
  int size = 1300;                 // pixels per tile side (real graphs need 1300)
  std::filesystem::path road_csv;  // summaryData CSV with the real graphs (real roads only)
};

// One image to render: its id, its label centerlines (pixels) and where it lies.
struct ImagePlan {
  std::string image_id;  // "AOI_2_Vegas_img699"
  int64_t number = 0;    // 699
  std::vector<geo::LineString> lines;
  geo::GeoReference georef;
  GroundScale scale;
};

// Chooses the images (a seeded sample of the real graphs of the city, or procedural networks)
// and places each on the city's tile grid. Throws kInvalidArgument when more images are asked
// for than real graphs exist.
std::vector<ImagePlan> PlanImages(const SynthOptions& options);

struct SynthImage {
  std::vector<SynthRoad> roads;
  Scene scene;
  Imagery imagery;
  std::vector<geo::RoadFeature> labels;  // lon/lat, SpaceNet schema
};

// Renders one planned image; a pure function of (options.seed, plan).
SynthImage RenderImage(const ImagePlan& plan, const SynthOptions& options);

// The stage: descriptor for the driver and its Run function.
cli::StageDescriptor SynthStage();

}  // namespace rb::synth
