// Text helpers of the letter parser (whitespace, dates, states, strengths, citations) and of the
// data files (drugs.tsv, categories.tsv); internal.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/extract/parser.hpp"  // state_code

namespace imrdex::parse {

inline bool is_space(char c) noexcept {
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}
inline bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }
inline bool is_alpha(char c) noexcept { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
inline bool is_alnum(char c) noexcept { return is_alpha(c) || is_digit(c); }
inline char lower(char c) noexcept {
    return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c;
}

std::string_view trim(std::string_view s) noexcept;
bool iequals(std::string_view a, std::string_view b) noexcept;
bool istarts_with(std::string_view s, std::string_view prefix) noexcept;
bool iends_with(std::string_view s, std::string_view suffix) noexcept;
// Case-insensitive search for an ASCII needle; npos when absent.
std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from = 0) noexcept;
std::string to_lower(std::string_view s);

// Appends `s` with every whitespace run collapsed to one space, keeping one space between
// successive appends; `out` never gets leading or trailing spaces.
void append_collapsed(std::string& out, std::string_view s);
std::string collapse(std::string_view s);
// `s` collapsed and cut to at most `max` bytes (plus "..."), never inside a UTF-8 sequence: the
// quote of letter text in a warning's detail.
std::string excerpt(std::string_view s, std::size_t max = 80);

// A date at the start of `s` ("12/05/2016", "10-13-16", "January 6, 2010", "December of
// 2001", "Dec 2001"); ISO text ("2016-12-05", "2001-12") or empty. `used` gets its length.
// A date written well that the calendar lacks ("02/30/2016", "February 29, 2015") gives
// empty text with `used` set to its length: never an impossible date.
std::string parse_date(std::string_view s, std::size_t& used, bool allow_bare_year = false);

// Splits a list "California,North Carolina" / "Illinois and Wisconsin" into items.
std::vector<std::string_view> split_list(std::string_view s);

// Request details (README "Extraction conventions").
std::string find_strength(std::string_view request);
std::string find_quantity(std::string_view request);
std::vector<std::string> guideline_sources(std::string_view citation);

// ---- data files (drugs.tsv, categories.tsv) ----

// `s` without the spaces, tabs and '\r' at either end (a data file's fields; CRLF files too).
std::string_view trim_blanks(std::string_view s) noexcept;

// A line of a data file that is neither blank nor a '#' comment: its 1-based number and its
// tab-separated fields, each trimmed with trim_blanks.
struct DataLine {
    std::size_t number = 0;
    std::vector<std::string_view> fields;
};
struct DataLines {
    std::vector<DataLine> lines;
    std::size_t count = 0;  // all lines of the file, blank and comment lines included
};
DataLines data_lines(std::string_view tsv);

// Throws ConfigError "origin:line: what".
[[noreturn]] void data_error(std::string_view origin, std::size_t line, const std::string& what);

// True when the text ends like a finished sentence: '.', '?', '!' possibly followed by
// closing quotes or brackets.
bool ends_sentence(std::string_view t) noexcept;

}  // namespace imrdex::parse
