// Round trip: letters from the generator, parsed by LetterParser, must give back every field of
// the generator's truth. Reports the first mismatches of each field with the letter id.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <tbb/parallel_for.h>

#include "imrdex/corpus/generator.hpp"
#include "imrdex/extract/parser.hpp"
#include "letter_compare.hpp"

#ifndef IMRDEX_ROUNDTRIP_LETTERS
#define IMRDEX_ROUNDTRIP_LETTERS 2000
#endif

namespace {

using imrdex::Letter;
using imrdex::testing::FieldDiff;

// IMRDEX_ROUNDTRIP_EXAMPLES=N shows more examples per field when investigating.
std::size_t max_examples() {
    static const std::size_t n = [] {
        const char* e = std::getenv("IMRDEX_ROUNDTRIP_EXAMPLES");
        return e != nullptr ? static_cast<std::size_t>(std::strtoul(e, nullptr, 10)) : 3;
    }();
    return n;
}

struct Mismatches {
    struct Field {
        std::uint64_t count = 0;
        std::vector<std::string> examples;
    };
    std::map<std::string, Field> fields;
    std::uint64_t letters = 0;
    std::uint64_t items = 0;

    void add(const std::string& field, const std::string& id, const std::string& want,
             const std::string& got) {
        Field& f = fields[field];
        ++f.count;
        if (f.examples.size() < max_examples()) {
            f.examples.push_back(id + "\n      want: " + want.substr(0, 400) +
                                 "\n      got:  " + got.substr(0, 400));
        }
    }
    void merge(const Mismatches& o) {
        letters += o.letters;
        items += o.items;
        for (const auto& [k, f] : o.fields) {
            Field& mine = fields[k];
            mine.count += f.count;
            for (const std::string& e : f.examples) {
                if (mine.examples.size() < max_examples()) mine.examples.push_back(e);
            }
        }
    }
};

// The generator writes well-formed letters, so the parser should have nothing to warn about;
// only "no_cover_block" is expected, on the older layout that has none. Drops that one, so that
// every warning left is a difference from the truth (which has none).
void drop_expected_warnings(const Letter& want, Letter& got) {
    std::erase_if(got.warnings, [&](const imrdex::Warning& w) {
        return w.code == imrdex::WarningCode::no_cover_block && want.date_assigned.empty();
    });
}

// Counts the letter and its items, and files every field that differs under its field name.
void compare(const Letter& want, const Letter& got, Mismatches& m,
             simdjson::dom::parser& want_parser, simdjson::dom::parser& got_parser) {
    ++m.letters;
    m.items += std::min(want.items.size(), got.items.size());
    for (const FieldDiff& d :
         imrdex::testing::compare_letters(want, got, want_parser, got_parser)) {
        m.add(d.field, d.path, d.want, d.got);
    }
}

TEST(RoundTrip, ParserGivesBackEveryTruthField) {
    constexpr std::uint64_t kLetters = IMRDEX_ROUNDTRIP_LETTERS;
    const imrdex::LetterGenerator gen(20240607);
    const imrdex::LetterParser parser;
    constexpr std::uint64_t kChunk = 256;
    std::vector<Mismatches> parts((kLetters + kChunk - 1) / kChunk);
    tbb::parallel_for(std::uint64_t{0}, static_cast<std::uint64_t>(parts.size()),
                      [&](std::uint64_t c) {
                          imrdex::GeneratedLetter g;
                          simdjson::dom::parser want_parser;
                          simdjson::dom::parser got_parser;
                          const std::uint64_t end = std::min(kLetters, (c + 1) * kChunk);
                          for (std::uint64_t i = c * kChunk; i < end; ++i) {
                              gen.generate(i, g);
                              Letter got = parser.parse(g.text, g.truth.id, g.truth.source);
                              drop_expected_warnings(g.truth, got);
                              compare(g.truth, got, parts[c], want_parser, got_parser);
                          }
                      });
    Mismatches all;
    for (const Mismatches& p : parts) all.merge(p);
    EXPECT_EQ(all.letters, kLetters);
    EXPECT_GE(all.items, kLetters) << "every generated letter has at least one item";

    std::ostringstream report;
    std::uint64_t total = 0;
    for (const auto& [field, f] : all.fields) {
        total += f.count;
        report << "  " << field << ": " << f.count << " mismatches\n";
        for (const std::string& e : f.examples) report << "    " << e << "\n";
    }
    std::printf("round trip: %llu letters, %llu items compared field by field\n",
                static_cast<unsigned long long>(all.letters),
                static_cast<unsigned long long>(all.items));
    EXPECT_EQ(total, 0u) << "parser and generator truth disagree:\n" << report.str();
}

}  // namespace
