// Full exports and --show against `imr-index --extract`: the real programs (imr-corpus,
// imr-index, imr-search) on a generated corpus indexed into two shards.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <map>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "csv_reader.hpp"
#include "test_util.hpp"

namespace {

using imrdex::testing::parse_csv;
using imrdex::testing::q;
using imrdex::testing::read_file;
using imrdex::testing::RunResult;
using imrdex::testing::TempDir;

constexpr int kLetters = 400;

std::vector<std::string> lines_of(const std::string& text) {
    std::vector<std::string> out;
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
        if (!line.empty()) out.push_back(line);
    return out;
}

// Two JSON values equal in every key and element, `skip` keys of the top object left out;
// `where` says where they differ.
bool same(simdjson::dom::element a, simdjson::dom::element b, const std::string& where,
          std::string& diff, const std::set<std::string>& skip = {}) {
    using simdjson::dom::element_type;
    if (a.type() != b.type()) {
        diff = where + ": types differ";
        return false;
    }
    switch (a.type()) {
        case element_type::OBJECT: {
            std::map<std::string, simdjson::dom::element> ka, kb;
            const simdjson::dom::object oa = a, ob = b;
            for (auto [k, v] : oa)
                if (skip.count(std::string(k)) == 0) ka.emplace(k, v);
            for (auto [k, v] : ob)
                if (skip.count(std::string(k)) == 0) kb.emplace(k, v);
            for (const auto& [k, v] : ka) {
                if (kb.count(k) == 0) {
                    diff = where + "." + k + ": missing on one side";
                    return false;
                }
                if (!same(v, kb.at(k), where + "." + k, diff)) return false;
            }
            if (ka.size() != kb.size()) {
                diff = where + ": extra keys";
                return false;
            }
            return true;
        }
        case element_type::ARRAY: {
            const simdjson::dom::array x = a, y = b;
            if (x.size() != y.size()) {
                diff = where + ": lengths differ";
                return false;
            }
            for (std::size_t i = 0; i < x.size(); ++i)
                if (!same(x.at(i).value_unsafe(), y.at(i).value_unsafe(),
                          where + "[" + std::to_string(i) + "]", diff))
                    return false;
            return true;
        }
        default: {
            const std::string sa = simdjson::minify(a), sb = simdjson::minify(b);
            if (sa != sb) diff = where + ": " + sa + " != " + sb;
            return sa == sb;
        }
    }
}

// Whether an exported value holds something: not "", [], null or an empty guideline.
bool filled(simdjson::dom::element e) {
    const std::string s = simdjson::minify(e);
    return s != "\"\"" && s != "[]" && s != "null" && s != R"({"text":"","sources":[]})";
}

class Export : public ::testing::Test {
protected:
    static void SetUpTestSuite() {
        dir_ = new TempDir("export");
        const auto& d = dir_->path();
        const auto err = d / "stderr";
        const std::string letters = q(d / "corpus" / "letters.jsonl");
        RunResult r =
            imrdex::testing::run_command(q(IMRDEX_CORPUS_BIN) + " -n " + std::to_string(kLetters) +
                                             " -s 4242 -f jsonl -o " + q(d / "corpus"),
                                         err);
        ASSERT_EQ(r.code, 0) << r.err;
        // Two local shards: an export reads them as one database.
        r = imrdex::testing::run_command(q(IMRDEX_INDEX_BIN) + " --quiet --threads 2 --shards 2 " +
                                             "--no-sync --db " + q(d / "db") + " " + letters,
                                         err);
        ASSERT_EQ(r.code, 0) << r.err;
        r = imrdex::testing::run_command(q(IMRDEX_INDEX_BIN) + " --extract " + letters, err);
        ASSERT_EQ(r.code, 0) << r.err;
        extract_ = new std::map<std::string, std::string>;
        simdjson::dom::parser parser;
        for (const std::string& line : lines_of(r.out)) {
            simdjson::dom::element e;
            ASSERT_FALSE(parser.parse(line).get(e)) << line.substr(0, 200);
            if (simdjson::dom::array(e["items"]).size() == 0) continue;  // not indexed
            extract_->emplace(std::string(std::string_view(e["id"])), line);
        }
        ASSERT_GT(extract_->size(), kLetters / 2u);
    }
    static void TearDownTestSuite() {
        delete extract_;
        delete dir_;
    }

    static RunResult search(const std::string& args) {
        return imrdex::testing::run_command(
            q(IMRDEX_SEARCH_BIN) + " --db " + q(dir_->path() / "db") + " " + args,
            dir_->path() / "search-stderr");
    }

    static inline TempDir* dir_ = nullptr;
    static inline std::map<std::string, std::string>* extract_ = nullptr;  // id -> record line
};

// Every item of every indexed letter comes out once, each field equal to the extract record's.
TEST_F(Export, JsonlRowsEqualTheExtractRecords) {
    const RunResult r = search("--limit all --jsonl '*'");
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser rows, records;
    std::set<std::pair<std::string, std::int64_t>> seen;
    std::size_t items = 0;
    for (const auto& [id, line] : *extract_)
        items += simdjson::dom::array(records.parse(line)["items"]).size();
    std::map<std::string, int> present;  // field -> rows where it is not empty
    const std::vector<std::string> letter_keys = {
        "source",        "date_assigned", "decision_date", "injury_date", "ur_denial_date",
        "received_date", "priority",      "age",           "sex",         "states",
        "specialties"};
    const std::vector<std::string> item_keys = {
        "request",  "decision",     "category",          "drug",     "drug_class", "strength",
        "quantity", "ca_guideline", "maximus_guideline", "rationale"};
    for (const std::string& line : lines_of(r.out)) {
        simdjson::dom::element row;
        ASSERT_FALSE(rows.parse(line).get(row)) << line.substr(0, 200);
        const std::string id{std::string_view(row["id"])};
        const std::int64_t n = row["item"];
        ASSERT_TRUE(seen.emplace(id, n).second) << id << " #" << n << " exported twice";
        ASSERT_EQ(extract_->count(id), 1u) << id;
        simdjson::dom::element record = records.parse(extract_->at(id));
        const simdjson::dom::array list = record["items"];
        ASSERT_GE(n, 1);
        ASSERT_LE(static_cast<std::size_t>(n), list.size()) << id;
        simdjson::dom::element item = list.at(static_cast<std::size_t>(n - 1)).value_unsafe();
        std::string diff;
        for (const std::string& k : letter_keys) {
            EXPECT_TRUE(same(row[k].value_unsafe(), record[k].value_unsafe(), id + " " + k, diff))
                << diff;
            if (filled(row[k].value_unsafe())) ++present[k];
        }
        for (const std::string& k : item_keys) {
            EXPECT_TRUE(same(row[k].value_unsafe(), item[k].value_unsafe(),
                             id + " #" + std::to_string(n) + " " + k, diff))
                << diff;
            if (filled(row[k].value_unsafe())) ++present[k];
        }
        // The extract record leaves out an empty original request; the export writes "".
        std::string_view original;
        if (item["original_request"].get_string().get(original) != simdjson::SUCCESS) original = {};
        EXPECT_EQ(std::string_view(row["original_request"]), original) << id << " #" << n;
        if (!original.empty()) ++present["original_request"];
        EXPECT_TRUE(row["summary"].error()) << "summary is not exported by default";
    }
    EXPECT_EQ(seen.size(), items);
    // The corpus exercises every field, so equality above is not equality of empties.
    for (const std::string& k : letter_keys) EXPECT_GT(present[k], 0) << k;
    for (const std::string& k : item_keys) EXPECT_GT(present[k], 0) << k;
    EXPECT_GT(present["original_request"], 0);
}

// `summary` on request: every item carries its letter's summary, later items included.
TEST_F(Export, SummaryFieldComesFromTheLettersFirstItem) {
    const RunResult r = search("--limit all --jsonl --fields id,item,summary '*'");
    ASSERT_EQ(r.code, 0) << r.err;
    simdjson::dom::parser rows, records;
    int later = 0;
    for (const std::string& line : lines_of(r.out)) {
        simdjson::dom::element row = rows.parse(line);
        const std::string id{std::string_view(row["id"])};
        EXPECT_EQ(simdjson::dom::object(row).size(), 3u) << line;
        simdjson::dom::element record = records.parse(extract_->at(id));
        EXPECT_EQ(std::string_view(row["summary"]), std::string_view(record["summary"])) << id;
        if (int64_t(row["item"]) > 1) ++later;
    }
    EXPECT_GT(later, 0);
}

// A filtered export has exactly the items --count counts, summary conditions lifted included.
TEST_F(Export, FilteredExportHasTheCountedItems) {
    for (const std::string query : {"class:opioid", "decision:overturned category:imaging",
                                    "summary:fall", "NOT decision:upheld"}) {
        const RunResult count = search("--count " + q(query));
        ASSERT_EQ(count.code, 0) << count.err;
        const RunResult r = search("--limit all --jsonl " + q(query));
        ASSERT_EQ(r.code, 0) << r.err;
        const auto rows = lines_of(r.out);
        EXPECT_EQ(std::to_string(rows.size()) + "\n", count.out) << query;
        EXPECT_GT(rows.size(), 0u) << query;
        if (query == "class:opioid") {
            simdjson::dom::parser p;
            for (const auto& line : rows)
                EXPECT_EQ(std::string_view(p.parse(line)["drug_class"]), "opioid");
        }
    }
    // --offset skips rows of the same order.
    const auto all = lines_of(search("--limit all --jsonl --fields id,item '*'").out);
    const auto rest = lines_of(search("--limit all --jsonl --fields id,item --offset 7 '*'").out);
    ASSERT_EQ(rest.size() + 7, all.size());
    EXPECT_TRUE(std::equal(rest.begin(), rest.end(), all.begin() + 7));
}

// CSV: a header, one RFC 4180 row per item, guidelines as text + sources, lists '|'-joined,
// the same values as JSON Lines.
TEST_F(Export, CsvHasTheSameRowsAsJsonl) {
    const RunResult csv = search("--limit all --csv 'category:pharmaceutical'");
    ASSERT_EQ(csv.code, 0) << csv.err;
    const RunResult jsonl = search("--limit all --jsonl 'category:pharmaceutical'");
    const auto table = parse_csv(csv.out);
    const auto lines = lines_of(jsonl.out);
    ASSERT_EQ(table.size(), lines.size() + 1);
    const std::vector<std::string> header = {"id",
                                             "item",
                                             "source",
                                             "request",
                                             "original_request",
                                             "decision",
                                             "category",
                                             "drug",
                                             "drug_class",
                                             "strength",
                                             "quantity",
                                             "ca_guideline",
                                             "ca_guideline_sources",
                                             "maximus_guideline",
                                             "maximus_guideline_sources",
                                             "date_assigned",
                                             "decision_date",
                                             "injury_date",
                                             "ur_denial_date",
                                             "received_date",
                                             "priority",
                                             "age",
                                             "sex",
                                             "states",
                                             "specialties",
                                             "rationale"};
    ASSERT_EQ(table[0], header);
    simdjson::dom::parser p;
    auto joined = [](simdjson::dom::array a) {
        std::string out;
        for (auto v : a) out += (out.empty() ? "" : "|") + std::string(std::string_view(v));
        return out;
    };
    for (std::size_t i = 1; i < table.size(); ++i) {
        const auto& row = table[i];
        ASSERT_EQ(row.size(), header.size()) << i;
        simdjson::dom::element e = p.parse(lines[i - 1]);
        for (std::size_t c = 0; c < header.size(); ++c) {
            const std::string& k = header[c];
            std::string want;
            if (k == "item") {
                want = std::to_string(int64_t(e["item"]));
            } else if (k == "age") {
                want = e["age"].is_null() ? "" : std::to_string(int64_t(e["age"]));
            } else if (k == "states" || k == "specialties") {
                want = joined(e[k]);
            } else if (k.ends_with("_sources")) {
                want = joined(e[k.substr(0, k.size() - 8)]["sources"]);
            } else if (k.ends_with("guideline")) {
                want = std::string(std::string_view(e[k]["text"]));
            } else {
                want = std::string(std::string_view(e[k]));
            }
            EXPECT_EQ(row[c], want) << "row " << i << " column " << k;
        }
    }
}

// --fields picks and orders the columns, in CSV and JSON Lines.
TEST_F(Export, FieldsChooseTheColumns) {
    const RunResult csv =
        search("--limit all --csv --fields decision,id,ca_guideline 'category:pharmaceutical'");
    ASSERT_EQ(csv.code, 0) << csv.err;
    const auto table = parse_csv(csv.out);
    ASSERT_GT(table.size(), 1u);
    EXPECT_EQ(table[0],
              (std::vector<std::string>{"decision", "id", "ca_guideline", "ca_guideline_sources"}));
    for (const auto& row : table) EXPECT_EQ(row.size(), 4u);
    const RunResult jsonl = search("--limit all --jsonl --fields 'age, id' '*'");
    ASSERT_EQ(jsonl.code, 0) << jsonl.err;
    simdjson::dom::parser p;
    for (const auto& line : lines_of(jsonl.out)) {
        std::vector<std::string_view> keys;
        for (auto [k, v] : simdjson::dom::object(p.parse(line))) keys.push_back(k);
        ASSERT_EQ(keys, (std::vector<std::string_view>{"age", "id"})) << line;
    }
}

// --show ID --json is the extract record (without warnings); text shows every item.
TEST_F(Export, ShowGivesTheWholeLetter) {
    simdjson::dom::parser shown, record;
    int checked = 0, several = 0;
    for (const auto& [id, line] : *extract_) {
        if (checked++ % 25 != 0) continue;  // 1 letter in 25: each run is a process start
        const RunResult r = search("--show " + q(id) + " --json");
        ASSERT_EQ(r.code, 0) << r.err;
        std::string diff;
        EXPECT_TRUE(same(shown.parse(r.out), record.parse(line), id, diff, {"warnings"})) << diff;
        const RunResult text = search("--show " + q(id));
        ASSERT_EQ(text.code, 0) << text.err;
        simdjson::dom::element e = record.parse(line);
        EXPECT_NE(text.out.find(std::string(std::string_view(e["summary"]))), std::string::npos);
        const simdjson::dom::array items = e["items"];
        for (std::size_t i = 0; i < items.size(); ++i) {
            EXPECT_NE(text.out.find("\nitem " + std::to_string(i + 1) + ": "), std::string::npos);
            EXPECT_NE(text.out.find(std::string(std::string_view(items.at(i)["request"]))),
                      std::string::npos);
        }
        if (items.size() > 1) ++several;
    }
    EXPECT_GT(several, 0);
}

TEST_F(Export, ErrorsExitTwoWithAMessage) {
    const std::string some_id = extract_->begin()->first;
    RunResult r = search("--show " + q(some_id + "9"));
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("no letter has the id '" + some_id + "9'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find(some_id, r.err.find("did you mean")), std::string::npos)
        << "nearest ids: " << r.err;
    EXPECT_EQ(r.out, "");

    r = search("--limit all --csv --fields id,drugclass '*'");
    EXPECT_EQ(r.code, 2);
    EXPECT_NE(r.err.find("unknown field 'drugclass'"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("drug_class"), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "");

    for (const std::string bad :
         {"--limit all '*'", "--jsonl '*'", "--fields id --csv '*'", "--show X '*'",
          "--limit all --csv --sort decided '*'", "--limit all --jsonl --by-letter '*'",
          "--show X --csv", "--limit all --jsonl --json '*'", ""}) {
        r = search(bad);
        EXPECT_EQ(r.code, 2) << bad << ": " << r.err;
        EXPECT_EQ(r.out, "") << bad;
    }
}

}  // namespace
