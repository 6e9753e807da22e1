#include "stages/percolate/run_labels.hpp"

#include <algorithm>
#include <bit>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "common/core/check.hpp"

namespace rb::percolate {

Connectivity ParseConnectivity(int64_t neighbours) {
  RB_CHECK_ARG(neighbours == 4 || neighbours == 8, "connectivity must be 4 or 8, got {}",
               neighbours);
  return neighbours == 4 ? Connectivity::kFour : Connectivity::kEight;
}

std::string_view ConnectivityText(Connectivity connectivity) {
  return connectivity == Connectivity::kFour ? "4-connectivity (edge neighbours)"
                                             : "8-connectivity (edge and corner neighbours)";
}

namespace {

// Positions may be written this far past the count (the writers store whole blocks).
constexpr size_t kSlack = 32;

// Writes base + the position of every set bit of `bits`, in increasing order, to out[0 ..
// popcount) and returns the count. Positions go out eight at a time whether or not the bits
// exist (a missing bit writes base + 64), so the loop runs once for almost every word and the
// branch that ends it is predicted: on noisy images a data-dependent trip count per word costs
// more in mispredictions than the extra stores.
inline int WriteBitPositions(uint64_t bits, int32_t base, int32_t* out) {
  int count = std::popcount(bits);
  int written = 0;
  do {
    for (int j = 0; j < 8; ++j) {
      out[written + j] = base + std::countr_zero(bits);
      bits &= bits - 1;
    }
    written += 8;
  } while (written < count);
  return count;
}

// The set bits of a row of masks as columns 64 k + bit + offset, in increasing order; returns the
// count. Precondition: no two adjacent bits in a mask (run starts and ends, segment starts and
// lone corners all are), so a word holds at most 32.
using RowPositionsFn = int32_t (*)(const uint64_t* masks, int words, int32_t offset, int32_t* out);

// Cloned for POPCNT/TZCNT, which x86-64's baseline lacks (the default clone calls a library
// routine for popcount and branches around bsf).
__attribute__((target_clones("arch=x86-64-v3", "default"))) int32_t RowPositionsScalar(
    const uint64_t* masks, int words, int32_t offset, int32_t* out) {
  int32_t n = 0;
  for (int k = 0; k < words; ++k) n += WriteBitPositions(masks[k], 64 * k + offset, out + n);
  return n;
}

#if defined(__x86_64__)
// vpcompressb packs the indices of the set bits into bytes; two widenings store 32 positions
// whatever the count. (maskz forms: GCC 12 warns about the undefined sources of the others.)
__attribute__((target("avx512f,avx512bw,avx512vbmi2,popcnt"))) int32_t RowPositionsAvx512(
    const uint64_t* masks, int words, int32_t offset, int32_t* out) {
  const __m512i iota = _mm512_set_epi8(
      63, 62, 61, 60, 59, 58, 57, 56, 55, 54, 53, 52, 51, 50, 49, 48, 47, 46, 45, 44, 43, 42, 41,
      40, 39, 38, 37, 36, 35, 34, 33, 32, 31, 30, 29, 28, 27, 26, 25, 24, 23, 22, 21, 20, 19, 18,
      17, 16, 15, 14, 13, 12, 11, 10, 9, 8, 7, 6, 5, 4, 3, 2, 1, 0);
  int32_t n = 0;
  for (int k = 0; k < words; ++k) {
    __m512i packed = _mm512_maskz_compress_epi8(masks[k], iota);
    __m512i base = _mm512_set1_epi32(64 * k + offset);
    __m128i low = _mm512_maskz_extracti32x4_epi32(0xF, packed, 0);
    __m128i high = _mm512_maskz_extracti32x4_epi32(0xF, packed, 1);
    _mm512_storeu_si512(out + n, _mm512_add_epi32(_mm512_maskz_cvtepu8_epi32(0xFFFF, low), base));
    _mm512_storeu_si512(out + n + 16,
                        _mm512_add_epi32(_mm512_maskz_cvtepu8_epi32(0xFFFF, high), base));
    n += static_cast<int32_t>(_mm_popcnt_u64(masks[k]));
  }
  return n;
}
#endif

RowPositionsFn ChooseRowPositions() {
#if defined(__x86_64__)
  if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
      __builtin_cpu_supports("avx512vbmi2")) {
    return RowPositionsAvx512;
  }
#endif
  return RowPositionsScalar;
}

RowPositionsFn g_row_positions = ChooseRowPositions();

}  // namespace

void UsePortableLabeller(bool portable) {
  g_row_positions = portable ? RowPositionsScalar : ChooseRowPositions();
}

// Inlined into JoinContacts' clones, so that their popcount is the POPCNT instruction, not the
// baseline's library routine (a call per contact, three times slower on a noisy field).
[[gnu::always_inline]] inline int32_t RunLabels::RunAt(size_t row_offset, int column) const {
  uint64_t upto = ~uint64_t{0} >> (63 - (column & 63));
  size_t word = row_offset + (column >> 6);
  return rank_base_[word] + std::popcount(start_bits_[word] & upto);
}

void RunLabels::Label(const BitImage& image, Connectivity connectivity, Detail detail) {
  width_ = image.width;
  height_ = image.height;
  const bool components = detail == Detail::kComponents;
  ExtractRuns(image, components);
  for (int row = 1; row < height_; ++row) {
    JoinContacts(row, CollectContacts(row, connectivity, image));
  }
  numbered_ = components;
  if (components) NumberComponents();
}

bool RunLabels::Joined(const BitImage& image, geo::PixelPoint a, geo::PixelPoint b) {
  if (!image.Get(a.column, a.row) || !image.Get(b.column, b.row)) return false;
  int32_t run_a = RunAt(static_cast<size_t>(a.row) * words_per_row_, a.column);
  int32_t run_b = RunAt(static_cast<size_t>(b.row) * words_per_row_, b.column);
  return numbered_ ? parent_[run_a] == parent_[run_b] : Find(run_a) == Find(run_b);
}

// Buffers only grow: a Monte Carlo labels thousands of images of one size.
void RunLabels::Reserve(int words_per_row) {
  size_t worst = static_cast<size_t>(height_) * ((width_ + 1) / 2) + kSlack;  // alternating
  if (start_.size() < worst) {
    start_.resize(worst);
    end_.resize(worst);
    parent_.resize(worst);
  }
  size_t word_count = static_cast<size_t>(height_) * words_per_row;
  if (start_bits_.size() < word_count) {
    start_bits_.resize(word_count);
    rank_base_.resize(word_count);
  }
  touch_.resize(3 * (static_cast<size_t>(words_per_row) * 64 + kSlack));
  masks_.resize(3 * static_cast<size_t>(words_per_row));
  words_per_row_ = words_per_row;
  row_first_.resize(static_cast<size_t>(height_) + 1);
}

// Starts are occupied pixels whose left neighbour is empty, ends occupied pixels whose right
// neighbour is empty; both come out of a row in increasing column order, and a row's k-th start
// and k-th end delimit its k-th run even when the run spans several words. The starts are also
// kept as a bitmap with per-word prefix counts, so the run holding a column is a popcount away.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void RunLabels::ExtractRuns(
    const BitImage& image, bool extents) {
  int words_per_row = image.words_per_row;
  Reserve(words_per_row);
  uint64_t* ends = masks_.data();
  int32_t n_starts = 0, n_ends = 0;
  for (int row = 0; row < height_; ++row) {
    row_first_[row] = n_starts;
    const uint64_t* words = image.Row(row);
    uint64_t* starts = start_bits_.data() + static_cast<size_t>(row) * words_per_row;
    int32_t* rank_base = rank_base_.data() + static_cast<size_t>(row) * words_per_row;
    uint64_t carry = 0;  // the previous word's last pixel
    int32_t before = n_starts - 1;
    for (int k = 0; k < words_per_row; ++k) {
      uint64_t word = words[k];
      uint64_t next = k + 1 < words_per_row ? words[k + 1] & 1u : 0;
      starts[k] = word & ~((word << 1) | carry);
      ends[k] = word & ~((word >> 1) | (next << 63));
      carry = word >> 63;
      rank_base[k] = before;  // + the starts at or before a column within the word
      before += std::popcount(starts[k]);
    }
    if (!extents) {
      n_starts = before + 1;  // the count is known from the popcounts
      continue;
    }
    n_starts += g_row_positions(starts, words_per_row, 0, start_.data() + n_starts);
    n_ends += g_row_positions(ends, words_per_row, 1, end_.data() + n_ends);
  }
  if (extents) RB_CHECK_EQ(n_starts, n_ends);
  runs_ = n_starts;
  row_first_[height_] = runs_;
  for (int32_t i = 0; i < runs_; ++i) parent_[i] = i;
}

// Runs are rarely more than a hop from their root here (a run adopts its upper neighbour's
// parent, and unions point both runs at the new root): the common case costs two loads, and the
// loop, whose trip count the branch predictor cannot know, only runs for deeper runs.
int32_t RunLabels::Find(int32_t run) {
  int32_t* parent = parent_.data();
  int32_t root = parent[run];
  if (parent[root] != root) [[unlikely]] {
    while (parent[root] != root) {
      parent[root] = parent[parent[root]];  // path halving
      root = parent[root];
    }
    parent[run] = root;
  }
  return root;
}

// The smaller index stays the root, so roots are their components' first runs; both runs are
// pointed at it. No branch: equal roots just rewrite the same values.
void RunLabels::Union(int32_t a, int32_t b) {
  int32_t root_a = Find(a), root_b = Find(b);
  int32_t root = std::min(root_a, root_b);
  parent_[std::max(root_a, root_b)] = root;
  parent_[a] = root;
  parent_[b] = root;
}

// Pixels that touch between rows `row - 1` and `row` are found 64 at a time with bit operations.
// Edge neighbours: along a maximal segment of columns occupied in both rows, both runs stay the
// same, so one union per segment start suffices. Corner neighbours (8-connectivity) add a union
// only where the corner is the sole contact: upper c - 1 and lower c occupied with lower c - 1
// and upper c empty (otherwise an edge contact at c - 1 or c already joins the same two runs),
// and the mirror image; such corners are isolated bits. No branch depends on the pixels.
RunLabels::Contacts RunLabels::CollectContacts(int row, Connectivity connectivity,
                                               const BitImage& image) {
  const uint64_t* upper = image.Row(row - 1);
  const uint64_t* lower = image.Row(row);
  bool corners = connectivity == Connectivity::kEight;
  uint64_t* edge_masks = masks_.data();
  uint64_t* left_masks = edge_masks + words_per_row_;   // upper c - 1 meets lower c
  uint64_t* right_masks = left_masks + words_per_row_;  // upper c + 1 meets lower c
  uint64_t carry = 0;  // whether the previous word's last column touches
  for (int k = 0; k < words_per_row_; ++k) {
    uint64_t up = upper[k], down = lower[k];
    uint64_t touch = up & down;
    edge_masks[k] = touch & ~((touch << 1) | carry);
    carry = touch >> 63;
    if (!corners) continue;
    bool first = k == 0, last = k + 1 == words_per_row_;
    uint64_t up_left = (up << 1) | (first ? 0 : upper[k - 1] >> 63);  // bit c: upper c - 1
    uint64_t down_left = (down << 1) | (first ? 0 : lower[k - 1] >> 63);
    uint64_t up_right = (up >> 1) | (last ? 0 : upper[k + 1] << 63);  // bit c: upper c + 1
    uint64_t down_right = (down >> 1) | (last ? 0 : lower[k + 1] << 63);
    left_masks[k] = up_left & down & ~down_left & ~up;
    right_masks[k] = up_right & down & ~down_right & ~up;
  }
  size_t room = static_cast<size_t>(words_per_row_) * 64 + kSlack;
  Contacts contacts;
  contacts.edges = touch_.data();
  contacts.lefts = contacts.edges + room;
  contacts.rights = contacts.lefts + room;
  contacts.edge_count = g_row_positions(edge_masks, words_per_row_, 0, contacts.edges);
  if (corners) {
    contacts.left_count = g_row_positions(left_masks, words_per_row_, 0, contacts.lefts);
    contacts.right_count = g_row_positions(right_masks, words_per_row_, 0, contacts.rights);
  }
  return contacts;
}

// Edge contacts come in column order, so lower runs come in order too. A lower run met for the
// first time adopts the upper run's parent (its root, or close to it): one load and one store, no
// chain of dependent loads. Only a lower run meeting a second upper component joins two trees.
__attribute__((target_clones("arch=x86-64-v3", "default"))) void RunLabels::JoinContacts(
    int row, const Contacts& contacts) {
  const size_t upper_offset = static_cast<size_t>(row - 1) * words_per_row_;
  const size_t lower_offset = upper_offset + words_per_row_;
  int32_t* parent = parent_.data();
  int32_t last_lower = -1, last_parent = -1;
  for (int32_t s = 0; s < contacts.edge_count; ++s) {
    int c = contacts.edges[s];
    int32_t lower_run = RunAt(lower_offset, c);
    int32_t up = parent[RunAt(upper_offset, c)];
    if (lower_run == last_lower && up != last_parent) {
      int32_t root_a = Find(up), root_b = Find(last_parent);
      up = std::min(root_a, root_b);
      parent[std::max(root_a, root_b)] = up;
    }
    parent[lower_run] = up;
    last_lower = lower_run;
    last_parent = up;
  }
  // Corner contacts are few and come in no useful order.
  for (int32_t s = 0; s < contacts.left_count; ++s) {
    int c = contacts.lefts[s];
    Union(RunAt(upper_offset, c - 1), RunAt(lower_offset, c));
  }
  for (int32_t s = 0; s < contacts.right_count; ++s) {
    int c = contacts.rights[s];
    Union(RunAt(upper_offset, c + 1), RunAt(lower_offset, c));
  }
}

// Every parent precedes its child, so in index order a run's parent already holds its label.
// Selected with a mask rather than a branch: roots come at random among the runs.
void RunLabels::NumberComponents() {
  int32_t* parent = parent_.data();
  int32_t next = 0;
  for (int32_t run = 0; run < runs_; ++run) {
    int32_t up = parent[run];
    int32_t root = up == run;
    int32_t mask = -root;
    parent[run] = (next & mask) | (parent[up] & ~mask);
    next += root;
  }
  components_ = next;
}

int32_t RunLabels::LabelAt(int column, int row) const {
  const int32_t* first = start_.data() + row_first_[row];
  const int32_t* last = start_.data() + row_first_[row + 1];
  const int32_t* after = std::upper_bound(first, last, column);
  if (after == first) return -1;
  int32_t run = static_cast<int32_t>(after - start_.data()) - 1;
  return end_[run] > column ? parent_[run] : -1;
}

std::vector<int64_t> RunLabels::ComponentSizes() const {
  std::vector<int64_t> sizes(static_cast<size_t>(components_), 0);
  for (int32_t run = 0; run < runs_; ++run) sizes[parent_[run]] += end_[run] - start_[run];
  return sizes;
}

ComponentStats RunLabels::Stats() const {
  ComponentStats stats;
  stats.components = components_;
  std::vector<int64_t> sizes = ComponentSizes();
  for (int64_t size : sizes) {
    stats.occupied += size;
    stats.largest = std::max(stats.largest, size);
  }
  if (components_ == 0) return stats;
  std::vector<uint8_t> touches(static_cast<size_t>(components_), 0);  // bit 0 top, 1 left
  for (int32_t run = row_first_[0]; run < row_first_[1]; ++run) touches[parent_[run]] |= 1;
  for (int32_t run = row_first_[height_ - 1]; run < runs_; ++run) {
    stats.spans_vertically |= (touches[parent_[run]] & 1) != 0;
  }
  for (int row = 0; row < height_; ++row) {
    int32_t first = row_first_[row];
    if (first < row_first_[row + 1] && start_[first] == 0) touches[parent_[first]] |= 2;
  }
  for (int row = 0; row < height_; ++row) {
    int32_t last = row_first_[row + 1] - 1;
    if (last >= row_first_[row] && end_[last] == width_) {
      stats.spans_horizontally |= (touches[parent_[last]] & 2) != 0;
    }
  }
  return stats;
}

void RunLabels::AccumulateComponent(int32_t label, std::vector<uint32_t>& counts) const {
  RB_CHECK_EQ(counts.size(), static_cast<size_t>(width_) * height_);
  for (int row = 0; row < height_; ++row) {
    uint32_t* line = counts.data() + static_cast<size_t>(row) * width_;
    for (int32_t run = row_first_[row]; run < row_first_[row + 1]; ++run) {
      if (parent_[run] != label) continue;
      for (int32_t c = start_[run]; c < end_[run]; ++c) ++line[c];
    }
  }
}

std::vector<int32_t> RunLabels::LabelImage() const {
  std::vector<int32_t> labels(static_cast<size_t>(width_) * height_);
  FillLabelImage(labels);
  return labels;
}

// Gaps and runs alternate along a row, each written eight labels at a time: a block may run past
// its region's end, into the next region, which is written afterwards. On noisy images regions
// are a few pixels long, and a library fill per region, or a loop whose trip count varies from
// region to region, costs more than the region.
void RunLabels::FillLabelImage(std::span<int32_t> out) const {
  RB_CHECK_EQ(out.size(), static_cast<size_t>(width_) * height_);
  auto put = [this](int32_t* line, int32_t from, int32_t to, int32_t value) {
    int32_t c = from;
    for (; c < to && c + 8 <= width_; c += 8) {
      for (int j = 0; j < 8; ++j) line[c + j] = value;
    }
    for (; c < to; ++c) line[c] = value;  // the row's last few columns
  };
  for (int row = 0; row < height_; ++row) {
    int32_t* line = out.data() + static_cast<size_t>(row) * width_;
    int32_t column = 0;
    for (int32_t run = row_first_[row]; run < row_first_[row + 1]; ++run) {
      put(line, column, start_[run], -1);
      put(line, start_[run], end_[run], parent_[run]);
      column = end_[run];
    }
    put(line, column, width_, -1);
  }
}

}  // namespace rb::percolate
