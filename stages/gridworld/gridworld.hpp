// rb-gridworld: policies towards a goal on a road-probability map (the seed's "Gridworld 2049"),
// and a dynamic-programming solver for any small finite MDP written as JSON.
//
//   rb-gridworld map  --prob P.tif --goal x,y [--obstacles B.tif] --values V.tif --policy A.tif
//                     --quiver Q.png --summary S.json
//   rb-gridworld mdp  --mdp M.json --solver value|policy|evaluate --out R.json
//
// The model is described in grid_world.hpp, the solvers in grid_solvers.hpp and
// finite_mdp_solvers.hpp, the files and codes in README.md.
#pragma once

#include "common/cli/stage.hpp"

namespace rb::gridworld {

cli::StageDescriptor MapCommand();
cli::StageDescriptor MdpCommand();
cli::CommandSet GridworldCommands();

}  // namespace rb::gridworld
