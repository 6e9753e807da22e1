// Logging to stderr with levels. Messages are prefixed with the program name
// ("rb-mask: warning: ..."); stdout is left to machine-readable output.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <utility>

#include <fmt/format.h>

namespace rb {

enum class LogLevel { kDebug = 0, kInfo = 1, kWarning = 2, kError = 3, kOff = 4 };

void SetLogLevel(LogLevel level);
LogLevel GetLogLevel();
// Prefix of every line, normally the stage binary's name.
void SetLogProgramName(std::string name);
const std::string& LogProgramName();

// Replaces where formatted lines go (default: stderr). Tests capture output with it;
// pass an empty function to restore stderr.
using LogSink = std::function<void(LogLevel, std::string_view line)>;
void SetLogSink(LogSink sink);

// Writes one line if `level` passes the threshold.
void LogLine(LogLevel level, std::string_view message);

template <class... Args>
void LogDebug(fmt::format_string<Args...> format, Args&&... args) {
  if (GetLogLevel() <= LogLevel::kDebug) {
    LogLine(LogLevel::kDebug, fmt::format(format, std::forward<Args>(args)...));
  }
}
template <class... Args>
void LogInfo(fmt::format_string<Args...> format, Args&&... args) {
  if (GetLogLevel() <= LogLevel::kInfo) {
    LogLine(LogLevel::kInfo, fmt::format(format, std::forward<Args>(args)...));
  }
}
template <class... Args>
void LogWarning(fmt::format_string<Args...> format, Args&&... args) {
  if (GetLogLevel() <= LogLevel::kWarning) {
    LogLine(LogLevel::kWarning, fmt::format(format, std::forward<Args>(args)...));
  }
}
template <class... Args>
void LogError(fmt::format_string<Args...> format, Args&&... args) {
  LogLine(LogLevel::kError, fmt::format(format, std::forward<Args>(args)...));
}

namespace detail {
// The terminal is shared by log lines and the progress bar: a bar that is on screen is erased
// before a log line is written and redrawn by its next update.
std::mutex& TerminalMutex();
void SetBarOnScreen(bool on_screen);  // caller holds TerminalMutex()
}  // namespace detail

}  // namespace rb
