// Text helpers of the letter parser: whitespace, dates, states, strengths, quantities, citations.
#include "parse_util.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <optional>

#include "imrdex/core/date.hpp"

#include "imrdex/core/errors.hpp"

namespace imrdex::parse {

std::string_view trim(std::string_view s) noexcept {
    std::size_t b = 0;
    std::size_t e = s.size();
    while (b < e && is_space(s[b])) ++b;
    while (e > b && is_space(s[e - 1])) --e;
    return s.substr(b, e - b);
}

bool iequals(std::string_view a, std::string_view b) noexcept {
    if (a.size() != b.size()) return false;
    for (std::size_t i = 0; i < a.size(); ++i) {
        if (lower(a[i]) != lower(b[i])) return false;
    }
    return true;
}

bool istarts_with(std::string_view s, std::string_view prefix) noexcept {
    return s.size() >= prefix.size() && iequals(s.substr(0, prefix.size()), prefix);
}

bool iends_with(std::string_view s, std::string_view suffix) noexcept {
    return s.size() >= suffix.size() && iequals(s.substr(s.size() - suffix.size()), suffix);
}

std::size_t ifind(std::string_view hay, std::string_view needle, std::size_t from) noexcept {
    if (needle.empty()) return from <= hay.size() ? from : std::string_view::npos;
    if (hay.size() < needle.size()) return std::string_view::npos;
    const char first_lo = lower(needle[0]);
    const char first_up = static_cast<char>(first_lo >= 'a' && first_lo <= 'z' ? first_lo - 32
                                                                               : first_lo);
    const char second = needle.size() > 1 ? lower(needle[1]) : 0;
    const std::size_t last = hay.size() - needle.size();
    for (std::size_t i = from; i <= last; ++i) {
        const char c = hay[i];
        if (c != first_lo && c != first_up) continue;
        if (second != 0 && lower(hay[i + 1]) != second) continue;
        if (iequals(hay.substr(i, needle.size()), needle)) return i;
    }
    return std::string_view::npos;
}

std::string to_lower(std::string_view s) {
    std::string out(s);
    for (char& c : out) c = lower(c);
    return out;
}

void append_collapsed(std::string& out, std::string_view s) {
    const std::size_t n = s.size();
    std::size_t i = 0;
    while (i < n && is_space(s[i])) ++i;
    if (i == n) return;
    if (!out.empty()) out.push_back(' ');
    // Copy whole runs of text with single spaces in one append; only irregular whitespace
    // (runs, tabs, form feeds) breaks a run. This is the parser's hottest loop.
    while (i < n) {
        std::size_t j = i;
        while (j < n) {
            const char c = s[j];
            if (c == ' ') {
                if (j + 1 < n && !is_space(s[j + 1])) {
                    j += 2;
                    continue;
                }
                break;
            }
            if (is_space(c)) break;
            ++j;
        }
        out.append(s.data() + i, j - i);
        while (j < n && is_space(s[j])) ++j;
        if (j < n) out.push_back(' ');
        i = j;
    }
}

std::string collapse(std::string_view s) {
    std::string out;
    out.reserve(s.size());
    append_collapsed(out, s);
    return out;
}

std::string excerpt(std::string_view s, std::size_t max) {
    std::string out = collapse(s.substr(0, std::min(s.size(), max * 2)));
    if (out.size() > max) {
        out.resize(max);
        // Drop the continuation bytes at the cut, then the lead byte they belonged to.
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) {
            out.pop_back();
        }
        if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
        out += "...";
    }
    return out;
}

namespace {

constexpr std::array<std::string_view, 12> kMonths{"january", "february", "march",     "april",
                                                   "may",     "june",     "july",      "august",
                                                   "september", "october", "november", "december"};

// Reads 1..max digits at s[i]; returns count read.
std::size_t read_digits(std::string_view s, std::size_t i, std::size_t max, int& value) {
    std::size_t n = 0;
    value = 0;
    while (i + n < s.size() && n < max && is_digit(s[i + n])) {
        value = value * 10 + (s[i + n] - '0');
        ++n;
    }
    return n;
}

// The ISO text of year `y`, month `m` and day `d` (0: not written), with `used` set to `end`;
// empty when the calendar has no such day ("02/30/2016"), which callers tell from text that is
// no date by `used`.
std::string iso(int y, int m, int d, std::size_t end, std::size_t& used) {
    used = end;
    const std::optional<IsoDate> date =
        IsoDate::from_parts(y, static_cast<unsigned>(m), static_cast<unsigned>(d));
    return date ? date->str() : std::string();
}

int expand_year(int y, std::size_t digits) { return digits == 2 ? (y < 30 ? 2000 + y : 1900 + y) : y; }

bool valid_year(int y) { return y >= 1900 && y <= 2099; }

// "12/05/2016", "10-13-16", "1/6/2010".
std::string numeric_date(std::string_view s, std::size_t& used) {
    int m = 0, d = 0, y = 0;
    std::size_t i = read_digits(s, 0, 2, m);
    if (i == 0 || i >= s.size() || (s[i] != '/' && s[i] != '-')) return {};
    const char sep = s[i++];
    const std::size_t nd = read_digits(s, i, 2, d);
    if (nd == 0) return {};
    i += nd;
    if (i >= s.size() || s[i] != sep) return {};
    ++i;
    const std::size_t ny = read_digits(s, i, 4, y);
    if (ny != 2 && ny != 4) return {};
    i += ny;
    if (i < s.size() && is_digit(s[i])) return {};
    y = expand_year(y, ny);
    if (m < 1 || m > 12 || d < 1 || d > 31 || !valid_year(y)) return {};
    return iso(y, m, d, i, used);
}

std::size_t skip_spaces(std::string_view s, std::size_t i) {
    while (i < s.size() && is_space(s[i])) ++i;
    return i;
}

// "January 6, 2010", "Jan. 6 2010", "December of 2001", "October 2016".
std::string month_date(std::string_view s, std::size_t& used) {
    std::size_t w = 0;
    while (w < s.size() && is_alpha(s[w])) ++w;
    if (w < 3) return {};
    const std::string_view word = s.substr(0, w);
    int month = 0;
    for (std::size_t k = 0; k < kMonths.size(); ++k) {
        const std::string_view full = kMonths[k];
        if (iequals(word, full) || (w == 3 && iequals(word, full.substr(0, 3))) ||
            (w == 4 && iequals(word, "sept") && k == 8)) {
            month = static_cast<int>(k) + 1;
            break;
        }
    }
    if (month == 0) return {};
    std::size_t i = w;
    if (i < s.size() && s[i] == '.') ++i;
    i = skip_spaces(s, i);
    int day = 0;
    std::size_t nd = read_digits(s, i, 2, day);
    if (nd > 0 && (i + nd >= s.size() || !is_digit(s[i + nd]))) {
        std::size_t j = i + nd;
        if (j + 1 < s.size() && is_alpha(s[j]) && is_alpha(s[j + 1])) {
            const std::string_view suf = s.substr(j, 2);
            if (iequals(suf, "st") || iequals(suf, "nd") || iequals(suf, "rd") ||
                iequals(suf, "th")) {
                j += 2;
            }
        }
        if (j < s.size() && s[j] == ',') ++j;
        j = skip_spaces(s, j);
        int year = 0;
        const std::size_t ny = read_digits(s, j, 4, year);
        if (ny == 4 && (j + 4 >= s.size() || !is_digit(s[j + 4])) && day >= 1 && day <= 31 &&
            valid_year(year)) {
            return iso(year, month, day, j + 4, used);
        }
        return {};
    }
    if (nd > 0) return {};
    if (istarts_with(s.substr(i), "of ")) i = skip_spaces(s, i + 3);
    if (i < s.size() && s[i] == ',') i = skip_spaces(s, i + 1);
    int year = 0;
    const std::size_t ny = read_digits(s, i, 4, year);
    if (ny == 4 && (i + 4 >= s.size() || !is_digit(s[i + 4])) && valid_year(year)) {
        return iso(year, month, 0, i + 4, used);
    }
    return {};
}

}  // namespace

std::string parse_date(std::string_view s, std::size_t& used, bool allow_bare_year) {
    used = 0;
    if (s.empty()) return {};
    if (is_digit(s[0])) {
        std::string d = numeric_date(s, used);
        if (!d.empty() || used > 0 || !allow_bare_year) return d;
        int y = 0;
        const std::size_t ny = read_digits(s, 0, 4, y);
        if (ny == 4 && (s.size() == 4 || !is_alnum(s[4])) && valid_year(y)) {
            return iso(y, 0, 0, 4, used);
        }
        return {};
    }
    if (is_alpha(s[0])) return month_date(s, used);
    return {};
}

namespace {

struct StateName {
    std::string_view name;
    std::string_view code;
};

constexpr std::array<StateName, 56> kStates{{
    {"alabama", "AL"},        {"alaska", "AK"},         {"arizona", "AZ"},
    {"arkansas", "AR"},       {"california", "CA"},     {"colorado", "CO"},
    {"connecticut", "CT"},    {"delaware", "DE"},       {"district of columbia", "DC"},
    {"florida", "FL"},        {"georgia", "GA"},        {"hawaii", "HI"},
    {"idaho", "ID"},          {"illinois", "IL"},       {"indiana", "IN"},
    {"iowa", "IA"},           {"kansas", "KS"},         {"kentucky", "KY"},
    {"louisiana", "LA"},      {"maine", "ME"},          {"maryland", "MD"},
    {"massachusetts", "MA"},  {"michigan", "MI"},       {"minnesota", "MN"},
    {"mississippi", "MS"},    {"missouri", "MO"},       {"montana", "MT"},
    {"nebraska", "NE"},       {"nevada", "NV"},         {"new hampshire", "NH"},
    {"new jersey", "NJ"},     {"new mexico", "NM"},     {"new york", "NY"},
    {"north carolina", "NC"}, {"north dakota", "ND"},   {"ohio", "OH"},
    {"oklahoma", "OK"},       {"oregon", "OR"},         {"pennsylvania", "PA"},
    {"rhode island", "RI"},   {"south carolina", "SC"}, {"south dakota", "SD"},
    {"tennessee", "TN"},      {"texas", "TX"},          {"utah", "UT"},
    {"vermont", "VT"},        {"virginia", "VA"},       {"washington", "WA"},
    {"west virginia", "WV"},  {"wisconsin", "WI"},      {"wyoming", "WY"},
    {"puerto rico", "PR"},    {"guam", "GU"},           {"virgin islands", "VI"},
    {"washington dc", "DC"},  {"washington d.c.", "DC"},
}};

}  // namespace

std::string_view state_code(std::string_view name) noexcept {
    const std::string_view n = trim(name);
    // Collapse inner whitespace runs by comparing word by word.
    std::string key;
    key.reserve(n.size());
    for (char c : n) {
        if (is_space(c)) {
            if (!key.empty() && key.back() != ' ') key.push_back(' ');
        } else {
            key.push_back(lower(c));
        }
    }
    if (key.size() == 2) {
        for (const StateName& s : kStates) {
            if (lower(s.code[0]) == key[0] && lower(s.code[1]) == key[1]) return s.code;
        }
        return {};
    }
    for (const StateName& s : kStates) {
        if (s.name == key) return s.code;
    }
    return {};
}

std::vector<std::string_view> split_list(std::string_view s) {
    std::vector<std::string_view> out;
    std::size_t start = 0;
    std::size_t i = 0;
    auto push = [&](std::size_t end) {
        std::string_view part = trim(s.substr(start, end - start));
        if (istarts_with(part, "and ")) part = trim(part.substr(4));
        if (!part.empty()) out.push_back(part);
    };
    while (i < s.size()) {
        if (s[i] == ',' || s[i] == ';') {
            push(i);
            start = ++i;
        } else if (is_space(s[i]) && i + 4 < s.size() && iequals(s.substr(i + 1, 3), "and") &&
                   is_space(s[i + 4])) {
            push(i);
            i += 5;
            start = i;
        } else {
            ++i;
        }
    }
    push(s.size());
    return out;
}

namespace {

// Units longest first so "mg/ml" wins over "mg".
constexpr std::array<std::string_view, 11> kUnits{"mcg/hr", "mg/ml", "mg/hr", "mg/g", "units",
                                                  "mcg",    "gm",    "mg",    "ml",   "g",
                                                  "%"};

}  // namespace

std::string find_strength(std::string_view r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
        if (!is_digit(r[i])) continue;
        if (i > 0 && (is_alnum(r[i - 1]) || r[i - 1] == '.' || r[i - 1] == '/')) continue;
        // number: digits[.digits] repeated with '/' separators ("10/325", "0.5").
        std::size_t j = i;
        for (;;) {
            while (j < r.size() && is_digit(r[j])) ++j;
            if (j + 1 < r.size() && r[j] == '.' && is_digit(r[j + 1])) {
                ++j;
                while (j < r.size() && is_digit(r[j])) ++j;
            }
            if (j + 1 < r.size() && r[j] == '/' && is_digit(r[j + 1])) {
                ++j;
                continue;
            }
            break;
        }
        std::size_t k = j;
        while (k < r.size() && r[k] == ' ') ++k;
        for (std::string_view unit : kUnits) {
            if (k + unit.size() > r.size()) continue;
            if (!iequals(r.substr(k, unit.size()), unit)) continue;
            const std::size_t end = k + unit.size();
            if (unit != "%" && end < r.size() && is_alnum(r[end])) continue;
            std::string out(r.substr(i, j - i));
            if (k > j) out.push_back(' ');
            std::size_t unit_end = end;
            // A concentration per volume: "60mg/2ml", "1 mg/0.5 ml".
            if (unit_end < r.size() && r[unit_end] == '/' && unit != "%" &&
                unit.find('/') == std::string_view::npos) {
                std::size_t v = unit_end + 1;
                while (v < r.size() && (is_digit(r[v]) || r[v] == '.')) ++v;
                for (std::string_view per : {std::string_view("ml"), std::string_view("hr"),
                                             std::string_view("g")}) {
                    if (v + per.size() <= r.size() && iequals(r.substr(v, per.size()), per) &&
                        (v + per.size() == r.size() || !is_alnum(r[v + per.size()]))) {
                        unit_end = v + per.size();
                        break;
                    }
                }
            }
            out.append(r.substr(k, unit_end - k));
            return out;
        }
        i = j;
    }
    return {};
}

std::string find_quantity(std::string_view r) {
    for (std::size_t i = 0; i < r.size(); ++i) {
        std::size_t j = std::string_view::npos;
        if (r[i] == '#') {
            j = i + 1;
        } else if ((r[i] == 'q' || r[i] == 'Q') && i + 3 <= r.size() &&
                   iequals(r.substr(i, 3), "qty") && (i == 0 || !is_alnum(r[i - 1]))) {
            j = i + 3;
            if (j < r.size() && r[j] == '.') ++j;
            if (j < r.size() && r[j] == ':') ++j;
        }
        if (j == std::string_view::npos) continue;
        while (j < r.size() && r[j] == ' ') ++j;
        std::size_t k = j;
        while (k < r.size() && is_digit(r[k])) ++k;
        // "C5#6-C7" names a spinal level, not a count.
        if (k > j && k + 1 < r.size() && r[k] == '-' && is_alpha(r[k + 1])) continue;
        if (k > j) return std::string(r.substr(j, k - j));
    }
    return {};
}

namespace {

// Sentence around position `pos`: from after the previous ". " to the next ". ".
std::string_view sentence_at(std::string_view t, std::size_t pos) {
    std::size_t b = pos;
    while (b > 0 && !(t[b - 1] == ' ' && b >= 2 && t[b - 2] == '.')) --b;
    std::size_t e = pos;
    while (e < t.size() && !(t[e] == '.' && (e + 1 == t.size() || t[e + 1] == ' '))) ++e;
    return t.substr(b, e - b);
}

bool word_at(std::string_view t, std::size_t pos, std::size_t len) {
    return (pos == 0 || !is_alnum(t[pos - 1])) && (pos + len >= t.size() || !is_alnum(t[pos + len]));
}

bool cites_odg(std::string_view t) {
    for (std::size_t p = t.find("ODG"); p != std::string_view::npos; p = t.find("ODG", p + 1)) {
        if (word_at(t, p, 3)) return true;
    }
    return ifind(t, "Official Disability Guideline") != std::string_view::npos;
}

bool cites_acoem(std::string_view t) {
    for (std::size_t p = ifind(t, "ACOEM"); p != std::string_view::npos;
         p = ifind(t, "ACOEM", p + 1)) {
        if (word_at(t, p, 5)) return true;
    }
    return ifind(t, "American College of Occupational and Environmental Medicine") !=
           std::string_view::npos;
}

bool cites_mtus(std::string_view t) {
    for (std::size_t p = t.find("MTUS"); p != std::string_view::npos; p = t.find("MTUS", p + 1)) {
        // "Non-MTUS"/"NonMTUS" names the other kind of citation, not the MTUS.
        if (p >= 3 && iequals(t.substr(p - 3, 3), "non")) continue;
        if (p >= 4 && iequals(t.substr(p - 4, 4), "non-")) continue;
        const std::string_view s = sentence_at(t, p);
        // "did not base their decision on the MTUS", "outside of the MTUS Guidelines".
        if (ifind(s, "did not") != std::string_view::npos ||
            ifind(s, "outside of") != std::string_view::npos ||
            ifind(s, "not address") != std::string_view::npos) {
            continue;
        }
        return true;
    }
    return false;
}

// After "Non-MTUS [Citation]" the cited work; "other" unless it is ODG, ACOEM or the MTUS.
bool cites_other(std::string_view t) {
    if (ifind(t, "http") != std::string_view::npos || ifind(t, "www.") != std::string_view::npos) {
        return true;
    }
    for (std::size_t p = ifind(t, "MTUS"); p != std::string_view::npos;
         p = ifind(t, "MTUS", p + 1)) {
        const bool non = (p >= 3 && iequals(t.substr(p - 3, 3), "non")) ||
                         (p >= 4 && iequals(t.substr(p - 4, 4), "non-"));
        if (!non) continue;
        std::size_t q = p + 4;
        while (q < t.size() && is_space(t[q])) ++q;
        if (istarts_with(t.substr(q), "Citation")) q += 8;
        while (q < t.size() && (is_space(t[q]) || t[q] == ':' || t[q] == ',')) ++q;
        std::string_view rest = t.substr(q);
        if (rest.empty() || rest[0] == '.') continue;
        // A second work cited beside the ODG/ACOEM ("... (ODG) and Spine Journal, 2014").
        const std::size_t next = ifind(rest, "Decision based on");
        const std::string_view cited = rest.substr(0, next);
        static constexpr std::string_view kOtherWorks[] = {
            "Journal", "UpToDate", "Academy", "Association", "Society", "Institute", "et al",
            "pubmed",  "PubMed"};
        for (std::string_view w : kOtherWorks) {
            if (cited.find(w) != std::string_view::npos) return true;
        }
        if (istarts_with(rest, "ODG") || istarts_with(rest, "Official Disability") ||
            istarts_with(rest, "ACOEM") || istarts_with(rest, "American College of Occ") ||
            istarts_with(rest, "MTUS") || istarts_with(rest, "the Official Disability") ||
            istarts_with(rest, "the ACOEM") || istarts_with(rest, "the ODG")) {
            continue;
        }
        return true;
    }
    return false;
}

}  // namespace

std::vector<std::string> guideline_sources(std::string_view citation) {
    std::vector<std::string> out;
    if (cites_mtus(citation)) out.emplace_back("MTUS");
    if (cites_acoem(citation)) out.emplace_back("ACOEM");
    if (cites_odg(citation)) out.emplace_back("ODG");
    if (cites_other(citation)) out.emplace_back("other");
    return out;
}

bool ends_sentence(std::string_view t) noexcept {
    std::size_t e = t.size();
    while (e > 0 && is_space(t[e - 1])) --e;
    for (;;) {
        if (e > 0 && (t[e - 1] == '"' || t[e - 1] == ')' || t[e - 1] == '\'' || t[e - 1] == ']')) {
            --e;
        } else if (e >= 3 && t.substr(e - 3, 2) == "\xE2\x80" &&
                   (t[e - 1] == '\x9D' || t[e - 1] == '\x99')) {
            e -= 3;  // closing curly quote
        } else {
            break;
        }
    }
    if (e == 0) return false;
    const char c = t[e - 1];
    return c == '.' || c == '?' || c == '!';
}

std::string_view trim_blanks(std::string_view s) noexcept {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t' || s.front() == '\r')) {
        s.remove_prefix(1);
    }
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r')) {
        s.remove_suffix(1);
    }
    return s;
}

DataLines data_lines(std::string_view tsv) {
    DataLines out;
    std::size_t pos = 0;
    while (pos < tsv.size()) {
        std::size_t eol = tsv.find('\n', pos);
        if (eol == std::string_view::npos) eol = tsv.size();
        const std::string_view raw = tsv.substr(pos, eol - pos);
        pos = eol + 1;
        ++out.count;
        const std::string_view line = trim_blanks(raw);
        if (line.empty() || line.front() == '#') continue;
        DataLine& d = out.lines.emplace_back();
        d.number = out.count;
        std::size_t start = 0;
        for (;;) {
            const std::size_t tab = raw.find('\t', start);
            d.fields.push_back(trim_blanks(raw.substr(start, tab - start)));
            if (tab == std::string_view::npos) break;
            start = tab + 1;
        }
    }
    return out;
}

void data_error(std::string_view origin, std::size_t line, const std::string& what) {
    throw ConfigError(std::string(origin) + ':' + std::to_string(line) + ": " + what);
}

}  // namespace imrdex::parse
