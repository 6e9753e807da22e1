// Dynamic loss scaling for fp16 training (Micikevicius et al., "Mixed Precision Training", 2018):
// the loss gradient is multiplied by a scale so that small gradients survive fp16's range; a
// step whose gradients overflowed (an infinity or NaN) is skipped and the scale halved, and
// after `growth_interval` clean steps in a row the scale doubles.
#pragma once

#include <cstdint>

namespace rb::nn {

class LossScaler {
 public:
  explicit LossScaler(float initial = 65536.0f, int64_t growth_interval = 2000)
      : scale_(initial), growth_interval_(growth_interval) {}

  float scale() const { return scale_; }
  int64_t clean_steps() const { return clean_steps_; }
  int64_t skipped_steps() const { return skipped_steps_; }

  // After a backward pass: whether its gradients may be applied.
  bool Update(bool finite) {
    if (!finite) {
      scale_ = scale_ > 1.0f ? scale_ * 0.5f : 1.0f;
      clean_steps_ = 0;
      ++skipped_steps_;
      return false;
    }
    if (++clean_steps_ >= growth_interval_ && scale_ < 16777216.0f) {
      scale_ *= 2.0f;
      clean_steps_ = 0;
    }
    return true;
  }

  // For snapshots: a resumed run continues with the same scale.
  void Restore(float scale, int64_t clean_steps, int64_t skipped_steps) {
    scale_ = scale;
    clean_steps_ = clean_steps;
    skipped_steps_ = skipped_steps;
  }

 private:
  float scale_;
  int64_t growth_interval_;
  int64_t clean_steps_ = 0;
  int64_t skipped_steps_ = 0;
};

}  // namespace rb::nn
