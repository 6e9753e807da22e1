// Preview PNG of a synthetic image for people: true colour (bands 5, 3, 2) beside a false-colour
// NIR composite (NIR1, Red, Green: vegetation shows red), each stretched 2-98 %.
#pragma once

#include <opencv2/core.hpp>

#include "stages/synth/sensor.hpp"

namespace rb::synth {

// BGR image of two panels of `panel` x `panel` pixels.
cv::Mat PreviewImage(const Imagery& imagery, int panel);

}  // namespace rb::synth
