// The table of input formats, and the name matching every part of the reader uses on it.
#include "imrdex/index/formats.hpp"

#include <array>

#include "imrdex/extract/pdf.hpp"

namespace imrdex {
namespace {

ExtractedText pdf_to_text(std::string_view bytes, std::string_view origin) {
    PdfText pdf = extract_pdf_text(bytes, origin);
    return {std::move(pdf.text), std::move(pdf.warnings)};
}

constexpr TextExtractor kPdf{pdf_to_text, RejectReason::bad_pdf};

constexpr std::array kFormats{
    InputFormat{".txt", Reader::whole_file, nullptr, "one letter per file, as pdftotext prints it"},
    InputFormat{".pdf", Reader::whole_file, &kPdf,
                "one letter per file, text extracted in-process"},
    InputFormat{".jsonl", Reader::json_lines, nullptr,
                "one letter per line: {\"id\": \"...\", \"text\": \"...\"}; optional \"id\", and "
                "\"source\" and \"warnings\" as --save-text writes them"},
    InputFormat{".jsonl.zst", Reader::json_lines_zstd, nullptr,
                "the same, zstd-compressed (streamed)"},
};

bool ends_with_ci(std::string_view s, std::string_view lower_suffix) {
    if (s.size() < lower_suffix.size()) return false;
    const std::string_view tail = s.substr(s.size() - lower_suffix.size());
    for (std::size_t i = 0; i < lower_suffix.size(); ++i) {
        const char a = tail[i];
        const char lower = (a >= 'A' && a <= 'Z') ? static_cast<char>(a - 'A' + 'a') : a;
        if (lower != lower_suffix[i]) return false;
    }
    return true;
}

}  // namespace

std::span<const InputFormat> input_formats() noexcept {
    return kFormats;
}

const InputFormat* input_format_of(const std::filesystem::path& path) noexcept {
    const std::string name = path.filename().string();
    const InputFormat* best = nullptr;
    for (const InputFormat& f : kFormats) {
        if (ends_with_ci(name, f.suffix) &&
            (best == nullptr || f.suffix.size() > best->suffix.size())) {
            best = &f;
        }
    }
    return best;
}

std::string file_stem(const std::filesystem::path& path, const InputFormat& format) {
    std::string name = path.filename().string();
    // A file named only ".txt" keeps its name: an empty id would be no id.
    if (name.size() > format.suffix.size()) name.resize(name.size() - format.suffix.size());
    return name;
}

std::string suffix_list(std::string_view separator, std::string_view last_separator) {
    std::string out;
    for (std::size_t i = 0; i < kFormats.size(); ++i) {
        if (i > 0) out += i + 1 == kFormats.size() ? last_separator : separator;
        out += kFormats[i].suffix;
    }
    return out;
}

}  // namespace imrdex
