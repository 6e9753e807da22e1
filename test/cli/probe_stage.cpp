#include "test/cli/probe_stage.hpp"

#include <chrono>
#include <thread>

#include "common/core/check.hpp"
#include "common/geo/raster_io.hpp"
#include "common/geo/road_vectors.hpp"
#include "common/geo/wkt_pix.hpp"
#include "common/io/json_config.hpp"
#include "common/io/npy.hpp"
#include "common/io/safetensors.hpp"

namespace rb::test {
namespace {

nlohmann::json CopyInput(const std::string& kind, const std::filesystem::path& in,
                         const std::filesystem::path& out) {
  if (kind == "raster") {
    geo::Raster raster = geo::ReadRaster(in);
    geo::WriteGeoTiff(out, raster);
    return {{"pixels", raster.band_pixels()}, {"bands", raster.bands()}};
  }
  if (kind == "geojson") {
    auto features = geo::ReadRoadGeoJson(in);
    geo::WriteRoadGeoJson(out, features);
    return {{"features", features.size()}};
  }
  if (kind == "npy") {
    io::NpyArray array = io::ReadNpy(in);
    io::WriteNpy(out, array);
    return {{"elements", array.size()}};
  }
  if (kind == "safetensors") {
    io::SafeTensorsReader reader = io::SafeTensorsReader::Open(in);
    io::SafeTensorsWriter writer;
    for (const std::string& name : reader.names()) {
      const io::TensorView& view = reader.Get(name);
      writer.Add(name, view.dtype, view.shape, view.data);
    }
    writer.Write(out);
    return {{"tensors", reader.names().size()}};
  }
  if (kind == "json") {
    nlohmann::json config = io::LoadJsonFile(in);
    io::ConfigReader reader(config, in.string());
    reader.CheckSchemaVersion(1);
    std::string name = reader.Require<std::string>("name");
    reader.Finish();
    io::WriteFileAtomic(out, config.dump(2));
    return {{"name", name}};
  }
  RB_CHECK(kind == "wktpix");
  auto rows = geo::ReadWktPixCsv(in);
  geo::WriteWktPixCsv(out, rows);
  return {{"rows", rows.size()}};
}

nlohmann::json RunProbe(const Params& params, cli::StageOutputs& outputs, RunContext& context) {
  nlohmann::json figures =
      CopyInput(params.GetString("kind"), params.GetPath("input"), outputs.Path("out"));
  figures["scale"] = params.GetFloat("scale");
  if (outputs.Has("summary")) {
    io::WriteFileAtomic(outputs.Path("summary"), figures.dump());
  }
  if (outputs.Has("bundle")) {
    // One atomic unit per input inside a shared folder.
    std::filesystem::path unit = outputs.Path("bundle") / params.GetPath("input").stem();
    const std::filesystem::path& temp = outputs.Add(unit, /*report=*/true);
    std::filesystem::create_directories(temp);
    io::WriteFileAtomic(temp / "figures.json", figures.dump());
  }
  // Long work after the outputs exist, to test cancellation and cleanup.
  int64_t ticks = params.GetInt("ticks");
  if (ticks > 0) {
    auto progress = context.StartProgress("probe", ticks);
    for (int64_t i = 0; i < ticks; ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      progress->Advance();
    }
    progress->Finish();
  }
  // Work that never reaches a cancellation point: only a second signal stops it.
  std::this_thread::sleep_for(std::chrono::milliseconds(params.GetInt("busy_ms")));
  if (params.GetBool("fail_after_write")) {
    Throw(ErrorCode::kIo, "simulated failure after the outputs were written");
  }
  return figures;
}

}  // namespace

cli::StageDescriptor ProbeStage() {
  cli::StageDescriptor stage;
  stage.name = "rb-probe";
  stage.summary = "Copy one file through roadbrew's readers and writers (a driver test tool).";
  stage.supports_cuda = true;
  ParamSpecs& p = stage.params;
  p.Input("input", "file to read").Required();
  p.Choice("kind", "reader to use", {"raster", "geojson", "npy", "safetensors", "json", "wktpix"},
           "raster");
  p.Output("out", "copy written with roadbrew's writer").Required();
  p.Output("summary", "optional JSON summary of what was read");
  p.Output("bundle", "optional folder that collects one sub-folder per input").Directory();
  p.Float("scale", "a number that only shows up in the report", 1.0).Range(0, 10);
  p.Int("ticks", "20 ms progress ticks after writing (cancellation points)", 0).Range(0, 100000);
  p.Int("busy_ms", "milliseconds of work without cancellation points", 0).Range(0, 600000);
  p.Bool("fail_after_write", "fail after the outputs were written");
  stage.run = RunProbe;
  return stage;
}

}  // namespace rb::test
