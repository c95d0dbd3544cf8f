// The Unicode side of the word splitter and the stem cache (imrdex/core/tokenizer.hpp).
#include "imrdex/core/tokenizer.hpp"

namespace imrdex::text {

namespace detail {

bool unicode_word(unsigned cp) noexcept {
    return Xapian::Unicode::is_wordchar(cp);
}

bool unicode_digit(unsigned cp) noexcept {
    return Xapian::Unicode::get_category(cp) == Xapian::Unicode::DECIMAL_DIGIT_NUMBER;
}

unsigned unicode_lower(unsigned cp) noexcept {
    return Xapian::Unicode::tolower(cp);
}

}  // namespace detail

StemCache::StemCache(std::size_t max_entries)
    : stemmer_(kStemLanguage), max_entries_(max_entries) {}

const std::string& StemCache::operator()(std::string_view term) {
    if (auto it = stems_.find(term); it != stems_.end()) return it->second;
    if (stems_.size() >= max_entries_) stems_.clear();
    std::string key(term);
    std::string stem = stemmer_(key);
    return stems_.emplace(std::move(key), std::move(stem)).first->second;
}

}  // namespace imrdex::text
