#include <catch2/catch.hpp>

#include "common/core/check.hpp"
#include "common/core/error.hpp"

namespace rb {
namespace {

TEST_CASE("Error text is the message followed by its contexts, innermost first", "[core]") {
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
  auto code_of = [](auto&& body) {
    try {
      body();
    } catch (const Error& error) {
      return std::make_pair(error.code(), std::string(error.what()));
    }
    return std::make_pair(ErrorCode::kInternal, std::string("no throw"));
  };
  auto [arg_code, arg_text] = code_of([] { RB_CHECK_ARG(1 > 2, "k must be > {}", 2); });
  CHECK(arg_code == ErrorCode::kInvalidArgument);
  CHECK(arg_text == "k must be > 2");
  CHECK(code_of([] { RB_CHECK_IO(false, "x"); }).first == ErrorCode::kIo);
  CHECK(code_of([] { RB_CHECK_NUMERIC(false, "x"); }).first == ErrorCode::kNumerical);
  CHECK(code_of([] { RB_CHECK_SUPPORTED(false, "x"); }).first == ErrorCode::kUnsupported);
  auto [eq_code, eq_text] = code_of([] { RB_CHECK_EQ(3, 4); });
  CHECK(eq_code == ErrorCode::kInternal);
  CHECK_THAT(eq_text, Catch::Contains("(3 vs 4)"));
  CHECK(code_of([] { RB_CHECK(2 > 1); }).second == "no throw");
}

}  // namespace
}  // namespace rb
