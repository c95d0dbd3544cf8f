// Parser pass: the cover block (case number, priority and dates before the first heading).
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "parse_util.hpp"
#include "passes.hpp"

namespace imrdex::parse {

namespace {

enum class Field { assigned, decision, injury, ur_denial, received };

struct CoverLabel {
    std::string_view text;
    int kind;  // 0 case number, 1 priority, 2 date (field below)
    Field field;
};

// clang-format off
constexpr CoverLabel kCoverLabels[] = {
    {"Case Number:", 0, Field::assigned},
    {"Priority:", 1, Field::assigned},
    {"Date Assigned:", 2, Field::assigned},
    {"Decision Date:", 2, Field::decision},
    {"Date of Injury:", 2, Field::injury},
    {"UR Denial Date:", 2, Field::ur_denial},
    {"Application Received:", 2, Field::received},
    {"Application", 2, Field::received},
};
// clang-format on

// A headless letter's body must not be read as a cover block; a cover block is never longer.
constexpr std::size_t kHeadlessCoverLines = 30;
constexpr std::size_t kMaxCoverLines = 60;

bool is_case_number(std::string_view w) {
    if (w.size() < 10 || !(lower(w[0]) == 'c' && lower(w[1]) == 'm')) return false;
    if (!is_digit(w[2]) || !is_digit(w[3]) || w[4] != '-') return false;
    std::size_t n = 0;
    for (std::size_t i = 5; i < w.size(); ++i) {
        if (!is_digit(w[i])) return false;
        ++n;
    }
    return n >= 5 && n <= 8;
}

std::string& date_field(Letter& l, Field f) {
    switch (f) {
        case Field::assigned:
            return l.date_assigned;
        case Field::decision:
            return l.decision_date;
        case Field::injury:
            return l.injury_date;
        case Field::ur_denial:
            return l.ur_denial_date;
        case Field::received:
            break;
    }
    return l.received_date;
}

// Labels and values come in whatever order the PDF text layer gives: all labels then all
// values (pdftotext), or "Label: value Label: value" per line (poppler raw/physical). Values
// are matched by shape, dates to pending date labels in label order. False: no label, no value.
bool read_cover_lines(const Lines& lines, std::size_t end, Letter& l) {
    std::vector<Field> pending;
    std::size_t labels = 0;
    std::size_t values = 0;
    std::size_t orphans = 0;
    bool saw_application = false;
    for (std::size_t i = 0; i < end; ++i) {
        std::string_view t = lines[i];
        while (!t.empty()) {
            t = trim(t);
            if (t.empty()) break;
            bool matched = false;
            for (const CoverLabel& cl : kCoverLabels) {
                if (!istarts_with(t, cl.text)) continue;
                if (cl.text == "Application" && t.size() > 11 && is_alpha(t[11])) continue;
                matched = true;
                ++labels;
                if (cl.kind == 2) pending.push_back(cl.field);
                if (cl.field == Field::received) saw_application = true;
                t.remove_prefix(cl.text.size());
                break;
            }
            if (matched) continue;
            if (saw_application && istarts_with(t, "Received:")) {
                t.remove_prefix(9);
                continue;
            }
            std::size_t w = 0;
            while (w < t.size() && !is_space(t[w])) ++w;
            const std::string_view word = t.substr(0, w);
            std::size_t used = 0;
            if (is_case_number(word)) {
                ++values;
                if (l.id.empty()) {
                    l.id = std::string(word);
                    for (std::size_t k = 0; k < 2; ++k)
                        l.id[k] = static_cast<char>(l.id[k] & ~0x20);
                }
            } else if (iequals(word, "standard") || iequals(word, "expedited")) {
                ++values;
                l.priority = to_lower(word);
            } else if (std::string d = parse_date(t, used); used > 0 && used == w) {
                ++values;
                // A date the calendar lacks still fills its label, with no date.
                if (d.empty()) warn(l.warnings, WarningCode::impossible_date, std::string(word));
                if (pending.empty()) {
                    ++orphans;
                } else {
                    date_field(l, pending.front()) = std::move(d);
                    pending.erase(pending.begin());
                }
            }
            t.remove_prefix(w);
        }
    }
    if (labels == 0 && values == 0) return false;
    if (!pending.empty() || orphans > 0 || l.id.empty() || labels != values) {
        warn(l.warnings, WarningCode::cover_block_mismatch,
             std::to_string(labels) + " labels, " + std::to_string(values) + " values");
    }
    return true;
}

}  // namespace

void parse_cover(const Lines& lines, const Sections& sections, std::string_view fallback_id,
                 Letter& l) {
    const std::size_t first = sections.first();
    const std::size_t end = first != kNone ? first : std::min(lines.size(), kHeadlessCoverLines);
    if (!read_cover_lines(lines, std::min(end, kMaxCoverLines), l)) {
        warn(l.warnings, WarningCode::no_cover_block,
             "no case number/date labels before the first heading");
    }
    if (l.id.empty()) l.id = std::string(fallback_id);
}

}  // namespace imrdex::parse
