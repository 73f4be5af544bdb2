// `--html FILE`: one self-contained page (inline CSS, JS and SVG, no network
// access) that renders the report from JSON embedded once in the page.
//
// Every string from the profiles reaches the page only inside that JSON,
// where '<' is escaped as \u003c, so a hostile name cannot close the script
// element or inject markup; the page inserts it with textContent only.
#pragma once

#include <ostream>
#include <string>

#include "output/report.h"

namespace pprof_trend {

// Every report carries this in its head, so a later run can tell a report
// it may replace from a file it must not touch.
inline constexpr std::string_view kHtmlGeneratorTag = "<meta name=\"generator\" content=\"pprof-trend\">";

// Whether `data` is a whole earlier report: it begins as every report does
// (the doctype, the generator tag in its head), holds the report's data
// element, and ends with the page. A file that merely mentions the tag (a
// note, a page quoting it) is not one.
inline bool IsEarlierReport(std::string_view data) {
  while (!data.empty() && (data.back() == '\n' || data.back() == '\r' || data.back() == ' ')) data.remove_suffix(1);
  return data.starts_with("<!DOCTYPE html>") &&
         data.substr(0, 1024).find(kHtmlGeneratorTag) != std::string_view::npos &&
         data.find("<script type=\"application/json\" id=\"pprof-trend-data\">") != std::string_view::npos &&
         data.ends_with("</html>");
}

struct HtmlOptions {
  // Sites whose |growth| is below this share of all sites' |growth| are left
  // out of the flame graph (they would be under a pixel wide).
  double flame_min_share = 1e-4;
};

// Writes the page to `out` as it is built (the embedded data is the largest
// part: a large report is never held whole in memory).
void RenderHtml(const Report& report, const HtmlOptions& options, std::ostream& out);
// The same page as a string.
std::string RenderHtml(const Report& report, const HtmlOptions& options);

// The JSON the page renders from (for golden tests).
std::string HtmlData(const Report& report, const HtmlOptions& options);

// Text for HTML element content and attribute values.
std::string HtmlEscape(std::string_view s);

}  // namespace pprof_trend
