#include <catch2/catch.hpp>

#include "common/core/check.hpp"
#include "common/core/error.hpp"
#include "test/support/test_support.hpp"

namespace rb {
namespace {

using test::ErrorText;

TEST_CASE("Error text is the message followed by its contexts innermost first", "[core]") {
  Error error(ErrorCode::kIo, "truncated NPY data");
  error.AddContext("in 'a.npy'").AddContext("for --input");
  CHECK(std::string(error.what()) == "truncated NPY data, in 'a.npy', for --input");
  CHECK(error.message() == "truncated NPY data");
  CHECK(error.context() == std::vector<std::string>{"in 'a.npy'", "for --input"});
  CHECK(error.code() == ErrorCode::kIo);
}

TEST_CASE("Exit codes follow the driver contract", "[core]") {
  CHECK(ExitCodeFor(ErrorCode::kInvalidArgument) == 2);
  CHECK(ExitCodeFor(ErrorCode::kUnsupported) == 3);
  for (ErrorCode code :
       {ErrorCode::kIo, ErrorCode::kNumerical, ErrorCode::kCancelled, ErrorCode::kInternal}) {
    CHECK(ExitCodeFor(code) == 1);
  }
}

TEST_CASE("WithContext adds a location to errors escaping the body", "[core]") {
  try {
    WithContext("while reading 'x.tif'", [] { Throw(ErrorCode::kIo, "bad block {}", 7); });
    FAIL("no exception");
  } catch (const Error& error) {
    CHECK(std::string(error.what()) == "bad block 7, while reading 'x.tif'");
  }
  CHECK(WithContext("unused", [] { return 42; }) == 42);
}

TEST_CASE("RB_CHECK macros throw the matching codes with formatted messages", "[core]") {
  CHECK(ErrorText(ErrorCode::kInvalidArgument, [] { RB_CHECK_ARG(1 > 2, "k must be > {}", 2); }) ==
        "k must be > 2");
  CHECK(ErrorText(ErrorCode::kIo, [] { RB_CHECK_IO(false, "x"); }) == "x");
  CHECK(ErrorText(ErrorCode::kNumerical, [] { RB_CHECK_NUMERIC(false, "x"); }) == "x");
  CHECK(ErrorText(ErrorCode::kUnsupported, [] { RB_CHECK_SUPPORTED(false, "x"); }) == "x");
  CHECK_THAT(ErrorText(ErrorCode::kInternal, [] { RB_CHECK_EQ(3, 4); }),
             Catch::Contains("check '3 == 4' failed (3 vs 4)"));
  CHECK_THAT(ErrorText(ErrorCode::kInternal, [] { RB_CHECK(1 > 2); }),
             Catch::Contains("check '1 > 2' failed at"));
  CHECK(ErrorText(ErrorCode::kInternal, [] { RB_CHECK(2 > 1); }) == "no error");
}

}  // namespace
}  // namespace rb
