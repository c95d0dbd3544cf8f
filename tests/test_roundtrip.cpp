// Round trip: letters from the generator, parsed by LetterParser, must give back every field of
// the generator's truth. Reports the first mismatches of each field with the letter id.
#include <gtest/gtest.h>

#include <cstdint>
#include <cstdlib>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <tbb/parallel_for.h>

#include "imrdex/corpus/generator.hpp"
#include "imrdex/extract/parser.hpp"

#ifndef IMRDEX_ROUNDTRIP_LETTERS
#define IMRDEX_ROUNDTRIP_LETTERS 2000
#endif

namespace {

using imrdex::Letter;

std::string join(const std::vector<std::string>& v) {
    std::string s = "[";
    for (std::size_t i = 0; i < v.size(); ++i) {
        if (i > 0) s += ", ";
        s += v[i];
    }
    return s + "]";
}

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

void compare(const Letter& want, const Letter& got, Mismatches& m) {
    const std::string& id = want.id;
    auto eq = [&](const char* field, const std::string& a, const std::string& b) {
        if (a != b) m.add(field, id, a, b);
    };
    eq("id", want.id, got.id);
    eq("source", want.source, got.source);
    eq("date_assigned", want.date_assigned, got.date_assigned);
    eq("decision_date", want.decision_date, got.decision_date);
    eq("injury_date", want.injury_date, got.injury_date);
    eq("ur_denial_date", want.ur_denial_date, got.ur_denial_date);
    eq("received_date", want.received_date, got.received_date);
    eq("priority", want.priority, got.priority);
    eq("states", join(want.states), join(got.states));
    eq("specialties", join(want.specialties), join(got.specialties));
    eq("age", std::to_string(want.age), std::to_string(got.age));
    eq("sex", want.sex, got.sex);
    eq("summary", want.summary, got.summary);
    // The generator writes well-formed letters, so the parser should have nothing to warn about;
    // only "no_cover_block" is expected, on the older layout that has none.
    std::string w;
    for (const auto& x : got.warnings) {
        if (x.code == "no_cover_block" && want.date_assigned.empty()) continue;
        w += x.code + ": " + x.detail + "; ";
    }
    if (!w.empty()) m.add("warnings", id, "", w);
    ++m.letters;
    if (want.items.size() != got.items.size()) {
        std::string a, b;
        for (const auto& it : want.items) a += it.request + " | ";
        for (const auto& it : got.items) b += it.request + " | ";
        m.add("items.count", id, std::to_string(want.items.size()) + ": " + a,
              std::to_string(got.items.size()) + ": " + b);
        return;
    }
    for (std::size_t i = 0; i < want.items.size(); ++i) {
        const imrdex::Item& a = want.items[i];
        const imrdex::Item& b = got.items[i];
        const std::string iid = id + " item " + std::to_string(i + 1);
        auto ieq = [&](const char* field, const std::string& x, const std::string& y) {
            if (x != y) m.add(field, iid + " (" + a.request + ")", x, y);
        };
        ++m.items;
        ieq("item.request", a.request, b.request);
        ieq("item.original_request", a.original_request, b.original_request);
        ieq("item.decision", std::string(imrdex::to_string(a.decision)),
            std::string(imrdex::to_string(b.decision)));
        ieq("item.category", a.category, b.category);
        ieq("item.drug", a.drug, b.drug);
        ieq("item.drug_class", a.drug_class, b.drug_class);
        ieq("item.strength", a.strength, b.strength);
        ieq("item.quantity", a.quantity, b.quantity);
        ieq("item.ca_guideline.text", a.ca_guideline.text, b.ca_guideline.text);
        ieq("item.ca_guideline.sources", join(a.ca_guideline.sources), join(b.ca_guideline.sources));
        ieq("item.maximus_guideline.text", a.maximus_guideline.text, b.maximus_guideline.text);
        ieq("item.maximus_guideline.sources", join(a.maximus_guideline.sources),
            join(b.maximus_guideline.sources));
        ieq("item.rationale", a.rationale, b.rationale);
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
                          const std::uint64_t end = std::min(kLetters, (c + 1) * kChunk);
                          for (std::uint64_t i = c * kChunk; i < end; ++i) {
                              gen.generate(i, g);
                              const Letter got = parser.parse(g.text, g.truth.id, g.truth.source);
                              compare(g.truth, got, parts[c]);
                          }
                      });
    Mismatches all;
    for (const Mismatches& p : parts) all.merge(p);
    EXPECT_EQ(all.letters, kLetters);

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
