// Small training fixtures built in code: tiles with bright straight roads on noisy ground, their
// manifest, a tiny Tiramisu-shaped model and a solver, for rb-train, rb-infer and rb-eval tests.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/geo/raster.hpp"

namespace rb::test {

// A Byte raster `bands` x size x size on a north-up EPSG:4326 grid at (lon0, lat0), with a road
// (value 200 in every band) on one row band or column band and noise in 20..90 elsewhere; the
// matching mask (1 road, 0 background). Deterministic in `seed`.
struct RoadTile {
  geo::Raster image;
  geo::Raster mask;
};
RoadTile MakeRoadTile(int size, int bands, uint64_t seed, double lon0 = -115.3, double lat0 = 36.2);

// Writes `count` tiles and an rb-prep style manifest (kind "tiles") under `folder`; returns the
// manifest path. Band names are the first `bands` WorldView-3 names.
std::filesystem::path WriteTileSet(const std::filesystem::path& folder, int count, int size,
                                   int bands, uint64_t seed);

// A small encoder-decoder (one transition down and up), `bands` inputs, batch 2, `size` crops.
nlohmann::json TinyModel(int bands, int size);
// Adam, quick: `max_iter` iterations, display every 2, validation and snapshots every 6.
nlohmann::json QuickSolver(int max_iter);

}  // namespace rb::test
