// Cooperative cancellation. The stage driver's SIGINT/SIGTERM handler calls RequestCancel();
// long loops call ThrowIfCancelled() (Progress::Advance does) and unwind with
// Error(kCancelled), so outputs are discarded by the normal error path.
#pragma once

namespace rb {

// Async-signal-safe: only stores to a lock-free atomic.
void RequestCancel(int signal_number) noexcept;
bool CancelRequested() noexcept;
// The signal that requested cancellation, 0 if none.
int CancelSignal() noexcept;
// Throws Error(kCancelled) naming the signal when cancellation was requested.
void ThrowIfCancelled();
// Clears a request (tests).
void ResetCancel() noexcept;

}  // namespace rb
