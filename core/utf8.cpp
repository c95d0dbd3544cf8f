// The one UTF-8 decoder and validator of imrdex (imrdex/core/utf8.hpp).
#include "imrdex/core/utf8.hpp"

#include <simdjson.h>

namespace imrdex::utf8 {

std::size_t sequence_length(std::string_view s, std::size_t i) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    if (b0 < 0x80) return 1;
    std::size_t n = 0;
    unsigned min = 0;
    if ((b0 & 0xE0) == 0xC0) {
        n = 2, min = 0x80;
    } else if ((b0 & 0xF0) == 0xE0) {
        n = 3, min = 0x800;
    } else if ((b0 & 0xF8) == 0xF0) {
        n = 4, min = 0x10000;
    } else {
        return 0;
    }
    if (i + n > s.size()) return 0;
    unsigned cp = b0 & (0x7Fu >> n);
    for (std::size_t k = 1; k < n; ++k) {
        const auto b = static_cast<unsigned char>(s[i + k]);
        if ((b & 0xC0) != 0x80) return 0;
        cp = (cp << 6) | (b & 0x3Fu);
    }
    if (cp < min || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return 0;
    return n;
}

unsigned decode(std::string_view s, std::size_t i, std::size_t& len) noexcept {
    const auto b0 = static_cast<unsigned char>(s[i]);
    len = 1;
    if (b0 < 0x80) return b0;
    std::size_t n = sequence_length(s, i);
    // Utf8Iterator also reads an encoded surrogate (ED A0-BF 80-BF) as one character.
    if (n == 0 && b0 == 0xED && i + 2 < s.size() &&
        (static_cast<unsigned char>(s[i + 1]) & 0xE0) == 0xA0 &&
        (static_cast<unsigned char>(s[i + 2]) & 0xC0) == 0x80)
        n = 3;
    if (n == 0) return b0;
    unsigned cp = b0 & (0x7Fu >> n);
    for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (static_cast<unsigned char>(s[i + k]) & 0x3Fu);
    len = n;
    return cp;
}

bool valid(std::string_view s) noexcept { return simdjson::validate_utf8(s.data(), s.size()); }

std::size_t first_invalid(std::string_view s) noexcept {
    std::size_t i = 0;
    while (i < s.size()) {
        const std::size_t n = sequence_length(s, i);
        if (n == 0) return i;
        i += n;
    }
    return s.size();
}

void append(std::string& out, unsigned cp) {
    if (cp < 0x80) {
        out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
        out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
        out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
        out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
        out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
}

bool latin1_to_utf8(std::string& text) {
    if (valid(text)) return false;
    std::size_t i = first_invalid(text);
    std::string out(text, 0, i);
    out.reserve(text.size() + text.size() / 8);
    while (i < text.size()) {
        const std::size_t n = sequence_length(text, i);
        if (n != 0) {
            out.append(text, i, n);
            i += n;
            continue;
        }
        append(out, static_cast<unsigned char>(text[i++]));
    }
    text = std::move(out);
    return true;
}

}  // namespace imrdex::utf8
