// GDAL/OGR set-up and error capture. Every geo function that calls GDAL first calls InitGdal()
// and wraps the calls in a GdalErrorTrap, so GDAL's messages end up inside rb::Error (one line,
// naming the file) instead of being printed to stderr.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>

namespace rb::geo {

// Registers drivers once; disables side-car files (.aux.xml beside outputs, .gz.properties
// beside inputs: files are exactly what stages wrote); routes GDAL warnings to the debug log.
void InitGdal();

// Captures CPLError failures raised on this thread while alive.
class GdalErrorTrap {
 public:
  GdalErrorTrap();
  ~GdalErrorTrap();
  GdalErrorTrap(const GdalErrorTrap&) = delete;
  GdalErrorTrap& operator=(const GdalErrorTrap&) = delete;

  // The last failure message, or "" when none was raised.
  const std::string& last_error() const { return last_error_; }
  void Record(std::string message) { last_error_ = std::move(message); }

 private:
  std::string last_error_;
};

// Throws Error(kIo): "<what> '<path>': <GDAL's message>".
[[noreturn]] void ThrowGdalError(const GdalErrorTrap& trap, std::string_view what,
                                 const std::filesystem::path& path);

}  // namespace rb::geo
