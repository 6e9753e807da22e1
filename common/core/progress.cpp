#include "common/core/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <mutex>

#include <fmt/format.h>

#include "common/core/cancel.hpp"
#include "common/core/check.hpp"
#include "common/core/log.hpp"

namespace rb {
namespace {

constexpr int kTextSteps = 40;  // 2.5 % per mark, as GDALTermProgress
constexpr int kBarWidth = 30;
constexpr auto kRedrawInterval = std::chrono::milliseconds(100);

std::string FormatDuration(double seconds) {
  auto total = static_cast<int64_t>(seconds + 0.5);
  if (total >= 3600)
    return fmt::format("{}:{:02}:{:02}", total / 3600, total / 60 % 60, total % 60);
  return fmt::format("{}:{:02}", total / 60, total % 60);
}

}  // namespace

ProgressStyle ChooseProgressStyle(bool quiet, bool force_bar) {
  if (quiet) return ProgressStyle::kNone;
  if (force_bar || isatty(STDERR_FILENO)) return ProgressStyle::kBar;
  return ProgressStyle::kText;
}

Progress::Progress(std::string label, int64_t total, ProgressStyle style, Writer writer)
    : label_(std::move(label)),
      total_(total),
      style_(style),
      writer_(std::move(writer)),
      start_(std::chrono::steady_clock::now()) {
  RB_CHECK_ARG(total > 0, "progress total must be positive, got {}", total);
  Render(0, false);
}

Progress::~Progress() {
  // Unwinding (error or cancel): end the line so the error message starts on its own.
  if (!finished_ && style_ != ProgressStyle::kNone) {
    std::lock_guard lock(detail::TerminalMutex());
    Write("\n");
    detail::SetBarOnScreen(false);
  }
}

void Progress::Advance(int64_t units) {
  int64_t done = done_.fetch_add(units) + units;
  if (style_ != ProgressStyle::kNone) Render(std::min(done, total_), false);
  ThrowIfCancelled();
}

void Progress::Finish() {
  if (finished_) return;
  done_ = total_;
  Render(total_, true);
  finished_ = true;
}

void Progress::Render(int64_t done, bool final) {
  if (style_ == ProgressStyle::kNone) return;
  std::lock_guard lock(detail::TerminalMutex());
  if (finished_) return;
  if (style_ == ProgressStyle::kText) {
    RenderText(done, final);
  } else {
    RenderBar(done, final);
  }
}

void Progress::RenderText(int64_t done, bool final) {
  int target = static_cast<int>(done * kTextSteps / total_);
  std::string text;
  if (!text_started_) {
    text = fmt::format("{}: 0", label_);
    text_started_ = true;
  }
  while (text_steps_printed_ < target) {
    ++text_steps_printed_;
    text += text_steps_printed_ % 4 == 0 ? fmt::format("{}", text_steps_printed_ * 100 / kTextSteps)
                                         : std::string(".");
  }
  if (final) text += " - done.\n";
  if (!text.empty()) Write(text);
}

void Progress::RenderBar(int64_t done, bool final) {
  auto now = std::chrono::steady_clock::now();
  if (!final && done > 0 && now - last_draw_ < kRedrawInterval) return;
  last_draw_ = now;
  double fraction = static_cast<double>(done) / static_cast<double>(total_);
  int filled = static_cast<int>(fraction * kBarWidth);
  double elapsed = std::chrono::duration<double>(now - start_).count();
  std::string eta = done > 0 && !final
                        ? fmt::format(" eta {}", FormatDuration(elapsed * (1.0 / fraction - 1.0)))
                        : fmt::format(" {}", FormatDuration(elapsed));
  Write(fmt::format("\r\033[K{} [{}{}] {:3.0f}% {}/{}{}", label_, std::string(filled, '#'),
                    std::string(kBarWidth - filled, '.'), fraction * 100.0, done, total_, eta));
  detail::SetBarOnScreen(!final);
  if (final) Write("\n");
}

void Progress::Write(std::string_view text) {
  if (writer_) {
    writer_(text);
  } else {
    std::fwrite(text.data(), 1, text.size(), stderr);
    std::fflush(stderr);
  }
}

}  // namespace rb
