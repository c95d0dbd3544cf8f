// Parser passes: the clinical case summary, and the patient's age, sex and date of injury.
#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>

#include "parse_util.hpp"
#include "passes.hpp"

namespace imrdex::parse {

namespace {

// Where the fixed intro sentence of the summary may end ("... including all medical records:").
constexpr std::size_t kMaxIntroLength = 400;
// Without a summary, the patient sentence is looked for in the letter's first lines (and the
// first part of each: a 10 MB line must not be copied).
constexpr std::size_t kPatientLines = 400;
constexpr std::size_t kPatientLineLength = 4096;

bool sex_word(std::string_view w, std::string& sex) {
    static constexpr std::string_view kFemale[] = {"female", "woman", "lady", "girl"};
    static constexpr std::string_view kMale[] = {"male", "man", "gentleman", "boy"};
    for (std::string_view f : kFemale) {
        if (iequals(w, f)) return sex = "female", true;
    }
    for (std::string_view m : kMale) {
        if (iequals(w, m)) return sex = "male", true;
    }
    return false;
}

// First "N year old" / "N-year-old" with the sex word that follows it.
void read_age_and_sex(std::string_view s, Letter& l) {
    for (std::size_t p = ifind(s, "year"); p != std::string_view::npos;
         p = ifind(s, "year", p + 4)) {
        if (p < 2 || (s[p - 1] != ' ' && s[p - 1] != '-')) continue;
        std::size_t d = p - 1;
        std::size_t e = d;
        while (d > 0 && is_digit(s[d - 1])) --d;
        if (d == e || e - d > 3 || (d > 0 && is_alnum(s[d - 1]))) continue;
        std::size_t q = p + 4;
        if (q < s.size() && (s[q] == 's' || s[q] == 'S')) ++q;
        if (q >= s.size() || (s[q] != ' ' && s[q] != '-')) continue;
        ++q;
        if (!istarts_with(s.substr(q), "old")) continue;
        q += 3;
        int age = 0;
        for (std::size_t k = d; k < e; ++k) age = age * 10 + (s[k] - '0');
        l.age = age;
        // Up to three words after "old": "female", "Hispanic male", "right-handed woman".
        for (int words = 0; words < 3 && q < s.size(); ++words) {
            while (q < s.size() && (s[q] == ' ' || s[q] == ',')) ++q;
            std::size_t w = q;
            while (w < s.size() && (is_alpha(s[w]) || s[w] == '-')) ++w;
            if (w == q) break;
            if (sex_word(s.substr(q, w - q), l.sex)) break;
            if (w < s.size() && (s[w] == '.' || s[w] == ';')) break;
            q = w;
        }
        return;
    }
}

// Date of injury from the summary: "injured on 02/04/2003", "date of injury on 12/09/2008",
// "injured in December of 2001", "industrial injury date of 12-03-2016", "claim from 10/26/2016".
std::string summary_injury_date(std::string_view s) {
    static constexpr std::string_view kKeys[] = {"injur", "claim from", "date of loss"};
    static constexpr std::string_view kFiller[] = {
        "on",    "of",    "in",       "date",     "dated",  "was",
        "is",    "the",   "from",     "at",       "around", "approximately",
        "about", "which", "reported", "occurred", "injury", "loss"};
    std::size_t best_pos = kNone;
    std::string best;
    for (std::string_view key : kKeys) {
        for (std::size_t p = ifind(s, key); p != std::string_view::npos && p < best_pos;
             p = ifind(s, key, p + 1)) {
            std::size_t q = p;
            while (q < s.size() && is_alpha(s[q])) ++q;  // rest of "injured"/"injury"
            if (key == "claim from" || key == "date of loss") q = p + key.size();
            for (int words = 0; words < 6 && q < s.size(); ++words) {
                while (q < s.size() && (s[q] == ' ' || s[q] == ',')) ++q;
                std::size_t used = 0;
                std::string d = parse_date(s.substr(q), used, true);
                if (!d.empty()) {
                    best_pos = p;
                    best = std::move(d);
                    break;
                }
                std::size_t w = q;
                while (w < s.size() && is_alpha(s[w])) ++w;
                bool filler = false;
                for (std::string_view f : kFiller)
                    filler = filler || iequals(s.substr(q, w - q), f);
                if (!filler) break;
                q = w;
            }
            if (best_pos == p) break;
        }
    }
    return best;
}

}  // namespace

void parse_summary(const Lines& lines, const Sections& sections, Letter& l) {
    const std::size_t summary = sections.summary;
    if (summary == kNone) {
        warn(l.warnings, WarningCode::no_summary, "no CLINICAL CASE SUMMARY heading");
        return;
    }
    const std::size_t issues = sections.issues;
    const std::size_t e = issues != kNone && issues > summary ? issues : lines.size();
    std::string s;
    for (std::size_t i = summary + 1; i < e; ++i) append_collapsed(s, lines[i]);
    if (istarts_with(s, "The expert reviewer developed")) {
        const std::size_t c = s.find("records:");
        const std::size_t cut = c != std::string::npos && c < kMaxIntroLength ? c + 8 : s.find(':');
        if (cut != std::string::npos && cut < kMaxIntroLength) {
            s.erase(0, std::min(s.size(), cut + 1));
        }
        if (!s.empty() && s[0] == ' ') s.erase(0, 1);
    }
    l.summary = std::move(s);
}

void parse_patient(const Lines& lines, Letter& l) {
    std::string whole;
    std::string_view text = l.summary;
    if (text.empty()) {
        for (std::size_t i = 0; i < std::min(lines.size(), kPatientLines); ++i) {
            append_collapsed(whole,
                             lines[i].substr(0, std::min(lines[i].size(), kPatientLineLength)));
        }
        text = whole;
    }
    read_age_and_sex(text, l);
    if (l.age < 0) warn(l.warnings, WarningCode::no_age, "no \"N year old\" patient sentence");
    if (l.sex.empty()) warn(l.warnings, WarningCode::no_sex, "no sex word after the patient's age");
    if (l.injury_date.empty()) {
        l.injury_date = summary_injury_date(text);
        if (l.injury_date.empty()) {
            warn(l.warnings, WarningCode::no_injury_date, "no date of injury found");
        }
    }
}

}  // namespace imrdex::parse
