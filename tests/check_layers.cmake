# The layer rule (README "Layout"), run by ctest as LayerRule:
#   cmake -DSOURCE_DIR=<repo>/src -P tests/check_layers.cmake
#
# src/ is layered, bottom to top: base, model, input, symbolize, analysis,
# output, capture, cli. A file may include files of its own layer and of the
# layers below it, never above. Every project include names its layer
# ("input/load.h"); generated headers ("proto/...", "generated/...") are the
# only others. Third-party headers stay in the one file that wraps them.
# Fails naming every file and include that breaks a rule.
cmake_minimum_required(VERSION 3.20)
if(NOT SOURCE_DIR)
  message(FATAL_ERROR "usage: cmake -DSOURCE_DIR=<repo>/src -P check_layers.cmake")
endif()

set(layers base model input symbolize analysis output capture cli)
# Third-party headers (a regex on the include) and the only files that may include them.
set(wrapped_headers "zlib.h" "isa-l" "google/protobuf/" "proto/profile.pb.h" "CLI/" "re2/" "curl/"
    "elfutils/" "dwarf.h" "libelf.h" "gelf.h")
set(wrapped_owners
    "input/gzip.cc" "input/gzip.cc" "output/profile_writer.cc" "output/profile_writer.cc" "cli/cli.cc"
    "base/regex.cc" "capture/http.cc" "symbolize/symbolizer.cc" "symbolize/symbolizer.cc"
    "symbolize/symbolizer.cc" "symbolize/symbolizer.cc")

set(violations "")
set(files_checked 0)
file(GLOB_RECURSE sources RELATIVE "${SOURCE_DIR}" "${SOURCE_DIR}/*.h" "${SOURCE_DIR}/*.cc")
foreach(file IN LISTS sources)
  math(EXPR files_checked "${files_checked} + 1")
  string(REGEX MATCH "^[^/]+" file_layer "${file}")
  list(FIND layers "${file_layer}" file_rank)
  if(file_rank EQUAL -1)
    list(APPEND violations "src/${file}: is in no layer folder (${layers})")
    continue()
  endif()
  file(STRINGS "${SOURCE_DIR}/${file}" includes REGEX "^[ \t]*#[ \t]*include[ \t]*[<\"]")
  foreach(line IN LISTS includes)
    string(REGEX REPLACE "^[ \t]*#[ \t]*include[ \t]*[<\"]([^>\"]*)[>\"].*$" "\\1" included "${line}")
    # Third-party headers: only in the file that wraps them.
    list(LENGTH wrapped_headers count)
    math(EXPR last "${count} - 1")
    foreach(i RANGE ${last})
      list(GET wrapped_headers ${i} pattern)
      list(GET wrapped_owners ${i} owner)
      string(FIND "${included}" "${pattern}" at)
      if(at EQUAL 0 AND NOT file STREQUAL owner)
        list(APPEND violations "src/${file}: includes <${included}>, which only ${owner} may include")
      endif()
    endforeach()
    if(line MATCHES "<")
      continue()
    endif()
    string(REGEX MATCH "^[^/]+" included_layer "${included}")
    if(included_layer STREQUAL "proto" OR included_layer STREQUAL "generated")
      continue()
    endif()
    list(FIND layers "${included_layer}" included_rank)
    if(included_rank EQUAL -1 OR NOT included MATCHES "/")
      list(APPEND violations "src/${file}: includes \"${included}\", which names no layer (write \"layer/file.h\")")
    elseif(NOT EXISTS "${SOURCE_DIR}/${included}")
      list(APPEND violations "src/${file}: includes \"${included}\", which does not exist")
    elseif(included_rank GREATER file_rank)
      list(APPEND violations
           "src/${file}: includes \"${included}\" from the ${included_layer} layer, above its own (${file_layer})")
    endif()
  endforeach()
endforeach()

if(files_checked LESS 10)
  message(FATAL_ERROR "layer rule: found only ${files_checked} files under ${SOURCE_DIR}; is the path right?")
endif()
list(LENGTH violations num_violations)
if(num_violations GREATER 0)
  list(JOIN violations "\n  " text)
  message(FATAL_ERROR "layer rule: ${num_violations} include(s) break the layering:\n  ${text}")
endif()
message(STATUS "layer rule: ${files_checked} files under src/, every include within its layer or below")
