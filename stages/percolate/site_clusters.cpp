#include "stages/percolate/site_clusters.hpp"

#include <algorithm>

#include "common/core/check.hpp"

namespace rb::percolate {

SiteClusters::SiteClusters(int width, int height, Connectivity connectivity, Boundary boundary)
    : width_(width), height_(height), boundary_(boundary) {
  RB_CHECK_ARG(width > 0 && height > 0, "lattice must not be empty, got {}x{}", width, height);
  steps_ = {{1, 0}, {-1, 0}, {0, 1}, {0, -1}};
  if (connectivity == Connectivity::kEight) {
    steps_.insert(steps_.end(), {{1, 1}, {1, -1}, {-1, 1}, {-1, -1}});
  }
  size_t sites = static_cast<size_t>(width) * height;
  parent_.resize(sites);
  size_.resize(sites);
  edges_.resize(sites);
  if (boundary == Boundary::kPeriodic) {
    dx_.resize(sites);
    dy_.resize(sites);
  }
  Clear();
}

void SiteClusters::Clear() {
  std::fill(parent_.begin(), parent_.end(), kEmpty);
  clusters_ = largest_ = occupied_ = 0;
  vertical_ = horizontal_ = false;
}

int32_t SiteClusters::Find(int32_t site) {
  while (parent_[site] != site) {
    parent_[site] = parent_[parent_[site]];  // path halving
    site = parent_[site];
  }
  return site;
}

int32_t SiteClusters::FindWithOffset(int32_t site, int32_t* dx, int32_t* dy) {
  path_.clear();
  int32_t root = site;
  while (parent_[root] != root) {
    path_.push_back(root);
    root = parent_[root];
  }
  // From the site nearest the root down: each one's offset to the root, then point it there.
  int32_t ox = 0, oy = 0;
  for (auto it = path_.rbegin(); it != path_.rend(); ++it) {
    ox += dx_[*it];
    oy += dy_[*it];
    dx_[*it] = ox;
    dy_[*it] = oy;
    parent_[*it] = root;
  }
  *dx = path_.empty() ? 0 : dx_[site];
  *dy = path_.empty() ? 0 : dy_[site];
  return root;
}

void SiteClusters::Link(int32_t child_root, int32_t root) {
  parent_[child_root] = root;
  size_[root] += size_[child_root];
  edges_[root] |= edges_[child_root];
  largest_ = std::max<int64_t>(largest_, size_[root]);
  --clusters_;
}

// Bond from `site` to `neighbour`, which lies at site + step on the unwrapped plane.
void SiteClusters::Join(int32_t site, int32_t neighbour, Step step) {
  if (boundary_ == Boundary::kOpen) {
    int32_t a = Find(site), b = Find(neighbour);
    if (a == b) return;
    if (size_[a] < size_[b]) std::swap(a, b);
    Link(b, a);
    return;
  }
  int32_t ax, ay, bx, by;
  int32_t a = FindWithOffset(site, &ax, &ay);
  int32_t b = FindWithOffset(neighbour, &bx, &by);
  // Where the bond puts the neighbour's root relative to the site's root.
  int32_t ox = ax + step.dx - bx, oy = ay + step.dy - by;
  if (a == b) {
    horizontal_ |= ox != 0;  // the two paths to the root differ by a winding
    vertical_ |= oy != 0;
    return;
  }
  if (size_[a] < size_[b]) {
    std::swap(a, b);
    ox = -ox;
    oy = -oy;
  }
  dx_[b] = ox;
  dy_[b] = oy;
  Link(b, a);
}

void SiteClusters::Occupy(int column, int row) {
  auto site = static_cast<int32_t>(Index(column, row));
  RB_CHECK(parent_[site] == kEmpty);
  parent_[site] = site;
  size_[site] = 1;
  edges_[site] = (row == 0 ? 1 : 0) | (row == height_ - 1 ? 2 : 0) | (column == 0 ? 4 : 0) |
                 (column == width_ - 1 ? 8 : 0);
  if (boundary_ == Boundary::kPeriodic) dx_[site] = dy_[site] = 0;
  ++clusters_;
  ++occupied_;
  largest_ = std::max<int64_t>(largest_, 1);
  for (Step step : steps_) {
    int c = column + step.dx, r = row + step.dy;
    if (boundary_ == Boundary::kOpen) {
      if (c < 0 || r < 0 || c >= width_ || r >= height_) continue;
    } else {
      c = (c + width_) % width_;
      r = (r + height_) % height_;
    }
    auto neighbour = static_cast<int32_t>(Index(c, r));
    if (parent_[neighbour] != kEmpty) Join(site, neighbour, step);
  }
  if (boundary_ == Boundary::kOpen) {
    uint8_t e = edges_[Find(site)];
    vertical_ |= (e & 3) == 3;
    horizontal_ |= (e & 12) == 12;
  }
}

}  // namespace rb::percolate
