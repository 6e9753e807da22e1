// Band selection by presets, names and numbers, in full WorldView-3 products and in prepared
// rasters holding a subset of the bands.
#include <catch2/catch.hpp>

#include "common/geo/bands.hpp"

namespace rb::geo {
namespace {

using Bands = std::vector<int>;

TEST_CASE("Band presets, names and numbers in 8-band products", "[geo][bands]") {
  CHECK(ParseBandSelection("ms8", 8) == Bands{1, 2, 3, 4, 5, 6, 7, 8});
  CHECK(ParseBandSelection("rgb", 8) == Bands{5, 3, 2});
  CHECK(ParseBandSelection("rnir", 8) == Bands{6, 7, 8});
  CHECK(ParseBandSelection("Red, NIR1,2", 8) == Bands{5, 7, 2});
  CHECK(ParseBandSelection("all", 3) == Bands{1, 2, 3});
  CHECK_THROWS_WITH(ParseBandSelection("red,nir3", 8), Catch::Contains("unknown band 'nir3'"));
  CHECK_THROWS_WITH(ParseBandSelection("rgb", 3), Catch::Contains("band 5 of 'rgb'"));
  CHECK(WorldView3BandName(6) == "RedEdge");
}

TEST_CASE("Named selections find their bands in a prepared subset", "[geo][bands]") {
  std::vector<std::string> rnir = {"RedEdge", "NIR1", "NIR2"};
  CHECK(SelectNamedBands("rnir", rnir) == Bands{1, 2, 3});
  CHECK(SelectNamedBands("nir2,rededge", rnir) == Bands{3, 1});
  CHECK(SelectNamedBands("all", rnir) == Bands{1, 2, 3});
  CHECK(SelectNamedBands("2", rnir) == Bands{2});
  std::vector<std::string> ms8 = {"Coastal", "Blue",    "Green", "Yellow",
                                  "Red",     "RedEdge", "NIR1",  "NIR2"};
  CHECK(SelectNamedBands("rnir", ms8) == Bands{6, 7, 8});
  CHECK_THROWS_WITH(SelectNamedBands("rgb", rnir),
                    Catch::Contains("band Red ('rgb' in 'rgb') is not among the bands "
                                    "RedEdge,NIR1,NIR2"));
  CHECK_THROWS_WITH(SelectNamedBands("4", rnir), Catch::Contains("band 4 of '4' does not exist"));
}

}  // namespace
}  // namespace rb::geo
