#include "common/core/cancel.hpp"

#include <atomic>
#include <csignal>
#include <cstring>

#include "common/core/error.hpp"

namespace rb {
namespace {
std::atomic<int> g_cancel_signal{0};
static_assert(std::atomic<int>::is_always_lock_free);
}  // namespace

void RequestCancel(int signal_number) noexcept {
  g_cancel_signal.store(signal_number == 0 ? -1 : signal_number);
}
bool CancelRequested() noexcept { return g_cancel_signal.load(std::memory_order_relaxed) != 0; }
int CancelSignal() noexcept {
  int signal_number = g_cancel_signal.load();
  return signal_number < 0 ? 0 : signal_number;
}
void ResetCancel() noexcept { g_cancel_signal.store(0); }

void ThrowIfCancelled() {
  if (!CancelRequested()) return;
  int signal_number = CancelSignal();
  if (signal_number > 0) {
    Throw(ErrorCode::kCancelled, "cancelled by {}",
          sigabbrev_np(signal_number) ? fmt::format("SIG{}", sigabbrev_np(signal_number))
                                      : fmt::format("signal {}", signal_number));
  }
  Throw(ErrorCode::kCancelled, "cancelled");
}

}  // namespace rb
