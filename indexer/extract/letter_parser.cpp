// LetterParser: pdftotext-style IMR letter text -> extraction record, in one pass over lines.
#include <algorithm>
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/core/utf8.hpp"
#include "imrdex/extract/parser.hpp"
#include "parse_util.hpp"

namespace imrdex {

using namespace parse;  // NOLINT: the helpers are this file's vocabulary

namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);
constexpr std::size_t kMaxHeaderLines = 10;  // a wrapped request, partial authorizations included

struct Line {
    std::string_view t;  // trimmed: no leading form feeds or spaces, no trailing spaces
};

// Splits on '\n' only; '\f', '\r' and trailing spaces are trimmed away per line.
std::vector<Line> split_lines(std::string_view text) {
    std::vector<Line> lines;
    lines.reserve(text.size() / 48 + 8);
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        lines.push_back({trim(text.substr(pos, nl - pos))});
        pos = nl + 1;
    }
    return lines;
}

void warn(Letter& l, std::string_view code, std::string detail) {
    l.warnings.push_back({std::string(code), std::move(detail)});
}

std::string excerpt(std::string_view s, std::size_t max = 80) {
    std::string out = collapse(s.substr(0, std::min(s.size(), max * 2)));
    if (out.size() > max) {
        out.resize(max);
        // Never cut a UTF-8 sequence in half.
        while (!out.empty() && (static_cast<unsigned char>(out.back()) & 0xC0) == 0x80) out.pop_back();
        if (!out.empty() && (static_cast<unsigned char>(out.back()) & 0x80)) out.pop_back();
        out += "...";
    }
    return out;
}

bool is_heading(std::string_view t, std::string_view heading) { return istarts_with(t, heading); }

// ---- cover block -----------------------------------------------------------------------------

enum class Field { assigned, decision, injury, ur_denial, received };

struct CoverLabel {
    std::string_view text;
    int kind;  // 0 case number, 1 priority, 2 date (field below)
    Field field;
};

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
        case Field::assigned: return l.date_assigned;
        case Field::decision: return l.decision_date;
        case Field::injury: return l.injury_date;
        case Field::ur_denial: return l.ur_denial_date;
        case Field::received: break;
    }
    return l.received_date;
}

// Labels and values come in whatever order the PDF text layer gives: all labels then all
// values (pdftotext), or "Label: value Label: value" per line (poppler raw/physical). Values
// are matched by shape, dates to pending date labels in label order.
bool parse_cover(const std::vector<Line>& lines, std::size_t end, Letter& l) {
    std::vector<Field> pending;
    std::size_t labels = 0;
    std::size_t values = 0;
    std::size_t orphans = 0;
    bool saw_application = false;
    for (std::size_t i = 0; i < end; ++i) {
        std::string_view t = lines[i].t;
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
                    for (std::size_t k = 0; k < 2; ++k) l.id[k] = static_cast<char>(l.id[k] & ~0x20);
                }
            } else if (iequals(word, "standard") || iequals(word, "expedited")) {
                ++values;
                l.priority = to_lower(word);
            } else if (std::string d = parse_date(t, used); used > 0 && used == w) {
                ++values;
                // A date the calendar lacks still fills its label, with no date.
                if (d.empty()) warn(l, "impossible_date", std::string(word));
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
        warn(l, "cover_block_mismatch",
             std::to_string(labels) + " labels, " + std::to_string(values) + " values");
    }
    return true;
}

// ---- credentials -------------------------------------------------------------------------------

void add_states(Letter& l, std::string_view list) {
    for (std::string_view part : split_list(list)) {
        const std::string_view code = state_code(part);
        if (code.empty()) {
            warn(l, "unknown_state", excerpt(part));
        } else {
            l.states.emplace_back(code);
        }
    }
}

void add_specialty(Letter& l, std::string_view s) {
    std::string v = to_lower(collapse(s));
    while (!v.empty() && (v.back() == '.' || v.back() == ',')) v.pop_back();
    if (!v.empty()) l.specialties.push_back(std::move(v));
}

void parse_sentence_credentials(Letter& l, std::string_view text) {
    const std::size_t bc = ifind(text, "Board Certified in ");
    if (bc != std::string_view::npos) {
        std::size_t b = bc + 19;
        std::size_t e = text.find('.', b);
        if (e == std::string_view::npos) e = text.size();
        std::string_view part = text.substr(b, e - b);
        const std::size_t lic = ifind(part, "is licensed");
        if (lic != std::string_view::npos) part = part.substr(0, lic);
        part = trim(part);
        if (iends_with(part, " and")) part = trim(part.substr(0, part.size() - 4));
        while (!part.empty() && part.back() == ',') part = trim(part.substr(0, part.size() - 1));
        // "X, has a subspecialty in Y" / "X and has a subspecialty in Y"
        for (;;) {
            const std::size_t sub = ifind(part, "subspecialt");
            if (sub == std::string_view::npos) break;
            std::string_view head = part.substr(0, sub);
            const std::size_t has = ifind(head, "has a");
            const std::size_t cut = has != std::string_view::npos ? has : head.size();
            std::string_view first = trim(head.substr(0, cut));
            if (iends_with(first, " and")) first = first.substr(0, first.size() - 4);
            while (!first.empty() && first.back() == ',') first.remove_suffix(1);
            add_specialty(l, first);
            std::size_t in = ifind(part, " in ", sub);
            if (in == std::string_view::npos) {
                part = {};
                break;
            }
            part = trim(part.substr(in + 4));
        }
        if (!part.empty()) add_specialty(l, part);
    }
    const std::size_t lp = ifind(text, "licensed to practice in ");
    if (lp != std::string_view::npos) {
        const std::size_t b = lp + 24;
        std::size_t e = text.find('.', b);
        if (e == std::string_view::npos) e = text.size();
        add_states(l, text.substr(b, e - b));
    }
}

// "State(s) of Licensure: ..." / "Certification(s)/Specialty: ..." lines, or the sentence form.
void parse_credentials(const std::vector<Line>& lines, std::size_t begin, std::size_t end,
                       Letter& l) {
    std::string states;
    std::string specs;
    std::string* current = nullptr;
    for (std::size_t i = begin; i < end; ++i) {
        const std::string_view t = lines[i].t;
        if (istarts_with(t, "State(s) of Licensure:") || istarts_with(t, "States of Licensure:") ||
            istarts_with(t, "State of Licensure:")) {
            current = &states;
            append_collapsed(states, t.substr(t.find(':') + 1));
        } else if (istarts_with(t, "Certification(s)/Specialt") ||
                   istarts_with(t, "Certifications/Specialt") ||
                   istarts_with(t, "Certification/Specialt")) {
            current = &specs;
            append_collapsed(specs, t.substr(t.find(':') + 1));
        } else if (current != nullptr && !t.empty() && t.find(':') == std::string_view::npos &&
                   (current->empty() || current->back() == ',')) {
            append_collapsed(*current, t);  // a list wrapped after its comma
        } else if (!t.empty()) {
            current = nullptr;
        }
    }
    if (!states.empty() || !specs.empty()) {
        add_states(l, states);
        for (std::string_view s : split_list(specs)) add_specialty(l, s);
        // split_list also splits on " and", which specialties such as "Hospice and Palliative
        // Medicine" contain: re-split on commas only.
        if (specs.find(" and ") != std::string::npos) {
            l.specialties.clear();
            std::size_t b = 0;
            for (std::size_t i = 0; i <= specs.size(); ++i) {
                if (i == specs.size() || specs[i] == ',' || specs[i] == ';') {
                    add_specialty(l, trim(std::string_view(specs).substr(b, i - b)));
                    b = i + 1;
                }
            }
        }
        return;
    }
    std::string text;
    for (std::size_t i = begin; i < end; ++i) append_collapsed(text, lines[i].t);
    parse_sentence_credentials(l, text);
}

// ---- summary: age, sex, date of injury ---------------------------------------------------------

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
void parse_patient(std::string_view s, Letter& l) {
    for (std::size_t p = ifind(s, "year"); p != std::string_view::npos; p = ifind(s, "year", p + 4)) {
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
    static constexpr std::string_view kFiller[] = {"on",  "of", "in",   "date",    "dated",
                                                   "was", "is", "the",  "from",    "at",
                                                   "around", "approximately", "about", "which",
                                                   "reported", "occurred", "injury", "loss"};
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
                for (std::string_view f : kFiller) filler = filler || iequals(s.substr(q, w - q), f);
                if (!filler) break;
                q = w;
            }
            if (best_pos == p) break;
        }
    }
    return best;
}

// ---- items -------------------------------------------------------------------------------------

// ": Upheld" / ":  Overturned" at the end of the line; returns the decision and the length of
// the line without it.
Decision trailing_decision(std::string_view t, std::size_t& keep) {
    static constexpr std::pair<std::string_view, Decision> kDecisions[] = {
        {"Upheld", Decision::upheld}, {"Overturned", Decision::overturned}};
    for (const auto& [word, dec] : kDecisions) {
        if (!iends_with(t, word)) continue;
        std::size_t e = t.size() - word.size();
        while (e > 0 && is_space(t[e - 1])) --e;
        if (e > 0 && t[e - 1] == ':') {
            keep = e - 1;
            return dec;
        }
    }
    return Decision::unknown;
}

Decision whole_line_decision(std::string_view t) {
    if (iequals(t, "Upheld")) return Decision::upheld;
    if (iequals(t, "Overturned")) return Decision::overturned;
    return Decision::unknown;
}

enum class Label { none, ca, maximus, rationale };

Label label_of(std::string_view t, std::size_t& skip) {
    static constexpr std::pair<std::string_view, Label> kLabels[] = {
        {"Claims Administrator guideline:", Label::ca},
        {"MAXIMUS guideline:", Label::maximus},
        {"Decision rationale:", Label::rationale}};
    for (const auto& [text, label] : kLabels) {
        if (istarts_with(t, text)) {
            skip = text.size();
            return label;
        }
    }
    return Label::none;
}

struct Header {
    std::size_t start = 0;     // first line of the request text
    std::size_t end = 0;       // line holding the decision
    std::size_t text_end = 0;  // line index + 1 of the last request line
    std::size_t last_len = 0;  // length of the request part on line text_end - 1
    Decision decision = Decision::unknown;
};

// The last non-blank line before `i` and after `floor` (kNone: no floor).
std::size_t prev_nonblank(const std::vector<Line>& lines, std::size_t i, std::size_t floor) {
    const std::size_t lo = floor == kNone ? 0 : floor + 1;
    while (i > lo) {
        --i;
        if (!lines[i].t.empty()) return i;
    }
    return kNone;
}

std::size_t next_nonblank(const std::vector<Line>& lines, std::size_t i) {
    for (++i; i < lines.size(); ++i) {
        if (!lines[i].t.empty()) return i;
    }
    return kNone;
}

bool mentions_original(std::string_view t) {
    return ifind(t, "was the original request") != std::string_view::npos;
}

// The request starts at a line start right after a line that ends a sentence (the previous
// rationale) or after `floor` (intro line, previous header or label line).
std::size_t header_start(const std::vector<Line>& lines, std::size_t last, std::size_t floor) {
    std::size_t start = last;
    std::size_t count = 1;
    bool has_original = mentions_original(lines[last].t);
    for (;;) {
        const std::size_t p = prev_nonblank(lines, start, floor);
        if (p == kNone || count >= kMaxHeaderLines) break;
        // A rationale that forgot its final period still ends "... medically necessary".
        if (ends_sentence(lines[p].t) || iends_with(lines[p].t, "medically necessary")) break;
        start = p;
        ++count;
        has_original = has_original || mentions_original(lines[p].t);
    }
    // A partial authorization wraps as whole sentences ("X was the original request.\nThe
    // Claims Administrator authorized ..."); reach back to its "was the original request".
    if (!has_original) {
        std::string joined;
        for (std::size_t i = start; i <= last; ++i) append_collapsed(joined, lines[i].t);
        if (mentions_original(joined)) return start;
        if (ifind(joined, "remaining IMR eligible") != std::string::npos ||
            ifind(joined, "original request IMR eligible") != std::string::npos ||
            istarts_with(joined, "The original request")) {
            std::size_t s = start;
            for (std::size_t n = count; n < kMaxHeaderLines; ++n) {
                const std::size_t p = prev_nonblank(lines, s, floor);
                if (p == kNone) break;
                s = p;
                std::string back(lines[p].t);
                back.push_back(' ');
                back += joined;
                joined = collapse(back);
                if (!mentions_original(joined)) continue;
                // The original request may itself have wrapped onto the lines before
                // ("... DOS:\n12-1-15 was the original request."): its sentence starts after the
                // previous sentence end.
                for (std::size_t m = n + 1; m < kMaxHeaderLines; ++m) {
                    const std::size_t q = prev_nonblank(lines, s, floor);
                    if (q == kNone || ends_sentence(lines[q].t) ||
                        iends_with(lines[q].t, "medically necessary")) {
                        break;
                    }
                    s = q;
                }
                return s;
            }
        }
    }
    return start;
}

void set_request(Item& item, std::string header, Letter& l) {
    // Partial authorization: "<ORIG> was the original request. ... the original request, <REQ>".
    const std::size_t orig = ifind(header, " was the original request");
    if (orig != std::string::npos) {
        std::string_view h(header);
        std::size_t rq = kNone;
        for (std::size_t p = ifind(h, "the original request,", orig + 1); p != std::string_view::npos;
             p = ifind(h, "the original request,", p + 1)) {
            rq = p + 21;
        }
        if (rq == kNone) {
            const std::size_t por = ifind(h, "eligible portion", orig);
            if (por != std::string_view::npos) {
                const std::size_t comma = h.find(',', por);
                if (comma != std::string_view::npos) rq = comma + 1;
            }
        }
        item.original_request = std::string(trim(h.substr(0, orig)));
        if (rq == kNone) {
            warn(l, "partial_authorization_unparsed", excerpt(h));
            item.request = item.original_request;
            return;
        }
        std::string_view r = trim(h.substr(rq));
        if (iends_with(r, " is")) r = trim(r.substr(0, r.size() - 3));
        while (!r.empty() && r.back() == ',') r = trim(r.substr(0, r.size() - 1));
        item.request = std::string(r);
        return;
    }
    item.request = std::move(header);
}

// The joined text of lines [b, e) of one item section, label prefix removed from line b.
std::string join(const std::vector<Line>& lines, std::size_t b, std::size_t e, std::size_t skip) {
    std::string out;
    for (std::size_t i = b; i < e; ++i) {
        std::string_view t = lines[i].t;
        if (i == b) t = t.substr(std::min(skip, t.size()));
        append_collapsed(out, t);
    }
    return out;
}

void fill_body(const std::vector<Line>& lines, std::size_t b, std::size_t e, Item& item) {
    Label current = Label::none;
    std::size_t section_start = b;
    std::size_t section_skip = 0;
    auto flush = [&](std::size_t end) {
        if (current == Label::none) return;
        std::string text = join(lines, section_start, end, section_skip);
        switch (current) {
            case Label::ca: item.ca_guideline.text = std::move(text); break;
            case Label::maximus: item.maximus_guideline.text = std::move(text); break;
            case Label::rationale: item.rationale = std::move(text); break;
            case Label::none: break;
        }
    };
    for (std::size_t i = b; i < e; ++i) {
        std::size_t skip = 0;
        const Label label = label_of(lines[i].t, skip);
        if (label == Label::none || (current == Label::rationale)) continue;
        flush(i);
        current = label;
        section_start = i;
        section_skip = skip;
    }
    flush(e);
    item.ca_guideline.sources = guideline_sources(item.ca_guideline.text);
    item.maximus_guideline.sources = guideline_sources(item.maximus_guideline.text);
}

}  // namespace

Letter LetterParser::parse(std::string_view text, std::string_view fallback_id,
                           std::string_view source) const {
    Letter l;
    l.source = std::string(source);
    if (trim(text).empty()) {
        l.id = std::string(fallback_id);
        warn(l, "empty", "no text");
        warn(l, "no_items", "no disputed item found");
        return l;
    }
    if (!utf8::valid(text)) {
        const std::size_t bad = utf8::first_invalid(text);
        warn(l, "invalid_utf8", "first invalid byte at offset " + std::to_string(bad));
    }
    if (text.find('\0') != std::string_view::npos) warn(l, "nul_bytes", "text contains NUL bytes");

    const std::vector<Line> lines = split_lines(text);
    const std::size_t n = lines.size();

    // Section headings, each the first line that starts with it.
    std::size_t how = kNone, summary = kNone, issues = kNone;
    for (std::size_t i = 0; i < n; ++i) {
        const std::string_view t = lines[i].t;
        if (t.empty() || (t[0] != 'H' && t[0] != 'C' && t[0] != 'I' && t[0] != 'h' &&
                          t[0] != 'c' && t[0] != 'i')) {
            continue;
        }
        if (how == kNone && is_heading(t, "HOW THE IMR FINAL DETERMINATION")) {
            how = i;
        } else if (summary == kNone && is_heading(t, "CLINICAL CASE SUMMARY")) {
            summary = i;
        } else if (issues == kNone && is_heading(t, "IMR ISSUES, DECISIONS AND RATIONALES")) {
            issues = i;
            break;
        }
    }
    const std::size_t first_heading = std::min({how, summary, issues});

    // Cover block: everything before the first heading (bounded so a headless letter's body
    // is not mistaken for one).
    const std::size_t cover_end = first_heading != kNone ? first_heading : std::min<std::size_t>(n, 30);
    if (!parse_cover(lines, std::min<std::size_t>(cover_end, 60), l)) {
        warn(l, "no_cover_block", "no case number/date labels before the first heading");
    }
    if (l.id.empty()) l.id = std::string(fallback_id);

    // Credentials sit between the start (or the HOW heading) and the summary heading.
    {
        const std::size_t b = how != kNone ? how + 1 : (first_heading == kNone ? 0 : 0);
        const std::size_t e = summary != kNone ? summary : (issues != kNone ? issues : n);
        if (b < e) parse_credentials(lines, b, e, l);
        if (l.states.empty() && l.specialties.empty()) {
            warn(l, "no_credentials", "no reviewer licensure or specialty found");
        } else if (l.states.empty()) {
            warn(l, "no_states", "no reviewer licensure state found");
        } else if (l.specialties.empty()) {
            warn(l, "no_specialties", "no reviewer specialty found");
        }
    }

    // Summary: after the heading and its fixed intro sentence, up to the issues heading.
    if (summary != kNone) {
        const std::size_t e = issues != kNone && issues > summary ? issues : n;
        std::string s;
        for (std::size_t i = summary + 1; i < e; ++i) append_collapsed(s, lines[i].t);
        if (istarts_with(s, "The expert reviewer developed")) {
            const std::size_t c = s.find("records:");
            const std::size_t cut = c != std::string::npos && c < 400 ? c + 8 : s.find(':');
            if (cut != std::string::npos && cut < 400) s.erase(0, std::min(s.size(), cut + 1));
            if (!s.empty() && s[0] == ' ') s.erase(0, 1);
        }
        l.summary = std::move(s);
    } else {
        warn(l, "no_summary", "no CLINICAL CASE SUMMARY heading");
    }
    {
        std::string whole;
        const std::string_view patient_text = [&]() -> std::string_view {
            if (!l.summary.empty()) return l.summary;
            for (std::size_t i = 0; i < std::min<std::size_t>(n, 400); ++i) {
                append_collapsed(whole, lines[i].t.substr(0, std::min<std::size_t>(lines[i].t.size(), 4096)));
            }
            return whole;
        }();
        parse_patient(patient_text, l);
        if (l.age < 0) warn(l, "no_age", "no \"N year old\" patient sentence");
        if (l.sex.empty()) warn(l, "no_sex", "no sex word after the patient's age");
        if (l.injury_date.empty()) {
            l.injury_date = summary_injury_date(patient_text);
            if (l.injury_date.empty()) warn(l, "no_injury_date", "no date of injury found");
        }
    }

    // Items.
    std::size_t begin = issues != kNone ? issues + 1 : (summary != kNone ? summary + 1 : 0);
    if (issues == kNone) warn(l, "no_issues_section", "no IMR ISSUES heading");
    std::size_t floor = begin == 0 ? kNone : begin - 1;  // lines at or before it never join a header
    for (std::size_t i = begin; i < std::min(n, begin + 4); ++i) {
        if (ifind(lines[i].t, "Final Determination was based") != std::string_view::npos) {
            std::size_t k = i;
            while (k < std::min(n, i + 3) && (lines[k].t.empty() || lines[k].t.back() != ':')) ++k;
            floor = k < n ? k : i;
            begin = floor + 1;
            break;
        }
    }

    std::vector<Header> headers;
    bool seen_rationale = true;  // the section intro counts as "previous item finished"
    // Lines at or before `lower` (intro, previous header, label lines) never join a header.
    std::size_t lower = floor;
    auto add_fallback_header = [&](std::size_t label_line) {
        const std::size_t p = prev_nonblank(lines, label_line, lower);
        if (p == kNone) return;
        Header h;
        h.end = p;
        h.text_end = p + 1;
        h.last_len = lines[p].t.size();
        h.start = header_start(lines, p, lower);
        headers.push_back(h);
    };
    for (std::size_t i = begin; i < n; ++i) {
        const std::string_view t = lines[i].t;
        if (t.empty()) continue;
        std::size_t skip = 0;
        const Label label = label_of(t, skip);
        if (label != Label::none) {
            // A new item began without a recognisable "REQUEST: decision" header.
            if (label == Label::ca && seen_rationale) add_fallback_header(i);
            seen_rationale = label == Label::rationale;
            lower = i;
            continue;
        }
        std::size_t keep = 0;
        Decision d = trailing_decision(t, keep);
        std::size_t text_last = i;
        std::size_t last_len = keep;
        if (d == Decision::unknown) {
            d = whole_line_decision(t);
            if (d == Decision::unknown) continue;
            const std::size_t p = prev_nonblank(lines, i, lower);
            if (p == kNone || lines[p].t.back() != ':') continue;
            text_last = p;
            last_len = lines[p].t.size() - 1;
        }
        const std::size_t nx = next_nonblank(lines, i);
        std::size_t nskip = 0;
        const bool label_follows = nx != kNone && label_of(lines[nx].t, nskip) != Label::none;
        if (!seen_rationale && !label_follows) continue;
        Header h;
        h.end = i;
        h.text_end = text_last + 1;
        h.last_len = last_len;
        h.decision = d;
        h.start = header_start(lines, text_last, lower);
        headers.push_back(h);
        seen_rationale = false;
        lower = i;
    }

    for (std::size_t k = 0; k < headers.size(); ++k) {
        const Header& h = headers[k];
        Item item;
        std::string header;
        for (std::size_t i = h.start; i < h.text_end; ++i) {
            std::string_view t = lines[i].t;
            if (i + 1 == h.text_end) t = t.substr(0, h.last_len);
            append_collapsed(header, t);
        }
        if (h.decision == Decision::unknown) {
            // Fallback header: "REQUEST: <something we do not know>".
            const std::size_t c = header.rfind(':');
            std::string what = c != std::string::npos ? collapse(header.substr(c + 1)) : "";
            if (c != std::string::npos) header.resize(c);
            while (!header.empty() && header.back() == ' ') header.pop_back();
            warn(l, "decision_unrecognised",
                 "item " + std::to_string(k + 1) + ": \"" + excerpt(what, 40) + "\"");
        }
        set_request(item, std::move(header), l);
        item.decision = h.decision;
        const std::size_t body_end = k + 1 < headers.size() ? headers[k + 1].start : n;
        fill_body(lines, h.end + 1, body_end, item);
        if (item.request.empty()) warn(l, "empty_request", "item " + std::to_string(k + 1));
        if (item.rationale.empty()) {
            warn(l, "truncated_item",
                 "item " + std::to_string(k + 1) + " has no decision rationale");
        }
        const auto match = drugs_.match(item.request);
        if (match && match->entry != nullptr) {
            item.drug = match->entry->drug;
            item.drug_class = match->entry->drug_class;
        }
        item.category = classify_category(item.request, item.drug.size() > 0);
        item.strength = find_strength(item.request);
        item.quantity = find_quantity(item.request);
        l.items.push_back(std::move(item));
    }
    if (l.items.empty()) {
        warn(l, "no_items", "no disputed item with a decision found");
    } else {
        // A letter cut off mid-sentence probably lost the end of its last item.
        const std::size_t last = prev_nonblank(lines, n, kNone);
        if (last != kNone && last > headers.back().end && !ends_sentence(lines[last].t) &&
            !l.items.back().rationale.empty()) {
            warn(l, "truncated_item", "letter ends mid-sentence: \"" +
                                          excerpt(lines[last].t.substr(
                                              lines[last].t.size() > 40 ? lines[last].t.size() - 40 : 0)) +
                                          "\"");
        }
    }
    return l;
}

}  // namespace imrdex
