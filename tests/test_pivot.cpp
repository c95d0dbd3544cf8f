// Pivots and buckets (issue 15, parts 1 and 2) on a generated corpus indexed by the real pipeline
// into three shards: every cell, row total, bucket count and overturn rate equals a count made
// from the generator's truth for the same filter; the Wilson interval equals hand-computed ones.
#include <gtest/gtest.h>

#include <fstream>
#include <functional>
#include <map>
#include <set>

#include "imrdex/core/errors.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/index/pipeline.hpp"
#include "imrdex/search/pivot.hpp"
#include "imrdex/search/search.hpp"
#include "generated_index.hpp"
#include "search_fixture.hpp"

namespace {

namespace fs = std::filesystem;

constexpr std::uint64_t kLetters = 1500;
constexpr std::uint64_t kSeed = 23;

using Pred = std::function<bool(const imrdex::Letter&, const imrdex::Item&)>;

// The values an item counts under `dim`, worked out from the truth's text without the library:
// facets by the facet oracle, buckets from the ISO dates and the age.
std::set<std::string> dim_values(const imrdex::Letter& l, const imrdex::Item& it,
                                 const std::string& dim) {
    const std::size_t colon = dim.find(':');
    if (colon == std::string::npos) return fixture::facet_values(l, it, dim);
    const std::string field = dim.substr(0, colon), unit = dim.substr(colon + 1);
    if (field == "age") {
        if (l.age < 0) return {};
        const int w = std::stoi(unit), a = l.age / w * w;
        return {std::to_string(a) + "-" + std::to_string(a + w - 1)};
    }
    const std::map<std::string, const std::string*> dates{{"decided", &l.decision_date},
                                                          {"injured", &l.injury_date},
                                                          {"assigned", &l.date_assigned},
                                                          {"denied", &l.ur_denial_date},
                                                          {"received", &l.received_date}};
    const std::string& iso = *dates.at(field);
    if (iso.empty()) return {};
    const std::string year = iso.substr(0, 4);
    const std::string month = iso.size() >= 7 ? iso.substr(5, 2) : "";
    if (unit == "year") return {year};
    if (unit == "quarter")
        return {year + "-Q" + (month.empty() ? "?" : std::to_string((std::stoi(month) + 2) / 3))};
    return {year + "-" + (month.empty() ? "??" : month)};
}

class Pivot : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new fixture::TempDir("pivot");
        std::uint64_t rejected = 0;
        // Three shards: the stub interleaves their docids, and lifts and pivots work per shard.
        truth_ = new std::vector<imrdex::Letter>(imrdex::testing::index_generated(
            dir_->path(), db(), kLetters, kSeed, 3, rejected));
        ASSERT_EQ(rejected, 0u);
    }
    static void TearDownTestSuite() {
        delete truth_;
        delete dir_;
    }
    static std::string db() { return (dir_->path() / "db").string(); }

    static inline fixture::TempDir* dir_ = nullptr;
    static inline std::vector<imrdex::Letter>* truth_ = nullptr;
};

const std::vector<std::pair<std::string, Pred>>& filters() {
    static const std::vector<std::pair<std::string, Pred>> f{
        {"*", [](const auto&, const auto&) { return true; }},
        {"category:pharmaceutical",
         [](const auto&, const auto& it) {
             return it.category == imrdex::Category::pharmaceutical;
         }},
        {"class:opioid",
         [](const auto&, const auto& it) { return fixture::lower(it.drug_class) == "opioid"; }},
        {"decision:overturned",
         [](const auto&, const auto& it) { return it.decision == imrdex::Decision::overturned; }},
    };
    return f;
}

TEST_F(Pivot, CellsRowTotalsAndRatesEqualTheGeneratorsTruth) {
    const std::vector<std::pair<std::string, std::string>> pivots{
        {"class", "decision"},           {"decided:year", "decision"},
        {"specialty", "decision"},       {"decision", "specialty"},
        {"injured:quarter", "state"},    {"age:5", "sex"},
        {"received:month", "guideline"}, {"age:10", ""},
        {"decided:quarter", ""},         {"denied:year", "assigned:month"}};
    imrdex::Searcher searcher(db());
    std::size_t cells = 0, none_rows = 0, none_cols = 0, multi = 0, rates = 0;
    for (const auto& [query, pred] : filters()) {
        for (const auto& [rows, cols] : pivots) {
            const std::string what = query + " --pivot " + rows + "," + cols;
            std::map<std::pair<std::string, std::string>, Xapian::doccount> want;
            std::map<std::string, Xapian::doccount> want_rows;
            Xapian::doccount total = 0;
            for (const auto& l : *truth_)
                for (const auto& it : l.items) {
                    if (!pred(l, it)) continue;
                    ++total;
                    auto rv = dim_values(l, it, rows);
                    if (rv.empty()) rv.insert("(none)");
                    std::set<std::string> cv{""};
                    if (!cols.empty()) {
                        cv = dim_values(l, it, cols);
                        if (cv.empty()) cv.insert("(none)");
                    }
                    for (const auto& r : rv) {
                        ++want_rows[r];
                        for (const auto& c : cv) ++want[{r, c}];
                    }
                }
            imrdex::PivotOptions o;
            o.query = query;
            o.rows = rows;
            o.cols = cols;
            const imrdex::PivotResult got = searcher.pivot(o);
            EXPECT_GT(total, 0u) << what;
            EXPECT_EQ(got.total, total) << what;
            std::map<std::string, Xapian::doccount> got_rows;
            for (std::size_t i = 0; i < got.row_values.size(); ++i)
                got_rows[got.row_values[i]] = got.row_totals[i];
            EXPECT_EQ(got_rows, want_rows) << what;
            std::map<std::pair<std::string, std::string>, Xapian::doccount> got_cells;
            for (const auto& c : got.cells) {
                const auto w = want.find({c.row, c.col});
                EXPECT_EQ(c.count, w == want.end() ? 0 : w->second)
                    << what << " " << c.row << "/" << c.col;
                if (c.count > 0) got_cells[{c.row, c.col}] = c.count;
            }
            EXPECT_EQ(got_cells, want) << what;  // no cell missing
            EXPECT_EQ(got.cells.size(),
                      got.row_values.size() * std::max<std::size_t>(got.col_values.size(), 1))
                << what;
            cells += got.cells.size();
            none_rows += want_rows.count("(none)");
            for (const auto& [k, n] : want) none_cols += k.second == "(none)" ? 1 : 0;
            Xapian::doccount row_sum = 0;
            for (const auto& [r, n] : want_rows) row_sum += n;
            multi += row_sum > total ? 1 : 0;
            // Rates: per row when decision is COLS, per col when it is ROWS.
            if (cols == "decision" || rows == "decision") {
                const bool by_row = cols == "decision";
                EXPECT_EQ(got.rates.size(), by_row ? got.row_values.size() : got.col_values.size())
                    << what;
                for (const auto& p : got.rates) {
                    auto count = [&](const std::string& d) {
                        const auto w =
                            want.find(by_row ? std::pair(p.value, d) : std::pair(d, p.value));
                        return w == want.end() ? Xapian::doccount{0} : w->second;
                    };
                    EXPECT_EQ(p.upheld, count("upheld")) << what << " " << p.value;
                    EXPECT_EQ(p.overturned, count("overturned")) << what << " " << p.value;
                    if (p.upheld + p.overturned == 0) {
                        EXPECT_FALSE(p.rate.has_value()) << what;
                        continue;
                    }
                    ASSERT_TRUE(p.rate.has_value()) << what;
                    EXPECT_DOUBLE_EQ(*p.rate, double(p.overturned) / (p.upheld + p.overturned));
                    EXPECT_LE(p.interval.low, *p.rate);
                    EXPECT_GE(p.interval.high, *p.rate);
                    ++rates;
                }
            } else {
                EXPECT_TRUE(got.rates.empty()) << what;
            }
        }
    }
    EXPECT_GT(cells, 1000u);
    EXPECT_GT(none_rows, 0u) << "no (none) row was compared";
    EXPECT_GT(none_cols, 0u) << "no (none) column was compared";
    EXPECT_GT(multi, 0u) << "no multi-valued dimension counted an item twice";
    EXPECT_GT(rates, 50u);
}

// Bucket facets (`--facets decided:year`): counts equal the truth's, in natural order, (none)
// last; facets asked beside them keep their counts.
TEST_F(Pivot, BucketFacetsEqualTheGeneratorsTruthInNaturalOrder) {
    const std::vector<std::string> dims{"decided:year",     "injured:month", "age:5",
                                        "received:quarter", "class",         "specialty"};
    imrdex::Searcher searcher(db());
    for (const auto& [query, pred] : filters()) {
        imrdex::SearchOptions o;
        o.query = query;
        o.limit = 0;
        o.facets = dims;
        const imrdex::SearchResult r = searcher.search(o);
        ASSERT_EQ(r.facets.size(), dims.size()) << query;
        for (std::size_t k = 0; k < dims.size(); ++k) {
            std::map<std::string, Xapian::doccount> want;
            for (const auto& l : *truth_)
                for (const auto& it : l.items) {
                    if (!pred(l, it)) continue;
                    const auto v = dim_values(l, it, dims[k]);
                    for (const auto& x : v) ++want[x];
                    if (v.empty()) ++want["(none)"];
                }
            const imrdex::FacetCount& f = r.facets[k];
            EXPECT_EQ(f.name, dims[k]);
            const std::map<std::string, Xapian::doccount> got(f.values.begin(), f.values.end());
            EXPECT_EQ(got, want) << query << " " << dims[k];
            if (dims[k].find(':') == std::string::npos) continue;
            // Natural order: by the leading number (year, band start), then as text.
            for (std::size_t i = 1; i < f.values.size(); ++i) {
                const std::string& a = f.values[i - 1].first;
                const std::string& b = f.values[i].first;
                EXPECT_NE(a, "(none)") << "(none) not last in " << dims[k];
                if (b == "(none)") continue;
                const int na = std::stoi(a), nb = std::stoi(b);
                EXPECT_TRUE(na < nb || (na == nb && a < b)) << dims[k] << ": " << a << " " << b;
            }
        }
    }
}

// Reference values of the 95% Wilson score interval, computed by hand from
// (p + z^2/2n -+ z sqrt(p(1-p)/n + z^2/4n^2)) / (1 + z^2/n) with z = 1.96.
TEST(Wilson, EqualsHandComputedIntervals) {
    struct Case {
        std::size_t k, n;
        double low, high;
    };
    for (const Case& c :
         {Case{8, 10, 0.4902, 0.9433}, Case{0, 10, 0.0, 0.2775}, Case{50, 100, 0.4038, 0.5962},
          Case{10, 10, 0.7225, 1.0}, Case{1, 3, 0.0615, 0.7923}}) {
        const imrdex::Interval i = imrdex::wilson_interval(c.k, c.n);
        EXPECT_NEAR(i.low, c.low, 5e-5) << c.k << "/" << c.n;
        EXPECT_NEAR(i.high, c.high, 5e-5) << c.k << "/" << c.n;
    }
}

TEST(Dimension, UnknownNamesAreQueryErrorsNamingThem) {
    for (const char* bad : {"colour", "decided", "decided:week", "age:7", "class:year", "age:"}) {
        try {
            (void)imrdex::parse_dimension(bad);
            ADD_FAILURE() << bad << " was accepted";
        } catch (const imrdex::QueryError& e) {
            EXPECT_NE(std::string(e.what()).find(bad), std::string::npos) << e.what();
        }
    }
    EXPECT_TRUE(imrdex::parse_dimension("decided:quarter").bucket());
    EXPECT_EQ(imrdex::parse_dimension("age:10").width, 10u);
    EXPECT_EQ(imrdex::parse_dimension("specialty").slot(), imrdex::schema::kSlotSpecialties);
    // Every bucketed range field of the schema is offered, and parses.
    for (const auto& f : imrdex::schema::kRangeFields) {
        if (f.buckets == imrdex::schema::BucketKind::none) continue;
        const std::string unit =
            f.buckets == imrdex::schema::BucketKind::calendar ? "year" : std::to_string(f.bands[0]);
        EXPECT_EQ(imrdex::parse_dimension(std::string(f.name) + ":" + unit).range, &f);
        EXPECT_NE(imrdex::dimension_names().find(std::string(f.name) + ":"), std::string::npos);
    }
}

}  // namespace
