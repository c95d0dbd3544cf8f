// The reviewer-specialty vocabulary: the canonical name of a board certification or subspecialty
// as letters write it ("Chiropractor" -> "chiropractic"). The names are data
// (indexer/extract/data/specialties.tsv, format in its header), compiled in.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace imrdex {

class SpecialtyVocabulary {
public:
    // The vocabulary compiled into the binary from indexer/extract/data/specialties.tsv.
    static const SpecialtyVocabulary& builtin();
    // Throws ConfigError naming `origin` and the line on malformed data.
    static SpecialtyVocabulary parse(std::string_view tsv, std::string_view origin);

    // The canonical name of `written` (any case, '&' or "and", any spacing or punctuation between
    // words); empty when the specialty is unknown.
    [[nodiscard]] std::string_view canonical(std::string_view written) const;
    [[nodiscard]] bool known(std::string_view written) const { return !canonical(written).empty(); }

    // The canonical names, in file order.
    [[nodiscard]] const std::vector<std::string>& names() const noexcept { return names_; }

private:
    std::vector<std::string> names_;
    std::unordered_map<std::string, std::size_t> by_key_;  // key -> index into names_
};

// The key names are compared by: ASCII lower-case, '&' as "and", every run of characters that
// are not ASCII letters or digits as one space, trimmed.
std::string specialty_key(std::string_view name);

}  // namespace imrdex
