// Unit tests of the JSON writer and the extraction record serialisation.
#include <gtest/gtest.h>
#include <simdjson.h>

#include <string>
#include <string_view>

#include "imrdex/core/json.hpp"
#include "imrdex/core/letter.hpp"
#include "letter_print.hpp"

namespace {

TEST(Json, EscapesControlQuotesAndInvalidUtf8) {
    std::string out;
    imrdex::append_json_string(out, std::string_view("a\"b\\c\n\x01\xff\xc3\xa9", 10));
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\xEF\xBF\xBD\xC3\xA9\"");
}

TEST(Json, RejectsOverlongAndTruncatedSequences) {
    std::string out;
    imrdex::append_json_string(out, std::string_view("\xc0\xaf|\xe2\x82", 5));
    EXPECT_EQ(out, "\"\xEF\xBF\xBD\xEF\xBF\xBD|\xEF\xBF\xBD\xEF\xBF\xBD\"");
}

TEST(Json, WriterNestsWithCommas) {
    std::string out;
    imrdex::JsonWriter w(out);
    w.begin_object().field("a", 1).key("b").begin_array().value("x").value(true).null().end_array();
    w.field("c", std::vector<std::string>{"p", "q"}).end_object();
    EXPECT_EQ(out, R"({"a":1,"b":["x",true,null],"c":["p","q"]})");
}

TEST(Json, LetterRoundTripsThroughSimdjson) {
    imrdex::Letter letter;
    letter.id = "CM16-0000001";
    letter.source = "x.txt";
    letter.age = 48;
    letter.sex = "male";
    letter.states = {"CA", "NC"};
    imrdex::Item item;
    item.request = "Norco 10/325mg #60";
    item.decision = imrdex::Decision::upheld;
    item.maximus_guideline.sources = {"MTUS"};
    letter.items.push_back(item);
    const std::string json = imrdex::to_json(letter);
    simdjson::dom::parser parser;
    simdjson::dom::element doc = parser.parse(json);
    EXPECT_EQ(std::string_view(doc["id"]), "CM16-0000001");
    EXPECT_EQ(int64_t(doc["age"]), 48);
    EXPECT_EQ(std::string_view(doc["items"].at(0)["decision"]), "upheld");
    EXPECT_EQ(std::string_view(doc["items"].at(0)["maximus_guideline"]["sources"].at(0)), "MTUS");
    EXPECT_EQ(std::string_view(doc["states"].at(1)), "NC");
}

// The names are the contract (index terms, queries, the extraction record, scripts reading
// warnings): each value prints as exactly its name and reads back from it, and nothing else reads.
TEST(Json, CategoryNamesPrintAndReadBack) {
    std::string names;
    for (const imrdex::Category c : imrdex::kCategories) {
        names += (names.empty() ? "" : ", ") + std::string(imrdex::to_string(c));
        EXPECT_EQ(imrdex::parse_category(imrdex::to_string(c)), c);
    }
    EXPECT_EQ(names,
              "pharmaceutical, physical therapy, chiropractic, acupuncture, imaging, injection, "
              "surgery, dme, office visit, psychological services, laboratory, other");
    for (const std::string_view other :
         {"", "Imaging", "physical_therapy", "office  visit", " dme", "other ", "unknown"}) {
        EXPECT_FALSE(imrdex::parse_category(other)) << other;
    }
    EXPECT_EQ(imrdex::Item{}.category, imrdex::Category::other) << "an unclassified item";
}

TEST(Json, WarningCodesPrintAndReadBack) {
    std::string names;
    for (const imrdex::WarningCode c : imrdex::kWarningCodes) {
        names += (names.empty() ? "" : " ") + std::string(imrdex::to_string(c));
        EXPECT_EQ(imrdex::parse_warning_code(imrdex::to_string(c)), c);
    }
    EXPECT_EQ(names,
              "empty invalid_utf8 nul_bytes cover_block_mismatch impossible_date no_cover_block "
              "unknown_state unknown_specialty no_credentials no_states no_specialties no_summary "
              "no_age no_sex no_injury_date no_issues_section decision_unrecognised "
              "partial_authorization_unparsed empty_request truncated_item no_final_period "
              "no_items pdf_bad_page pdf_empty_page latin1");
    for (const std::string_view other : {"", "No_age", "no age", "truncated", "unknown"}) {
        EXPECT_FALSE(imrdex::parse_warning_code(other)) << other;
    }
}

TEST(Json, RecordWritesCategoryAndWarningCodesByName) {
    imrdex::Letter letter;
    for (const imrdex::Category c : imrdex::kCategories) {
        imrdex::Item item;
        item.category = c;
        letter.items.push_back(item);
    }
    letter.warnings = {{imrdex::WarningCode::truncated_item, "item 3 has no decision rationale"},
                       {imrdex::WarningCode::latin1, ""}};
    const std::string json = imrdex::to_json(letter);
    simdjson::dom::parser parser;
    const simdjson::dom::element doc = parser.parse(json);
    const simdjson::dom::array items = doc["items"].get_array();
    ASSERT_EQ(items.size(), imrdex::kCategories.size());
    for (std::size_t i = 0; i < items.size(); ++i) {
        const std::string_view name = items.at(i)["category"].get_string();
        EXPECT_EQ(imrdex::parse_category(name), imrdex::kCategories[i]) << name;
    }
    const simdjson::dom::array warnings = doc["warnings"].get_array();
    ASSERT_EQ(warnings.size(), 2u);
    EXPECT_EQ(std::string_view(warnings.at(0)["code"]), "truncated_item");
    EXPECT_EQ(std::string_view(warnings.at(0)["detail"]), "item 3 has no decision rationale");
    EXPECT_EQ(std::string_view(warnings.at(1)["code"]), "latin1");
    EXPECT_EQ(std::string_view(doc["items"].at(9)["category"]), "psychological services");
}

}  // namespace
