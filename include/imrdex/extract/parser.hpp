// Letter parsing: pdftotext-style letter text in, one extraction record out.
#pragma once

#include <string_view>

#include "imrdex/core/letter.hpp"
#include "imrdex/extract/drugs.hpp"
#include "imrdex/extract/specialties.hpp"

namespace imrdex {

// Holds the drug vocabulary by reference, so the vocabulary must outlive the parser: a
// temporary vocabulary does not compile (`LetterParser p(DrugVocabulary::from_file(path))`
// would leave p reading a destroyed vocabulary); keep it in a variable first.
class LetterParser {
public:
    explicit LetterParser(const DrugVocabulary& drugs = DrugVocabulary::builtin())
        : drugs_(&drugs) {}
    explicit LetterParser(const DrugVocabulary&& drugs) = delete;

    // Never throws on any input bytes: what cannot be recognised becomes a Warning. The id is
    // the cover block's case number when present, else `fallback_id` (file stem or JSONL id).
    // A letter without any disputed item comes back with `usable() == false` and a warning
    // saying why; callers report it as a rejection.
    [[nodiscard]] Letter parse(std::string_view text, std::string_view fallback_id,
                               std::string_view source) const;

private:
    const DrugVocabulary* drugs_;  // never null
    const SpecialtyVocabulary* specialties_ = &SpecialtyVocabulary::builtin();
};

namespace parse {
// USPS code of a state name or code ("California", "north carolina", "CA"); empty if unknown.
// The parser records `states` with it; search maps state:California to the stored code with it.
std::string_view state_code(std::string_view name) noexcept;
}  // namespace parse

}  // namespace imrdex
