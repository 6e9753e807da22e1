#include "common/geo/image_id.hpp"

#include <regex>

namespace rb::geo {

std::optional<std::string> CanonicalImageId(std::string_view name) {
  // The AOI token, then the first "img<k>" after it (the rule SpaceNet's tools apply).
  static const std::regex pattern(R"((AOI_\d+_[A-Za-z]+).*?(?:^|[_\-.])(img\d+)(?:$|[_\-.]))");
  std::match_results<std::string_view::const_iterator> match;
  if (!std::regex_search(name.begin(), name.end(), match, pattern)) return std::nullopt;
  return match[1].str() + "_" + match[2].str();
}

int64_t ImageNumber(std::string_view image_id) {
  size_t pos = image_id.rfind("img");
  if (pos == std::string_view::npos || pos + 3 >= image_id.size()) return -1;
  int64_t number = 0;
  for (size_t i = pos + 3; i < image_id.size(); ++i) {
    char c = image_id[i];
    if (c < '0' || c > '9') return -1;
    number = number * 10 + (c - '0');
  }
  return number;
}

bool ImageIdLess::operator()(std::string_view a, std::string_view b) const {
  std::string_view prefix_a = a.substr(0, a.rfind("_img"));
  std::string_view prefix_b = b.substr(0, b.rfind("_img"));
  if (prefix_a != prefix_b) return prefix_a < prefix_b;
  int64_t na = ImageNumber(a), nb = ImageNumber(b);
  if (na != nb) return na < nb;
  return a < b;
}

}  // namespace rb::geo
