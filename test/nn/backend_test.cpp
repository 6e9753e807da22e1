// The engine's backend choices that need no GPU: a CUDA net on a machine or build without one
// fails with the reason, precisions parse, and the fp16 loss scaler's rule.
#include <catch2/catch.hpp>

#include <iostream>

#include "common/core/error.hpp"
#include "common/nn/loss_scaler.hpp"
#include "common/nn/net.hpp"
#include "roadbrew/kernels/device.hpp"
#include "test/nn/net_fixtures.hpp"

namespace rb::nn {
namespace {

bool CudaUsable() {
  try {
    kernels::cuda::RequireDevice();
    return true;
  } catch (const Error&) {
    return false;
  }
}

TEST_CASE("A CUDA net without a usable device fails with the reason", "[nn][backend]") {
  NetSpec spec = ParseNetSpec(test::TinyTiramisu(true, 0.2), "tiny.json");
  if (CudaUsable()) {
    std::cout << "a CUDA device is present: the GPU tests (rb_test_gpu) cover this case\n";
    return;
  }
  try {
    Net net(spec, {Phase::kTrain, Backend::kCuda, 1});
    FAIL("a CUDA net was built without a device");
  } catch (const Error& error) {
    CHECK(error.code() == ErrorCode::kUnsupported);
    std::string message = error.what();
    bool explained = message.find("no CUDA support") != std::string::npos ||
                     message.find("no usable CUDA device") != std::string::npos;
    CHECK(explained);
    CHECK(message.find(kernels::cuda::BuiltWithCuda() ? "no usable CUDA device"
                                                      : "no CUDA support") != std::string::npos);
  }
  BuildContext half{Phase::kTrain, Backend::kReference, 1};
  half.precision = kernels::cudnn::Precision::kBFloat16;
  CHECK_THROWS_WITH(Net(spec, half),
                    "precision bf16 needs the CUDA backend; the CPU computes fp32");
}

TEST_CASE("Precisions parse by name", "[nn][backend]") {
  using kernels::cudnn::Precision;
  for (Precision p : {Precision::kFloat32, Precision::kTensorFloat32, Precision::kFloat16,
                      Precision::kBFloat16}) {
    CHECK(kernels::cudnn::ParsePrecision(kernels::cudnn::PrecisionName(p)) == p);
  }
  CHECK_THROWS_WITH(kernels::cudnn::ParsePrecision("fp8"),
                    "precision 'fp8' is not fp32, tf32, fp16 or bf16");
}

TEST_CASE("The loss scaler halves on overflow and doubles after clean steps", "[nn][backend]") {
  LossScaler scaler(1024.0f, 3);
  CHECK(scaler.Update(true));
  CHECK(scaler.Update(true));
  CHECK(scaler.scale() == 1024.0f);
  CHECK(scaler.Update(true));  // the third clean step in a row
  CHECK(scaler.scale() == 2048.0f);
  CHECK_FALSE(scaler.Update(false));
  CHECK(scaler.scale() == 1024.0f);
  CHECK(scaler.skipped_steps() == 1);
  CHECK(scaler.Update(true));
  CHECK(scaler.Update(true));
  CHECK_FALSE(scaler.Update(false));  // the count of clean steps starts again
  CHECK(scaler.scale() == 512.0f);
  LossScaler floor(1.0f, 3);
  CHECK_FALSE(floor.Update(false));
  CHECK(floor.scale() == 1.0f);  // never below 1
  scaler.Restore(64.0f, 2, 5);
  CHECK(scaler.Update(true));
  CHECK(scaler.scale() == 128.0f);
  CHECK(scaler.skipped_steps() == 5);
}

}  // namespace
}  // namespace rb::nn
