// The input formats imr-index reads, as one table of {suffix, reader, text extractor}: adding a
// format is adding a row (indexer/formats.cpp).
#pragma once

#include <filesystem>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "imrdex/core/letter.hpp"
#include "imrdex/index/rejection.hpp"

namespace imrdex {

// How the reader stage (serial) cuts a file of the format into raw letters.
enum class Reader {
    whole_file,       // the file is one letter
    json_lines,       // one {"id": ..., "text": ...} record per line
    json_lines_zstd,  // the same, zstd-compressed (streamed)
};

// Letter text made from a file's bytes, with what the conversion noticed.
struct ExtractedText {
    std::string text;
    std::vector<Warning> warnings;
};

// A costly conversion of a file's bytes into letter text: the reader leaves it to the
// pipeline's parallel stage. `extract` throws (any std::exception) for input it cannot convert,
// which is then rejected with `failure`; it is called from several threads at once.
struct TextExtractor {
    ExtractedText (*extract)(std::string_view bytes, std::string_view origin);
    RejectReason failure;
};

struct InputFormat {
    std::string_view suffix;  // lower case, with the dot; matched case-insensitively
    Reader reader;
    const TextExtractor* extractor;  // nullptr: the bytes are the letter text
    std::string_view help;           // one line of `imr-index --help`
};

// Every format, in the order --help and messages list them.
std::span<const InputFormat> input_formats() noexcept;

// The format of a file by its name: the longest suffix that ends it, or nullptr for none.
const InputFormat* input_format_of(const std::filesystem::path& path) noexcept;

// A file's name without its format's suffix ("dir/CM16-1.jsonl.zst" -> "CM16-1"): the letter id
// when the letter names none.
std::string file_stem(const std::filesystem::path& path, const InputFormat& format);

// The suffixes in table order, joined: suffix_list(", ", " or ") is ".txt, .pdf, .jsonl or
// .jsonl.zst".
std::string suffix_list(std::string_view separator, std::string_view last_separator);

}  // namespace imrdex
