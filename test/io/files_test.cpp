#include <catch2/catch.hpp>

#include "common/io/files.hpp"
#include "test/support/test_support.hpp"

namespace rb::io {
namespace {

using test::TempDir;

TEST_CASE("Atomic files appear only on commit and vanish when discarded", "[io][files]") {
  TempDir dir;
  {
    AtomicPath out(dir / "result.tif");
    CHECK(out.temp().parent_path() == dir.path());
    CHECK(out.temp().extension() == ".tif");  // drivers that go by extension still work
    test::WriteText(out.temp(), "partial");
    CHECK(dir.List() == std::vector<std::string>{out.temp().filename().string()});
  }  // destroyed without Commit()
  CHECK(dir.List().empty());

  WriteFileAtomic(dir / "a.txt", "first");
  WriteFileAtomic(dir / "a.txt", "second");
  CHECK(test::ReadText(dir / "a.txt") == "second");
  CHECK(dir.List() == std::vector<std::string>{"a.txt"});
}

TEST_CASE("Atomic directories replace the previous tree as a whole", "[io][files]") {
  TempDir dir;
  std::filesystem::create_directories(dir / "aoi" / "old");
  {
    AtomicPath out(dir / "aoi");
    std::filesystem::create_directories(out.temp() / "new");
    out.Commit();
  }
  CHECK(std::filesystem::exists(dir / "aoi" / "new"));
  CHECK_FALSE(std::filesystem::exists(dir / "aoi" / "old"));
  CHECK(dir.List() == std::vector<std::string>{"aoi"});
}

TEST_CASE("The signal-safe cleanup removes uncommitted temporary files", "[io][files]") {
  TempDir dir;
  AtomicPath out(dir / "x.npy");
  test::WriteText(out.temp(), "data");
  RemoveTempPathsFromSignalHandler();
  CHECK(dir.List().empty());
}

TEST_CASE("File digests are XXH3-128 of the content", "[io][files]") {
  TempDir dir;
  test::WriteText(dir / "a", "abc");
  FileDigest digest = DigestFile(dir / "a");
  CHECK(digest.size_bytes == 3);
  CHECK(digest.xxh3_128 == DigestHex("abc"));
  CHECK(digest.xxh3_128.size() == 32);
  CHECK(DigestHex("abc") != DigestHex("abd"));
  CHECK_THROWS_WITH(DigestFile(dir / "missing"), Catch::Contains("cannot open"));
}

}  // namespace
}  // namespace rb::io
