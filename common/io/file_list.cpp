#include "common/io/file_list.hpp"

#include <glob.h>

#include <algorithm>
#include <string>

#include "common/core/check.hpp"

namespace rb::io {
namespace fs = std::filesystem;

std::vector<fs::path> ListFiles(std::string_view spec,
                                const std::vector<std::string_view>& extensions) {
  std::string text(spec);
  fs::path path(text);
  std::vector<fs::path> files;
  std::error_code ec;
  if (fs::is_directory(path, ec)) {
    for (const auto& entry : fs::directory_iterator(path, ec)) {
      std::string extension = entry.path().extension().string();
      std::transform(extension.begin(), extension.end(), extension.begin(),
                     [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
      bool wanted = std::find(extensions.begin(), extensions.end(), extension) != extensions.end();
      if (entry.is_regular_file(ec) && wanted) files.push_back(entry.path());
    }
  } else if (text.find_first_of("*?[") != std::string::npos) {
    glob_t matches{};
    if (glob(text.c_str(), 0, nullptr, &matches) == 0) {
      for (size_t i = 0; i < matches.gl_pathc; ++i) files.emplace_back(matches.gl_pathv[i]);
    }
    globfree(&matches);
  } else if (fs::is_regular_file(path, ec)) {
    files.push_back(path);
  } else {
    Throw(ErrorCode::kIo, "'{}' does not exist", text);
  }
  RB_CHECK_IO(!files.empty(), "'{}' names no files", text);
  std::sort(files.begin(), files.end());
  return files;
}

}  // namespace rb::io
