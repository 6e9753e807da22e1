# `format` rewrites sources with clang-format; `format-check` fails when any file would change.
find_program(CLANG_FORMAT_EXE NAMES clang-format clang-format-14)
if(CLANG_FORMAT_EXE)
  set(_rb_format_globs common/*.hpp common/*.cpp kernels/*.hpp kernels/*.cpp kernels/*.cu
      kernels/*.cuh stages/*.hpp stages/*.cpp test/*.hpp test/*.cpp bench/*.cpp)
  list(TRANSFORM _rb_format_globs PREPEND ${CMAKE_SOURCE_DIR}/)
  file(GLOB_RECURSE _rb_format_files CONFIGURE_DEPENDS ${_rb_format_globs})
  add_custom_target(format COMMAND ${CLANG_FORMAT_EXE} -i ${_rb_format_files}
                    COMMENT "clang-format: rewriting sources")
  add_custom_target(format-check
                    COMMAND ${CLANG_FORMAT_EXE} --dry-run --Werror ${_rb_format_files}
                    COMMENT "clang-format: checking sources")
endif()
