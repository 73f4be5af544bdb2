# Writes OUTPUT, a C++ header holding each of INPUTS as a raw string literal
# named after the file (report.css -> kReportCss), so the HTML report needs
# no files at run time. Run with cmake -P at build time; INPUTS is separated
# by "|" (a ";" would split the command line).
string(REPLACE "|" ";" INPUTS "${INPUTS}")
set(content "// Generated from src/output/html/ by cmake/embed_assets.cmake; do not edit.\n#pragma once\n\nnamespace pprof_trend::html_assets {\n\n")
foreach(input IN LISTS INPUTS)
  get_filename_component(name "${input}" NAME)
  # report.css -> kReportCss
  string(REGEX MATCHALL "[A-Za-z0-9]+" parts "${name}")
  set(symbol "k")
  foreach(part IN LISTS parts)
    string(SUBSTRING "${part}" 0 1 first)
    string(SUBSTRING "${part}" 1 -1 rest)
    string(TOUPPER "${first}" first)
    string(APPEND symbol "${first}${rest}")
  endforeach()
  file(READ "${input}" text)
  string(APPEND content "inline constexpr const char ${symbol}[] = R\"PT_ASSET(${text})PT_ASSET\";\n\n")
endforeach()
string(APPEND content "}  // namespace pprof_trend::html_assets\n")
file(WRITE "${OUTPUT}" "${content}")
