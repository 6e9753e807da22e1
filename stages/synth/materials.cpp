#include "stages/synth/materials.hpp"

namespace rb::synth {
namespace {

//                                 Coast  Blue   Green  Yellow Red    REdge  NIR1   NIR2
constexpr MaterialInfo kMaterials[kMaterialCount] = {
    {"sand", {0.17f, 0.20f, 0.26f, 0.32f, 0.37f, 0.40f, 0.43f, 0.45f}, 0.06f},
    {"soil", {0.10f, 0.12f, 0.16f, 0.21f, 0.25f, 0.28f, 0.31f, 0.33f}, 0.08f},
    {"dry scrub", {0.08f, 0.10f, 0.14f, 0.17f, 0.19f, 0.25f, 0.33f, 0.35f}, 0.14f},
    {"gravel", {0.15f, 0.17f, 0.20f, 0.23f, 0.25f, 0.27f, 0.29f, 0.30f}, 0.10f},
    {"grass", {0.04f, 0.05f, 0.10f, 0.08f, 0.05f, 0.26f, 0.46f, 0.48f}, 0.12f},
    {"tree canopy", {0.03f, 0.04f, 0.08f, 0.06f, 0.04f, 0.20f, 0.38f, 0.40f}, 0.28f},
    {"fresh asphalt", {0.05f, 0.05f, 0.055f, 0.06f, 0.06f, 0.065f, 0.07f, 0.075f}, 0.04f},
    {"aged asphalt", {0.10f, 0.11f, 0.12f, 0.13f, 0.14f, 0.15f, 0.16f, 0.17f}, 0.05f},
    {"concrete", {0.24f, 0.27f, 0.31f, 0.33f, 0.34f, 0.35f, 0.36f, 0.37f}, 0.04f},
    {"dirt road", {0.13f, 0.15f, 0.20f, 0.26f, 0.30f, 0.33f, 0.36f, 0.38f}, 0.07f},
    {"light roof", {0.38f, 0.43f, 0.46f, 0.47f, 0.48f, 0.48f, 0.48f, 0.48f}, 0.03f},
    {"dark roof", {0.08f, 0.09f, 0.10f, 0.11f, 0.12f, 0.13f, 0.14f, 0.15f}, 0.04f},
    {"red tile roof", {0.07f, 0.08f, 0.11f, 0.20f, 0.30f, 0.34f, 0.37f, 0.39f}, 0.06f},
    {"grey roof", {0.13f, 0.14f, 0.15f, 0.155f, 0.16f, 0.165f, 0.17f, 0.18f}, 0.04f},
    {"blue metal roof", {0.22f, 0.26f, 0.22f, 0.15f, 0.12f, 0.13f, 0.15f, 0.16f}, 0.02f},
    {"pool", {0.16f, 0.22f, 0.24f, 0.12f, 0.06f, 0.03f, 0.015f, 0.01f}, 0.03f},
    {"water", {0.07f, 0.08f, 0.09f, 0.075f, 0.06f, 0.04f, 0.025f, 0.02f}, 0.03f},
    {"white car", {0.55f, 0.60f, 0.62f, 0.62f, 0.62f, 0.62f, 0.60f, 0.58f}, 0.05f},
    {"black car", {0.04f, 0.04f, 0.04f, 0.04f, 0.04f, 0.045f, 0.05f, 0.05f}, 0.05f},
    {"silver car", {0.28f, 0.30f, 0.31f, 0.31f, 0.31f, 0.31f, 0.30f, 0.30f}, 0.05f},
    {"red car", {0.05f, 0.05f, 0.05f, 0.15f, 0.40f, 0.42f, 0.40f, 0.38f}, 0.05f},
    {"blue car", {0.12f, 0.18f, 0.10f, 0.06f, 0.05f, 0.06f, 0.10f, 0.10f}, 0.05f},
    {"white paint", {0.50f, 0.55f, 0.58f, 0.58f, 0.58f, 0.58f, 0.57f, 0.56f}, 0.03f},
    {"yellow paint", {0.08f, 0.10f, 0.35f, 0.48f, 0.52f, 0.53f, 0.52f, 0.50f}, 0.03f},
};

}  // namespace

const MaterialInfo& Info(Material material) { return kMaterials[static_cast<int>(material)]; }

}  // namespace rb::synth
