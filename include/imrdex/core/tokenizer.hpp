// The one word splitter of imrdex (library imrdex_text): free text to words exactly as Xapian's
// TermGenerator and QueryParser make them, for the indexer, snippets and query checks; and the
// bounded stem cache both sides share.
#pragma once

#include <array>
#include <cstddef>
#include <string>
#include <string_view>
#include <unordered_map>

#include <xapian.h>

#include "imrdex/core/utf8.hpp"

namespace imrdex::text {

// TermGenerator's default: longer words are not indexed (base64, garbage), so no query can
// match them either.
inline constexpr std::size_t kMaxWordBytes = 64;

// The language of the stemmer of every free-text field.
inline constexpr const char* kStemLanguage = "english";

// One word of a text.
struct Word {
    std::size_t begin = 0;  // its bytes in the text: [begin, end)
    std::size_t end = 0;
    // Its lower-cased, unstemmed indexed form ("o'brien" for "O’Brien", "3.5", "c++", "usa"
    // for "U.S.A."); valid until the next word.
    std::string_view term;
};

namespace detail {

// Letters, digits and '_': Xapian::Unicode::is_wordchar on ASCII.
inline constexpr std::array<bool, 128> kAsciiWord = [] {
    std::array<bool, 128> t{};
    for (int c = '0'; c <= '9'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'a'; c <= 'z'; ++c) t[static_cast<std::size_t>(c)] = true;
    for (int c = 'A'; c <= 'Z'; ++c) t[static_cast<std::size_t>(c)] = true;
    t[static_cast<std::size_t>('_')] = true;
    return t;
}();

// Xapian::Unicode beyond ASCII, out of line so this header needs no Unicode tables.
bool unicode_word(unsigned cp) noexcept;
bool unicode_digit(unsigned cp) noexcept;
unsigned unicode_lower(unsigned cp) noexcept;

inline bool is_word(unsigned cp) noexcept {
    return cp < 128 ? kAsciiWord[cp] : unicode_word(cp);
}
inline bool is_digit(unsigned cp) noexcept {
    return cp < 128 ? cp - '0' < 10u : unicode_digit(cp);
}
inline bool is_upper_ascii(unsigned cp) noexcept {
    return cp - 'A' < 26u;
}
inline unsigned lower(unsigned cp) noexcept {
    if (cp < 128) return is_upper_ascii(cp) ? cp + 32 : cp;
    return unicode_lower(cp);
}

// The code point at s[i] and its length; ill-formed UTF-8 reads as Latin-1, as Xapian reads it.
inline unsigned decode(std::string_view s, std::size_t i, std::size_t& len) noexcept {
    const auto b = static_cast<unsigned char>(s[i]);
    if (b < 0x80) {
        len = 1;
        return b;
    }
    return utf8::decode(s, i, len);
}

inline void append(std::string& out, unsigned cp) {
    if (cp < 128)
        out.push_back(static_cast<char>(cp));
    else
        utf8::append(out, cp);
}

inline constexpr unsigned kIgnore = ~0u;

// What a character between two word characters adds to the word: itself or '\'' for the
// apostrophes, kIgnore for zero-width characters (dropped without splitting), 0 when it splits.
// Between two digits only the number separators join ("3.5", "1,000"); elsewhere apostrophes,
// '&' and the middle dots ("o'brien", "at&t").
inline unsigned infix(unsigned cp, bool between_digits) noexcept {
    if (cp >= 0x200b && (cp <= 0x200d || cp == 0x2060 || cp == 0xfeff)) return kIgnore;
    if (between_digits) {
        switch (cp) {
            case ',':
            case '.':
            case ';':
            case 0x037e:
            case 0x0589:
            case 0x060d:
            case 0x07f8:
            case 0x2044:
            case 0xfe10:
            case 0xfe13:
            case 0xfe14:
                return cp;
            default:
                return 0;
        }
    }
    if (cp == '\'' || cp == '&' || cp == 0xb7 || cp == 0x5f4 || cp == 0x2027) return cp;
    if (cp == 0x2019 || cp == 0x201b) return '\'';
    return 0;
}

inline bool is_suffix(char c) noexcept {
    return c == '+' || c == '#';
}

}  // namespace detail

// Splits free text into its indexed words. Not thread-safe (it keeps a scratch buffer); make
// one per thread.
class Tokenizer {
public:
    // Calls on_word(const Word&) for each word of `text` in order, as Xapian's TermGenerator
    // splits it: runs of word characters (Xapian::Unicode::is_wordchar), joined by one infix
    // character (detail::infix), with up to three trailing '+' or '#' unless a word character
    // follows ("c++", "c#", but "fish", "chips" for "fish+chips"); single capitals separated by
    // dots are one word ("U.S.A." -> "usa"). Words longer than kMaxWordBytes are skipped.
    // Inline: this is the indexer's hot loop.
    template <class OnWord>
    void split(std::string_view text, OnWord&& on_word) {
        using namespace detail;
        const std::size_t n = text.size();
        std::size_t i = 0;
        std::size_t len = 0;
        while (i < n) {
            unsigned cp = decode(text, i, len);
            if (!is_word(cp)) {
                i += len;
                continue;
            }
            const std::size_t begin = i;
            term_.clear();
            if (is_upper_ascii(cp)) {
                const std::size_t end = acronym(text, i);
                if (end != 0) {
                    emit(begin, end, on_word);
                    i = end;
                    continue;
                }
            }
            i = run(text, i, cp, len);
            if (i < n && is_suffix(text[i])) i = suffix(text, i);
            emit(begin, i, on_word);
        }
    }

private:
    template <class OnWord>
    void emit(std::size_t begin, std::size_t end, OnWord& on_word) {
        if (term_.size() <= kMaxWordBytes) on_word(Word{begin, end, term_});
    }

    // Reads the word starting with `cp` (of `len` bytes) at text[i] into term_: word
    // characters and the infixes joining them. Returns where it ends.
    std::size_t run(std::string_view text, std::size_t i, unsigned cp, std::size_t len) {
        using namespace detail;
        const std::size_t n = text.size();
        for (;;) {
            unsigned prev = 0;
            do {
                append(term_, lower(cp));
                prev = cp;
                i += len;
                if (i >= n) return i;
                cp = decode(text, i, len);
            } while (is_word(cp));
            // cp is the character after a run: one infix joins the next run to it.
            if (i + len >= n) return i;
            std::size_t next_len = 0;
            const unsigned next = decode(text, i + len, next_len);
            if (!is_word(next)) return i;
            const unsigned inf = infix(cp, is_digit(prev) && is_digit(next));
            if (inf == 0) return i;
            if (inf != kIgnore) append(term_, inf);
            i += len;
            cp = next;
            len = next_len;
        }
    }

    // At text[i], a '+' or '#' after a word: up to three of them belong to it ("c++") unless
    // a word character follows. Returns where the word ends.
    std::size_t suffix(std::string_view text, std::size_t i) {
        using namespace detail;
        const std::size_t n = text.size();
        std::size_t j = i;
        while (j < n && j - i <= 3 && is_suffix(text[j])) ++j;
        if (j - i > 3) return i;  // "c++++" is "c"
        if (j < n) {
            std::size_t l = 0;
            if (is_word(decode(text, j, l))) return i;
        }
        term_.append(text.data() + i, j - i);
        return j;
    }

    // "P.T.O." or "U.S.A" at text[i]: two or more single ASCII capitals separated by '.', not
    // followed by a word character, are one word of the lower-cased letters. Returns where it
    // ends (after a final '.'), or 0 when there is no such word there.
    std::size_t acronym(std::string_view text, std::size_t i) {
        using namespace detail;
        const std::size_t n = text.size();
        std::size_t p = i;
        for (;;) {
            term_.push_back(static_cast<char>(lower(static_cast<unsigned char>(text[p]))));
            ++p;
            if (p >= n || text[p] != '.') break;
            ++p;
            if (p >= n || !is_upper_ascii(static_cast<unsigned char>(text[p]))) break;
        }
        if (term_.size() > 1) {
            std::size_t l = 0;
            if (p >= n || !is_word(decode(text, p, l))) return p;
        }
        term_.clear();
        return 0;
    }

    std::string term_;
};

// The English stems of words (Tokenizer terms), cached: free text reuses a small vocabulary,
// and stemming every word dominates both indexing and snippets otherwise. The cache is
// emptied past `max_entries`, bounding memory on odd corpora. Not thread-safe.
class StemCache {
public:
    explicit StemCache(std::size_t max_entries = std::size_t{1} << 20);

    // The stem of `term`; may be empty (Xapian then indexes nothing). Valid until the next call.
    const std::string& operator()(std::string_view term);

private:
    struct Hash {
        using is_transparent = void;
        std::size_t operator()(std::string_view s) const noexcept {
            return std::hash<std::string_view>{}(s);
        }
    };
    Xapian::Stem stemmer_;
    std::unordered_map<std::string, std::string, Hash, std::equal_to<>> stems_;
    std::size_t max_entries_;
};

}  // namespace imrdex::text
