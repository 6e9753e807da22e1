// Surface materials of synthetic scenes and their reflectance in the eight WorldView-3
// multispectral bands (Coastal 425, Blue 480, Green 545, Yellow 605, Red 660, Red Edge 725,
// NIR1 832, NIR2 950 nm band centres).
//
// Reflectances are plausible values for these surface classes (vegetation: the chlorophyll red
// trough and the red-edge rise to a bright NIR plateau; asphalt: dark and flat; soils: rising
// towards the NIR; water: bright in blue, black in NIR), chosen so the seed's observations hold:
// roads reflect poorly in red and NIR, vegetation is bright in red edge and NIR.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace rb::synth {

constexpr int kBands = 8;
enum Band : int { kCoastal, kBlue, kGreen, kYellow, kRed, kRedEdge, kNir1, kNir2 };

enum class Material : uint8_t {
  kSand,
  kSoil,
  kDryScrub,
  kGravel,
  kGrass,
  kTree,
  kAsphaltFresh,
  kAsphaltAged,
  kConcrete,
  kDirtRoad,
  kRoofLight,
  kRoofDark,
  kRoofRedTile,
  kRoofGrey,
  kRoofBlueMetal,
  kPool,
  kWater,
  kCarWhite,
  kCarBlack,
  kCarSilver,
  kCarRed,
  kCarBlue,
  kPaintWhite,
  kPaintYellow,
  kCount,
};
constexpr int kMaterialCount = static_cast<int>(Material::kCount);

struct MaterialInfo {
  std::string_view name;
  std::array<float, kBands> reflectance;  // 0..1
  float texture;                          // relative amplitude of the surface texture
};

const MaterialInfo& Info(Material material);

inline bool IsVegetation(Material m) { return m == Material::kGrass || m == Material::kTree; }
inline bool IsCar(Material m) { return m >= Material::kCarWhite && m <= Material::kCarBlue; }

}  // namespace rb::synth
