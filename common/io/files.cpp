#include "common/io/files.hpp"

#include <unistd.h>
#include <xxhash.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <system_error>

#include <fmt/format.h>

#include "common/core/check.hpp"

namespace rb::io {
namespace fs = std::filesystem;
namespace {

// A fixed table of temp paths readable from a signal handler (no allocation, no locks there).
constexpr int kMaxTempPaths = 256;
constexpr int kMaxPathBytes = 4096;
struct TempSlot {
  std::atomic<bool> used{false};
  char path[kMaxPathBytes];
};
std::array<TempSlot, kMaxTempPaths> g_temp_slots;

int RegisterTemp(const fs::path& path) {
  std::string text = fs::absolute(path).string();
  if (text.size() >= kMaxPathBytes) return -1;
  for (int i = 0; i < kMaxTempPaths; ++i) {
    bool expected = false;
    if (!g_temp_slots[i].used.load() &&
        g_temp_slots[i].used.compare_exchange_strong(expected, true)) {
      // The first byte is written last, so a signal handler racing with this copy sees either
      // an empty string or the whole path.
      char* slot_path = g_temp_slots[i].path;
      slot_path[0] = '\0';
      std::memcpy(slot_path + 1, text.c_str() + 1, text.size());
      std::atomic_signal_fence(std::memory_order_release);
      slot_path[0] = text[0];
      return i;
    }
  }
  return -1;  // table full: the path is still cleaned up by the normal (non-signal) paths
}

void UnregisterTemp(int slot) {
  if (slot >= 0) g_temp_slots[slot].used.store(false);
}

std::atomic<uint64_t> g_temp_counter{0};

}  // namespace

std::string ReadFileBytes(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Throw(ErrorCode::kIo, "cannot open '{}': {}", path.string(), std::strerror(errno));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) Throw(ErrorCode::kIo, "cannot read '{}': {}", path.string(), std::strerror(errno));
  return bytes;
}

namespace {
std::string HashHex(XXH128_hash_t hash) {
  return fmt::format("{:016x}{:016x}", hash.high64, hash.low64);
}
}  // namespace

FileDigest DigestFile(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) Throw(ErrorCode::kIo, "cannot open '{}': {}", path.string(), std::strerror(errno));
  XXH3_state_t* state = XXH3_createState();
  RB_CHECK(state != nullptr);
  XXH3_128bits_reset(state);
  std::vector<char> buffer(1 << 20);
  FileDigest digest;
  while (in) {
    in.read(buffer.data(), static_cast<std::streamsize>(buffer.size()));
    auto n = static_cast<size_t>(in.gcount());
    XXH3_128bits_update(state, buffer.data(), n);
    digest.size_bytes += n;
  }
  bool failed = in.bad();
  digest.xxh3_128 = HashHex(XXH3_128bits_digest(state));
  XXH3_freeState(state);
  if (failed) Throw(ErrorCode::kIo, "cannot read '{}'", path.string());
  return digest;
}

std::string DigestHex(std::string_view bytes) {
  return HashHex(XXH3_128bits(bytes.data(), bytes.size()));
}

fs::path TempSiblingPath(const fs::path& final_path) {
  fs::path parent = final_path.parent_path();
  std::string name = fmt::format(".{}.rbtmp-{}-{}{}", final_path.stem().string(), getpid(),
                                 g_temp_counter.fetch_add(1), final_path.extension().string());
  return parent / name;
}

AtomicPath::AtomicPath(fs::path final_path)
    : final_(std::move(final_path)), temp_(TempSiblingPath(final_)) {
  RB_CHECK_ARG(!final_.empty() && final_.filename() != "." && final_.filename() != "..",
               "invalid output path '{}'", final_.string());
  slot_ = RegisterTemp(temp_);
}

AtomicPath::AtomicPath(AtomicPath&& other) noexcept
    : final_(std::move(other.final_)),
      temp_(std::move(other.temp_)),
      committed_(other.committed_),
      slot_(other.slot_) {
  other.moved_from_ = true;
  other.slot_ = -1;
}

AtomicPath::~AtomicPath() {
  if (!moved_from_ && !committed_) Discard();
  UnregisterTemp(slot_);
}

void AtomicPath::Commit() {
  RB_CHECK(!committed_ && !moved_from_);
  std::error_code ec;
  auto status = fs::symlink_status(temp_, ec);
  if (!fs::exists(status)) {
    Throw(ErrorCode::kInternal, "output '{}' was not written", final_.string());
  }
  if (fs::is_directory(status) && fs::exists(final_)) {
    // rename() cannot replace a non-empty directory: move the old one aside first.
    fs::path old = TempSiblingPath(final_);
    fs::rename(final_, old, ec);
    if (ec) Throw(ErrorCode::kIo, "cannot replace '{}': {}", final_.string(), ec.message());
    fs::rename(temp_, final_, ec);
    if (ec) {
      fs::rename(old, final_);
      Throw(ErrorCode::kIo, "cannot move output into '{}': {}", final_.string(), ec.message());
    }
    fs::remove_all(old, ec);
  } else {
    fs::rename(temp_, final_, ec);
    if (ec)
      Throw(ErrorCode::kIo, "cannot move output into '{}': {}", final_.string(), ec.message());
  }
  committed_ = true;
  UnregisterTemp(slot_);
  slot_ = -1;
}

void AtomicPath::Discard() noexcept {
  std::error_code ec;
  fs::remove_all(temp_, ec);
}

void WriteFileAtomic(const fs::path& path, std::string_view bytes) {
  AtomicPath out(path);
  {
    std::ofstream file(out.temp(), std::ios::binary);
    if (!file) Throw(ErrorCode::kIo, "cannot create '{}': {}", path.string(), std::strerror(errno));
    file.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
    file.close();
    if (!file) Throw(ErrorCode::kIo, "cannot write '{}': {}", path.string(), std::strerror(errno));
  }
  out.Commit();
}

void RemoveTempPathsFromSignalHandler() noexcept {
  for (TempSlot& slot : g_temp_slots) {
    if (slot.used.load() && slot.path[0] != '\0') {
      if (unlink(slot.path) != 0) rmdir(slot.path);
    }
  }
}

}  // namespace rb::io
