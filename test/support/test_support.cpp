#include "test/support/test_support.hpp"

#include <fcntl.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>

#include <catch2/catch.hpp>

extern char** environ;

namespace rb::test {
namespace fs = std::filesystem;

TempDir::TempDir() {
  const char* base = std::getenv("TMPDIR");
  std::string pattern = std::string(base && *base ? base : "/tmp") + "/roadbrew-test-XXXXXX";
  std::vector<char> buffer(pattern.begin(), pattern.end());
  buffer.push_back('\0');
  if (mkdtemp(buffer.data()) == nullptr) throw std::runtime_error("mkdtemp failed");
  path_ = buffer.data();
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

std::vector<std::string> TempDir::List() const {
  std::vector<std::string> names;
  for (const auto& entry : fs::directory_iterator(path_)) {
    names.push_back(entry.path().filename().string());
  }
  std::sort(names.begin(), names.end());
  return names;
}

fs::path DataSample(const std::string& relative) {
  fs::path path = fs::path(RB_TEST_DATA_DIR) / relative;
  INFO("data sample " << path);
  REQUIRE(fs::exists(path));
  return path;
}

pid_t StartProcess(const std::vector<std::string>& argv, const fs::path& log_dir) {
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  std::string out = (log_dir / "stdout.txt").string();
  std::string err = (log_dir / "stderr.txt").string();
  posix_spawn_file_actions_addopen(&actions, STDOUT_FILENO, out.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_addopen(&actions, STDERR_FILENO, err.c_str(),
                                   O_WRONLY | O_CREAT | O_TRUNC, 0644);
  std::vector<char*> args;
  for (const std::string& arg : argv) args.push_back(const_cast<char*>(arg.c_str()));
  args.push_back(nullptr);
  pid_t pid = 0;
  int rc = posix_spawn(&pid, args[0], &actions, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&actions);
  if (rc != 0) throw std::runtime_error("posix_spawn failed for " + argv[0]);
  return pid;
}

ProcessResult WaitProcess(pid_t pid, const fs::path& log_dir) {
  int status = 0;
  waitpid(pid, &status, 0);
  ProcessResult result;
  result.exit_code = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  result.out = ReadText(log_dir / "stdout.txt");
  result.err = ReadText(log_dir / "stderr.txt");
  fs::remove(log_dir / "stdout.txt");
  fs::remove(log_dir / "stderr.txt");
  return result;
}

ProcessResult RunProcess(const std::vector<std::string>& argv) {
  TempDir logs;
  return WaitProcess(StartProcess(argv, logs.path()), logs.path());
}

ProcessResult RunBinary(const std::string& binary, std::vector<std::string> args) {
  args.insert(args.begin(), binary);
  return RunProcess(args);
}

void CheckOneLineError(const ProcessResult& result, const std::string& prefix,
                       const std::string& fragment) {
  INFO("stderr: " << result.err);
  CHECK(std::count(result.err.begin(), result.err.end(), '\n') == 1);
  CHECK_THAT(result.err, Catch::Contains(prefix) && Catch::Contains(fragment));
}

std::string ReadText(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream buffer;
  buffer << in.rdbuf();
  return buffer.str();
}

void WriteText(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
}

}  // namespace rb::test
