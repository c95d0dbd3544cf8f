// PDF text extraction with poppler-cpp, giving the same text as `pdftotext` (default layout).
#include "imrdex/extract/pdf.hpp"

#include <climits>
#include <memory>
#include <mutex>

#include <poppler-document.h>
#include <poppler-global.h>
#include <poppler-page.h>

#include "imrdex/core/errors.hpp"

namespace imrdex {

namespace {

// Poppler prints syntax errors of damaged files to stderr; a corpus run would drown in them,
// and the failure is reported through InputError anyway.
void quiet(const std::string&, void*) {}

void silence_poppler() {
    static std::once_flag once;
    std::call_once(once, [] { poppler::set_debug_error_function(quiet, nullptr); });
}

std::string what(std::string_view origin, std::string_view reason) {
    std::string out(origin);
    out += ": ";
    out += reason;
    return out;
}

bool blank(const std::vector<char>& bytes) {
    for (char c : bytes) {
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t' && c != '\f') return false;
    }
    return true;
}

}  // namespace

bool looks_like_pdf(std::string_view bytes) noexcept {
    // The header may follow up to 1024 bytes of junk (PDF 1.7, 7.5.2 note).
    const std::size_t p = bytes.substr(0, 1024 + 5).find("%PDF-");
    return p != std::string_view::npos;
}

PdfText extract_pdf_text(std::string_view bytes, std::string_view origin) {
    silence_poppler();
    if (!looks_like_pdf(bytes)) throw InputError(what(origin, "not a PDF (no %PDF- header)"));
    if (bytes.size() > static_cast<std::size_t>(INT_MAX)) {
        throw InputError(what(origin, "PDF larger than 2 GB"));
    }
    // load_from_raw_data reads the caller's buffer in place; it stays alive for this call.
    std::unique_ptr<poppler::document> doc(poppler::document::load_from_raw_data(
        bytes.data(), static_cast<int>(bytes.size())));
    if (!doc) throw InputError(what(origin, "corrupt or unreadable PDF"));
    if (doc->is_locked()) throw InputError(what(origin, "encrypted PDF (password required)"));

    PdfText out;
    out.pages = doc->pages();
    if (out.pages <= 0) throw InputError(what(origin, "PDF has no pages"));
    bool any_text = false;
    for (int i = 0; i < out.pages; ++i) {
        std::unique_ptr<poppler::page> page(doc->create_page(i));
        if (!page) {
            out.warnings.push_back({WarningCode::pdf_bad_page, "page " + std::to_string(i + 1)});
            out.text.push_back('\f');
            continue;
        }
        // non_raw_non_physical_layout is pdftotext's default reading order: it keeps the
        // cover block's label column before its value column, as in the published text.
        const std::vector<char> utf8 =
            page->text(poppler::rectf(), poppler::page::non_raw_non_physical_layout).to_utf8();
        if (blank(utf8)) {
            out.warnings.push_back({WarningCode::pdf_empty_page, "page " + std::to_string(i + 1)});
        } else {
            any_text = true;
        }
        out.text.append(utf8.data(), utf8.size());
        // poppler ends each page with '\f' like pdftotext; add it where it did not.
        if (utf8.empty() || utf8.back() != '\f') out.text.push_back('\f');
    }
    if (!any_text) throw InputError(what(origin, "PDF has no text layer (scanned image?)"));
    return out;
}

}  // namespace imrdex
