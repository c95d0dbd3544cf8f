// PDF letters to parser input: the text layer of every page, in pdftotext's reading order.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "imrdex/core/letter.hpp"

namespace imrdex {

struct PdfText {
    std::string text;               // UTF-8, pages each ending in '\f' (as pdftotext writes them)
    int pages = 0;
    std::vector<Warning> warnings;  // e.g. "pdf_empty_page" for a page without text
};

// True when `bytes` start like a PDF file ("%PDF-", possibly after a little junk).
bool looks_like_pdf(std::string_view bytes) noexcept;

// Extracts the text of a PDF held in memory (the caller reads the file) with poppler-cpp, in
// the layout that matches `pdftotext` without options: the cover block comes out as labels
// first, then values, as the parser expects. `origin` names the input in error messages.
// Throws InputError for a corrupt or unreadable PDF, an encrypted (locked) PDF, or a PDF
// without any text layer (scanned images). Safe to call from several threads at once.
PdfText extract_pdf_text(std::string_view bytes, std::string_view origin);

}  // namespace imrdex
