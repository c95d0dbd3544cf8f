// The drug vocabulary (brand and generic names -> ingredients and class) and unknown-drug-word
// detection. The vocabulary is data (indexer/extract/data/drugs.tsv), compiled in and
// overridable. The request classifier is category.hpp.
#pragma once

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace imrdex {

struct DrugEntry {
    std::string name;        // lower-case name as it appears in requests: "norco", "hydrocodone"
    std::string drug;        // canonical ingredients, lower-case, '/'-joined alphabetically
    std::string drug_class;  // e.g. "opioid"
    bool brand = false;      // brand or compounded-product name rather than a generic
};

struct DrugMatch {
    const DrugEntry* entry = nullptr;
    std::size_t offset = 0;  // byte offset of the matched name in the request
    std::size_t length = 0;
};

class DrugVocabulary {
public:
    // The vocabulary compiled into the binary from indexer/extract/data/drugs.tsv.
    static const DrugVocabulary& builtin();
    // Throws ConfigError (with file and line) on a malformed file, IoError when unreadable.
    static DrugVocabulary from_file(const std::string& path);
    static DrugVocabulary parse(std::string_view tsv, std::string_view origin);

    // The first (leftmost, then longest) vocabulary name in `request`, matched
    // case-insensitively on word boundaries; multi-word names ("lidoderm patch") allowed.
    [[nodiscard]] std::optional<DrugMatch> match(std::string_view request) const;

    [[nodiscard]] const std::vector<DrugEntry>& entries() const noexcept { return entries_; }

private:
    std::vector<DrugEntry> entries_;
    // first word of a name -> indices of entries starting with it, longest name first
    std::unordered_map<std::string, std::vector<std::size_t>> by_first_word_;
};

// Words in a request that look like a drug name (the request reads like a prescription:
// a strength such as "10mg" or a "#90" quantity) but are not in the vocabulary. For --stats.
std::vector<std::string> unknown_drug_words(std::string_view request, const DrugVocabulary& vocab);

}  // namespace imrdex
