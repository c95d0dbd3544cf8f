// The letter parser's passes, in the order LetterParser::parse runs them; internal to
// imrdex_extract, declared here so that tests can run each pass alone on hand-written lines.
//
// Every pass reads the letter's trimmed lines and the section headings found in them, and writes
// only the Letter fields its comment names, plus warnings. A pass never throws on any input.
// Warnings are appended in pass order, which is part of the extraction record.
#pragma once

#include <algorithm>
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/core/letter.hpp"
#include "imrdex/extract/drugs.hpp"
#include "imrdex/extract/specialties.hpp"

namespace imrdex::parse {

inline constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// The letter split on '\n' only, each line trimmed of form feeds, '\r' and spaces at both ends;
// views into the letter text.
using Lines = std::vector<std::string_view>;

// Line index of each section heading (kNone when absent): the first line that starts with it,
// looked for only up to the issues heading.
struct Sections {
    std::size_t how = kNone;      // "HOW THE IMR FINAL DETERMINATION ..."
    std::size_t summary = kNone;  // "CLINICAL CASE SUMMARY"
    std::size_t issues = kNone;   // "IMR ISSUES, DECISIONS AND RATIONALES"
    [[nodiscard]] std::size_t first() const noexcept { return std::min({how, summary, issues}); }
};

// The lines of one item header: the request text, then the decision.
struct ItemHeader {
    std::size_t start = 0;     // first line of the request text
    std::size_t end = 0;       // line holding the decision (the item's labels follow it)
    std::size_t text_end = 0;  // index + 1 of the last request line
    std::size_t last_len = 0;  // length of the request part of line text_end - 1
    Decision decision = Decision::unknown;  // unknown: a fallback header found from its labels
};

inline void warn(std::vector<Warning>& warnings, WarningCode code, std::string detail) {
    warnings.push_back({code, std::move(detail)});
}

// ---- text --------------------------------------------------------------------------------------

// Whole-text checks before any line is read. Warns invalid_utf8, nul_bytes. An empty (blank)
// text gets id = fallback_id and the warnings empty, no_items; returns false: nothing to parse.
bool check_text(std::string_view text, std::string_view fallback_id, Letter& l);

Lines split_lines(std::string_view text);

Sections find_sections(const Lines& lines);

// ---- passes over the letter --------------------------------------------------------------------

// Cover block: the lines before the first heading (the first 30 when there is none; never more
// than 60). Labels and values are matched by shape, in whatever order the text layer gives them.
// Writes id (the case number, else fallback_id), priority, date_assigned, decision_date,
// injury_date, ur_denial_date, received_date. Warns cover_block_mismatch, no_cover_block.
void parse_cover(const Lines& lines, const Sections& sections, std::string_view fallback_id,
                 Letter& l);

// Reviewer credentials, from the start (or after the HOW heading) to the summary heading (or the
// issues heading): "State(s) of Licensure:" / "Certification(s)/Specialty:" lines, else the
// sentence form ("Board Certified in X ... licensed to practice in Y."). A specialty list that
// wraps inside a name ("Public Health &" / "General Preventive Medicine") is joined. Writes
// states, and specialties by their canonical names in `specialties` (unknown ones as written).
// Warns unknown_state, unknown_specialty, then no_credentials, no_states or no_specialties.
void parse_credentials(const Lines& lines, const Sections& sections,
                       const SpecialtyVocabulary& specialties, Letter& l);

// Clinical case summary: the lines after its heading up to the issues heading, wrapped lines
// joined, the fixed "The expert reviewer developed ..." intro removed. Writes summary. Warns
// no_summary.
void parse_summary(const Lines& lines, const Sections& sections, Letter& l);

// Patient: the first "N year old <sex word>" and the date of injury, read from l.summary or,
// when it is empty, from the letter's first 400 lines. Writes age, sex, and injury_date unless
// the cover block set it. Warns no_age, no_sex, no_injury_date.
void parse_patient(const Lines& lines, Letter& l);

// Item headers in the issues section (after the summary heading when it is missing): lines
// ending ": Upheld" / ": Overturned" (or "...:" with the decision alone on the next line) that
// follow a finished item or precede a label, and fallback headers for items that start with a
// label and no recognisable decision. Warns no_issues_section.
std::vector<ItemHeader> find_item_headers(const Lines& lines, const Sections& sections,
                                          std::vector<Warning>& warnings);

// One item per header, appended to l.items (see parse_item).
void parse_items(const Lines& lines, const std::vector<ItemHeader>& headers,
                 const DrugVocabulary& drugs, Letter& l);

// The end of the letter: warns no_items when there is no item. When the letter ends
// mid-sentence after the last item's header (and that item has a rationale), warns
// no_final_period if that sentence still states the item's conclusion ("... is not medically
// necessary"), else truncated_item: the letter was cut off inside the item.
void check_truncation(const Lines& lines, const std::vector<ItemHeader>& headers, Letter& l);

// ---- one item ----------------------------------------------------------------------------------

// The request text of a header: its lines joined, the decision cut off.
std::string header_text(const Lines& lines, const ItemHeader& h);

// Item `k` (0-based) of `headers`: its body runs to the next header's first line or the end.
// Warns decision_unrecognised (fallback header), partial_authorization_unparsed, empty_request,
// truncated_item (no rationale), each naming the item by its 1-based number.
Item parse_item(const Lines& lines, const std::vector<ItemHeader>& headers, std::size_t k,
                const DrugVocabulary& drugs, std::vector<Warning>& warnings);

// Writes request and, for a partial authorization ("<ORIG> was the original request. ... the
// original request, <REQ>"), original_request. Warns partial_authorization_unparsed.
void set_request(Item& item, std::string header, std::vector<Warning>& warnings);

// The labelled sections of lines [begin, end): writes ca_guideline, maximus_guideline (text and
// sources) and rationale. Everything after "Decision rationale:" belongs to the rationale.
void parse_item_body(const Lines& lines, std::size_t begin, std::size_t end, Item& item);

// From item.request: writes drug, drug_class (vocabulary match), category, strength, quantity.
void classify_item(Item& item, const DrugVocabulary& drugs);

}  // namespace imrdex::parse
