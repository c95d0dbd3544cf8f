// imr-search --significant (issue 15, part 4) on a planted corpus: generated letters in which
// the overturned items' rationales (of three letters in four) carry a made-up word no upheld one
// has, and every pharmaceutical item another, indexed by the real pipeline. The real program
// must rank the planted word first for overturned items, never list it for upheld ones, and
// print counts equal to the planted truth; with a background the JLH score decides.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <fstream>
#include <regex>

#include "imrdex/core/errors.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/index/pipeline.hpp"
#include "imrdex/search/search.hpp"
#include "imrdex/search/significant.hpp"
#include "search_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using imrdex::testing::q;
using imrdex::testing::run_command;
using imrdex::testing::RunResult;
using imrdex::testing::shell_quote;

constexpr std::uint64_t kLetters = 400;
constexpr std::uint64_t kSeed = 5;
constexpr std::string_view kLabel = "Decision rationale: ";
const std::string kPlanted = "zorbitude";     // overturned items only
const std::string kTwin = "plexant";          // always right after it
const std::string kEveryPharma = "quexilic";  // every pharmaceutical item

// What was planted in one indexed item.
struct Planted {
    bool overturned = false;
    bool pharmaceutical = false;
    bool planted = false;
};

class Significant : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fixture::TempDir("significant");
        items_ = new std::vector<Planted>();
        const fs::path txt = dir_->path() / "letters";
        fs::create_directories(txt);
        const imrdex::LetterGenerator gen(kSeed);
        imrdex::GeneratedLetter g;
        std::uint64_t skipped = 0;
        for (std::uint64_t i = 0; i < kLetters; ++i) {
            gen.generate(i, g);
            // Each item's rationale follows its label, in item order; a letter where the label
            // is not found once per item (wrapped differently) is left out of the corpus.
            std::vector<std::size_t> at;
            for (std::size_t p = g.text.find(kLabel); p != std::string::npos;
                 p = g.text.find(kLabel, p + 1))
                at.push_back(p + kLabel.size());
            if (at.size() != g.truth.items.size()) {
                ++skipped;
                continue;
            }
            std::vector<Planted> letter;
            for (const auto& it : g.truth.items) {
                Planted p;
                p.overturned = it.decision == imrdex::Decision::overturned;
                p.pharmaceutical = it.category == imrdex::Category::pharmaceutical;
                p.planted = p.overturned && i % 4 != 0;
                letter.push_back(p);
            }
            for (std::size_t k = at.size(); k-- > 0;) {  // from the end: offsets stay valid
                std::string add;
                if (letter[k].planted) add += "Zorbitude Plexant was noted. ";
                if (letter[k].pharmaceutical) add += "Quexilic findings. ";
                g.text.insert(at[k], add);
            }
            items_->insert(items_->end(), letter.begin(), letter.end());
            std::ofstream(txt / (g.truth.id + ".txt")) << g.text;
        }
        ASSERT_LT(skipped, kLetters / 10);
        imrdex::IndexOptions o;
        o.db = db();
        o.shards = 2;
        o.threads = 2;
        o.compact = false;
        o.sync = false;
        ASSERT_EQ(imrdex::run_index({txt.string()}, o).rejected, 0u);
        o.db = (dir_->path() / "db-pairs").string();
        o.word_pairs = true;
        ASSERT_EQ(imrdex::run_index({txt.string()}, o).rejected, 0u);
    }
    static void TearDownTestSuite() {
        delete items_;
        delete dir_;
    }
    static std::string db() { return (dir_->path() / "db").string(); }

    static std::size_t count(const std::function<bool(const Planted&)>& pred) {
        return static_cast<std::size_t>(std::count_if(items_->begin(), items_->end(), pred));
    }

    static RunResult search(const std::string& args) {
        return run_command(q(IMRDEX_SEARCH_BIN) + " --db " + q(db()) + " " + args,
                           dir_->path() / "stderr.txt");
    }

    // The JSON output of `--significant QUERY [args]`, parsed (kept alive in the parser).
    simdjson::dom::element significant(const std::string& query, const std::string& args = "") {
        const RunResult r = search("--json --significant " + shell_quote(query) + " " + args);
        EXPECT_EQ(r.code, 0) << r.err;
        out_ = r.out;
        simdjson::dom::element doc;
        EXPECT_EQ(parser_.parse(out_).get(doc), simdjson::SUCCESS) << out_;
        return doc;
    }

    // The terms' written words, in rank order.
    static std::vector<std::string> words(simdjson::dom::element doc) {
        std::vector<std::string> out;
        for (auto t : doc["terms"].get_array()) out.emplace_back(std::string_view(t["word"]));
        return out;
    }

    static simdjson::dom::element term(simdjson::dom::element doc, const std::string& word) {
        for (auto t : doc["terms"].get_array())
            if (std::string_view(t["word"]) == word) return t;
        ADD_FAILURE() << word << " not listed";
        return {};
    }

    static inline fixture::TempDir* dir_ = nullptr;
    static inline std::vector<Planted>* items_ = nullptr;
    simdjson::dom::parser parser_;
    std::string out_;
};

TEST_F(Significant, PlantedWordLeadsTheOverturnedItemsWithExactCounts) {
    const auto doc = significant("decision:overturned");
    const auto overturned = count([](const Planted& p) { return p.overturned; });
    const auto planted = count([](const Planted& p) { return p.planted; });
    ASSERT_GT(planted, 50u);
    EXPECT_EQ(uint64_t(doc["fg_size"]), overturned);
    EXPECT_EQ(uint64_t(doc["bg_size"]), items_->size());
    EXPECT_TRUE(doc["background"].is_null());
    EXPECT_FALSE(bool(doc["sampled"]));
    const auto w = words(doc);
    ASSERT_FALSE(w.empty());
    // The two planted words always go together, so they tie: either may lead.
    ASSERT_GE(w.size(), 2u);
    EXPECT_TRUE(w[0] == kPlanted || w[1] == kPlanted) << out_;
    EXPECT_TRUE(w[0] == kTwin || w[1] == kTwin) << out_;
    const auto t = term(doc, kPlanted);
    EXPECT_EQ(std::string_view(t["stem"]), Xapian::Stem("english")(kPlanted));
    EXPECT_EQ(uint64_t(t["fg_count"]), planted);
    EXPECT_EQ(uint64_t(t["bg_count"]), planted) << "planted in overturned items only";
    EXPECT_GT(double(t["weight"]), 0);
}

TEST_F(Significant, WordPairDatabasesListPairsByTheirWrittenForm) {
    const RunResult r =
        run_command(q(IMRDEX_SEARCH_BIN) + " --json --limit 20 --db " +
                        q(dir_->path() / "db-pairs") + " --significant decision:overturned",
                    dir_->path() / "stderr.txt");
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::element doc;
    ASSERT_EQ(parser_.parse(r.out).get(doc), simdjson::SUCCESS) << r.out;
    EXPECT_TRUE(bool(doc["word_pairs"]));
    const auto t = term(doc, kPlanted + " " + kTwin);
    const Xapian::Stem stem("english");
    EXPECT_TRUE(bool(t["pair"]));
    EXPECT_EQ(std::string_view(t["stem"]), stem(kPlanted) + " " + stem(kTwin));
    const auto planted = count([](const Planted& p) { return p.planted; });
    EXPECT_EQ(uint64_t(t["fg_count"]), planted);
    EXPECT_EQ(uint64_t(t["bg_count"]), planted);
    // A pair with a function word ("plexant was") is left out, as the word alone would be.
    for (const auto& w : words(doc)) EXPECT_EQ(w.find(" was"), std::string::npos) << w;
}

TEST_F(Significant, UpheldItemsNeverListThePlantedWord) {
    const auto doc = significant("decision:upheld", "--limit 50");
    EXPECT_EQ(uint64_t(doc["fg_size"]), count([](const Planted& p) { return !p.overturned; }));
    const auto w = words(doc);
    EXPECT_EQ(w.size(), 50u) << "enough candidates for --limit 50";
    EXPECT_EQ(std::find(w.begin(), w.end(), kPlanted), w.end()) << out_;
}

TEST_F(Significant, BackgroundRanksByJlhOfExactRates) {
    const std::string fg = "decision:overturned category:pharmaceutical";
    const auto fg_size = count([](const Planted& p) { return p.overturned && p.pharmaceutical; });
    const auto pharma = count([](const Planted& p) { return p.pharmaceutical; });
    const auto planted = count([](const Planted& p) { return p.planted && p.pharmaceutical; });

    // Against the whole database, the word of every pharmaceutical item stands out too.
    auto doc = significant(fg, "--limit 20");
    EXPECT_EQ(uint64_t(doc["fg_size"]), fg_size);
    auto t = term(doc, kEveryPharma);
    EXPECT_EQ(uint64_t(t["fg_count"]), fg_size);
    EXPECT_EQ(uint64_t(t["bg_count"]), pharma);

    // Against the pharmaceutical items it is no more frequent among the overturned: not listed,
    // and the planted word leads by JLH score.
    doc = significant(fg, "--limit 20 --background category:pharmaceutical");
    EXPECT_EQ(std::string_view(doc["background"]), "category:pharmaceutical");
    EXPECT_EQ(std::string_view(doc["ranked_by"]), "score");
    EXPECT_EQ(uint64_t(doc["bg_size"]), pharma);
    const auto w = words(doc);
    ASSERT_FALSE(w.empty());
    // The two planted words always go together, so they tie: either may lead.
    ASSERT_GE(w.size(), 2u);
    EXPECT_TRUE(w[0] == kPlanted || w[1] == kPlanted) << out_;
    EXPECT_TRUE(w[0] == kTwin || w[1] == kTwin) << out_;
    EXPECT_EQ(std::find(w.begin(), w.end(), kEveryPharma), w.end()) << out_;
    t = term(doc, kPlanted);
    EXPECT_EQ(uint64_t(t["fg_count"]), planted);
    EXPECT_EQ(uint64_t(t["bg_count"]), planted);
    const double f = double(planted) / double(fg_size), b = double(planted) / double(pharma);
    EXPECT_NEAR(double(t["score"]), (f - b) * (f / b), 1e-5 * (f - b) * (f / b))
        << "JSON keeps 6 digits";
    double previous = 1e300;
    for (auto term : doc["terms"].get_array()) {
        EXPECT_LE(double(term["score"]), previous) << "ranked by score";
        previous = double(term["score"]);
        EXPECT_GT(previous, 0) << "only over-represented terms";
    }
}

TEST_F(Significant, TextAndCsvCarryTheSameCounts) {
    const auto planted = count([](const Planted& p) { return p.planted; });
    RunResult r = search("--csv --limit 3 --significant decision:overturned");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(
        r.out.rfind("rank,word,stem,pair,weight,score,fg_count,fg_size,bg_count,bg_size\r\n", 0),
        0u)
        << r.out;
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex("\r\n[12],zorbitude," + Xapian::Stem("english")(kPlanted) + ",0,")))
        << r.out;
    EXPECT_NE(
        r.out.find("," + std::to_string(planted) + "," +
                   std::to_string(count([](const Planted& p) { return p.overturned; })) + "," +
                   std::to_string(planted) + "," + std::to_string(items_->size()) + "\r\n"),
        std::string::npos)
        << r.out;
    EXPECT_EQ(std::count(r.out.begin(), r.out.end(), '\n'), 4);

    r = search("--significant decision:overturned");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_NE(
        r.out.find("against the whole database (" + std::to_string(items_->size()) + " items)"),
        std::string::npos)
        << r.out;
    EXPECT_TRUE(std::regex_search(
        r.out, std::regex("\n +[12]  zorbitude +" + Xapian::Stem("english")(kPlanted) +
                          " +[0-9.]+ +" + std::to_string(planted) + " ")))
        << r.out;

    // Usage: a query is needed, --background needs --significant, no --limit all.
    EXPECT_EQ(search("--significant").code, 2);
    EXPECT_EQ(search("--background '*' decision:upheld").code, 2);
    EXPECT_EQ(search("--limit all --csv --significant decision:upheld").code, 2);
    EXPECT_EQ(search("--significant decision:maybe").code, 2) << "unknown filter value";
    EXPECT_EQ(search("--significant '*' --background class:opiod").code, 2);
}

TEST_F(Significant, SampleIsDeterministicAndCountsStayExact) {
    imrdex::Searcher s(db());
    imrdex::SignificantOptions o;
    o.query = "decision:overturned";
    o.sample = 60;
    o.limit = 5;
    const auto a = s.significant(o);
    const auto b = s.significant(o);
    EXPECT_TRUE(a.sampled);
    EXPECT_GT(a.rset_size, 20u);
    EXPECT_LT(a.rset_size, 120u);
    EXPECT_EQ(a.rset_size, b.rset_size);
    ASSERT_EQ(a.terms.size(), b.terms.size());
    for (std::size_t i = 0; i < a.terms.size(); ++i) EXPECT_EQ(a.terms[i].stem, b.terms[i].stem);
    const auto planted = count([](const Planted& p) { return p.planted; });
    bool found = false;
    for (const auto& t : a.terms) {
        if (t.word != kPlanted) continue;
        found = true;
        EXPECT_EQ(t.fg_count, planted) << "counts do not depend on the sample";
    }
    EXPECT_TRUE(found);
}

TEST(SignificantWords, NumbersAndShortTokensAreLeftOut) {
    EXPECT_TRUE(imrdex::significant_word("zorbitud"));
    EXPECT_TRUE(imrdex::significant_word("b12"));
    EXPECT_FALSE(imrdex::significant_word("2016"));
    EXPECT_FALSE(imrdex::significant_word("1,000"));
    EXPECT_FALSE(imrdex::significant_word("3.5"));
    EXPECT_FALSE(imrdex::significant_word("mg"));
    EXPECT_FALSE(imrdex::significant_word("with"));
    EXPECT_FALSE(imrdex::significant_word("becaus")) << "function words by their stem";
    EXPECT_TRUE(imrdex::significant_word("not")) << "what upheld items say";
}

TEST(SignificantNoTermlist, SaysANormalBuildIsNeeded) {
    const fixture::TempDir dir("significant-notermlist");
    const auto letters = fixture::make_letters(30, 3);
    {
        Xapian::WritableDatabase db(dir.path().string(),
                                    Xapian::DB_CREATE_OR_OVERWRITE | Xapian::DB_NO_TERMLIST);
        db.set_metadata(std::string(imrdex::schema::kVersionKey), imrdex::schema::version_text());
        for (const auto& l : letters) fixture::add_letter(db, l);
        db.commit();
    }
    imrdex::Searcher s(dir.path().string());
    imrdex::SignificantOptions o;
    o.query = "decision:upheld";
    try {
        (void)s.significant(o);
        FAIL() << "no error";
    } catch (const imrdex::UnsupportedError& e) {
        EXPECT_NE(std::string(e.what()).find("non-archive"), std::string::npos) << e.what();
    }
    const RunResult r = run_command(
        q(IMRDEX_SEARCH_BIN) + " --db " + q(dir.path()) + " --significant decision:upheld",
        dir.path().parent_path() / "significant-notermlist.err");
    EXPECT_EQ(r.code, 3);
    EXPECT_NE(r.err.find("DB_NO_TERMLIST"), std::string::npos) << r.err;
}

}  // namespace
