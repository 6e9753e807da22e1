#include "common/io/npy.hpp"

#include <cstring>
#include <limits>
#include <optional>

#include <fmt/format.h>
#include <fmt/ranges.h>

#include "common/io/files.hpp"

namespace rb::io {
namespace {

constexpr std::string_view kMagic = "\x93NUMPY";
constexpr size_t kHeaderAlignment = 64;  // numpy >= 1.x pads the header to 64 bytes

struct NpyHeader {
  std::string descr;
  bool fortran_order = false;
  std::vector<int64_t> shape;
};

std::optional<DType> DTypeFromDescr(std::string_view descr) {
  if (descr.size() < 2) return std::nullopt;
  char order = descr[0];
  std::string_view code = descr.substr(1);
  bool single_byte = code == "b1" || code == "u1";
  // '|' = not applicable (single bytes), '<' little-endian, '=' native (little on our targets).
  if (!(order == '<' || order == '=' || (order == '|' && single_byte))) return std::nullopt;
  if (code == "b1") return DType::kBool;
  if (code == "u1") return DType::kUInt8;
  if (code == "u2") return DType::kUInt16;
  if (code == "i4") return DType::kInt32;
  if (code == "i8") return DType::kInt64;
  if (code == "f4") return DType::kFloat32;
  if (code == "f8") return DType::kFloat64;
  return std::nullopt;
}

std::string_view DescrOf(DType dtype) {
  switch (dtype) {
    case DType::kBool:
      return "|b1";
    case DType::kUInt8:
      return "|u1";
    case DType::kUInt16:
      return "<u2";
    case DType::kInt32:
      return "<i4";
    case DType::kInt64:
      return "<i8";
    case DType::kFloat32:
      return "<f4";
    case DType::kFloat64:
      return "<f8";
  }
  return "";
}

// Parses the Python dict literal numpy writes, e.g.
// {'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
class HeaderParser {
 public:
  HeaderParser(std::string_view text, std::string_view name) : text_(text), name_(name) {}

  NpyHeader Parse() {
    NpyHeader header;
    bool has_descr = false, has_order = false, has_shape = false;
    Expect('{');
    while (true) {
      SkipSpace();
      if (Peek() == '}') break;
      std::string key = ParseString();
      Expect(':');
      if (key == "descr") {
        header.descr = ParseString();
        has_descr = true;
      } else if (key == "fortran_order") {
        header.fortran_order = ParseBool();
        has_order = true;
      } else if (key == "shape") {
        header.shape = ParseShape();
        has_shape = true;
      } else {
        Fail(fmt::format("unexpected key '{}'", key));
      }
      SkipSpace();
      if (Peek() == ',') ++pos_;
    }
    if (!has_descr || !has_order || !has_shape) {
      Fail("missing one of 'descr', 'fortran_order', 'shape'");
    }
    return header;
  }

 private:
  [[noreturn]] void Fail(std::string_view what) const {
    Throw(ErrorCode::kIo, "malformed NPY header ({} at offset {}), in '{}'", what, pos_, name_);
  }
  void SkipSpace() {
    while (pos_ < text_.size() && (text_[pos_] == ' ' || text_[pos_] == '\t')) ++pos_;
  }
  char Peek() {
    SkipSpace();
    if (pos_ >= text_.size()) Fail("unexpected end");
    return text_[pos_];
  }
  void Expect(char c) {
    if (Peek() != c) Fail(fmt::format("expected '{}'", c));
    ++pos_;
  }
  std::string ParseString() {
    char quote = Peek();
    if (quote != '\'' && quote != '"') Fail("expected a quoted string");
    size_t end = text_.find(quote, ++pos_);
    if (end == std::string_view::npos) Fail("unterminated string");
    std::string value(text_.substr(pos_, end - pos_));
    pos_ = end + 1;
    return value;
  }
  bool ParseBool() {
    SkipSpace();
    if (text_.substr(pos_, 4) == "True") {
      pos_ += 4;
      return true;
    }
    if (text_.substr(pos_, 5) == "False") {
      pos_ += 5;
      return false;
    }
    Fail("expected True or False");
  }
  std::vector<int64_t> ParseShape() {
    std::vector<int64_t> shape;
    Expect('(');
    while (Peek() != ')') {
      int64_t dim = 0;
      bool any_digit = false;
      while (pos_ < text_.size() && text_[pos_] >= '0' && text_[pos_] <= '9') {
        if (dim > (std::numeric_limits<int64_t>::max() - 9) / 10) Fail("dimension too large");
        dim = dim * 10 + (text_[pos_++] - '0');
        any_digit = true;
      }
      if (pos_ < text_.size() && text_[pos_] == 'L') ++pos_;  // Python 2 longs
      if (!any_digit) Fail("expected a non-negative integer dimension");
      shape.push_back(dim);
      if (Peek() == ',') ++pos_;
    }
    ++pos_;
    return shape;
  }

  std::string_view text_;
  std::string_view name_;
  size_t pos_ = 0;
};

uint32_t ReadLittleEndian(const std::byte* p, int bytes) {
  uint32_t value = 0;
  for (int i = bytes - 1; i >= 0; --i) value = (value << 8) | std::to_integer<uint32_t>(p[i]);
  return value;
}

}  // namespace

int64_t NpyArray::size() const {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

NpyArray DecodeNpy(std::span<const std::byte> bytes, std::string_view name) {
  auto fail = [&](const std::string& what) { Throw(ErrorCode::kIo, "{}, in '{}'", what, name); };
  if (bytes.size() < 10 || std::memcmp(bytes.data(), kMagic.data(), kMagic.size()) != 0) {
    fail("not an NPY file (bad magic)");
  }
  int major = std::to_integer<int>(bytes[6]);
  int minor = std::to_integer<int>(bytes[7]);
  if (major < 1 || major > 3 || minor != 0)
    fail(fmt::format("unsupported NPY version {}.{}", major, minor));
  size_t length_bytes = major == 1 ? 2 : 4;
  size_t header_start = 8 + length_bytes;
  if (bytes.size() < header_start) fail("truncated NPY header");
  size_t header_length = ReadLittleEndian(bytes.data() + 8, static_cast<int>(length_bytes));
  if (bytes.size() < header_start + header_length) {
    fail(fmt::format("truncated NPY header: {} bytes announced, {} present", header_length,
                     bytes.size() - header_start));
  }
  std::string_view text(reinterpret_cast<const char*>(bytes.data() + header_start), header_length);
  NpyHeader header = HeaderParser(text, name).Parse();

  std::optional<DType> dtype = DTypeFromDescr(header.descr);
  if (!dtype) {
    fail(fmt::format(
        "unsupported NPY dtype '{}' (supported: little-endian bool, uint8, uint16, int32, int64, "
        "float32, float64)",
        header.descr));
  }
  if (header.fortran_order) fail("Fortran-ordered NPY arrays are not supported (write C order)");

  NpyArray array{*dtype, header.shape, {}};
  size_t item = DTypeSize(*dtype);
  size_t available = bytes.size() - header_start - header_length;
  size_t expected = item;
  for (int64_t dim : header.shape) {
    if (dim != 0 && expected > std::numeric_limits<size_t>::max() / static_cast<size_t>(dim)) {
      fail("NPY shape is too large");
    }
    expected *= static_cast<size_t>(dim);
  }
  if (available < expected) {
    fail(fmt::format("truncated NPY data: shape ({}) of {} needs {} bytes, {} present",
                     fmt::join(header.shape, ", "), DTypeName(*dtype), expected, available));
  }
  if (available > expected) {
    fail(fmt::format(
        "NPY header does not match the data: shape ({}) of {} needs {} bytes, {} present",
        fmt::join(header.shape, ", "), DTypeName(*dtype), expected, available));
  }
  auto data = bytes.subspan(header_start + header_length);
  array.data.assign(data.begin(), data.end());
  return array;
}

std::string EncodeNpyHeader(DType dtype, const std::vector<int64_t>& dims) {
  std::string shape;
  for (int64_t dim : dims) shape += fmt::format("{}, ", dim);
  if (dims.size() == 1) {
    shape.pop_back();  // "(5,)"
  } else if (!shape.empty()) {
    shape.resize(shape.size() - 2);  // "(2, 3)"
  }
  std::string dict = fmt::format("{{'descr': '{}', 'fortran_order': False, 'shape': ({}), }}",
                                 DescrOf(dtype), shape);
  // Pad with spaces and a final newline so the data starts on a 64-byte boundary.
  int major = dict.size() + 1 + 10 > 65535 ? 2 : 1;
  size_t prefix = major == 1 ? 10 : 12;
  size_t total = prefix + dict.size() + 1;
  size_t padded = (total + kHeaderAlignment - 1) / kHeaderAlignment * kHeaderAlignment;
  dict.append(padded - total, ' ');
  dict.push_back('\n');

  std::string out(kMagic);
  out.push_back(static_cast<char>(major));
  out.push_back(0);
  uint32_t length = static_cast<uint32_t>(dict.size());
  for (size_t i = 0; i < prefix - 8; ++i)
    out.push_back(static_cast<char>((length >> (8 * i)) & 0xff));
  out += dict;
  return out;
}

std::string EncodeNpy(const NpyArray& array) {
  RB_CHECK_EQ(array.data.size(), static_cast<size_t>(array.size()) * DTypeSize(array.dtype));
  std::string out = EncodeNpyHeader(array.dtype, array.shape);
  out.append(reinterpret_cast<const char*>(array.data.data()), array.data.size());
  return out;
}

NpyArray ReadNpy(const std::filesystem::path& path) {
  std::string bytes = ReadFileBytes(path);
  return DecodeNpy(std::as_bytes(std::span(bytes.data(), bytes.size())), path.string());
}

void WriteNpy(const std::filesystem::path& path, const NpyArray& array) {
  WriteFileAtomic(path, EncodeNpy(array));
}

}  // namespace rb::io
