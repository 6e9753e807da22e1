// Helpers shared by the Catch2 test binaries: temporary folders, the committed data samples
// and running stage binaries as child processes.
#pragma once

#include <sys/types.h>

#include <filesystem>
#include <string>
#include <vector>

#include <catch2/catch.hpp>

#include "common/core/error.hpp"

namespace rb::test {

// Runs `body`, checks that it throws rb::Error with `code`, and returns the error's text
// ("no error" when nothing was thrown, which the caller's comparison then reports).
template <class Body>
std::string ErrorText(ErrorCode code, Body&& body) {
  try {
    body();
  } catch (const Error& error) {
    CHECK(ErrorCodeName(error.code()) == ErrorCodeName(code));
    return error.what();
  }
  return "no error";
}

// A fresh folder under $TMPDIR (or /tmp), removed with everything in it on destruction.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }
  // Names of the entries directly inside, sorted (hidden files included).
  std::vector<std::string> List() const;

 private:
  std::filesystem::path path_;
};

// A file under the repository's data-samples/ folder; fails the test when it is missing.
std::filesystem::path DataSample(const std::string& relative);

struct ProcessResult {
  int exit_code = -1;  // 128 + signal when killed by a signal
  std::string out;
  std::string err;
};

// Runs `argv` (argv[0] a path) to completion, capturing stdout and stderr.
ProcessResult RunProcess(const std::vector<std::string>& argv);
// The same for `binary` with `args`.
ProcessResult RunBinary(const std::string& binary, std::vector<std::string> args);
// Checks (Catch) that stderr is exactly one line holding both `prefix` (e.g. "rb-crf: error: ")
// and `fragment`: the project's rule for bad input.
void CheckOneLineError(const ProcessResult& result, const std::string& prefix,
                       const std::string& fragment);

// Starts `argv` with stdout/stderr redirected to files in `log_dir`; returns the pid.
pid_t StartProcess(const std::vector<std::string>& argv, const std::filesystem::path& log_dir);
// Waits for `pid` and collects the logs written by StartProcess.
ProcessResult WaitProcess(pid_t pid, const std::filesystem::path& log_dir);

std::string ReadText(const std::filesystem::path& path);
void WriteText(const std::filesystem::path& path, const std::string& text);

}  // namespace rb::test
