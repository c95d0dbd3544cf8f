// The request classifier: the category of a disputed item from its request text. Its keywords
// are data (indexer/extract/data/categories.tsv, compiled in); the rules that weigh them are code.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "imrdex/core/letter.hpp"

namespace imrdex {

class CategoryRules {
public:
    // The rules compiled into the binary from indexer/extract/data/categories.tsv.
    static const CategoryRules& builtin();
    // Throws ConfigError naming `origin` and the line on malformed data. The format is described
    // at the top of categories.tsv.
    static CategoryRules parse(std::string_view tsv, std::string_view origin);

    // The category of a request; `has_drug` says the drug vocabulary matched a drug in it.
    [[nodiscard]] Category classify(std::string_view request, bool has_drug) const;

    [[nodiscard]] std::size_t keywords() const noexcept { return keywords_; }

private:
    enum class Group : std::uint8_t;  // defined in category.cpp with the rules
    struct Phrase {
        std::vector<std::string> rest;  // the keyword's words after the first
        Group group;
    };
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    class Hits;

    [[nodiscard]] Hits find_groups(const std::vector<std::string_view>& words) const;

    // first word of a keyword -> its keywords, most words first
    std::unordered_map<std::string, std::vector<Phrase>, Hash, std::equal_to<>> index_;
    std::size_t keywords_ = 0;
};

// CategoryRules::builtin().classify(request, has_drug).
Category classify_category(std::string_view request, bool has_drug);

}  // namespace imrdex
