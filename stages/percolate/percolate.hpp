// rb-percolate: percolation questions on a road-probability map, where every pixel is road with
// its probability, independently.
//
//   rb-percolate mc            Monte Carlo: P(A <-> B) for point pairs with Wilson intervals and
//                              early stopping, the connectivity field of a source (GeoTIFF),
//                              cluster statistics, PNG renders
//   rb-percolate is-connected  the deterministic yes/no on the mask p >= threshold
//   rb-percolate sweep         Newman-Ziff: spanning probability against p on a uniform lattice,
//                              or against a scale factor on the map
//
// Connectivity (4: edge neighbours, 8: edges and corners) is stated in every output.
// The parts: bernoulli_field (Philox realizations), run_labels (components), monte_carlo,
// site_clusters + newman_ziff (sweeps), intervals, render.
#pragma once

#include <nlohmann/json.hpp>

#include "common/cli/stage.hpp"
#include "common/geo/probability_map.hpp"
#include "stages/percolate/monte_carlo.hpp"

namespace rb::percolate {

cli::CommandSet PercolateCommands();

// The command bodies (percolate_stage.cpp declares their parameters).
nlohmann::json RunMonteCarloCommand(const Params& params, cli::StageOutputs& outputs,
                                    RunContext& context);
nlohmann::json RunIsConnectedCommand(const Params& params, cli::StageOutputs& outputs,
                                     RunContext& context);
nlohmann::json RunSweepCommand(const Params& params, cli::StageOutputs& outputs,
                               RunContext& context);

// Shared by the commands: the map named by --prob/--band, the pairs of --from/--to (one --from
// point pairs with every --to point) and a single point parameter, in --points units.
geo::ProbabilityMap LoadMap(const Params& params);
std::vector<PointPair> PairsFromParams(const geo::ProbabilityMap& map, const Params& params);
// JSON of a pixel: {"col", "row"} plus "lon", "lat" when the map is georeferenced.
nlohmann::json PointJson(const geo::ProbabilityMap& map, geo::PixelPoint point);
nlohmann::json ConnectivityJson(Connectivity connectivity);
// Writes `result` to --out when given, and to stdout.
void EmitJson(const nlohmann::json& result, cli::StageOutputs& outputs);

}  // namespace rb::percolate
