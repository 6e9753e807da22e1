// rb-prep list: the images of a SpaceNet dataset (either layout) as a table, so that scripts and
// the Make DAG can write one rule per image without knowing the layout's file names.
#include <map>
#include <sstream>

#include "common/core/check.hpp"
#include "common/geo/spacenet_dataset.hpp"
#include "common/io/files.hpp"
#include "stages/prep/prep.hpp"

namespace rb::prep {
namespace fs = std::filesystem;
namespace {

const std::map<std::string, geo::SpaceNetProduct> kProducts = {
    {"ms", geo::SpaceNetProduct::kMulPanSharpen},
    {"rgb", geo::SpaceNetProduct::kRgbPanSharpen},
    {"pan", geo::SpaceNetProduct::kPan},
    {"mul", geo::SpaceNetProduct::kMul}};

nlohmann::json RunList(const Params& params, cli::StageOutputs& outputs, RunContext&) {
  geo::SpaceNetProduct product = kProducts.at(params.GetString("product"));
  std::ostringstream table;
  table << "image_id\taoi\timage\tlabels\tsummary_csv\n";
  size_t rows = 0, without_labels = 0;
  for (const geo::SpaceNetAoi& aoi : geo::DiscoverSpaceNet(params.GetPath("images"))) {
    std::string summary = aoi.summary_csvs.empty() ? "" : aoi.summary_csvs.front().string();
    for (const geo::SpaceNetImage& image : aoi.images) {
      auto raster = image.rasters.find(product);
      if (raster == image.rasters.end()) continue;
      table << image.image_id << '\t' << aoi.name << '\t' << raster->second.string() << '\t'
            << (image.labels ? image.labels->string() : "") << '\t' << summary << '\n';
      ++rows;
      without_labels += !image.labels;
    }
  }
  RB_CHECK_IO(rows > 0, "no {} rasters in the SpaceNet data under '{}'",
              params.GetString("product"), params.GetPath("images").string());
  io::WriteFileAtomic(outputs.Path("out"), table.str());
  return {{"images", rows}, {"without_labels", without_labels}};
}

}  // namespace

cli::StageDescriptor ListCommand() {
  cli::StageDescriptor stage;
  stage.name = "list";
  stage.summary = "Table of a SpaceNet dataset's images: id, AOI, raster, labels, summary CSV.";
  ParamSpecs& p = stage.params;
  p.Input("images", "a SpaceNet AOI folder or dataset root (either layout)").Directory().Required();
  p.Choice("product", "SpaceNet product whose rasters are listed", {"ms", "rgb", "pan", "mul"},
           "ms");
  p.Output("out", "tab-separated table, one image per row after a header, in ImageId order")
      .Required();
  stage.run = RunList;
  return stage;
}

}  // namespace rb::prep
