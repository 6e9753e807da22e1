// Whole-file reads, checksums and atomic writes.
//
// Atomic writes go to a hidden sibling of the final path ("dir/.name.rbtmp-<pid>-<n>.ext", same
// directory so the rename is atomic, same extension so format detection by extension still works)
// and are renamed into place on Commit(). Until then the final path is never touched, so Make
// never sees a half-written target.
#pragma once

#include <cstdint>
#include <filesystem>
#include <string>
#include <string_view>

namespace rb::io {

// Throws kIo naming the file and the OS reason.
std::string ReadFileBytes(const std::filesystem::path& path);

struct FileDigest {
  uint64_t size_bytes = 0;
  std::string xxh3_128;  // 32 lowercase hex digits
};
// Streams the file through XXH3-128.
FileDigest DigestFile(const std::filesystem::path& path);
std::string DigestHex(std::string_view bytes);

std::filesystem::path TempSiblingPath(const std::filesystem::path& final_path);

// A file or directory written under a temporary name and renamed into place on Commit().
// Destroyed without Commit() it removes what was written.
class AtomicPath {
 public:
  explicit AtomicPath(std::filesystem::path final_path);
  AtomicPath(AtomicPath&& other) noexcept;
  AtomicPath& operator=(AtomicPath&&) = delete;
  AtomicPath(const AtomicPath&) = delete;
  ~AtomicPath();

  const std::filesystem::path& temp() const { return temp_; }
  const std::filesystem::path& final_path() const { return final_; }
  bool committed() const { return committed_; }

  // Renames temp() to final_path(), replacing what was there. Throws kIo when temp() was never
  // written or the rename fails.
  void Commit();
  // Removes temp() (file or directory tree) now.
  void Discard() noexcept;

 private:
  std::filesystem::path final_;
  std::filesystem::path temp_;
  bool committed_ = false;
  bool moved_from_ = false;
  int slot_ = -1;  // entry in the signal-safe table of temp paths
};

void WriteFileAtomic(const std::filesystem::path& path, std::string_view bytes);

// Removes every uncommitted temporary path of this process with unlink()/rmdir() only, so it can
// run inside a signal handler. Directory trees are removed only if already empty.
void RemoveTempPathsFromSignalHandler() noexcept;

}  // namespace rb::io
