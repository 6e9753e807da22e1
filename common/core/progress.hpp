// Progress reporting for long work, shared by every stage.
//
// On a terminal: a redrawn bar "label [#####.....] 45% 11/24 eta 0:15".
// Otherwise: GDAL's text style "label: 0...10...20...30...40...50...60...70...80...90...100 -
// done." so logs of batch jobs stay readable. Advance() is thread-safe and is also the cancellation
// point: it throws Error(kCancelled) once SIGINT/SIGTERM was received.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

namespace rb {

enum class ProgressStyle { kNone, kBar, kText };

// kNone when quiet; kBar when forced or stderr is a terminal; kText otherwise.
ProgressStyle ChooseProgressStyle(bool quiet, bool force_bar);

class Progress {
 public:
  using Writer = std::function<void(std::string_view)>;

  // `total` units of work (> 0). `writer` receives raw terminal text; the default writes stderr.
  Progress(std::string label, int64_t total, ProgressStyle style, Writer writer = {});
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;
  ~Progress();

  // Marks `units` more done; throws Error(kCancelled) when cancellation was requested.
  void Advance(int64_t units = 1);
  // Completes the display ("100 - done." / a full bar and a newline).
  void Finish();

  int64_t done() const { return done_.load(); }
  int64_t total() const { return total_; }

 private:
  void Render(int64_t done, bool final);
  void RenderText(int64_t done, bool final);
  void RenderBar(int64_t done, bool final);
  void Write(std::string_view text);

  std::string label_;
  int64_t total_;
  ProgressStyle style_;
  Writer writer_;
  std::atomic<int64_t> done_{0};
  bool finished_ = false;
  bool text_started_ = false;
  int text_steps_printed_ = 0;  // GDAL style prints one mark per 2.5 %
  std::chrono::steady_clock::time_point start_;
  std::chrono::steady_clock::time_point last_draw_{};
};

}  // namespace rb
