// imr-search --plot (issue 15, part 3): the real program draws, through the real gnuplot, a
// pivot of a generated corpus indexed by the real pipeline; the SVG's title, axis labels, series
// and every point's position are checked against counts made from the generator's truth.
#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <map>
#include <regex>
#include <set>

#include "generated_index.hpp"
#include "search_fixture.hpp"

namespace {

namespace fs = std::filesystem;
using imrdex::testing::q;
using imrdex::testing::run_command;
using imrdex::testing::RunResult;
using imrdex::testing::shell_quote;

constexpr std::uint64_t kLetters = 500;
constexpr std::uint64_t kSeed = 41;
// An apostrophe, double quotes and backquotes (which gnuplot runs as a shell command inside a
// double-quoted string): the title must show them as typed.
const std::string kQuery = "category:pharmaceutical NOT rationale:\"o'zz `echo run` quux\"";

class Plot : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        if (imrdex::testing::find_program("gnuplot").empty()) return;  // each test skips
        dir_ = new fixture::TempDir("plot");
        std::uint64_t rejected = 0;
        truth_ = new std::vector<imrdex::Letter>(
            imrdex::testing::index_generated(dir_->path(), db(), kLetters, kSeed, 2, rejected));
        ASSERT_EQ(rejected, 0u);
    }
    static void TearDownTestSuite() {
        delete truth_;
        delete dir_;
    }
    void SetUp() override {
        if (dir_ == nullptr)
            GTEST_SKIP() << "gnuplot not installed (Debian: gnuplot-nox, in scripts/install-deps)";
    }
    static std::string db() { return (dir_->path() / "db").string(); }
    static fs::path out(const std::string& name) { return dir_->path() / name; }

    static RunResult search(const std::string& args, const std::string& env = "") {
        return run_command(env + " " + q(IMRDEX_SEARCH_BIN) + " --db " + q(db()) + " " + args,
                           dir_->path() / "stderr.txt");
    }

    static inline fixture::TempDir* dir_ = nullptr;
    static inline std::vector<imrdex::Letter>* truth_ = nullptr;
};

// One plotted line of gnuplot's SVG: its key title and its points (x, y), the key's sample
// point left out.
struct Series {
    std::string name;
    std::vector<std::pair<double, double>> points;
};

std::vector<Series> parse_series(const std::string& svg) {
    std::vector<Series> out;
    static const std::regex group("<g id=\"gnuplot_plot_[0-9]+\"");
    static const std::regex text("<text>([^<]*)</text>");
    static const std::regex point(
        "<use xlink:href='#gpPt[0-9]+' transform='translate\\(([-0-9.]+),"
        "([-0-9.]+)\\)");
    std::vector<std::size_t> starts;
    for (auto it = std::sregex_iterator(svg.begin(), svg.end(), group);
         it != std::sregex_iterator(); ++it)
        starts.push_back(static_cast<std::size_t>(it->position()));
    starts.push_back(svg.size());
    for (std::size_t g = 0; g + 1 < starts.size(); ++g) {
        const std::string part = svg.substr(starts[g], starts[g + 1] - starts[g]);
        Series s;
        std::smatch m;
        if (std::regex_search(part, m, text)) s.name = m[1];
        for (auto it = std::sregex_iterator(part.begin(), part.end(), point);
             it != std::sregex_iterator(); ++it)
            s.points.emplace_back(std::stod((*it)[1]), std::stod((*it)[2]));
        if (!s.points.empty()) s.points.pop_back();  // the key's sample, drawn last
        out.push_back(std::move(s));
    }
    return out;
}

// Checks that `coords` is one affine function of `values` (a plot axis): fitted on the extreme
// values, every point within `tolerance` pixels.
void expect_affine(const std::vector<double>& values, const std::vector<double>& coords,
                   const std::string& what, double tolerance = 1.0) {
    ASSERT_EQ(values.size(), coords.size()) << what;
    ASSERT_GE(values.size(), 2u) << what;
    std::size_t lo = 0, hi = 0;
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (values[i] < values[lo]) lo = i;
        if (values[i] > values[hi]) hi = i;
    }
    ASSERT_GT(values[hi], values[lo]) << what << ": all values equal";
    const double slope = (coords[hi] - coords[lo]) / (values[hi] - values[lo]);
    for (std::size_t i = 0; i < values.size(); ++i)
        EXPECT_NEAR(coords[i], coords[lo] + slope * (values[i] - values[lo]), tolerance)
            << what << " point " << i << " (value " << values[i] << ")";
}

bool pharmaceutical(const imrdex::Item& it) {
    return it.category == imrdex::Category::pharmaceutical;
}

// Items by decision per bucket of the decision date ("year" or "month"), from the truth: the
// bucket's number (year, or year * 12 + month - 1) -> decision -> items; `undated` counts the
// matching items without the bucket's precision.
std::map<long, std::map<std::string, double>> decision_trend(
    const std::vector<imrdex::Letter>& truth, const std::string& unit,
    const std::function<bool(const imrdex::Item&)>& pred, std::size_t& items,
    std::size_t& undated) {
    std::map<long, std::map<std::string, double>> counts;
    items = undated = 0;
    for (const auto& l : truth)
        for (const auto& it : l.items) {
            if (!pred(it)) continue;
            ++items;
            const std::string& d = l.decision_date;
            if (d.size() < (unit == "year" ? 4u : 7u)) {
                ++undated;
                continue;
            }
            long tick = std::stol(d.substr(0, 4));
            if (unit == "month") tick = tick * 12 + std::stol(d.substr(5, 2)) - 1;
            counts[tick][std::string(imrdex::to_string(it.decision))] += 1;
        }
    return counts;
}

// Checks the SVG of `--pivot decided:UNIT,decision --plot` against `counts`: a point per
// bucket from the first to the last (0 items where none matched), each count and each rate at
// its height, the buckets evenly spaced. Returns the buckets without items.
std::size_t check_decision_plot(const std::string& svg,
                                const std::map<long, std::map<std::string, double>>& counts) {
    const std::vector<Series> series = parse_series(svg);
    EXPECT_EQ(series.size(), 3u) << "upheld, overturned and the rate";
    if (series.size() != 3u || counts.empty()) return 0;
    std::set<std::string> names;
    for (const auto& s : series) names.insert(s.name);
    EXPECT_EQ(names, (std::set<std::string>{"upheld", "overturned", "overturn rate (right axis)"}));
    const long first = counts.begin()->first, last = counts.rbegin()->first;
    auto n = [&](long tick, const std::string& decision) {
        const auto at = counts.find(tick);
        if (at == counts.end()) return 0.0;
        const auto d = at->second.find(decision);
        return d == at->second.end() ? 0.0 : d->second;
    };
    std::vector<double> count_values, count_y, ticks, xs, rates, rate_y;
    for (const auto& s : series) {
        std::size_t i = 0;
        if (s.name == "overturn rate (right axis)") {
            // Points only where there are items (a gap elsewhere).
            EXPECT_EQ(s.points.size(), counts.size()) << s.name;
            for (const auto& [tick, by] : counts) {
                if (i >= s.points.size()) break;
                const double up = n(tick, "upheld"), over = n(tick, "overturned");
                rates.push_back(100 * over / (up + over));
                rate_y.push_back(s.points[i++].second);
            }
            continue;
        }
        EXPECT_EQ(s.points.size(), static_cast<std::size_t>(last - first + 1))
            << s.name << ": one point per bucket from the first to the last";
        for (long tick = first; tick <= last && i < s.points.size(); ++tick) {
            const auto [x, y] = s.points[i++];
            ticks.push_back(static_cast<double>(tick));
            xs.push_back(x);
            count_values.push_back(n(tick, s.name));
            count_y.push_back(y);
        }
    }
    expect_affine(ticks, xs, "x: buckets");
    expect_affine(count_values, count_y, "y: item counts");
    expect_affine(rates, rate_y, "y2: overturn rates");
    return static_cast<std::size_t>(last - first + 1) - counts.size();
}

TEST_F(Plot, SvgShowsTitleAxesSeriesAndEveryCountAndRate) {
    const fs::path svg = out("trend.svg");
    const RunResult r =
        search("--pivot decided:year,decision --plot " + q(svg) + " " + shell_quote(kQuery));
    ASSERT_EQ(r.code, 0) << r.err;
    // The table still goes to stdout.
    EXPECT_NE(r.out.find("items by decided:year and decision"), std::string::npos) << r.out;

    std::size_t items = 0, undated = 0;
    const auto counts = decision_trend(*truth_, "year", pharmaceutical, items, undated);
    ASSERT_GE(counts.size(), 3u) << "the corpus should span several years";

    const std::string text = imrdex::testing::read_file(svg);
    ASSERT_NE(text.find("<svg"), std::string::npos);
    // The query as typed (SVG escapes only &, < and >), the axis labels.
    EXPECT_NE(text.find("<text>items by decided:year and decision, " + std::to_string(items) +
                        " items</text>"),
              std::string::npos);
    EXPECT_NE(text.find("<text>for: " + kQuery + "</text>"), std::string::npos);
    ASSERT_GT(undated, 0u) << "the corpus should have letters without a decision date";
    EXPECT_NE(text.find("<text>" + std::to_string(undated) +
                        " items without a full decision date not drawn</text>"),
              std::string::npos);
    EXPECT_NE(text.find("<text>decision date (year)</text>"), std::string::npos);
    EXPECT_NE(text.find("<text>items</text>"), std::string::npos);
    EXPECT_NE(text.find("<text>overturn rate (%), 95% CI</text>"), std::string::npos);
    check_decision_plot(text, counts);
}

TEST_F(Plot, MonthsWithoutItemsAreZeroNotSkipped) {
    const fs::path svg = out("months.svg");
    const RunResult r = search("--pivot decided:month,decision --plot " + q(svg) + " class:opioid");
    ASSERT_EQ(r.code, 0) << r.err;
    std::size_t items = 0, undated = 0;
    const auto counts = decision_trend(
        *truth_, "month", [](const imrdex::Item& it) { return it.drug_class == "opioid"; }, items,
        undated);
    const std::string text = imrdex::testing::read_file(svg);
    EXPECT_NE(text.find("<text>decision date (month)</text>"), std::string::npos);
    EXPECT_GT(check_decision_plot(text, counts), 0u) << "no month without items: nothing tested";
}

TEST_F(Plot, TopValuesAndOtherAddUpToEachYear) {
    const fs::path svg = out("classes.svg");
    const RunResult r =
        search("--csv --pivot decided:year,class --plot " + q(svg) + " category:pharmaceutical");
    ASSERT_EQ(r.code, 0) << r.err;
    EXPECT_EQ(r.out.rfind("decided:year,class,count", 0), 0u) << "the CSV table on stdout";

    std::map<std::string, double> class_total;
    std::map<int, double> year_total;
    for (const auto& l : *truth_)
        for (const auto& it : l.items)
            if (pharmaceutical(it)) {
                if (l.decision_date.empty()) continue;  // not drawn
                class_total[it.drug_class.empty() ? "(none)" : it.drug_class] += 1;
                year_total[std::stoi(l.decision_date.substr(0, 4))] += 1;
            }
    ASSERT_GT(class_total.size(), 7u) << "enough classes for an `other` line";
    std::vector<double> sizes;
    for (const auto& [c, n] : class_total) sizes.push_back(n);
    std::sort(sizes.rbegin(), sizes.rend());

    const std::vector<Series> series = parse_series(imrdex::testing::read_file(svg));
    ASSERT_EQ(series.size(), 7u) << "the 6 classes with most items and `other`";
    EXPECT_EQ(series.back().name, "other");
    for (std::size_t k = 0; k + 1 < series.size(); ++k) {
        ASSERT_EQ(class_total.count(series[k].name), 1u) << series[k].name;
        EXPECT_GE(class_total[series[k].name], sizes[5]) << series[k].name << " is not a top 6";
    }
    // Summed over the lines, each year's heights are its items: y is affine in that sum too.
    const auto& first = series.front().points;
    ASSERT_EQ(first.size(), year_total.size());
    std::vector<double> y_sum(first.size(), 0), totals;
    for (const auto& s : series) {
        ASSERT_EQ(s.points.size(), first.size()) << s.name;
        for (std::size_t i = 0; i < s.points.size(); ++i) y_sum[i] += s.points[i].second;
    }
    for (const auto& [year, n] : year_total) totals.push_back(n);
    // Sum of (a - b * count) over 7 lines = 7a - b * total.
    expect_affine(totals, y_sum, "summed heights", 3.0);
}

TEST_F(Plot, PngIsAnImageOfTheRequestedSize) {
    const fs::path png = out("trend.PNG");
    const RunResult r = search("--pivot decided:quarter,decision --plot " + q(png) + " '*'");
    ASSERT_EQ(r.code, 0) << r.err;
    const std::string bytes = imrdex::testing::read_file(png);
    ASSERT_GT(bytes.size(), 5000u);
    EXPECT_EQ(bytes.substr(0, 8), std::string("\x89PNG\r\n\x1a\n", 8));
    EXPECT_EQ(bytes.substr(12, 4), "IHDR");
    auto be32 = [&](std::size_t at) {
        std::uint32_t v = 0;
        for (std::size_t k = 0; k < 4; ++k) v = v << 8 | static_cast<unsigned char>(bytes[at + k]);
        return v;
    };
    EXPECT_EQ(be32(16), 1000u);
    EXPECT_EQ(be32(20), 600u);
}

TEST_F(Plot, BadRequestsAreUsageErrorsAndAMissingGnuplotIsFatal) {
    const fs::path pdf = out("trend.pdf");
    RunResult r = search("--pivot decided:year,decision --plot " + q(pdf) + " '*'");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find(".png or .svg"), std::string::npos) << r.err;
    EXPECT_TRUE(r.out.empty()) << "checked before searching";

    r = search("--pivot class,decision --plot " + q(out("x.svg")) + " '*'");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("date bucket"), std::string::npos) << r.err;
    r = search("--pivot age:5,decision --plot " + q(out("x.svg")) + " '*'");
    EXPECT_EQ(r.code, 2) << "age bands are not dates";
    r = search("--plot " + q(out("x.svg")) + " '*'");
    EXPECT_EQ(r.code, 2) << "--plot needs --pivot";
    r = search("--pivot decided:year --min-count 5 --plot " + q(out("x.svg")) + " '*'");
    EXPECT_EQ(r.code, 2) << "a trend draws every bucket";
    EXPECT_FALSE(fs::exists(out("x.svg")));

    // No gnuplot on PATH: the table is printed, then the plot fails with exit 3 and says why.
    const fs::path svg = out("missing.svg");
    r = search("--pivot decided:year,decision --plot " + q(svg) + " '*'", "PATH=/nonexistent");
    EXPECT_EQ(r.code, 3) << r.err;
    EXPECT_NE(r.err.find("gnuplot"), std::string::npos) << r.err;
    EXPECT_NE(r.out.find("items by decided:year and decision"), std::string::npos);
    EXPECT_FALSE(fs::exists(svg));

    // The temporary directories are gone.
    for (const auto& e : fs::directory_iterator(fs::temp_directory_path()))
        EXPECT_EQ(e.path().filename().string().rfind("imrdex-gnuplot-", 0), std::string::npos)
            << e.path() << " left behind (another imr-search may be running)";
}

}  // namespace
