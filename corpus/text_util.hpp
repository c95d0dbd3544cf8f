// Small helpers of the generator: a counter-seeded RNG, and the page writer that wraps paragraphs
// and adds pdftotext's artifacts (double spacing, trailing spaces, form feeds).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

namespace imrdex::corpus {

// splitmix64: one 64-bit state, fast, and good enough for text choices.
class Rng {
public:
    explicit Rng(std::uint64_t seed) : s_(seed) {}
    std::uint64_t next() {
        std::uint64_t z = (s_ += 0x9e3779b97f4a7c15ULL);
        z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
        z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
        return z ^ (z >> 31);
    }
    // Uniform in [0, n).
    std::uint32_t below(std::uint32_t n) {
        return static_cast<std::uint32_t>(((next() >> 32) * n) >> 32);
    }
    // Inclusive range.
    int range(int lo, int hi) {
        return lo + static_cast<int>(below(static_cast<std::uint32_t>(hi - lo + 1)));
    }
    bool chance(std::uint32_t per_mille) { return below(1000) < per_mille; }

private:
    std::uint64_t s_;
};

// Writes lines as pdftotext leaves them. Newer letters: plain lines, and at a page break a blank
// line then "\f" at the start of the next line. Older letters: every line followed by a trailing
// space and a blank line; page breaks show only as an extra blank line.
class Page {
public:
    struct ParaInfo {
        unsigned lines = 0;
        std::size_t last_line_start = 0;  // offset in the paragraph of its last line
    };

    Page(std::string& out, bool double_spaced, unsigned width, unsigned page_lines)
        : out_(out), dbl_(double_spaced), width_(width), page_lines_(page_lines) {}

    void line(std::string_view s) {
        if (on_page_ >= page_lines_) {
            on_page_ = 0;
            if (dbl_) {
                out_ += "\n\n";
            } else {
                out_ += "\n\f";
                ++form_feeds_;
            }
        }
        out_.append(s);
        if (dbl_) out_ += " \n\n";
        else out_ += '\n';
        ++on_page_;
    }

    void blank() {
        out_ += dbl_ ? " \n\n" : "\n";
        ++on_page_;
    }

    // Greedy word wrap at the page width; a word longer than the width gets a line of its own.
    ParaInfo para(std::string_view s) {
        ParaInfo info;
        std::size_t pos = 0;
        while (pos < s.size()) {
            info.last_line_start = pos;
            ++info.lines;
            if (s.size() - pos <= width_) {
                line(s.substr(pos));
                break;
            }
            std::size_t brk = s.rfind(' ', pos + width_);
            if (brk == std::string_view::npos || brk <= pos) {
                brk = s.find(' ', pos + width_);
                if (brk == std::string_view::npos) {
                    line(s.substr(pos));
                    break;
                }
            }
            line(s.substr(pos, brk - pos));
            pos = brk + 1;
        }
        return info;
    }

    void finish() {
        if (dbl_) {
            out_ += " \n\n \n\n";
        } else {
            out_ += "\n\f";  // pdftotext ends every page, the last one too, this way
        }
    }

    // Page breaks inside the letter (not counting the one that ends it).
    [[nodiscard]] unsigned form_feeds() const noexcept { return form_feeds_; }

private:
    std::string& out_;
    bool dbl_;
    unsigned width_;
    unsigned page_lines_;
    unsigned on_page_ = 0;
    unsigned form_feeds_ = 0;
};

}  // namespace imrdex::corpus
