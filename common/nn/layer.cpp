#include "common/nn/layer.hpp"

#include <cctype>

#include "common/core/check.hpp"
#include "roadbrew/kernels/onednn.hpp"

namespace rb::nn {

std::string_view PhaseName(Phase phase) {
  switch (phase) {
    case Phase::kTrain:
      return "TRAIN";
    case Phase::kTest:
      return "TEST";
    case Phase::kDeploy:
      return "DEPLOY";
  }
  return "?";
}

std::string_view BackendName(Backend backend) {
  switch (backend) {
    case Backend::kReference:
      return "reference";
    case Backend::kOneDnn:
      return "onednn";
    case Backend::kCuda:
      return "cuda";
  }
  return "?";
}

Backend ChooseCpuBackend(std::string_view choice) {
  if (choice == "reference") return Backend::kReference;
  if (choice == "onednn") return Backend::kOneDnn;
  RB_CHECK_ARG(choice == "auto", "backend '{}' is not auto, onednn or reference", choice);
  return kernels::onednn::Available() ? Backend::kOneDnn : Backend::kReference;
}

Backend ChooseBackend(Device device, std::string_view cpu_choice) {
  Backend cpu = ChooseCpuBackend(cpu_choice);  // validates the name either way
  return device == Device::kCuda ? Backend::kCuda : cpu;
}

std::string LayerSpec::where() const {
  return fmt::format("layer '{}' ({} of '{}')", name, path, source);
}

std::string LayerSpec::options_key() const {
  // "SoftmaxWithLoss" -> "softmax_with_loss", "ReLU" -> "relu", "IoU" -> "iou": a capital
  // starts a new word when it follows a lowercase letter and is followed by one.
  auto lower = [](char c) { return std::islower(static_cast<unsigned char>(c)) != 0; };
  std::string key;
  for (size_t i = 0; i < type.size(); ++i) {
    char c = type[i];
    bool word =
        i > 0 && !lower(c) && lower(type[i - 1]) && i + 1 < type.size() && lower(type[i + 1]);
    if (word) key += '_';
    key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return key;
}

std::string LayerSpec::options_path() const { return fmt::format("{}.{}", path, options_key()); }

void Layer::ExpectBlobs(const Blobs& bottom, const Blobs& top, int min_bottom, int max_bottom,
                        int min_top, int max_top) const {
  auto check = [&](const char* what, size_t count, int lo, int hi) {
    if (static_cast<int>(count) < lo || static_cast<int>(count) > hi) {
      Fail(lo == hi ? fmt::format("{} needs {} {}, got {}", spec_.type, lo, what, count)
                    : fmt::format("{} needs {} to {} {}, got {}", spec_.type, lo, hi, what, count));
    }
  };
  check("bottoms", bottom.size(), min_bottom, max_bottom);
  check("tops", top.size(), min_top, max_top);
}

void Layer::Fail(const std::string& what) const {
  Throw(ErrorCode::kInvalidArgument, "{}, {}", what, spec_.where());
}

}  // namespace rb::nn
