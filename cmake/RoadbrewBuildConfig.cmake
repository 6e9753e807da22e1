# Generates roadbrew/build_config.hpp: version, commit and which backends this build has.
find_package(Git QUIET)
set(ROADBREW_GIT_COMMIT "unknown")
if(GIT_FOUND AND EXISTS ${CMAKE_SOURCE_DIR}/.git)
  execute_process(COMMAND ${GIT_EXECUTABLE} rev-parse --short=12 HEAD
                  WORKING_DIRECTORY ${CMAKE_SOURCE_DIR}
                  OUTPUT_VARIABLE _commit OUTPUT_STRIP_TRAILING_WHITESPACE
                  RESULT_VARIABLE _rc ERROR_QUIET)
  if(_rc EQUAL 0)
    set(ROADBREW_GIT_COMMIT ${_commit})
  endif()
endif()
foreach(flag ROADBREW_HAVE_CUDA ROADBREW_HAVE_ONEDNN)
  if(${flag})
    set(${flag}_VALUE 1)
  else()
    set(${flag}_VALUE 0)
  endif()
endforeach()
configure_file(${CMAKE_SOURCE_DIR}/cmake/build_config.hpp.in
               ${CMAKE_BINARY_DIR}/generated/roadbrew/build_config.hpp @ONLY)
