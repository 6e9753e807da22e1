#include "common/core/error.hpp"

namespace rb {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return "invalid argument";
    case ErrorCode::kIo:
      return "I/O error";
    case ErrorCode::kNumerical:
      return "numerical error";
    case ErrorCode::kUnsupported:
      return "unsupported";
    case ErrorCode::kCancelled:
      return "cancelled";
    case ErrorCode::kInternal:
      return "internal error";
  }
  return "unknown error";
}

int ExitCodeFor(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument:
      return 2;
    case ErrorCode::kUnsupported:
      return 3;
    default:
      return 1;
  }
}

Error::Error(ErrorCode code, std::string message)
    : code_(code), message_(std::move(message)), what_(message_) {}

Error& Error::AddContext(std::string where) {
  if (!where.empty()) {
    what_ += ", ";
    what_ += where;
    context_.push_back(std::move(where));
  }
  return *this;
}

}  // namespace rb
