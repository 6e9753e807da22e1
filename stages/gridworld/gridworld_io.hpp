// rb-gridworld's files: obstacle masks and warm-start values in, value and policy rasters and the
// quiver picture out.
#pragma once

#include <filesystem>
#include <span>
#include <vector>

#include "common/geo/display_image.hpp"
#include "common/geo/probability_map.hpp"
#include "stages/gridworld/grid_solvers.hpp"

namespace rb::gridworld {

// One byte per map pixel, 1 = obstacle: non-zero samples of band 1 of a raster or of a 2-D NPY
// (nodata and NaN are not obstacles). Throws kInvalidArgument when its size differs from the
// map's, kIo when it cannot be read.
std::vector<uint8_t> ReadObstacleMask(const std::filesystem::path& path,
                                      const geo::ProbabilityMap& map);

// Values of a previous run ((height, width) cells, as --values wrote them) to start from.
// Nodata/NaN are allowed on cells that are not states. Throws kInvalidArgument naming the file
// and the cell for a size mismatch or a missing or non-finite value on a state.
std::vector<double> ReadCellValues(const std::filesystem::path& path, const GridWorld& world);

// The georeference of the cell grid: the map's, with pixels `cell` times larger.
geo::GeoReference CellGeoReference(const geo::ProbabilityMap& map, int cell);

// Values (float32 or float64, nodata NaN) and policy codes (Byte, nodata 255) as GeoTIFF, or as
// NPY when the path ends in ".npy".
void WriteValues(const std::filesystem::path& path, const GridSolution& solution,
                 const GridWorld& world, const geo::GeoReference& georef, bool float64);
void WritePolicy(const std::filesystem::path& path, const GridSolution& solution,
                 const GridWorld& world, const geo::GeoReference& georef);

// The policy as arrows over `background` (the map's size in pixels): one arrow per block of
// `spacing` cells (0: about 48 arrows across), obstacles shaded, cells without a route marked
// by a grey dot, the goals as red discs. Small maps are enlarged so arrows stay legible.
void WriteQuiver(const std::filesystem::path& path, const geo::RgbImage& background,
                 const GridWorld& world, const GridSolution& solution,
                 std::span<const geo::PixelPoint> goals, int spacing);

}  // namespace rb::gridworld
