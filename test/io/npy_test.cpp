#include <catch2/catch.hpp>

#include <cstdlib>
#include <numeric>

#include "common/io/files.hpp"
#include "common/io/npy.hpp"
#include "test/support/test_support.hpp"

namespace rb::io {
namespace {

using test::TempDir;

template <class T>
void CheckRoundTrip(std::vector<int64_t> shape) {
  int64_t n = 1;
  for (auto d : shape) n *= d;
  std::vector<T> values(static_cast<size_t>(n));
  for (size_t i = 0; i < values.size(); ++i) values[i] = static_cast<T>((i * 7) % 13);
  NpyArray array = NpyArray::From<T>(values, shape);
  std::string bytes = EncodeNpy(array);
  NpyArray back = DecodeNpy(std::as_bytes(std::span(bytes.data(), bytes.size())), "mem");
  CHECK(back.dtype == DTypeOf<T>());
  CHECK(back.shape == shape);
  CHECK(back.data == array.data);
}

TEST_CASE("NPY round-trips every supported dtype and shape", "[io][npy]") {
  CheckRoundTrip<uint8_t>({3, 4});
  CheckRoundTrip<uint16_t>({2, 3, 5});
  CheckRoundTrip<int32_t>({7});
  CheckRoundTrip<int64_t>({});
  CheckRoundTrip<float>({1, 0, 4});
  CheckRoundTrip<double>({2, 2});
  std::vector<uint8_t> flags = {1, 0, 1};
  NpyArray bools{DType::kBool, {3}, {}};
  for (uint8_t f : flags) bools.data.push_back(std::byte{f});
  std::string bytes = EncodeNpy(bools);
  CHECK(DecodeNpy(std::as_bytes(std::span(bytes.data(), bytes.size())), "mem").data == bools.data);
}

TEST_CASE("NPY headers are padded so data starts on a 64-byte boundary", "[io][npy]") {
  std::vector<float> values(6, 1.5f);
  std::string bytes = EncodeNpy(NpyArray::From<float>(values, {2, 3}));
  CHECK(bytes.substr(0, 6) == "\x93NUMPY");
  CHECK((bytes.size() - values.size() * 4) % 64 == 0);
  CHECK(bytes.find("{'descr': '<f4', 'fortran_order': False, 'shape': (2, 3), }") !=
        std::string::npos);
  std::string one_d = EncodeNpy(NpyArray::From<float>(values, {6}));
  CHECK(one_d.find("'shape': (6,)") != std::string::npos);
}

// numpy is the reference reader and writer (python3-numpy is installed by install-deps.sh).
TEST_CASE("NPY files are exchanged with numpy in both directions", "[io][npy]") {
  TempDir dir;
  std::vector<int32_t> values(24);
  std::iota(values.begin(), values.end(), -5);
  WriteNpy(dir / "ours.npy", NpyArray::From<int32_t>(values, {2, 3, 4}));
  std::string script = fmt::format(
      "import numpy as np\n"
      "a = np.load('{0}/ours.npy')\n"
      "assert a.dtype == np.int32 and a.shape == (2, 3, 4), (a.dtype, a.shape)\n"
      "assert (a.ravel() == np.arange(-5, 19)).all()\n"
      "np.save('{0}/theirs_f8.npy', np.linspace(0, 1, 6).reshape(3, 2))\n"
      "np.save('{0}/theirs_b1.npy', np.array([True, False, True]))\n"
      "np.save('{0}/theirs_u2.npy', np.arange(5, dtype=np.uint16))\n"
      "np.save('{0}/theirs_v2.npy', np.zeros((2, 2), np.float32), allow_pickle=False)\n"
      "import numpy.lib.format as f\n"
      "with open('{0}/theirs_v2x.npy', 'wb') as out:\n"
      "    f.write_array(out, np.arange(4, dtype=np.int64), version=(2, 0))\n"
      "np.save('{0}/theirs_fortran.npy', np.asfortranarray(np.ones((2, 3))))\n",
      dir.path().string());
  test::WriteText(dir / "check.py", script);
  auto result = test::RunProcess({"/usr/bin/python3", (dir / "check.py").string()});
  INFO(result.err);
  REQUIRE(result.exit_code == 0);

  NpyArray f8 = ReadNpy(dir / "theirs_f8.npy");
  CHECK(f8.shape == std::vector<int64_t>{3, 2});
  CHECK(f8.as<double>()[5] == 1.0);
  CHECK(f8.as<double>()[1] == Approx(0.2));
  CHECK(ReadNpy(dir / "theirs_b1.npy").dtype == DType::kBool);
  CHECK(ReadNpy(dir / "theirs_u2.npy").as<uint16_t>()[4] == 4);
  NpyArray v2 = ReadNpy(dir / "theirs_v2x.npy");
  CHECK(v2.as<int64_t>()[3] == 3);
  CHECK_THROWS_WITH(ReadNpy(dir / "theirs_fortran.npy"), Catch::Contains("Fortran-ordered"));
}

std::string ErrorOf(const std::string& bytes) {
  return test::ErrorText(ErrorCode::kIo, [&] {
    DecodeNpy(std::as_bytes(std::span(bytes.data(), bytes.size())), "bad.npy");
  });
}

TEST_CASE("Malformed NPY input gives a clear error and never a crash", "[io][npy]") {
  std::vector<float> values(6, 2.0f);
  std::string good = EncodeNpy(NpyArray::From<float>(values, {2, 3}));
  CHECK_THAT(ErrorOf("hello world"), Catch::Contains("bad magic"));
  CHECK_THAT(ErrorOf(good.substr(0, 9)), Catch::Contains("not an NPY file"));
  CHECK_THAT(ErrorOf(good.substr(0, 40)), Catch::Contains("truncated NPY header"));
  CHECK(ErrorOf(good.substr(0, good.size() - 4)) ==
        "truncated NPY data: shape (2, 3) of float32 needs 24 bytes, 20 present, in 'bad.npy'");
  // A header that lies: claims 4 x 3 floats where 2 x 3 are stored.
  std::string lying = good;
  lying.replace(lying.find("(2, 3)"), 6, "(4, 3)");
  CHECK_THAT(ErrorOf(lying), Catch::Contains("needs 48 bytes, 24 present"));
  std::string short_claim = good;
  short_claim.replace(short_claim.find("(2, 3)"), 6, "(1, 3)");
  CHECK_THAT(ErrorOf(short_claim), Catch::Contains("header does not match the data"));
  std::string big_endian = good;
  big_endian.replace(big_endian.find("<f4"), 3, ">f4");
  CHECK_THAT(ErrorOf(big_endian), Catch::Contains("unsupported NPY dtype '>f4'"));
  std::string huge = good;
  huge.replace(huge.find("(2, 3)"), 6, "(9999999999999, 9999999999999)");
  CHECK_THAT(ErrorOf(huge), Catch::Contains("NPY shape is too large"));
  std::string garbage = good;
  garbage.replace(garbage.find("'shape'"), 7, "'shapf'");
  CHECK_THAT(ErrorOf(garbage), Catch::Contains("malformed NPY header"));
  CHECK_THROWS_WITH(ReadNpy("/nonexistent/a.npy"),
                    Catch::Contains("cannot open '/nonexistent/a.npy'"));
}

}  // namespace
}  // namespace rb::io
