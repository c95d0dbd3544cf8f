// Test helper: a minimal PDF holding given text, one line per text line, in the standard
// Helvetica font (no embedding, no compression), so tests can make PDFs that poppler reads
// without any PDF tool installed.
#pragma once

#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

namespace imrdex::testing {

namespace pdf_detail {

// One UTF-8 line as a PDF string literal's body in WinAnsiEncoding: ASCII as is, U+00A0..U+00FF
// as their Latin-1 byte, anything else '?'; \ ( ) escaped.
inline std::string pdf_literal(std::string_view line) {
    std::string out;
    for (std::size_t i = 0; i < line.size(); ++i) {
        const auto c = static_cast<unsigned char>(line[i]);
        unsigned cp = c;
        if (c >= 0x80) {
            std::size_t extra = c >= 0xF0 ? 3 : c >= 0xE0 ? 2 : 1;
            cp = c & (0x3F >> extra);
            for (; extra > 0 && i + 1 < line.size(); --extra) {
                cp = cp << 6 | (static_cast<unsigned char>(line[++i]) & 0x3F);
            }
        }
        if (cp == '\\' || cp == '(' || cp == ')') {
            out += '\\';
            out += static_cast<char>(cp);
        } else if (cp == '\t') {
            out += ' ';
        } else if (cp < 0x20 || cp == 0x7F || (cp >= 0x80 && cp < 0xA0) || cp > 0xFF) {
            out += '?';
        } else {
            out += static_cast<char>(cp);
        }
    }
    return out;
}

// `text` as lines of at most `width` bytes, long lines broken at spaces (as a letter's PDF
// wraps its paragraphs).
inline std::vector<std::string> wrap(std::string_view text, std::size_t width) {
    std::vector<std::string> lines;
    std::size_t start = 0;
    while (start <= text.size()) {
        std::size_t end = text.find('\n', start);
        if (end == std::string_view::npos) end = text.size();
        std::string_view line = text.substr(start, end - start);
        while (line.size() > width) {
            std::size_t cut = line.rfind(' ', width);
            if (cut == std::string_view::npos || cut == 0) cut = width;
            lines.emplace_back(line.substr(0, cut));
            line.remove_prefix(cut);
            while (!line.empty() && line.front() == ' ') line.remove_prefix(1);
        }
        lines.emplace_back(line);
        if (end == text.size()) break;
        start = end + 1;
    }
    return lines;
}

}  // namespace pdf_detail

// A PDF of US Letter pages showing `text` (UTF-8; other than Latin-1 becomes '?'), lines wrapped
// at 95 bytes, 60 lines a page.
inline std::string make_text_pdf(std::string_view text) {
    constexpr std::size_t kLinesPerPage = 60;
    const std::vector<std::string> lines = pdf_detail::wrap(text, 95);
    std::vector<std::string> pages;
    for (std::size_t first = 0; first < lines.size(); first += kLinesPerPage) {
        std::string content = "BT /F1 9 Tf 12 TL 40 750 Td\n";
        for (std::size_t i = first; i < lines.size() && i < first + kLinesPerPage; ++i) {
            content += "(" + pdf_detail::pdf_literal(lines[i]) + ") Tj T*\n";
        }
        content += "ET\n";
        pages.push_back(std::move(content));
    }
    // Objects: 1 catalog, 2 page tree, 3 font, then per page its page and its content stream.
    std::vector<std::string> objects;
    objects.push_back("<< /Type /Catalog /Pages 2 0 R >>");
    std::string kids;
    for (std::size_t p = 0; p < pages.size(); ++p) kids += std::to_string(4 + 2 * p) + " 0 R ";
    objects.push_back("<< /Type /Pages /Kids [" + kids + "] /Count " +
                      std::to_string(pages.size()) + " >>");
    objects.push_back(
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>");
    for (std::size_t p = 0; p < pages.size(); ++p) {
        objects.push_back(
            "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Resources << "
            "/Font << /F1 3 0 R >> >> /Contents " +
            std::to_string(5 + 2 * p) + " 0 R >>");
        objects.push_back("<< /Length " + std::to_string(pages[p].size()) + " >>\nstream\n" +
                          pages[p] + "endstream");
    }
    std::string pdf = "%PDF-1.4\n";
    std::vector<std::size_t> offsets;
    for (std::size_t i = 0; i < objects.size(); ++i) {
        offsets.push_back(pdf.size());
        pdf += std::to_string(i + 1) + " 0 obj\n" + objects[i] + "\nendobj\n";
    }
    const std::size_t xref = pdf.size();
    pdf += "xref\n0 " + std::to_string(objects.size() + 1) + "\n0000000000 65535 f \n";
    for (const std::size_t off : offsets) {
        char entry[32];
        std::snprintf(entry, sizeof entry, "%010zu 00000 n \n", off);
        pdf += entry;
    }
    pdf += "trailer\n<< /Size " + std::to_string(objects.size() + 1) +
           " /Root 1 0 R >>\nstartxref\n" + std::to_string(xref) + "\n%%EOF\n";
    return pdf;
}

}  // namespace imrdex::testing
