// Unit tests of the JSON writer and the extraction record serialisation.
#include <gtest/gtest.h>
#include <simdjson.h>

#include "imrdex/core/json.hpp"
#include "imrdex/core/letter.hpp"

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

}  // namespace
