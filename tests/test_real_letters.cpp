// Integration test: the 39 real letters (text and PDF) and the 5 seed letters against
// expectations written down by reading each letter (tests/data/real_letters_expected.jsonl).
#include <gtest/gtest.h>
#include <simdjson.h>

#include <filesystem>
#include <fstream>
#include <iostream>
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

std::vector<std::string> strings(simdjson::dom::array a) {
    std::vector<std::string> out;
    for (simdjson::dom::element v : a) {
        std::string_view s;
        if (!v.get(s)) out.emplace_back(s);
    }
    return out;
}

std::vector<Expected> load_expectations() {
    const std::string path = std::string(IMRDEX_TEST_DATA_DIR) + "/real_letters_expected.jsonl";
    std::ifstream in(path);
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
            if (it.get(fields)) continue;
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

TEST(RealLetters, TextLettersMatchExpectations) {
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters");
    const std::vector<Expected> all = load_expectations();
    ASSERT_EQ(all.size(), 44u);
    const imrdex::LetterParser parser;
    int right = 0;
    for (const Expected& x : all) {
        const fs::path path = shared_dir() / x.file;
        const imrdex::Letter l = parser.parse(read_file(path), path.stem().string(), path.string());
        const auto diffs = check(x, l);
        std::string all_diffs;
        for (const auto& s : diffs) all_diffs += "\n  " + s;
        EXPECT_TRUE(diffs.empty()) << x.file << all_diffs;
        right += diffs.empty() ? 1 : 0;
    }
    std::cout << "[ real letters ] " << right << " of " << all.size() << " fully right (text)\n";
}

TEST(RealLetters, PdfLettersMatchExpectationsAndTheirText) {
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/pdf");
    const imrdex::LetterParser parser;
    int right = 0;
    int total = 0;
    for (const Expected& x : load_expectations()) {
        if (x.file.rfind("real-letters/txt/", 0) != 0) continue;
        ++total;
        const fs::path pdf = shared_dir() / "real-letters" / "pdf" / (x.id + ".pdf");
        const fs::path txt = shared_dir() / x.file;
        const imrdex::PdfText text = imrdex::extract_pdf_text(read_file(pdf), pdf.string());
        EXPECT_GE(text.pages, 1);
        const imrdex::Letter from_pdf = parser.parse(text.text, x.id, "same");
        const imrdex::Letter from_txt = parser.parse(read_file(txt), x.id, "same");
        const auto diffs = check(x, from_pdf);
        std::string all_diffs;
        for (const auto& s : diffs) all_diffs += "\n  " + s;
        EXPECT_TRUE(diffs.empty()) << pdf << all_diffs;
        // The in-process extraction must give the parser what pdftotext gave it.
        EXPECT_EQ(imrdex::to_json(from_pdf), imrdex::to_json(from_txt)) << pdf;
        right += diffs.empty() ? 1 : 0;
    }
    std::cout << "[ real letters ] " << right << " of " << total << " fully right (PDF)\n";
}

TEST(Pdf, RejectsCorruptEncryptedAndTextlessInput) {
    EXPECT_THROW((void)imrdex::extract_pdf_text("hello, not a pdf", "x"), imrdex::InputError);
    EXPECT_THROW((void)imrdex::extract_pdf_text("%PDF-1.4\n garbage garbage\n%%EOF", "x"),
                 imrdex::InputError);
    const fs::path dir = fs::path(IMRDEX_TEST_DATA_DIR) / "pdf";
    if (!fs::exists(dir)) GTEST_SKIP() << "no PDF fixtures in " << dir;
    for (const char* name : {"encrypted.pdf", "no_text.pdf"}) {
        const fs::path p = dir / name;
        if (!fs::exists(p)) continue;
        try {
            (void)imrdex::extract_pdf_text(read_file(p), p.string());
            ADD_FAILURE() << name << " was accepted";
        } catch (const imrdex::InputError& e) {
            EXPECT_NE(std::string(e.what()).find(name), std::string::npos) << e.what();
        }
    }
    // A real letter cut in half is either rejected or gives text; never a crash.
    if (fs::exists(shared_dir() / "real-letters" / "pdf" / "CM16-0213037.pdf")) {
        const std::string bytes = read_file(shared_dir() / "real-letters" / "pdf" / "CM16-0213037.pdf");
        for (std::size_t cut : {bytes.size() / 2, bytes.size() - 10, std::size_t{200}}) {
            try {
                (void)imrdex::extract_pdf_text(bytes.substr(0, cut), "cut");
            } catch (const imrdex::InputError&) {
            }
        }
    }
}

}  // namespace
