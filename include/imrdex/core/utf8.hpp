// UTF-8 for every part of imrdex: one decoder, one validator and the Latin-1 fallback, so the
// parser, the indexer's tokenizer, the JSON writer and the query side agree on any bytes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace imrdex::utf8 {

// Length of the well-formed UTF-8 sequence at s[i] (1 to 4), or 0 when the bytes there are not
// one: a stray continuation byte, a truncated sequence, an overlong form, a surrogate or a code
// point above U+10FFFF.
std::size_t sequence_length(std::string_view s, std::size_t i) noexcept;

// The code point at s[i], with `len` set to the bytes it takes. An ill-formed sequence yields
// its first byte as a Latin-1 character (len 1), as Xapian's Utf8Iterator reads it, so the
// indexer's tokenizer and Xapian's QueryParser make the same words from any bytes; like
// Utf8Iterator, it reads an encoded surrogate (which `valid` rejects) as one code point.
unsigned decode(std::string_view s, std::size_t i, std::size_t& len) noexcept;

// True when all of `s` is well-formed UTF-8 (simdjson's validator: the common case is fast).
bool valid(std::string_view s) noexcept;

// Offset of the first byte of `s` that does not start a well-formed sequence; s.size() when
// there is none.
std::size_t first_invalid(std::string_view s) noexcept;

// Appends code point `cp` to `out` as UTF-8.
void append(std::string& out, unsigned cp);

// Rewrites `text` as UTF-8, reading every byte that is not part of a well-formed sequence as
// Latin-1 (old files from Windows tools); false, and `text` untouched, when it was valid UTF-8.
bool latin1_to_utf8(std::string& text);

}  // namespace imrdex::utf8
