// The extraction record of one IMR determination letter: the contract shared by the parser,
// the generator's truth file, the indexer and `imr-index --extract`.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace imrdex {

// A guideline citation line ("Claims Administrator guideline: ..." or "MAXIMUS guideline: ...").
struct Guideline {
    std::string text;                  // citation text after the label, wrapped lines joined
    std::vector<std::string> sources;  // subset of "MTUS", "ACOEM", "ODG", "other", in that order
};

enum class Decision { unknown, upheld, overturned };

std::string_view to_string(Decision d) noexcept;  // "unknown" / "upheld" / "overturned"

// What kind of service a disputed item asks for: the request classifier's answer
// (indexer/extract/category.cpp), and what the generator writes in its truth.
enum class Category : std::uint8_t {
    pharmaceutical,
    physical_therapy,
    chiropractic,
    acupuncture,
    imaging,
    injection,
    surgery,
    dme,
    office_visit,
    psychological_services,
    laboratory,
    other,  // also what the classifier answers when nothing else applies
};

// Every category, in enumerator order (letter.cpp checks it): for readers and tests that walk them.
inline constexpr std::array kCategories{
    Category::pharmaceutical, Category::physical_therapy,
    Category::chiropractic,   Category::acupuncture,
    Category::imaging,        Category::injection,
    Category::surgery,        Category::dme,
    Category::office_visit,   Category::psychological_services,
    Category::laboratory,     Category::other,
};

// The name users, index terms and the extraction record see: "pharmaceutical", "physical
// therapy", "chiropractic", "acupuncture", "imaging", "injection", "surgery", "dme", "office
// visit", "psychological services", "laboratory", "other".
std::string_view to_string(Category c) noexcept;
// The category of that exact name (as to_string writes it); nullopt for any other text.
std::optional<Category> parse_category(std::string_view name) noexcept;

// One disputed item/service. Field forms are documented in README "Extraction record".
struct Item {
    std::string request;           // as written, wrapped lines joined with one space
    std::string original_request;  // partial authorizations only: the original request
    Decision decision = Decision::unknown;
    Category category = Category::other;
    std::string drug;        // canonical ingredients, lower-case, '/'-joined alphabetically
    std::string drug_class;  // e.g. "opioid"
    std::string strength;    // as written, whitespace collapsed: "10/325mg", "2 MG", "4%"
    std::string quantity;    // digits only: "#90" -> "90", "QTY: 2" -> "2"
    Guideline ca_guideline;
    Guideline maximus_guideline;
    std::string rationale;  // full text, wrapped lines joined
};

// What a Warning is about. Its to_string is the stable machine-readable token of the
// extraction record ("no_age", "truncated_item", ...): readers and scripts match on it, so a
// name never changes once released.
enum class WarningCode : std::uint8_t {
    // The letter's text as a whole (LetterParser).
    empty,
    invalid_utf8,
    nul_bytes,
    // Cover block.
    cover_block_mismatch,
    impossible_date,
    no_cover_block,
    // Reviewer credentials.
    unknown_state,
    unknown_specialty,  // not in the specialty vocabulary; the record keeps it as written
    no_credentials,
    no_states,
    no_specialties,
    // Case summary and patient.
    no_summary,
    no_age,
    no_sex,
    no_injury_date,
    // Disputed items.
    no_issues_section,
    decision_unrecognised,
    partial_authorization_unparsed,
    empty_request,
    truncated_item,
    no_final_period,  // the last sentence lacks its period but states the item's conclusion
    no_items,
    // Before parsing: PDF text extraction, and text that was not UTF-8 (indexer pipeline).
    pdf_bad_page,
    pdf_empty_page,
    latin1,
};

// Every warning code, in enumerator order (letter.cpp checks it).
inline constexpr std::array kWarningCodes{
    WarningCode::empty,
    WarningCode::invalid_utf8,
    WarningCode::nul_bytes,
    WarningCode::cover_block_mismatch,
    WarningCode::impossible_date,
    WarningCode::no_cover_block,
    WarningCode::unknown_state,
    WarningCode::unknown_specialty,
    WarningCode::no_credentials,
    WarningCode::no_states,
    WarningCode::no_specialties,
    WarningCode::no_summary,
    WarningCode::no_age,
    WarningCode::no_sex,
    WarningCode::no_injury_date,
    WarningCode::no_issues_section,
    WarningCode::decision_unrecognised,
    WarningCode::partial_authorization_unparsed,
    WarningCode::empty_request,
    WarningCode::truncated_item,
    WarningCode::no_final_period,
    WarningCode::no_items,
    WarningCode::pdf_bad_page,
    WarningCode::pdf_empty_page,
    WarningCode::latin1,
};

// The enumerator's name as written above: "no_age", "pdf_empty_page", ...
std::string_view to_string(WarningCode c) noexcept;
// The code of that exact token; nullopt for any other text.
std::optional<WarningCode> parse_warning_code(std::string_view token) noexcept;

// Something the parser (or the text extraction before it) could not recognise.
struct Warning {
    WarningCode code;
    std::string detail;  // where or what: "item 2", "page 3", the unrecognised text
};

struct Letter {
    std::string id;      // case number "CMyy-nnnnnnn", else file stem or JSONL id
    std::string source;  // file path, or "path:line" for JSON Lines
    // ISO 8601 dates, reduced precision allowed ("2016-10", "2016"); empty when absent.
    std::string date_assigned;
    std::string decision_date;
    std::string injury_date;
    std::string ur_denial_date;
    std::string received_date;
    std::string priority;                  // "standard" / "expedited" / empty
    std::vector<std::string> states;       // USPS codes in letter order
    std::vector<std::string> specialties;  // canonical names (specialties.tsv), else as written
    int age = -1;                          // -1 when unknown
    std::string sex;                       // "female" / "male" / empty
    std::string summary;                   // clinical case summary text, wrapped lines joined
    std::vector<Item> items;
    std::vector<Warning> warnings;

    // A letter with no disputed item carries nothing to index; callers reject it with its warnings.
    [[nodiscard]] bool usable() const noexcept { return !items.empty(); }
};

// The extraction record as one JSON object on one line, without a trailing newline. Absent
// dates and fields are empty strings, an unknown age is null (README "Extraction record").
// Without `warnings`, the record leaves out its "warnings" key (a letter read back from the
// index, which does not keep them).
std::string to_json(const Letter& letter, bool warnings = true);

}  // namespace imrdex
