// Composite layer types, expanded into primitive layers when a net is read, so a Tiramisu
// model file stays short (Jegou et al. 2017, shared notes networks.md 1.1).
//
//   DenseBlock {layers, growth, dropout (0.2), kernel_size (3), weight_filler, bias_term,
//               batch_norm {...BatchNorm options}, memory_efficient (true)}
//     bottom: x; top: [stack] or [stack, new]. Layer j: BatchNorm -> ReLU -> conv (growth
//     filters) -> Dropout, its output concatenated to the stack. "new" is the concatenation of
//     the block's new features only (a view: the Tiramisu upsamples only those). Memory
//     efficient: every layer writes its features straight into one shared stack (no
//     concatenation copies) and the BatchNorm-ReLU outputs share one scratch buffer, recomputed
//     before backward (Pleiss et al. 2017).
//   TransitionDown {dropout (0.2), weight_filler, bias_term, batch_norm, memory_efficient}
//     BatchNorm -> ReLU -> 1x1 conv (as many filters as inputs) -> Dropout -> 2x2 max pool.
//   TransitionUp {weight_filler, bias_term, crop (false)}
//     bottoms: [features, skip]; 3x3 stride-2 deconvolution (as many filters as inputs, output
//     2n: pad 0, pad_end 1), cropped to the skip's size when crop is set, concatenated with the
//     skip.
#pragma once

#include <optional>
#include <vector>

#include "common/nn/layer.hpp"

namespace rb::nn {

// The expansion of `spec` if its type is a composite, else nullopt.
std::optional<std::vector<LayerSpec>> ExpandComposite(const LayerSpec& spec);

}  // namespace rb::nn
