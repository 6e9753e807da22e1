#include "common/io/safetensors.hpp"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <limits>
#include <optional>

#include <nlohmann/json.hpp>

#include "common/core/check.hpp"
#include "common/io/files.hpp"

namespace rb::io {
namespace {

constexpr uint64_t kMaxHeaderBytes = 100u << 20;  // the reference implementation's limit

std::string_view SafeTensorsDTypeName(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return "BOOL";
    case DType::kUInt8:
      return "U8";
    case DType::kUInt16:
      return "U16";
    case DType::kInt32:
      return "I32";
    case DType::kInt64:
      return "I64";
    case DType::kFloat32:
      return "F32";
    case DType::kFloat64:
      return "F64";
  }
  return "";
}

std::optional<DType> DTypeFromSafeTensorsName(std::string_view name) {
  for (DType dtype : {DType::kBool, DType::kUInt8, DType::kUInt16, DType::kInt32, DType::kInt64,
                      DType::kFloat32, DType::kFloat64}) {
    if (SafeTensorsDTypeName(dtype) == name) return dtype;
  }
  return std::nullopt;
}

// Element count of `shape`, or nullopt on a negative dimension or overflow.
std::optional<uint64_t> CheckedCount(const std::vector<int64_t>& shape) {
  uint64_t count = 1;
  for (int64_t dim : shape) {
    if (dim < 0) return std::nullopt;
    if (dim != 0 && count > std::numeric_limits<uint64_t>::max() / static_cast<uint64_t>(dim)) {
      return std::nullopt;
    }
    count *= static_cast<uint64_t>(dim);
  }
  return count;
}

}  // namespace

struct SafeTensorsReader::Mapping {
  void* address = nullptr;
  size_t length = 0;
  ~Mapping() {
    if (address != nullptr && length > 0) munmap(address, length);
  }
};

int64_t TensorView::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

SafeTensorsReader::SafeTensorsReader(SafeTensorsReader&&) noexcept = default;
SafeTensorsReader& SafeTensorsReader::operator=(SafeTensorsReader&&) noexcept = default;
SafeTensorsReader::~SafeTensorsReader() = default;

SafeTensorsReader SafeTensorsReader::Open(const std::filesystem::path& path) {
  SafeTensorsReader reader;
  reader.path_ = path.string();
  auto fail = [&](const std::string& what) {
    Throw(ErrorCode::kIo, "{}, in safetensors file '{}'", what, reader.path_);
  };

  int fd = ::open(reader.path_.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) Throw(ErrorCode::kIo, "cannot open '{}': {}", reader.path_, std::strerror(errno));
  struct stat info {};
  if (fstat(fd, &info) != 0) {
    ::close(fd);
    Throw(ErrorCode::kIo, "cannot stat '{}': {}", reader.path_, std::strerror(errno));
  }
  reader.mapping_ = std::make_unique<Mapping>();
  reader.mapping_->length = static_cast<size_t>(info.st_size);
  if (reader.mapping_->length > 0) {
    void* address = mmap(nullptr, reader.mapping_->length, PROT_READ, MAP_PRIVATE, fd, 0);
    ::close(fd);
    if (address == MAP_FAILED) fail(fmt::format("mmap failed: {}", std::strerror(errno)));
    reader.mapping_->address = address;
  } else {
    ::close(fd);
  }
  std::span<const std::byte> file(static_cast<const std::byte*>(reader.mapping_->address),
                                  reader.mapping_->length);

  if (file.size() < 8) fail(fmt::format("file of {} bytes is too short", file.size()));
  uint64_t header_length = 0;
  for (int i = 7; i >= 0; --i)
    header_length = (header_length << 8) | std::to_integer<uint64_t>(file[i]);
  if (header_length > kMaxHeaderBytes || header_length > file.size() - 8) {
    fail(fmt::format("header length {} exceeds the file ({} bytes)", header_length, file.size()));
  }
  std::string_view header_text(reinterpret_cast<const char*>(file.data() + 8), header_length);
  nlohmann::json header = nlohmann::json::parse(header_text, nullptr, false);
  if (header.is_discarded() || !header.is_object()) fail("header is not a JSON object");

  std::span<const std::byte> data = file.subspan(8 + header_length);
  std::vector<std::pair<uint64_t, uint64_t>> ranges;
  for (auto& [name, entry] : header.items()) {
    if (name == "__metadata__") {
      if (!entry.is_object()) fail("__metadata__ is not an object");
      for (auto& [key, value] : entry.items()) {
        if (!value.is_string()) fail(fmt::format("metadata value '{}' is not a string", key));
        reader.metadata_[key] = value.get<std::string>();
      }
      continue;
    }
    auto bad = [&](std::string_view what) { fail(fmt::format("tensor '{}': {}", name, what)); };
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets")) {
      bad("needs dtype, shape and data_offsets");
    }
    const auto& dtype_json = entry["dtype"];
    std::optional<DType> dtype = dtype_json.is_string()
                                     ? DTypeFromSafeTensorsName(dtype_json.get<std::string>())
                                     : std::nullopt;
    if (!dtype) bad(fmt::format("unsupported dtype {}", dtype_json.dump()));
    const auto& shape_json = entry["shape"];
    const auto& offsets = entry["data_offsets"];
    if (!shape_json.is_array() || !std::all_of(shape_json.begin(), shape_json.end(),
                                               [](auto& d) { return d.is_number_unsigned(); })) {
      bad("shape must be an array of non-negative integers");
    }
    if (!offsets.is_array() || offsets.size() != 2 || !offsets[0].is_number_unsigned() ||
        !offsets[1].is_number_unsigned()) {
      bad("data_offsets must be [begin, end]");
    }
    std::vector<int64_t> shape = shape_json.get<std::vector<int64_t>>();
    uint64_t begin = offsets[0].get<uint64_t>();
    uint64_t end = offsets[1].get<uint64_t>();
    std::optional<uint64_t> count = CheckedCount(shape);
    if (!count || *count > std::numeric_limits<uint64_t>::max() / DTypeSize(*dtype)) {
      bad("shape is too large");
    }
    if (begin > end || end > data.size()) {
      bad(fmt::format("data_offsets [{}, {}] outside the {} data bytes", begin, end, data.size()));
    }
    if (end - begin != *count * DTypeSize(*dtype)) {
      bad(fmt::format("data_offsets span {} bytes but the shape needs {}", end - begin,
                      *count * DTypeSize(*dtype)));
    }
    ranges.emplace_back(begin, end);
    reader.tensors_[name] =
        TensorView{name, *dtype, std::move(shape), data.subspan(begin, end - begin)};
  }
  // The byte buffer must be covered exactly: no holes, no overlaps.
  std::sort(ranges.begin(), ranges.end());
  uint64_t cursor = 0;
  for (auto [begin, end] : ranges) {
    if (begin != cursor) {
      fail(fmt::format("tensor data {} at byte {} (expected {})",
                       begin < cursor ? "overlaps" : "leaves a hole", begin, cursor));
    }
    cursor = end;
  }
  if (cursor != data.size()) {
    fail(fmt::format("{} data bytes but the tensors cover {}", data.size(), cursor));
  }
  return reader;
}

std::vector<std::string> SafeTensorsReader::names() const {
  std::vector<std::string> out;
  for (const auto& [name, view] : tensors_) out.push_back(name);
  return out;
}

const TensorView& SafeTensorsReader::Get(const std::string& name) const {
  auto it = tensors_.find(name);
  if (it == tensors_.end()) Throw(ErrorCode::kIo, "no tensor '{}' in '{}'", name, path_);
  return it->second;
}

void SafeTensorsWriter::Add(std::string name, DType dtype, std::vector<int64_t> shape,
                            std::span<const std::byte> data) {
  RB_CHECK_ARG(name != "__metadata__" && !name.empty(), "invalid tensor name '{}'", name);
  std::optional<uint64_t> count = CheckedCount(shape);
  RB_CHECK_ARG(count && *count * DTypeSize(dtype) == data.size(),
               "tensor '{}': {} bytes do not match its shape", name, data.size());
  tensors_[std::move(name)] = Entry{dtype, std::move(shape), {data.begin(), data.end()}};
}

void SafeTensorsWriter::SetMetadata(std::string key, std::string value) {
  metadata_[std::move(key)] = std::move(value);
}

std::string SafeTensorsWriter::Encode() const {
  std::vector<const std::pair<const std::string, Entry>*> order;
  for (const auto& item : tensors_) order.push_back(&item);
  std::stable_sort(order.begin(), order.end(), [](auto* a, auto* b) {
    return DTypeSize(a->second.dtype) > DTypeSize(b->second.dtype);
  });
  nlohmann::json header = nlohmann::json::object();
  if (!metadata_.empty()) header["__metadata__"] = metadata_;
  uint64_t offset = 0;
  for (const auto* item : order) {
    const Entry& entry = item->second;
    header[item->first] = {{"dtype", SafeTensorsDTypeName(entry.dtype)},
                           {"shape", entry.shape},
                           {"data_offsets", {offset, offset + entry.data.size()}}};
    offset += entry.data.size();
  }
  std::string header_text = header.dump();
  header_text.append((8 - header_text.size() % 8) % 8, ' ');  // data starts 8-byte aligned
  std::string out;
  out.reserve(8 + header_text.size() + offset);
  uint64_t length = header_text.size();
  for (int i = 0; i < 8; ++i) out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  out += header_text;
  for (const auto* item : order) {
    out.append(reinterpret_cast<const char*>(item->second.data.data()), item->second.data.size());
  }
  return out;
}

void SafeTensorsWriter::Write(const std::filesystem::path& path) const {
  WriteFileAtomic(path, Encode());
}

}  // namespace rb::io
