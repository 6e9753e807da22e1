// Connected components of a binary image by runs: each row's maximal horizontal runs of occupied
// pixels are found with bit scans, runs of consecutive rows that touch are merged in a union-find
// forest (link to the smaller index, so a root is its set's first run and one forward pass
// flattens the forest), and labels are numbered in raster order of each component's first run.
//
// The runs are a complete labelling: a pixel's label is its run's, found by a binary search among
// its row's runs. They make every question of the Monte Carlo cheap: a component's size is a sum
// of run lengths, a connectivity field a fill of a few runs; LabelImage() expands them to one
// label per pixel for callers that need that form.
// Connectivity: 4 (edge neighbours) or 8 (edges and corners); stated in every output.
#pragma once

#include <cstdint>
#include <span>
#include <string_view>
#include <vector>

#include "stages/percolate/bernoulli_field.hpp"

namespace rb::percolate {

enum class Connectivity { kFour = 4, kEight = 8 };
// 4 or 8; throws kInvalidArgument otherwise.
Connectivity ParseConnectivity(int64_t neighbours);
// "4-connectivity (edge neighbours)" or "8-connectivity (edge and corner neighbours)".
std::string_view ConnectivityText(Connectivity connectivity);

// Tests: label with the portable code even where AVX-512 is available (false: the fastest the
// machine has). Not thread-safe; the two give the same labels.
void UsePortableLabeller(bool portable);

struct ComponentStats {
  int64_t components = 0;
  int64_t occupied = 0;             // occupied pixels
  int64_t largest = 0;              // pixels in the largest component
  bool spans_vertically = false;    // one component touches the top and the bottom row
  bool spans_horizontally = false;  // ... the left and the right column
};

// Components of one image; reusable across images of any size (buffers are kept).
class RunLabels {
 public:
  // What Label() keeps. kComponents: the runs' extents and labels numbered in raster order, for
  // everything below. kJoinsOnly: the union-find forest alone, which is all Joined() needs (no
  // run extents, no numbering; about a fifth less work).
  enum class Detail { kComponents, kJoinsOnly };
  // Labels `image`; previous results are replaced.
  void Label(const BitImage& image, Connectivity connectivity, Detail detail = Detail::kComponents);
  // Whether pixels a and b of the image last labelled are both occupied and in one component.
  // Either detail. Preconditions: both in the image; `image` is the one labelled.
  bool Joined(const BitImage& image, geo::PixelPoint a, geo::PixelPoint b);

  int width() const { return width_; }
  int height() const { return height_; }
  int64_t components() const { return components_; }
  int64_t runs() const { return runs_; }

  // The functions below need Detail::kComponents.
  // Label (0-based, in raster order of the components' first runs) of the component holding
  // pixel (column, row), or -1 when the pixel is empty. Precondition: the pixel is in the image.
  int32_t LabelAt(int column, int row) const;
  // Pixels per component, indexed by label.
  std::vector<int64_t> ComponentSizes() const;
  ComponentStats Stats() const;
  // Adds 1 to counts[row * width + column] for every pixel of component `label` (>= 0).
  void AccumulateComponent(int32_t label, std::vector<uint32_t>& counts) const;
  // (height, width) row-major labels, -1 for empty pixels.
  std::vector<int32_t> LabelImage() const;
  // The same into `out` (height * width values).
  void FillLabelImage(std::span<int32_t> out) const;

  // Runs of one row as [first, last) indices into the run arrays, and each run's extent.
  int32_t RowFirstRun(int row) const { return row_first_[row]; }
  int32_t RunStart(int32_t run) const { return start_[run]; }
  int32_t RunEnd(int32_t run) const { return end_[run]; }
  int32_t RunLabel(int32_t run) const { return parent_[run]; }

 private:
  // Columns where rows `row - 1` and `row` touch (pointers into touch_).
  struct Contacts {
    int32_t* edges = nullptr;   // starts of segments occupied in both rows
    int32_t* lefts = nullptr;   // lone corners: upper c - 1 and lower c
    int32_t* rights = nullptr;  // lone corners: upper c + 1 and lower c
    int32_t edge_count = 0, left_count = 0, right_count = 0;
  };

  void Reserve(int words_per_row);
  // With `extents`, also each run's start and end columns.
  void ExtractRuns(const BitImage& image, bool extents);
  // The run holding an occupied pixel of the row whose words start at `row_offset` (row x
  // words_per_row_): the last run starting at or before `column`.
  int32_t RunAt(size_t row_offset, int column) const;
  Contacts CollectContacts(int row, Connectivity connectivity, const BitImage& image);
  void JoinContacts(int row, const Contacts& contacts);
  int32_t Find(int32_t run);
  void Union(int32_t a, int32_t b);
  void NumberComponents();

  int width_ = 0;
  int height_ = 0;
  int64_t components_ = 0;
  int32_t runs_ = 0;
  // Sized for the worst case (alternating pixels) and reused; only the first runs_ are valid.
  std::vector<int32_t> start_, end_;  // run i covers columns [start_[i], end_[i])
  std::vector<int32_t> row_first_;    // runs of row r: [row_first_[r], row_first_[r + 1])
  std::vector<int32_t> parent_;       // union-find forest, then each run's label
  bool numbered_ = false;             // parent_ holds labels (Detail::kComponents)
  int words_per_row_ = 0;
  std::vector<uint64_t> start_bits_;  // (height, words_per_row): run starts as bits
  std::vector<int32_t> rank_base_;    // per word: index of the last run starting before it
  std::vector<int32_t> touch_;        // columns where rows touch (3 lists), one row pair
  std::vector<uint64_t> masks_;       // one row's bit masks (3 kinds), scratch
};

}  // namespace rb::percolate
