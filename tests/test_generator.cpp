// Unit tests of the synthetic letter generator and the corpus writer: determinism across seeds
// and thread counts, distributions, layout coverage, ids, JSON Lines and zstd output.
#include <gtest/gtest.h>
#include <simdjson.h>
#include <zstd.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "imrdex/core/date.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/extract/drugs.hpp"
#include "imrdex/extract/specialties.hpp"
#include "letter_print.hpp"
#include "test_util.hpp"

namespace fs = std::filesystem;
using imrdex::GeneratedLetter;
using imrdex::LetterGenerator;

namespace {

using imrdex::testing::read_file;
using imrdex::testing::TempDir;

std::string zstd_decompress(const std::string& in) {
    std::string out;
    ZSTD_DStream* ds = ZSTD_createDStream();
    ZSTD_inBuffer ib{in.data(), in.size(), 0};
    std::vector<char> buf(ZSTD_DStreamOutSize());
    while (ib.pos < ib.size) {
        ZSTD_outBuffer ob{buf.data(), buf.size(), 0};
        const std::size_t r = ZSTD_decompressStream(ds, &ob, &ib);
        if (ZSTD_isError(r)) {
            ZSTD_freeDStream(ds);
            throw std::runtime_error(ZSTD_getErrorName(r));
        }
        out.append(buf.data(), ob.pos);
    }
    ZSTD_freeDStream(ds);
    return out;
}

void replace_all(std::string& s, const std::string& from, const std::string& to) {
    for (std::size_t p = s.find(from); p != std::string::npos; p = s.find(from, p + to.size())) {
        s.replace(p, from.size(), to);
    }
}

imrdex::CorpusStats write(const fs::path& dir, std::uint64_t n, std::uint64_t seed,
                          imrdex::CorpusFormat format, bool zstd, unsigned threads) {
    imrdex::CorpusOptions o;
    o.letters = n;
    o.seed = seed;
    o.out = dir;
    o.format = format;
    o.zstd = zstd;
    o.threads = threads;
    return imrdex::write_corpus(o);
}

// Whitespace collapsed and trimmed, as the extraction conventions require of joined text.
bool normalised(const std::string& s) {
    if (s.empty()) return true;
    if (s.front() == ' ' || s.back() == ' ') return false;
    return s.find("  ") == std::string::npos && s.find_first_of("\n\t\f\r") == std::string::npos;
}

TEST(Generator, SameSeedSameLetterDifferentSeedDifferentLetter) {
    const LetterGenerator a(42), b(42), c(43);
    for (std::uint64_t i : {0ULL, 1ULL, 17ULL, 999ULL, 123456ULL}) {
        const GeneratedLetter x = a.generate(i);
        const GeneratedLetter y = b.generate(i);
        EXPECT_EQ(x.text, y.text) << i;
        EXPECT_EQ(imrdex::to_json(x.truth), imrdex::to_json(y.truth)) << i;
        EXPECT_NE(x.text, c.generate(i).text) << i;
        EXPECT_NE(x.text, a.generate(i + 1).text) << i;
    }
}

TEST(Generator, DistributionsAndLayoutCoverage) {
    const LetterGenerator gen(7);
    constexpr std::uint64_t kLetters = 2000;
    std::uint64_t items = 0, upheld = 0, few = 0, many = 0, bytes = 0, partial = 0;
    std::uint32_t features = 0;
    std::set<unsigned> forms;
    std::set<std::string> ids;
    std::set<imrdex::Category> categories;
    const imrdex::DrugVocabulary& vocab = imrdex::DrugVocabulary::builtin();
    GeneratedLetter g;
    for (std::uint64_t i = 0; i < kLetters; ++i) {
        gen.generate(i, g);
        const imrdex::Letter& t = g.truth;
        ASSERT_GE(t.items.size(), 1u);
        ASSERT_LE(t.items.size(), 20u);
        few += t.items.size() <= 3 ? 1 : 0;
        many += t.items.size() >= 10 ? 1 : 0;
        bytes += g.text.size();
        features |= g.features;
        forms.insert(g.patient_form);
        EXPECT_TRUE(ids.insert(t.id).second) << "duplicate id " << t.id;
        EXPECT_EQ(t.id, gen.id_of(i));
        ASSERT_EQ(t.id.size(), 12u);
        EXPECT_EQ(t.id.substr(0, 2), "CM");
        const int yy = std::stoi(t.id.substr(2, 2));
        EXPECT_GE(yy, 13);
        EXPECT_LE(yy, 24);
        if (g.features & imrdex::kFeatureCoverBlock) {
            // Labels first, then values: the case number is the first value line.
            EXPECT_EQ(g.text.rfind("Case Number:\nDate Assigned:\nDecision Date:\nPriority:\n\n" +
                                       t.id + "\n",
                                   0),
                      0u)
                << t.id;
            EXPECT_FALSE(t.date_assigned.empty());
            EXPECT_FALSE(t.priority.empty());
        } else {
            EXPECT_EQ(g.text.find("Case Number"), std::string::npos) << t.id;
            EXPECT_EQ(g.text.find(t.id), std::string::npos) << "id only from the file name";
            EXPECT_TRUE(t.date_assigned.empty());
        }
        EXPECT_TRUE(normalised(t.summary)) << t.id;
        EXPECT_GE(t.age, 18);
        EXPECT_FALSE(t.sex.empty());
        EXPECT_FALSE(t.states.empty());
        EXPECT_FALSE(t.specialties.empty());
        for (const imrdex::Item& it : t.items) {
            ++items;
            upheld += it.decision == imrdex::Decision::upheld ? 1 : 0;
            partial += it.original_request.empty() ? 0 : 1;
            categories.insert(it.category);
            EXPECT_TRUE(normalised(it.request)) << t.id << ": " << it.request;
            EXPECT_TRUE(normalised(it.rationale)) << t.id;
            EXPECT_TRUE(normalised(it.ca_guideline.text)) << t.id;
            EXPECT_TRUE(normalised(it.maximus_guideline.text)) << t.id;
            // Every drug written is one the vocabulary knows, and nothing else looks like one.
            const auto m = vocab.match(it.request);
            if (it.category == imrdex::Category::pharmaceutical) {
                ASSERT_TRUE(m.has_value()) << it.request;
                EXPECT_EQ(m->entry->drug, it.drug) << it.request;
                EXPECT_EQ(m->entry->drug_class, it.drug_class) << it.request;
            } else {
                EXPECT_FALSE(m.has_value()) << it.request << " names " << m->entry->name;
                EXPECT_TRUE(it.drug.empty());
            }
            if (!it.strength.empty()) {
                EXPECT_NE(it.request.find(it.strength), std::string::npos) << it.request;
            }
            if (!it.quantity.empty()) {
                EXPECT_NE(it.request.find(it.quantity), std::string::npos) << it.request;
            }
        }
    }
    ASSERT_GE(items, 5000u);
    const double ratio = static_cast<double>(upheld) / static_cast<double>(items);
    EXPECT_GT(ratio, 0.87);
    EXPECT_LT(ratio, 0.93);
    EXPECT_GT(few, kLetters * 3 / 4) << "most letters have 1-3 items";
    EXPECT_GT(many, 0u) << "some letters have 10 or more items";
    EXPECT_GT(partial, items / 40);
    const double avg = static_cast<double>(bytes) / kLetters;
    EXPECT_GT(avg, 4000);
    EXPECT_LT(avg, 9000);
    EXPECT_EQ(categories.size(), imrdex::kCategories.size()) << "every category is generated";
    for (unsigned f = 0; f < 15; ++f) {
        EXPECT_TRUE(features & (1u << f)) << "layout feature bit " << f << " never generated";
    }
    EXPECT_EQ(forms.size(), imrdex::kPatientSentenceForms);
}

// The truth's dates exist and fall where the letter's story puts them: the case is assigned in the
// year of its case number, the application received 1-25 days before, utilization review 3-45
// days before that, the decision 10-45 days after assignment, and the injury at least 20 days
// before utilization review. Without a cover block only the injury date is known, sometimes to
// the month.
// The truth's specialties are what the parser records: canonical names of the specialty
// vocabulary, each once. Enough letters are drawn to meet every board and subspecialty the
// generator knows.
TEST(Generator, SpecialtiesAreCanonicalVocabularyNames) {
    const LetterGenerator gen(11);
    const imrdex::SpecialtyVocabulary& vocab = imrdex::SpecialtyVocabulary::builtin();
    std::set<std::string> seen;
    GeneratedLetter g;
    for (std::uint64_t i = 0; i < 3000; ++i) {
        gen.generate(i, g);
        const std::set<std::string> once(g.truth.specialties.begin(), g.truth.specialties.end());
        EXPECT_EQ(once.size(), g.truth.specialties.size()) << g.truth.id;
        seen.insert(once.begin(), once.end());
    }
    EXPECT_GE(seen.size(), 25u);
    for (const std::string& s : seen) EXPECT_EQ(vocab.canonical(s), s) << s;
}

TEST(Generator, DatesExistAndFollowTheCase) {
    using std::chrono::sys_days;
    const LetterGenerator gen(7);
    const auto day = [](const std::string& iso) -> std::optional<sys_days> {
        const auto d = imrdex::IsoDate::parse(iso);
        if (!d || d->precision() != imrdex::IsoDate::Precision::day) return std::nullopt;
        return sys_days{d->ymd()};
    };
    const auto days_between = [](sys_days a, sys_days b) { return (b - a).count(); };
    unsigned cover = 0, month_only = 0;
    for (std::uint64_t i = 0; i < 3000; ++i) {
        const imrdex::Letter t = gen.generate(i).truth;
        if (t.date_assigned.empty()) {
            EXPECT_TRUE(t.decision_date.empty() && t.ur_denial_date.empty() &&
                        t.received_date.empty())
                << t.id;
            const auto injury = imrdex::IsoDate::parse(t.injury_date);
            ASSERT_TRUE(injury) << t.id << " " << t.injury_date;
            ASSERT_NE(injury->precision(), imrdex::IsoDate::Precision::year) << t.id;
            month_only += injury->precision() == imrdex::IsoDate::Precision::month ? 1 : 0;
            EXPECT_LE(injury->year(), 2000 + std::stoi(t.id.substr(2, 2))) << t.id;
            continue;
        }
        ++cover;
        const auto assigned = day(t.date_assigned), received = day(t.received_date),
                   ur = day(t.ur_denial_date), decision = day(t.decision_date),
                   injury = day(t.injury_date);
        ASSERT_TRUE(assigned && received && ur && decision && injury) << t.id;
        EXPECT_EQ(imrdex::IsoDate::parse(t.date_assigned)->year(),
                  2000 + std::stoi(t.id.substr(2, 2)))
            << t.id;
        EXPECT_GE(days_between(*received, *assigned), 1) << t.id;
        EXPECT_LE(days_between(*received, *assigned), 25) << t.id;
        EXPECT_GE(days_between(*ur, *received), 3) << t.id;
        EXPECT_LE(days_between(*ur, *received), 45) << t.id;
        EXPECT_GE(days_between(*assigned, *decision), 10) << t.id;
        EXPECT_LE(days_between(*assigned, *decision), 45) << t.id;
        EXPECT_GE(days_between(*injury, *ur), 20) << t.id;
    }
    EXPECT_GT(cover, 1000u);
    EXPECT_GT(month_only, 0u) << "some injury dates are known to the month only";
}

TEST(Generator, OlderLayoutIsDoubleSpacedWithTrailingSpaces) {
    const LetterGenerator gen(3);
    GeneratedLetter g;
    int seen = 0;
    for (std::uint64_t i = 0; i < 400 && seen < 5; ++i) {
        gen.generate(i, g);
        if (!(g.features & imrdex::kFeatureDoubleSpaced)) continue;
        ++seen;
        // Every text line ends with a space and is followed by an empty line.
        std::size_t pos = 0;
        int lines = 0;
        while (pos < g.text.size()) {
            const std::size_t nl = g.text.find('\n', pos);
            if (nl == std::string::npos) break;
            if (nl > pos) {
                ++lines;
                EXPECT_EQ(g.text[nl - 1], ' ') << g.truth.id;
                EXPECT_EQ(g.text[nl + 1], '\n') << g.truth.id;
            }
            pos = nl + 1;
        }
        EXPECT_GT(lines, 30);
    }
    EXPECT_EQ(seen, 5);
}

TEST(CorpusWriter, DeterministicAcrossThreadCountsAndZstdMatchesPlain) {
    TempDir tmp("gen");
    const fs::path one = tmp.path() / "t1", two = tmp.path() / "t2", z = tmp.path() / "z";
    const auto s1 = write(one, 1000, 99, imrdex::CorpusFormat::jsonl, false, 1);
    write(two, 1000, 99, imrdex::CorpusFormat::jsonl, false, 2);
    write(z, 1000, 99, imrdex::CorpusFormat::jsonl, true, 2);
    EXPECT_EQ(s1.letters, 1000u);

    const std::string letters1 = read_file(one / "letters.jsonl");
    ASSERT_FALSE(letters1.empty());
    EXPECT_EQ(letters1, read_file(two / "letters.jsonl"));
    std::string truth1 = read_file(one / "truth.jsonl"), truth2 = read_file(two / "truth.jsonl");
    replace_all(truth2, two.string(), one.string());  // sources name the output directory
    EXPECT_EQ(truth1, truth2);

    EXPECT_FALSE(fs::exists(z / "letters.jsonl"));
    EXPECT_EQ(zstd_decompress(read_file(z / "letters.jsonl.zst")), letters1);
    std::string truthz = zstd_decompress(read_file(z / "truth.jsonl.zst"));
    replace_all(truthz, (z / "letters.jsonl.zst").string(), (one / "letters.jsonl").string());
    EXPECT_EQ(truthz, truth1);
    EXPECT_LT(fs::file_size(z / "letters.jsonl.zst"), letters1.size() / 3);

    // Different seed, different corpus.
    const fs::path other = tmp.path() / "other";
    write(other, 50, 100, imrdex::CorpusFormat::jsonl, false, 2);
    const std::string other_letters = read_file(other / "letters.jsonl");
    EXPECT_NE(other_letters, letters1.substr(0, other_letters.size()));
}

TEST(CorpusWriter, JsonLinesParseAndMatchTheTxtTreeAndTruth) {
    TempDir tmp("gen");
    const fs::path dir = tmp.path() / "both";
    write(dir, 300, 5, imrdex::CorpusFormat::both, false, 2);
    const LetterGenerator gen(5);

    simdjson::ondemand::parser parser;
    std::ifstream letters(dir / "letters.jsonl"), truth(dir / "truth.jsonl");
    std::string line, tline;
    std::uint64_t i = 0;
    std::set<std::string> ids;
    while (std::getline(letters, line)) {
        ASSERT_TRUE(std::getline(truth, tline)) << "truth has fewer lines than letters";
        const GeneratedLetter g = gen.generate(i);
        {
            simdjson::padded_string ps(line);
            auto doc = parser.iterate(ps);
            std::string_view id, text;
            ASSERT_EQ(doc["id"].get_string().get(id), simdjson::SUCCESS) << i;
            ASSERT_EQ(doc["text"].get_string().get(text), simdjson::SUCCESS) << i;
            EXPECT_EQ(id, g.truth.id);
            EXPECT_EQ(text, g.text);
            EXPECT_TRUE(ids.insert(std::string(id)).second);
            // The txt tree holds the same letter at the id-derived path.
            EXPECT_EQ(read_file(dir / imrdex::corpus_txt_path(g.truth.id)), g.text);
        }
        {
            simdjson::padded_string ps(tline);
            auto doc = parser.iterate(ps);
            std::string_view id, source;
            ASSERT_EQ(doc["id"].get_string().get(id), simdjson::SUCCESS) << i;
            ASSERT_EQ(doc["source"].get_string().get(source), simdjson::SUCCESS) << i;
            EXPECT_EQ(id, g.truth.id);
            EXPECT_EQ(source, (dir / "letters.jsonl").string() + ":" + std::to_string(i + 1));
            simdjson::ondemand::array items;
            ASSERT_EQ(doc["items"].get_array().get(items), simdjson::SUCCESS);
            std::size_t n = 0;
            for (auto item : items) {
                std::string_view request, category;
                ASSERT_EQ(item["request"].get_string().get(request), simdjson::SUCCESS);
                EXPECT_EQ(request, g.truth.items[n].request);
                ASSERT_EQ(item["category"].get_string().get(category), simdjson::SUCCESS);
                EXPECT_EQ(imrdex::parse_category(category), g.truth.items[n].category) << category;
                ++n;
            }
            EXPECT_EQ(n, g.truth.items.size());
        }
        ++i;
    }
    EXPECT_EQ(i, 300u);
    EXPECT_FALSE(std::getline(truth, tline)) << "truth has more lines than letters";
}

TEST(CorpusWriter, TxtOnlyTruthNamesTheFiles) {
    TempDir tmp("gen");
    const fs::path dir = tmp.path() / "txt";
    write(dir, 40, 11, imrdex::CorpusFormat::txt, false, 0);
    EXPECT_FALSE(fs::exists(dir / "letters.jsonl"));
    std::ifstream truth(dir / "truth.jsonl");
    std::string line;
    simdjson::ondemand::parser parser;
    int n = 0;
    while (std::getline(truth, line)) {
        simdjson::padded_string ps(line);
        auto doc = parser.iterate(ps);
        std::string_view source;
        ASSERT_EQ(doc["source"].get_string().get(source), simdjson::SUCCESS);
        EXPECT_TRUE(fs::is_regular_file(fs::path(std::string(source)))) << source;
        ++n;
    }
    EXPECT_EQ(n, 40);
}

TEST(CorpusWriter, UnwritableOutputThrowsIoError) {
    TempDir tmp("gen");
    const fs::path file = tmp.path() / "plain-file";
    std::ofstream(file) << "x";
    EXPECT_THROW(write(file / "sub", 5, 1, imrdex::CorpusFormat::jsonl, false, 1), imrdex::IoError);
}

}  // namespace
