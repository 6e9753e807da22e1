#include "common/geo/gdal_env.hpp"

#include <cpl_conv.h>
#include <cpl_error.h>
#include <gdal.h>

#include <mutex>

#include "common/core/error.hpp"
#include "common/core/log.hpp"

namespace rb::geo {
namespace {

void CPL_STDCALL DefaultHandler(CPLErr level, CPLErrorNum, const char* message) {
  if (level == CE_Debug) return;
  LogDebug("GDAL: {}", message);
}

void CPL_STDCALL TrapHandler(CPLErr level, CPLErrorNum, const char* message) {
  auto* trap = static_cast<GdalErrorTrap*>(CPLGetErrorHandlerUserData());
  if (level == CE_Failure || level == CE_Fatal) {
    trap->Record(message);
  } else if (level == CE_Warning) {
    LogDebug("GDAL warning: {}", message);
  }
}

}  // namespace

void InitGdal() {
  static std::once_flag once;
  std::call_once(once, [] {
    CPLSetConfigOption("GDAL_PAM_ENABLED", "NO");
    // /vsigzip/ would otherwise leave "<file>.gz.properties" caches beside inputs.
    CPLSetConfigOption("CPL_VSIL_GZIP_WRITE_PROPERTIES", "NO");
    // GDAL's block cache defaults to 5% of RAM; streamed writes of large scenes would fill it
    // with dirty blocks. 128 MB keeps memory bounded and I/O efficient; GDAL_CACHEMAX in the
    // environment still wins.
    if (CPLGetConfigOption("GDAL_CACHEMAX", nullptr) == nullptr) GDALSetCacheMax64(128ll << 20);
    GDALAllRegister();
    CPLSetErrorHandler(DefaultHandler);
  });
}

GdalErrorTrap::GdalErrorTrap() {
  InitGdal();
  CPLErrorReset();
  CPLPushErrorHandlerEx(TrapHandler, this);
}

GdalErrorTrap::~GdalErrorTrap() { CPLPopErrorHandler(); }

void ThrowGdalError(const GdalErrorTrap& trap, std::string_view what,
                    const std::filesystem::path& path) {
  std::string reason = trap.last_error();
  // GDAL messages sometimes span lines; an rb::Error is one line.
  for (char& c : reason) {
    if (c == '\n' || c == '\r') c = ' ';
  }
  if (reason.empty()) reason = "GDAL reported no reason";
  Throw(ErrorCode::kIo, "{} '{}': {}", what, path.string(), reason);
}

}  // namespace rb::geo
