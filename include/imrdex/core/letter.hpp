// The extraction record of one IMR determination letter: the contract shared by the parser,
// the generator's truth file, the indexer and `imr-index --extract`.
#pragma once

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

// One disputed item/service. Field forms are documented in README "Extraction record".
struct Item {
    std::string request;           // as written, wrapped lines joined with one space
    std::string original_request;  // partial authorizations only: the original request
    Decision decision = Decision::unknown;
    std::string category;    // e.g. "pharmaceutical", "imaging", "other"
    std::string drug;        // canonical ingredients, lower-case, '/'-joined alphabetically
    std::string drug_class;  // e.g. "opioid"
    std::string strength;    // as written, whitespace collapsed: "10/325mg", "2 MG", "4%"
    std::string quantity;    // digits only: "#90" -> "90", "QTY: 2" -> "2"
    Guideline ca_guideline;
    Guideline maximus_guideline;
    std::string rationale;  // full text, wrapped lines joined
};

// Something the parser could not recognise. `code` is a stable machine-readable token.
struct Warning {
    std::string code;
    std::string detail;
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
    std::vector<std::string> specialties;  // lower-case, whitespace collapsed
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
std::string to_json(const Letter& letter);

}  // namespace imrdex
