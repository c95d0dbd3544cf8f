// Integration test: the 39 real letters (text and PDF) and the 5 seed letters against
// expectations written down by reading each letter (tests/data/real_letters_expected.jsonl), and
// the PDF reader's rejections (repository fixtures, and a real letter cut short).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <stdexcept>
#include <string>
#include <vector>

#include "imrdex/core/errors.hpp"
#include "imrdex/extract/parser.hpp"
#include "imrdex/extract/pdf.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;

namespace {

using imrdex::testing::read_file;

struct ExpectedItem {
    std::string decision;
    std::string request_prefix;
    std::string original_prefix;
};

struct Expected {
    std::string file;
    std::string id;
    std::string date_assigned, decision_date, injury_date, ur_denial_date, received_date, priority;
    std::int64_t age = -1;
    std::string sex;
    std::vector<std::string> states, specialties;
    std::vector<ExpectedItem> items;
};

// Expectations for 39 real letters (real-letters/txt/, with PDFs of the same letters) and the
// 5 seed letters (seeds/), all in ../shared; the expectations themselves live in the repository.
constexpr std::size_t kRealLetters = 39;
constexpr std::size_t kSeedLetters = 5;
constexpr std::size_t kExpectations = kRealLetters + kSeedLetters;
constexpr const char* kRealTxt = "real-letters/txt/";

std::vector<std::string> strings(simdjson::dom::array a) {
    std::vector<std::string> out;
    for (simdjson::dom::element v : a) {
        std::string_view s;
        if (v.get(s)) {
            ADD_FAILURE() << "malformed expectation: not a string: " << simdjson::to_string(v);
            continue;
        }
        out.emplace_back(s);
    }
    return out;
}

// The expectations file is a repository fixture: missing or unreadable, the tests fail.
std::vector<Expected> load_expectations() {
    const std::string path = std::string(IMRDEX_TEST_DATA_DIR) + "/real_letters_expected.jsonl";
    std::ifstream in(path);
    if (!in) throw std::runtime_error("cannot read the repository fixture " + path);
    std::vector<Expected> out;
    simdjson::dom::parser p;
    std::string line;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        simdjson::dom::element e = p.parse(line).value();
        Expected x;
        auto str = [&](const char* k) { return std::string(std::string_view(e[k].get_string().value())); };
        x.file = str("file");
        x.id = str("id");
        x.date_assigned = str("date_assigned");
        x.decision_date = str("decision_date");
        x.injury_date = str("injury_date");
        x.ur_denial_date = str("ur_denial_date");
        x.received_date = str("received_date");
        x.priority = str("priority");
        x.age = e["age"].get_int64().value();
        x.sex = str("sex");
        simdjson::dom::array states, specialties, items;
        if (e["states"].get(states) || e["specialties"].get(specialties) || e["items"].get(items)) {
            ADD_FAILURE() << "malformed expectation: " << line;
            continue;
        }
        x.states = strings(states);
        x.specialties = strings(specialties);
        for (simdjson::dom::element it : items) {
            simdjson::dom::array fields;
            if (it.get(fields)) {
                ADD_FAILURE() << "malformed expectation item in " << x.file << ": "
                              << simdjson::to_string(it);
                continue;
            }
            std::vector<std::string> f = strings(fields);
            x.items.push_back({f.at(0), f.at(1), f.at(2)});
        }
        out.push_back(std::move(x));
    }
    return out;
}

// Every difference between the record and the expectation, one line each.
std::vector<std::string> check(const Expected& x, const imrdex::Letter& l) {
    std::vector<std::string> d;
    auto eq = [&](const char* what, const std::string& want, const std::string& got) {
        if (want != got) d.push_back(std::string(what) + ": want \"" + want + "\" got \"" + got + "\"");
    };
    eq("id", x.id, l.id);
    eq("date_assigned", x.date_assigned, l.date_assigned);
    eq("decision_date", x.decision_date, l.decision_date);
    eq("injury_date", x.injury_date, l.injury_date);
    eq("ur_denial_date", x.ur_denial_date, l.ur_denial_date);
    eq("received_date", x.received_date, l.received_date);
    eq("priority", x.priority, l.priority);
    eq("sex", x.sex, l.sex);
    if (x.age != l.age) d.push_back("age: want " + std::to_string(x.age) + " got " + std::to_string(l.age));
    auto join = [](const std::vector<std::string>& v) {
        std::string s;
        for (const auto& e : v) s += (s.empty() ? "" : "|") + e;
        return s;
    };
    eq("states", join(x.states), join(l.states));
    eq("specialties", join(x.specialties), join(l.specialties));
    if (x.items.size() != l.items.size()) {
        d.push_back("items: want " + std::to_string(x.items.size()) + " got " +
                    std::to_string(l.items.size()));
    }
    for (std::size_t i = 0; i < std::min(x.items.size(), l.items.size()); ++i) {
        const auto& w = x.items[i];
        const auto& g = l.items[i];
        const std::string n = "item " + std::to_string(i + 1) + " ";
        eq((n + "decision").c_str(), w.decision, std::string(imrdex::to_string(g.decision)));
        eq((n + "request").c_str(), w.request_prefix, g.request.substr(0, w.request_prefix.size()));
        eq((n + "original_request").c_str(), w.original_prefix,
           g.original_request.substr(0, w.original_prefix.size()));
        if (w.original_prefix.empty() && !g.original_request.empty()) {
            d.push_back(n + "unexpected original_request \"" + g.original_request + "\"");
        }
        if (g.rationale.empty()) d.push_back(n + "empty rationale");
        if (g.ca_guideline.text.empty() || g.maximus_guideline.text.empty()) {
            d.push_back(n + "empty guideline text");
        }
    }
    return d;
}

using imrdex::testing::shared_dir;

std::size_t item_count(const std::vector<Expected>& all) {
    std::size_t n = 0;
    for (const Expected& x : all) n += x.items.size();
    return n;
}

// A shared letter the expectations name: ../shared may be absent (the tests skip), but when it is
// there, a letter missing from it is a failure, not a letter quietly left out.
std::string read_shared(const fs::path& p) {
    if (!fs::exists(p)) throw std::runtime_error("missing shared letter " + p.string());
    return read_file(p);
}

// Runs without ../shared: the repository's expectations are all there and well formed.
TEST(RealLetters, ExpectationsFixtureIsComplete) {
    const std::vector<Expected> all = load_expectations();
    ASSERT_EQ(all.size(), kExpectations);
    std::size_t real = 0;
    std::size_t seeds = 0;
    for (const Expected& x : all) {
        real += x.file.rfind(kRealTxt, 0) == 0 ? 1 : 0;
        seeds += x.file.rfind("seeds/", 0) == 0 ? 1 : 0;
        EXPECT_FALSE(x.items.empty()) << x.file;
    }
    EXPECT_EQ(real, kRealLetters);
    EXPECT_EQ(seeds, kSeedLetters);
}

TEST(RealLetters, TextLettersMatchExpectations) {
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/txt");
    IMRDEX_SKIP_WITHOUT_SHARED("seeds");
    const std::vector<Expected> all = load_expectations();
    ASSERT_EQ(all.size(), kExpectations);
    const imrdex::LetterParser parser;
    std::size_t right = 0;
    std::size_t letters = 0;
    std::size_t items = 0;
    std::size_t specialties = 0;
    for (const Expected& x : all) {
        const fs::path path = shared_dir() / x.file;
        const imrdex::Letter l =
            parser.parse(read_shared(path), path.stem().string(), path.string());
        const auto diffs = check(x, l);
        std::string all_diffs;
        for (const auto& s : diffs) all_diffs += "\n  " + s;
        EXPECT_TRUE(diffs.empty()) << x.file << all_diffs;
        right += diffs.empty() ? 1 : 0;
        ++letters;
        items += std::min(x.items.size(), l.items.size());
        specialties += l.specialties.size();
        // Every specialty the real letters name is in the vocabulary (data/specialties.tsv).
        for (const imrdex::Warning& w : l.warnings) {
            EXPECT_NE(w.code, imrdex::WarningCode::unknown_specialty) << x.file << ": " << w.detail;
        }
    }
    // Every letter and every expected item was compared (check() reports a count mismatch).
    EXPECT_GE(specialties, letters);
    EXPECT_EQ(letters, kExpectations);
    EXPECT_EQ(items, item_count(all));
    EXPECT_GT(items, letters);
    std::cout << "[ real letters ] " << right << " of " << letters << " fully right (text), "
              << items << " items compared, " << specialties << " specialties all known\n";
}

TEST(RealLetters, PdfLettersMatchExpectationsAndTheirText) {
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/pdf");
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/txt");
    const std::vector<Expected> all = load_expectations();
    const imrdex::LetterParser parser;
    std::size_t right = 0;
    std::size_t letters = 0;
    std::size_t items = 0;
    std::size_t expected_items = 0;
    for (const Expected& x : all) {
        if (x.file.rfind(kRealTxt, 0) != 0) continue;
        const fs::path pdf = shared_dir() / "real-letters" / "pdf" / (x.id + ".pdf");
        const fs::path txt = shared_dir() / x.file;
        const imrdex::PdfText text = imrdex::extract_pdf_text(read_shared(pdf), pdf.string());
        EXPECT_GE(text.pages, 1);
        const imrdex::Letter from_pdf = parser.parse(text.text, x.id, "same");
        const imrdex::Letter from_txt = parser.parse(read_shared(txt), x.id, "same");
        const auto diffs = check(x, from_pdf);
        std::string all_diffs;
        for (const auto& s : diffs) all_diffs += "\n  " + s;
        EXPECT_TRUE(diffs.empty()) << pdf << all_diffs;
        // The in-process extraction must give the parser what pdftotext gave it.
        EXPECT_EQ(imrdex::to_json(from_pdf), imrdex::to_json(from_txt)) << pdf;
        right += diffs.empty() ? 1 : 0;
        ++letters;
        items += std::min(x.items.size(), from_pdf.items.size());
        expected_items += x.items.size();
    }
    EXPECT_EQ(letters, kRealLetters);
    EXPECT_EQ(items, expected_items);
    EXPECT_GT(items, letters);
    std::cout << "[ real letters ] " << right << " of " << letters << " fully right (PDF), "
              << items << " items compared\n";
}

// The repository's PDF fixtures: one encrypted, one with no text layer; both must be there.
TEST(Pdf, RejectsCorruptEncryptedAndTextlessInput) {
    EXPECT_THROW((void)imrdex::extract_pdf_text("hello, not a pdf", "x"), imrdex::InputError);
    EXPECT_THROW((void)imrdex::extract_pdf_text("%PDF-1.4\n garbage garbage\n%%EOF", "x"),
                 imrdex::InputError);
    const fs::path dir = fs::path(IMRDEX_TEST_DATA_DIR) / "pdf";
    for (const char* name : {"encrypted.pdf", "no_text.pdf"}) {
        const fs::path p = dir / name;
        ASSERT_TRUE(fs::exists(p)) << "repository fixture missing: " << p;
        try {
            (void)imrdex::extract_pdf_text(read_file(p), p.string());
            ADD_FAILURE() << name << " was accepted";
        } catch (const imrdex::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
    }
}

// A real letter cut short: the whole file gives its text, and every cut (half of it, all but
// its last 10 bytes, its first 200 bytes) loses the cross-reference stream at its end, so
// poppler cannot open it and the extractor rejects it naming the input. Never a crash, never a
// partial text passed off as the letter.
TEST(Pdf, RealLetterCutShortIsRejected) {
    const fs::path pdf = shared_dir() / "real-letters" / "pdf" / "CM16-0213037.pdf";
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/pdf/CM16-0213037.pdf");
    const std::string bytes = read_file(pdf);
    ASSERT_GT(bytes.size(), 1000u);
    const imrdex::PdfText whole = imrdex::extract_pdf_text(bytes, "whole");
    EXPECT_GE(whole.pages, 1);
    EXPECT_NE(whole.text.find("CM16-0213037"), std::string::npos);
    for (const std::size_t cut : {bytes.size() / 2, bytes.size() - 10, std::size_t{200}}) {
        try {
            const imrdex::PdfText t = imrdex::extract_pdf_text(bytes.substr(0, cut), "cut-pdf");
            ADD_FAILURE() << "cut at " << cut << " of " << bytes.size() << " bytes gave " << t.pages
                          << " pages of text";
        } catch (const imrdex::InputError& e) {
            EXPECT_NE(std::string(e.what()).find("cut-pdf"), std::string::npos)
                << "cut at " << cut << ": " << e.what();
        }
    }
}

}  // namespace
