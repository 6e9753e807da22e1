// Files named the ways command lines name them: one file, a folder (its files with the given
// extensions), or a glob pattern ("prep/*.tif"). Sorted; throws kIo when nothing matches.
#pragma once

#include <filesystem>
#include <string_view>
#include <vector>

namespace rb::io {

std::vector<std::filesystem::path> ListFiles(std::string_view spec,
                                             const std::vector<std::string_view>& extensions);

}  // namespace rb::io
