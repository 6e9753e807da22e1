#include <tbb/parallel_for.h>
#include <catch2/catch.hpp>

#include "common/core/cancel.hpp"
#include "common/core/error.hpp"
#include "common/core/log.hpp"
#include "common/core/progress.hpp"

namespace rb {
namespace {

TEST_CASE("Text progress prints GDAL's 0...10...100 - done. line", "[core][progress]") {
  std::string text;
  {
    Progress progress("tiles", 8, ProgressStyle::kText, [&](std::string_view s) { text += s; });
    for (int i = 0; i < 8; ++i) progress.Advance();
    progress.Finish();
  }
  CHECK(text == "tiles: 0...10...20...30...40...50...60...70...80...90...100 - done.\n");
}

TEST_CASE("Progress advanced from many threads reaches its total exactly", "[core][progress]") {
  std::string text;
  Progress progress("work", 10000, ProgressStyle::kText, [&](std::string_view s) { text += s; });
  tbb::parallel_for(0, 10000, [&](int) { progress.Advance(); });
  CHECK(progress.done() == 10000);
  progress.Finish();
  CHECK(text.ends_with("90...100 - done.\n"));
}

TEST_CASE("A requested cancellation stops work at the next progress tick", "[core][progress]") {
  ResetCancel();
  Progress progress("work", 100, ProgressStyle::kNone);
  progress.Advance();
  RequestCancel(15);  // SIGTERM
  try {
    progress.Advance();
    FAIL("Advance did not throw");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kCancelled);
    CHECK(std::string(error.what()) == "cancelled by SIGTERM");
  }
  ResetCancel();
  CHECK_NOTHROW(progress.Advance());
}

TEST_CASE("Log lines carry the program name and level", "[core][log]") {
  std::vector<std::string> lines;
  SetLogSink([&](LogLevel, std::string_view line) { lines.emplace_back(line); });
  SetLogProgramName("rb-test");
  SetLogLevel(LogLevel::kInfo);
  LogDebug("hidden {}", 1);
  LogInfo("wrote {} tiles", 3);
  LogWarning("odd");
  LogError("bad {}", "thing");
  SetLogSink({});
  REQUIRE(lines.size() == 3);
  CHECK(lines[0] == "rb-test: wrote 3 tiles");
  CHECK(lines[1] == "rb-test: warning: odd");
  CHECK(lines[2] == "rb-test: error: bad thing");
}

}  // namespace
}  // namespace rb
