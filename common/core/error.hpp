// rb::Error: the one exception type of roadbrew libraries.
//
// Library code reports failures by throwing rb::Error with a code that says what kind of failure
// it is; only the stage driver (common/cli) turns codes into process exit codes.
#pragma once

#include <exception>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fmt/format.h>

namespace rb {

enum class ErrorCode {
  kInvalidArgument,  // bad parameter, flag or configuration (a usage error)
  kIo,               // missing, unreadable, malformed or unwritable file
  kNumerical,        // NaN, divergence, values outside their domain
  kUnsupported,      // not available on this build or machine (e.g. CUDA without a GPU)
  kCancelled,        // stopped on request (SIGINT/SIGTERM)
  kInternal,         // a broken invariant: a bug
};

std::string_view ErrorCodeName(ErrorCode code);

// Process exit code of a stage that failed with `code`: 2 usage/config, 3 unsupported, else 1.
int ExitCodeFor(ErrorCode code);

class Error : public std::exception {
 public:
  Error(ErrorCode code, std::string message);

  ErrorCode code() const noexcept { return code_; }
  // The innermost description, without context.
  const std::string& message() const noexcept { return message_; }
  // Where the error happened, innermost first (e.g. "in 'a.npy'", "for --input").
  const std::vector<std::string>& context() const noexcept { return context_; }

  // Appends an outer location; the full text is "<message>, <context 1>, <context 2>".
  Error& AddContext(std::string where);

  const char* what() const noexcept override { return what_.c_str(); }

 private:
  ErrorCode code_;
  std::string message_;
  std::vector<std::string> context_;
  std::string what_;
};

template <class... Args>
[[noreturn]] void Throw(ErrorCode code, fmt::format_string<Args...> format, Args&&... args) {
  throw Error(code, fmt::format(format, std::forward<Args>(args)...));
}

// Calls `body` and, if an rb::Error escapes, adds `where` to its context and rethrows.
template <class Body>
decltype(auto) WithContext(std::string_view where, Body&& body) {
  try {
    return std::forward<Body>(body)();
  } catch (Error& error) {
    error.AddContext(std::string(where));
    throw;
  }
}

}  // namespace rb
