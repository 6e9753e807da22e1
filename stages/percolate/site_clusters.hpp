// Clusters of a lattice whose sites are occupied one at a time (the Newman-Ziff sweep): a
// union-find forest over sites with union by size, tracking the number of clusters, the largest
// one, and whether a cluster spans the lattice (open boundaries: touches opposite edges) or
// wraps around it (periodic boundaries: Machta's displacement method, as in Newman & Ziff 2001:
// each site stores its offset to its parent, and a bond inside one cluster whose two offsets
// disagree by a lattice period closes a winding path).
#pragma once

#include <cstdint>
#include <vector>

#include "stages/percolate/run_labels.hpp"

namespace rb::percolate {

enum class Boundary { kOpen, kPeriodic };

class SiteClusters {
 public:
  SiteClusters(int width, int height, Connectivity connectivity, Boundary boundary);

  // Empties the lattice.
  void Clear();
  // Occupies site (column, row); precondition: it is inside and empty.
  void Occupy(int column, int row);
  bool Occupied(int column, int row) const { return parent_[Index(column, row)] != kEmpty; }

  int64_t clusters() const { return clusters_; }
  int64_t largest() const { return largest_; }
  int64_t occupied() const { return occupied_; }
  // Open: a cluster touches the top and the bottom row. Periodic: a cluster winds vertically.
  bool spans_vertically() const { return vertical_; }
  // Open: a cluster touches the left and the right column. Periodic: winds horizontally.
  bool spans_horizontally() const { return horizontal_; }

 private:
  static constexpr int32_t kEmpty = -1;
  struct Step {
    int dx, dy;
  };

  size_t Index(int column, int row) const { return static_cast<size_t>(row) * width_ + column; }
  int32_t Find(int32_t site);
  // Root of `site`, with its offset from the root in (*dx, *dy); compresses the path.
  int32_t FindWithOffset(int32_t site, int32_t* dx, int32_t* dy);
  void Join(int32_t site, int32_t neighbour, Step step);
  void Link(int32_t child_root, int32_t root);

  int width_, height_;
  Boundary boundary_;
  std::vector<Step> steps_;
  std::vector<int32_t> parent_;   // kEmpty for empty sites
  std::vector<int32_t> size_;     // valid at roots
  std::vector<uint8_t> edges_;    // at roots: bit 0 top, 1 bottom, 2 left, 3 right (open)
  std::vector<int32_t> dx_, dy_;  // periodic: offset of a site from its parent
  std::vector<int32_t> path_;     // scratch for FindWithOffset
  int64_t clusters_ = 0, largest_ = 0, occupied_ = 0;
  bool vertical_ = false, horizontal_ = false;
};

}  // namespace rb::percolate
