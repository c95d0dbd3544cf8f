// LetterParser: pdftotext-style IMR letter text -> extraction record, pass by pass (passes.hpp).
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/core/utf8.hpp"
#include "imrdex/extract/parser.hpp"
#include "parse_util.hpp"
#include "passes.hpp"

namespace imrdex {

namespace parse {

bool check_text(std::string_view text, std::string_view fallback_id, Letter& l) {
    if (trim(text).empty()) {
        l.id = std::string(fallback_id);
        warn(l.warnings, WarningCode::empty, "no text");
        warn(l.warnings, WarningCode::no_items, "no disputed item found");
        return false;
    }
    if (!utf8::valid(text)) {
        const std::size_t bad = utf8::first_invalid(text);
        warn(l.warnings, WarningCode::invalid_utf8,
             "first invalid byte at offset " + std::to_string(bad));
    }
    if (text.find('\0') != std::string_view::npos) {
        warn(l.warnings, WarningCode::nul_bytes, "text contains NUL bytes");
    }
    return true;
}

Lines split_lines(std::string_view text) {
    Lines lines;
    lines.reserve(text.size() / 48 + 8);
    std::size_t pos = 0;
    while (pos <= text.size()) {
        std::size_t nl = text.find('\n', pos);
        if (nl == std::string_view::npos) nl = text.size();
        lines.push_back(trim(text.substr(pos, nl - pos)));
        pos = nl + 1;
    }
    return lines;
}

Sections find_sections(const Lines& lines) {
    Sections s;
    for (std::size_t i = 0; i < lines.size(); ++i) {
        const std::string_view t = lines[i];
        // Most lines start with another letter: skip them before any comparison.
        if (t.empty() || (t[0] != 'H' && t[0] != 'C' && t[0] != 'I' && t[0] != 'h' && t[0] != 'c' &&
                          t[0] != 'i')) {
            continue;
        }
        if (s.how == kNone && istarts_with(t, "HOW THE IMR FINAL DETERMINATION")) {
            s.how = i;
        } else if (s.summary == kNone && istarts_with(t, "CLINICAL CASE SUMMARY")) {
            s.summary = i;
        } else if (s.issues == kNone && istarts_with(t, "IMR ISSUES, DECISIONS AND RATIONALES")) {
            s.issues = i;
            break;
        }
    }
    return s;
}

}  // namespace parse

Letter LetterParser::parse(std::string_view text, std::string_view fallback_id,
                           std::string_view source) const {
    Letter l;
    l.source = std::string(source);
    if (!parse::check_text(text, fallback_id, l)) return l;
    const parse::Lines lines = parse::split_lines(text);
    const parse::Sections sections = parse::find_sections(lines);
    parse::parse_cover(lines, sections, fallback_id, l);
    parse::parse_credentials(lines, sections, *specialties_, l);
    parse::parse_summary(lines, sections, l);
    parse::parse_patient(lines, l);
    const std::vector<parse::ItemHeader> headers =
        parse::find_item_headers(lines, sections, l.warnings);
    parse::parse_items(lines, headers, *drugs_, l);
    parse::check_truncation(lines, headers, l);
    return l;
}

}  // namespace imrdex
