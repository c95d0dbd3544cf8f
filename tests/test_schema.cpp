// Tests of the schema tables and what follows from them: README's table, distinct names, prefixes
// and slots, one normaliser for the index and the query side, and the recorded schema version.
#include <gtest/gtest.h>
#include <xapian.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "imrdex/core/schema.hpp"
#include "imrdex/core/stub.hpp"
#include "imrdex/corpus/generator.hpp"
#include "imrdex/extract/facet_value.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/index/merge.hpp"
#include "imrdex/index/pipeline.hpp"
#include "imrdex/index/schema_version.hpp"
#include "imrdex/search/search.hpp"
#include "test_util.hpp"

namespace {

namespace schema = imrdex::schema;
using imrdex::testing::TempDir;

constexpr std::string_view kBegin =
    "<!-- schema-table:begin (generated: imrdex::schema::markdown_table) -->\n";
constexpr std::string_view kEnd = "<!-- schema-table:end -->\n";

TEST(Schema, ReadmeTableIsTheGeneratedOne) {
    const std::string readme =
        imrdex::testing::read_file(std::string(IMRDEX_SAMPLES_DIR) + "/../../README.md");
    const std::size_t begin = readme.find(kBegin);
    ASSERT_NE(begin, std::string::npos) << "README.md lacks the marker " << kBegin;
    const std::size_t from = begin + kBegin.size();
    const std::size_t end = readme.find(kEnd, from);
    ASSERT_NE(end, std::string::npos) << "README.md lacks the marker " << kEnd;
    EXPECT_EQ(readme.substr(from, end - from), "\n" + schema::markdown_table() + "\n")
        << "README.md's schema table differs from the code; put this between the markers:\n\n"
        << schema::markdown_table();
}

TEST(Schema, TableNamesFacetsRangesAndTextFields) {
    const std::string table = schema::markdown_table();
    for (const auto& f : schema::kFacets)
        EXPECT_NE(table.find("| `" + std::string(f.name) + ":` | filter, facet"), std::string::npos)
            << f.name;
    for (const auto& f : schema::kRangeFields)
        EXPECT_NE(
            table.find("| `" + std::string(f.name) + ":` | range | | " + std::to_string(f.slot)),
            std::string::npos)
            << f.name;
    EXPECT_NE(table.find("| `specialty:` | filter, facet; several per item | `XP` | 5 (sorted"),
              std::string::npos)
        << table;
    EXPECT_NE(table.find("Schema version " + std::to_string(schema::kVersion)), std::string::npos);
    EXPECT_EQ(schema::facet_names().find("decision,category,drug,"), 0u);
}

TEST(Schema, EachRowHasTheExtractorItsKindNeeds) {
    EXPECT_TRUE(imrdex::schema::facets_well_formed());
    EXPECT_TRUE(imrdex::schema::ranges_well_formed());
}

TEST(Schema, NamesPrefixesAndSlotsAreDistinct) {
    std::set<std::string_view> names;
    std::vector<std::string_view> prefixes{schema::kUnique, schema::kFirstItem};
    std::set<unsigned> slots{schema::kSlotItemNumber, schema::kSlotRetiredFacets};
    for (const auto& f : schema::kTextFields) {
        EXPECT_TRUE(names.insert(f.name).second) << f.name;
        prefixes.push_back(f.prefix);
        prefixes.push_back(f.pair_prefix);
        EXPECT_EQ(schema::pair_prefix(f.prefix), f.pair_prefix);
    }
    for (const auto& f : schema::kFacets) {
        EXPECT_TRUE(names.insert(f.name).second) << f.name;
        prefixes.push_back(f.prefix);
        EXPECT_TRUE(slots.insert(f.slot).second) << f.name << " slot " << f.slot;
        EXPECT_EQ(schema::find_facet(f.name), &f);
    }
    for (const auto& f : schema::kRangeFields) {
        EXPECT_TRUE(names.insert(f.name).second) << f.name;
        EXPECT_TRUE(slots.insert(f.slot).second) << f.name << " slot " << f.slot;
    }
    // A prefix that began another would make that one's terms ambiguous.
    for (std::size_t i = 0; i < prefixes.size(); ++i)
        for (std::size_t j = 0; j < prefixes.size(); ++j)
            if (i != j) {
                EXPECT_NE(prefixes[j].rfind(prefixes[i], 0), 0u)
                    << prefixes[i] << " " << prefixes[j];
            }
    EXPECT_EQ(schema::find_facet("colour"), nullptr);
}

TEST(Schema, NormaliserForms) {
    using schema::Norm;
    EXPECT_EQ(schema::normalise(Norm::text, "  Internal \t Medicine\n"), "internal medicine");
    EXPECT_EQ(schema::normalise(Norm::text, "MTUS"), "mtus");
    EXPECT_EQ(schema::normalise(Norm::text, "caf\xC3\xA9"), "caf\xC3\xA9");  // bytes >= 0x80 kept
    EXPECT_EQ(schema::normalise(Norm::state, "California"), "ca");
    EXPECT_EQ(schema::normalise(Norm::state, " north  CAROLINA "), "nc");
    EXPECT_EQ(schema::normalise(Norm::state, "NY"), "ny");
    EXPECT_EQ(schema::normalise(Norm::state, "Atlantis"), "atlantis");
    EXPECT_EQ(schema::normalise(Norm::exact, "CM16-0001234"), "CM16-0001234");
    EXPECT_EQ(schema::normalise(Norm::exact, "letter_a"), "letter_a");
    EXPECT_EQ(schema::normalise(Norm::text, " \t "), "");
}

TEST(Schema, LetterYear) {
    imrdex::Letter l;
    l.id = "CM13-0123456";
    EXPECT_EQ(schema::letter_year(l), "2013");
    l.decision_date = "2016-12-09";
    EXPECT_EQ(schema::letter_year(l), "2016");
    l.decision_date = "2014-03";
    EXPECT_EQ(schema::letter_year(l), "2014");
    l.decision_date = "12/09/2016";  // not ISO: the case number's
    EXPECT_EQ(schema::letter_year(l), "2013");
    l.id = "cm09-1";
    EXPECT_EQ(schema::letter_year(l), "2009");
    for (const char* id : {"", "CM1-0001", "CM13", "XY13-0001", "letter_a"}) {
        l.id = id;
        EXPECT_EQ(schema::letter_year(l), "") << id;
    }
}

// The same odd spellings go through the index path (a letter's fields, DocumentBuilder) and the
// query path (`facet:"spelling"`, QueryBuilder): the filter must find the document, and another
// value must not.
TEST(Schema, IndexAndQueryNormaliseFacetValuesAlike) {
    imrdex::Letter l;
    l.id = "cm16-0000042";  // a fallback id typed in lower case
    l.decision_date = "2016-05-01";
    l.states = {"California", " ny "};
    l.specialties = {"  Pain   MANAGEMENT ", "Internal Medicine"};
    l.sex = "Female";
    l.priority = "Expedited";
    imrdex::Item it;
    it.request = "Norco";
    it.decision = imrdex::Decision::overturned;
    it.category = imrdex::Category::physical_therapy;
    it.drug = "Acetaminophen/Hydrocodone";
    it.drug_class = "Muscle Relaxant";
    it.maximus_guideline.sources = {"ODG", "MTUS"};
    it.rationale = "Some text.";
    l.items = {it};
    // What a user may type for each facet: the letter's own spelling and others.
    const std::map<std::string, std::vector<std::string>> typed{
        {"decision", {"overturned", "OVERTURNED"}},
        {"category", {"Physical  Therapy", "physical therapy"}},
        {"drug", {"Acetaminophen/Hydrocodone", "hydrocodone", "ACETAMINOPHEN"}},
        {"class", {"Muscle Relaxant", "muscle  relaxant"}},
        {"specialty", {"  Pain   MANAGEMENT ", "pain management", "internal medicine"}},
        {"state", {"California", "CA", "ca", "ny", "New York"}},
        {"sex", {"Female", "female"}},
        {"guideline", {"ODG", "mtus"}},
        {"caguideline", {"none", "NONE"}},
        {"priority", {"Expedited", "expedited"}},
        {"id", {"cm16-0000042"}},
        {"year", {"2016"}},
    };
    Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    imrdex::DocumentBuilder builder;
    for (auto& d : builder.build(l)) db.replace_document(d.unique_term, d.document);
    const imrdex::QueryBuilder queries;
    auto matches = [&](const std::string& q) {
        Xapian::Enquire enquire(db);
        enquire.set_query(queries.parse(q));
        return enquire.get_mset(0, 10).size();
    };
    for (const auto& f : schema::kFacets) {
        const auto spellings = typed.find(std::string(f.name));
        ASSERT_NE(spellings, typed.end()) << "no spellings for facet " << f.name;
        for (const std::string& s : spellings->second) {
            const std::string q = std::string(f.name) + ":\"" + s + "\"";
            EXPECT_EQ(matches(q), 1u) << q;
        }
        EXPECT_EQ(matches(std::string(f.name) + ":zzz"), 0u) << f.name;
    }
}

TEST(SchemaVersion, RecordedOnAShardWithoutDocumentsOnly) {
    Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    const std::string key(schema::kVersionKey);
    schema::record_version(db);
    EXPECT_EQ(db.get_metadata(key), std::to_string(schema::kVersion));
    // Documents of an older indexer keep their label when this one adds to the shard.
    db.set_metadata(key, "0");
    db.add_document(Xapian::Document());
    schema::record_version(db);
    EXPECT_EQ(db.get_metadata(key), "0");
}

// imr-index records the version on every shard it creates; --merge keeps it when every source
// has it and drops it when the sources disagree (their documents would mix layouts).
TEST(SchemaVersion, IndexingRecordsItOnEveryShardAndMergingKeepsOrDropsIt) {
    TempDir dir("schema-version");
    imrdex::CorpusOptions corpus;
    corpus.letters = 40;
    corpus.seed = 3;
    corpus.out = dir.path() / "corpus";
    corpus.threads = 2;
    imrdex::write_corpus(corpus);
    const std::string input = (corpus.out / "letters.jsonl").string();
    const std::string key(schema::kVersionKey);
    std::vector<std::string> parts;
    for (unsigned k = 0; k < 2; ++k) {
        imrdex::IndexOptions opts;
        opts.db = (dir.path() / ("part" + std::to_string(k))).string();
        opts.threads = 2;
        opts.shards = 3;
        opts.sync = false;
        opts.of_shards = 2;
        opts.only_shard = k;
        const imrdex::IndexStats stats = imrdex::run_index({input}, opts);
        ASSERT_GT(stats.letters, 0u);
        const auto shards = imrdex::read_stub(opts.db);
        ASSERT_EQ(shards.size(), 3u);
        for (const auto& s : shards) {
            EXPECT_EQ(Xapian::Database(opts.db + "/" + s.location).get_metadata(key),
                      schema::version_text())
                << s.location;
        }
        parts.push_back(opts.db);
    }
    const std::string merged = (dir.path() / "merged").string();
    imrdex::MergeOptions mopts;
    mopts.sync = false;
    mopts.force = true;
    (void)imrdex::merge_databases(merged, parts, mopts);
    EXPECT_EQ(Xapian::Database(merged).get_metadata(key), schema::version_text());

    for (const auto& s : imrdex::read_stub(parts[1])) {
        Xapian::WritableDatabase shard(parts[1] + "/" + s.location);
        shard.set_metadata(key, "");
        shard.commit();
    }
    (void)imrdex::merge_databases(merged, parts, mopts);
    EXPECT_EQ(Xapian::Database(merged).get_metadata(key), "");
}

}  // namespace
