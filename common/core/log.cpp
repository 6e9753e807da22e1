#include "common/core/log.hpp"

#include <atomic>
#include <cstdio>

namespace rb {
namespace {

std::atomic<LogLevel> g_level{LogLevel::kInfo};
std::string g_program_name = "roadbrew";
LogSink g_sink;
bool g_bar_on_screen = false;

std::string_view LevelTag(LogLevel level) {
  switch (level) {
    case LogLevel::kDebug:
      return "debug: ";
    case LogLevel::kWarning:
      return "warning: ";
    case LogLevel::kError:
      return "error: ";
    default:
      return "";
  }
}

}  // namespace

void SetLogLevel(LogLevel level) { g_level = level; }
LogLevel GetLogLevel() { return g_level; }

void SetLogProgramName(std::string name) {
  std::lock_guard lock(detail::TerminalMutex());
  g_program_name = std::move(name);
}
const std::string& LogProgramName() { return g_program_name; }

void SetLogSink(LogSink sink) {
  std::lock_guard lock(detail::TerminalMutex());
  g_sink = std::move(sink);
}

void LogLine(LogLevel level, std::string_view message) {
  if (level < g_level.load()) return;
  std::lock_guard lock(detail::TerminalMutex());
  std::string line = fmt::format("{}: {}{}", g_program_name, LevelTag(level), message);
  if (g_sink) {
    g_sink(level, line);
    return;
  }
  if (g_bar_on_screen) {
    std::fputs("\r\033[K", stderr);
    g_bar_on_screen = false;
  }
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

namespace detail {
std::mutex& TerminalMutex() {
  static std::mutex mutex;
  return mutex;
}
void SetBarOnScreen(bool on_screen) { g_bar_on_screen = on_screen; }
}  // namespace detail

}  // namespace rb
