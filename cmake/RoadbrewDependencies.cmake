# System libraries, all from Debian 12 packages (scripts/install-deps.sh installs them).
find_package(GDAL 3.6 CONFIG REQUIRED)
find_package(PROJ 9 CONFIG REQUIRED)
find_package(GEOS 3.11 CONFIG REQUIRED)
find_package(OpenCV 4.6 REQUIRED COMPONENTS core imgproc imgcodecs)
find_package(Boost 1.74 REQUIRED CONFIG COMPONENTS graph)
find_package(TBB REQUIRED)
find_package(nlohmann_json 3.11 REQUIRED)
find_package(fmt 9 REQUIRED)
find_package(CLI11 2.1 CONFIG REQUIRED)
find_package(Threads REQUIRED)

# xxHash (checksums in run reports) ships a pkg-config file, no CMake package.
find_path(XXHASH_INCLUDE_DIR xxhash.h REQUIRED)
find_library(XXHASH_LIBRARY xxhash REQUIRED)
add_library(roadbrew_xxhash INTERFACE)
target_include_directories(roadbrew_xxhash INTERFACE ${XXHASH_INCLUDE_DIR})
target_link_libraries(roadbrew_xxhash INTERFACE ${XXHASH_LIBRARY})
