// A strict JSON (RFC 8259) validator for tests: the outputs must parse, not
// just look right. Returns an empty string when `text` is one valid JSON
// value (surrounding whitespace allowed), else what is wrong and where.
#pragma once

#include <string>
#include <string_view>

namespace pprof_trend::testing {

std::string ValidateJson(std::string_view text);

}  // namespace pprof_trend::testing
