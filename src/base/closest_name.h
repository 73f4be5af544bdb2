// Which of a list of names a mistyped word meant: "--foucs" -> "focus",
// "openSesion" -> "main.openSession".
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace pprof_trend {

// Edits (insert, delete, replace, swap two neighbours) from a to b: the
// optimal string alignment distance, so "foucs" is one edit from "focus".
size_t EditDistance(std::string_view a, std::string_view b);

// The fewest edits that make `word` occur somewhere in `text` (Sellers'
// approximate substring match): "openSesion" is 1 from "main.openSession".
size_t SubstringDistance(std::string_view word, std::string_view text);

// The candidate closest to `word` (whole-word edits), "" when none is
// within two edits; a candidate that starts with a word of 3 or more
// characters counts as one edit away.
std::string ClosestMatch(const std::string& word, const std::vector<std::string>& candidates);

// The name in which `word` occurs with the fewest edits, "" when every one
// needs more than a quarter of the word's length (and at least one edit:
// a word that occurs as it is needs no suggestion). Ties go to the shorter
// name, then the first.
std::string ClosestContaining(std::string_view word, const std::vector<std::string_view>& names);

}  // namespace pprof_trend
