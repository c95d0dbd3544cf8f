// Unit tests of the document builder: terms, value slots, data and tokenizer agreement with
// Xapian's own TermGenerator (which is what the search side's QueryParser mirrors).
#include <gtest/gtest.h>
#include <simdjson.h>
#include <xapian.h>

#include <map>
#include <set>
#include <string>
#include <vector>

#include "imrdex/core/date.hpp"
#include "imrdex/core/doc_data.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/index/document.hpp"
#include "imrdex/core/schema.hpp"

namespace {

using imrdex::Category;
using imrdex::Decision;
using imrdex::Item;
using imrdex::Letter;
namespace schema = imrdex::schema;

Letter sample_letter() {
    Letter l;
    l.id = "CM16-0000123";
    l.source = "letters/a.txt";
    l.date_assigned = "2016-11-02";
    l.decision_date = "2016-12";
    l.injury_date = "2001";
    l.priority = "standard";
    l.states = {"NY", "CA"};
    l.specialties = {"Pain Management", "anesthesiology"};
    l.age = 47;
    l.sex = "female";
    l.summary = "The patient is a 47-year-old female who sustained a lifting injury.";
    Item a;
    a.request = "Norco 10/325mg #90";
    a.decision = Decision::upheld;
    a.category = Category::pharmaceutical;
    a.drug = "acetaminophen/hydrocodone";
    a.drug_class = "opioid";
    a.maximus_guideline.sources = {"MTUS", "ODG"};
    a.rationale = "Chronic opioid therapy requires documented functional improvement.";
    Item b;
    b.request = "Physical therapy x 6";
    b.original_request = "Physical therapy x 12";
    b.decision = Decision::overturned;
    b.category = Category::physical_therapy;
    b.ca_guideline.sources = {"ACOEM"};
    b.rationale = "Guidelines support a short course of therapy.";
    l.items = {a, b};
    return l;
}

std::set<std::string> terms_of(const Xapian::Document& doc) {
    std::set<std::string> out;
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) out.insert(*it);
    return out;
}

// term -> positions, for terms with the given prefix.
std::map<std::string, std::vector<Xapian::termpos>> postings(const Xapian::Document& doc,
                                                             const std::string& prefix) {
    std::map<std::string, std::vector<Xapian::termpos>> out;
    for (auto it = doc.termlist_begin(); it != doc.termlist_end(); ++it) {
        const std::string t = *it;
        if (t.compare(0, prefix.size(), prefix) != 0) continue;
        // Exclude longer prefixes sharing the first letters (none today, but be exact).
        if (t.size() > prefix.size() && t[prefix.size()] >= 'A' && t[prefix.size()] <= 'Z') continue;
        auto& v = out[t];
        for (auto p = it.positionlist_begin(); p != it.positionlist_end(); ++p) v.push_back(*p);
    }
    return out;
}

TEST(DateNumber, AllPrecisionsAndMalformed) {
    EXPECT_EQ(imrdex::date_number("2016-12-09"), 20161209.0);
    EXPECT_EQ(imrdex::date_number("2001-12"), 20011200.0);
    EXPECT_EQ(imrdex::date_number("2001"), 20010000.0);
    EXPECT_EQ(imrdex::date_number(""), 0.0);
    EXPECT_EQ(imrdex::date_number("2016-13-01"), 0.0);
    EXPECT_EQ(imrdex::date_number("2016-12-32"), 0.0);
    EXPECT_EQ(imrdex::date_number("16-12-09"), 0.0);
    EXPECT_EQ(imrdex::date_number("2016/12/09"), 0.0);
    EXPECT_EQ(imrdex::date_number("2016-12-09x"), 0.0);
}

TEST(DocumentBuilder, OneDocumentPerItemWithUniqueTerms) {
    imrdex::DocumentBuilder b;
    const auto docs = b.build(sample_letter());
    ASSERT_EQ(docs.size(), 2u);
    EXPECT_EQ(docs[0].unique_term, "QCM16-0000123/1");
    EXPECT_EQ(docs[1].unique_term, "QCM16-0000123/2");
    EXPECT_TRUE(terms_of(docs[0].document).count("QCM16-0000123/1"));
    EXPECT_TRUE(terms_of(docs[1].document).count("QCM16-0000123/2"));
    Letter empty = sample_letter();
    empty.items.clear();
    EXPECT_TRUE(b.build(empty).empty());
}

TEST(DocumentBuilder, BooleanTermsCarryItemAndLetterFields) {
    imrdex::DocumentBuilder b;
    const auto docs = b.build(sample_letter());
    const auto t0 = terms_of(docs[0].document);
    for (const char* want : {"XLCM16-0000123", "XDupheld", "XKpharmaceutical",
                             "XGacetaminophen/hydrocodone", "XGacetaminophen", "XGhydrocodone",
                             "XCopioid", "XPpain management", "XPanesthesiology", "XTny", "XTca",
                             "XXfemale", "XMmtus", "XModg", "XNnone", "XYstandard", "XF1",
                             "XA2016"}) {
        EXPECT_TRUE(t0.count(want)) << want;
    }
    const auto t1 = terms_of(docs[1].document);
    for (const char* want : {"XLCM16-0000123", "XDoverturned", "XKphysical therapy", "XMnone",
                             "XNacoem", "XTca", "XXfemale"}) {
        EXPECT_TRUE(t1.count(want)) << want;
    }
    EXPECT_FALSE(t1.count("XF1"));
    EXPECT_FALSE(t1.count("XCopioid"));
    // Boolean terms have no wdf, so they do not disturb ranking.
    Xapian::TermIterator it = docs[0].document.termlist_begin();
    it.skip_to("XDupheld");
    EXPECT_EQ(it.get_wdf(), 0u);
}

TEST(DocumentBuilder, ValueSlots) {
    imrdex::DocumentBuilder b;
    const auto docs = b.build(sample_letter());
    const Xapian::Document& d = docs[0].document;
    EXPECT_EQ(d.get_value(schema::kSlotLetterId), "CM16-0000123");
    EXPECT_EQ(d.get_value(schema::kSlotDecision), "upheld");
    EXPECT_EQ(d.get_value(schema::kSlotCategory), "pharmaceutical");
    EXPECT_EQ(d.get_value(schema::kSlotDrug), "acetaminophen/hydrocodone");
    EXPECT_EQ(d.get_value(schema::kSlotDrugClass), "opioid");
    EXPECT_EQ(d.get_value(schema::kSlotSpecialties), "anesthesiology|pain management");
    EXPECT_EQ(d.get_value(schema::kSlotStates), "ca|ny");
    EXPECT_EQ(d.get_value(schema::kSlotSex), "female");
    EXPECT_EQ(d.get_value(schema::kSlotGuideline), "mtus|odg");
    EXPECT_EQ(d.get_value(schema::kSlotCaGuideline), "none");
    EXPECT_EQ(d.get_value(schema::kSlotPriority), "standard");
    EXPECT_EQ(Xapian::sortable_unserialise(d.get_value(schema::kSlotAge)), 47.0);
    EXPECT_EQ(Xapian::sortable_unserialise(d.get_value(schema::kSlotDateAssigned)), 20161102.0);
    EXPECT_EQ(Xapian::sortable_unserialise(d.get_value(schema::kSlotDecisionDate)), 20161200.0);
    EXPECT_EQ(Xapian::sortable_unserialise(d.get_value(schema::kSlotInjuryDate)), 20010000.0);
    EXPECT_TRUE(d.get_value(schema::kSlotUrDenialDate).empty());
    EXPECT_EQ(Xapian::sortable_unserialise(d.get_value(schema::kSlotItemNumber)), 1.0);
    EXPECT_EQ(Xapian::sortable_unserialise(docs[1].document.get_value(schema::kSlotItemNumber)),
              2.0);
    EXPECT_EQ(docs[1].document.get_value(schema::kSlotCaGuideline), "acoem");
    // Schema version 3 no longer joins every facet into one slot.
    EXPECT_TRUE(d.get_value(schema::kSlotRetiredFacets).empty());
    EXPECT_EQ(d.get_value(schema::kSlotYear), "2016");
}

// year: the decision date's; without one (older letters have no cover block) the case
// number's; without either, none.
TEST(DocumentBuilder, YearFromTheDecisionDateElseTheCaseNumber) {
    imrdex::DocumentBuilder b;
    auto year_of = [&](const std::string& id, const std::string& decided) {
        Letter l = sample_letter();
        l.id = id;
        l.decision_date = decided;
        const auto docs = b.build(l);
        std::set<std::string> years;
        for (const auto& d : docs) {
            const std::string slot = d.document.get_value(schema::kSlotYear);
            for (const std::string& t : terms_of(d.document))
                if (t.rfind("XA", 0) == 0) years.insert(t.substr(2) + "/" + slot);
        }
        return years;
    };
    using Years = std::set<std::string>;
    EXPECT_EQ(year_of("CM16-0000123", "2017-01-05"), Years{"2017/2017"});
    EXPECT_EQ(year_of("CM16-0000123", "2015"), Years{"2015/2015"});
    EXPECT_EQ(year_of("CM13-0000123", ""), Years{"2013/2013"});
    EXPECT_EQ(year_of("CM13-0000123", "sometime"), Years{"2013/2013"});
    EXPECT_EQ(year_of("letter_a", ""), Years{});
    EXPECT_EQ(year_of("CMX3-0000123", ""), Years{});
}

TEST(DocumentBuilder, FreeTextPrefixesStemsAndSummaryOnlyOnFirstItem) {
    imrdex::DocumentBuilder b;
    const auto docs = b.build(sample_letter());
    const auto r0 = postings(docs[0].document, "XR");
    // "Chronic opioid therapy requires documented functional improvement."
    ASSERT_TRUE(r0.count("XRchronic"));
    EXPECT_EQ(r0.at("XRchronic"), std::vector<Xapian::termpos>{1});
    EXPECT_EQ(r0.at("XRrequir"), std::vector<Xapian::termpos>{4});
    EXPECT_EQ(r0.at("XRdocument"), std::vector<Xapian::termpos>{5});
    EXPECT_FALSE(r0.count("XRrequires"));  // STEM_ALL: no unstemmed copies
    const auto all0 = terms_of(docs[0].document);
    for (const std::string& t : all0) EXPECT_NE(t[0], 'Z') << t;
    EXPECT_TRUE(all0.count("XQnorco"));
    EXPECT_TRUE(all0.count("XQ325mg"));
    EXPECT_TRUE(all0.count("XSlift"));
    const auto all1 = terms_of(docs[1].document);
    for (const std::string& t : all1) EXPECT_NE(t.rfind("XS", 0), 0u) << t;
    // Request and original request share XQ with a gap, so no phrase spans the two.
    const auto q1 = postings(docs[1].document, "XQ");
    ASSERT_TRUE(q1.count("XQ12"));
    EXPECT_GT(q1.at("XQ12")[0], 100u);
    EXPECT_EQ(q1.at("XQ6"), std::vector<Xapian::termpos>{4});
}

// Pairs of consecutive words per field, counted (wdf) and not positional; none across fields or
// the request/original request gap, and none at all unless asked for.
TEST(DocumentBuilder, WordPairsFollowEachFieldsWords) {
    std::set<std::string> pairs;
    imrdex::DocumentBuilder b(true);
    Letter l = sample_letter();
    l.items[0].rationale = "Opioid therapy. Opioid therapy again";
    const auto docs = b.build(l);
    for (const auto& d : docs)
        for (auto it = d.document.termlist_begin(); it != d.document.termlist_end(); ++it) {
            const std::string t = *it;
            if (t.rfind("XW", 0) != 0) continue;
            pairs.insert(t + (d.unique_term.back() == '1' ? " #1" : " #2"));
            EXPECT_EQ(it.positionlist_count(), 0u) << t;
            if (t == "XWRopioid therapi") {
                EXPECT_EQ(it.get_wdf(), 2u);
            }
        }
    EXPECT_TRUE(pairs.count("XWRopioid therapi #1"));
    EXPECT_TRUE(pairs.count("XWRtherapi opioid #1"));  // across '.': phrases span it too
    EXPECT_TRUE(pairs.count("XWQnorco 10 #1"));
    EXPECT_TRUE(pairs.count("XWSlift injuri #1"));
    EXPECT_TRUE(pairs.count("XWQx 6 #2"));
    EXPECT_TRUE(pairs.count("XWQx 12 #2"));
    EXPECT_FALSE(pairs.count("XWQ6 physic #2"));  // request, gap, original request
    EXPECT_FALSE(pairs.count("XWRagain norco #1"));  // rationale, then request
    EXPECT_FALSE(pairs.count("XWQagain norco #1"));
    EXPECT_FALSE(pairs.count("XWSlift injuri #2"));  // the summary is on the first item only

    imrdex::DocumentBuilder plain;
    for (const auto& d : plain.build(l))
        for (auto it = d.document.termlist_begin(); it != d.document.termlist_end(); ++it)
            EXPECT_NE((*it).rfind("XW", 0), 0u) << *it;
}

TEST(DocumentBuilder, DataIsJsonWithSummaryOnFirstItem) {
    imrdex::DocumentBuilder b;
    const auto docs = b.build(sample_letter());
    simdjson::dom::parser parser;
    for (std::size_t n = 0; n < docs.size(); ++n) {
        const std::string data = imrdex::decode_document_data(docs[n].document.get_data());
        simdjson::dom::element e;
        ASSERT_FALSE(parser.parse(data).get(e)) << data;
        EXPECT_EQ(std::string_view(e["id"]), "CM16-0000123");
        EXPECT_EQ(int64_t(e["item"]), static_cast<int64_t>(n + 1));
        EXPECT_EQ(int64_t(e["age"]), 47);
        EXPECT_EQ(std::string_view(e["source"]), "letters/a.txt");
        EXPECT_EQ(!e["summary"].error(), n == 0);
    }
    simdjson::dom::element e1;
    const std::string d1 = imrdex::decode_document_data(docs[1].document.get_data());
    ASSERT_FALSE(parser.parse(d1).get(e1));
    EXPECT_EQ(std::string_view(e1["original_request"]), "Physical therapy x 12");
    EXPECT_EQ(std::string_view(e1["decision"]), "overturned");
}

// The tokenizer must make the same terms at the same positions as TermGenerator with STEM_ALL,
// or phrase and word queries parsed by Xapian's QueryParser would miss what we indexed.
TEST(DocumentBuilder, TokenizerAgreesWithTermGeneratorStemAll) {
    const std::string text =
        "The patient's MRI (10/12/2015) showed L4-L5 disc protrusion; AT&T isn't C++ or c#. "
        "Dosage 0.5mg, 1,000 units; O\xE2\x80\x99" "Brien \xC3\x89TUDE caf\xC3\xA9 "
        "na\xC3\xAFve \xE2\x80\x94 follow-up x3. Invalid \xFF\xFE bytes co\xCC\x81te "
        "supercalifragilisticexpialidocioussupercalifragilisticexpialidocious word "
        "a+b Grade 3+ '(quoted)' under_score 2.5.3 end.";
    Letter l = sample_letter();
    l.items.resize(1);
    l.items[0].rationale = text;
    imrdex::DocumentBuilder b;
    const auto docs = b.build(l);
    const auto ours = postings(docs[0].document, "XR");

    Xapian::Document ref;
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    tg.set_document(ref);
    tg.index_text(text, 1, "XR");
    const auto theirs = postings(ref, "XR");
    EXPECT_EQ(ours, theirs);
    EXPECT_GT(ours.size(), 30u);
}

TEST(DocumentBuilder, LongAndOddFieldsDoNotBreakDocuments) {
    Letter l = sample_letter();
    l.specialties.push_back(std::string(400, 'x'));  // past Xapian's term length limit
    l.age = -1;
    l.injury_date = "sometime";
    imrdex::DocumentBuilder b;
    const auto docs = b.build(l);
    ASSERT_EQ(docs.size(), 2u);
    for (const std::string& t : terms_of(docs[0].document)) EXPECT_LE(t.size(), 245u);
    EXPECT_TRUE(docs[0].document.get_value(schema::kSlotAge).empty());
    EXPECT_TRUE(docs[0].document.get_value(schema::kSlotInjuryDate).empty());
    // Still writable to a real database.
    Xapian::WritableDatabase db(std::string(), Xapian::DB_BACKEND_INMEMORY);
    for (const auto& d : docs) db.replace_document(d.unique_term, d.document);
    EXPECT_EQ(db.get_doccount(), 2u);
}

TEST(DocumentData, EncoderTrainsOnTheFirstDocumentsThenCompresses) {
    imrdex::DocumentBuilder b;
    // Letters that differ in id and rationale, so the samples are not all alike.
    std::vector<std::vector<imrdex::ItemDocument>> letters;
    for (int n = 0; n < 120; ++n) {
        Letter l = sample_letter();
        l.id = "CM16-" + std::to_string(1000000 + n * 7919);
        l.items[0].rationale += " Visit " + std::to_string(n * 31) + " noted swelling grade " +
                                std::to_string(n % 5) + ".";
        letters.push_back(b.build(l));
    }
    const std::string plain = letters[0][0].document.get_data();
    EXPECT_FALSE(imrdex::is_compressed_document_data(plain));  // the builder leaves JSON

    imrdex::DocumentDataEncoder encoder(100);
    std::size_t docs = 0;
    for (auto& docs_of_letter : letters) {
        encoder.encode(docs_of_letter);
        for (const auto& d : docs_of_letter) {
            const std::string stored = d.document.get_data();
            // Before the dictionary: plain JSON, kept as a sample; after it: a frame naming it.
            EXPECT_EQ(imrdex::is_compressed_document_data(stored), docs >= 100) << docs;
            const std::string json = imrdex::decode_document_data(stored);
            ASSERT_FALSE(json.empty());
            EXPECT_EQ(json.front(), '{');
            ++docs;
        }
    }
    ASSERT_NE(encoder.dictionary(), nullptr);
    EXPECT_NE(encoder.dictionary()->id(), 0u);
    const std::string last = letters.back()[0].document.get_data();
    EXPECT_LT(last.size() * 3, imrdex::decode_document_data(last).size());
    EXPECT_EQ(imrdex::decode_document_data(imrdex::encode_document_data(plain)), plain);
    EXPECT_EQ(imrdex::decode_document_data(imrdex::encode_document_data("")), "");
}

TEST(DocumentData, AFrameOfAnUnknownDictionaryIsAnInputError) {
    std::vector<std::string> samples;
    for (int n = 0; n < 400; ++n) {
        samples.push_back("{\"id\":\"X" + std::to_string(n * 7) + "\",\"rationale\":\"other words " +
                          std::to_string(n * n) + " here and there " + std::to_string(n % 13) +
                          "\"}");
    }
    const std::string bytes = imrdex::DocumentDictionary::train(samples);
    ASSERT_FALSE(bytes.empty());
    std::string stored;
    {
        const imrdex::DocumentDictionary dict(bytes);
        stored = imrdex::encode_document_data(samples[3], &dict);
    }
    // Registered when the dictionary was made: still known after it is gone.
    EXPECT_EQ(imrdex::decode_document_data(stored), samples[3]);
    // A frame naming a dictionary id nobody registered (its id bytes changed).
    std::string other = stored;
    other[5] = static_cast<char>(other[5] ^ 0x5a);
    EXPECT_THROW((void)imrdex::decode_document_data(other), imrdex::InputError);
}

TEST(DocumentData, PlainJsonOfOlderDatabasesReadsAsItIs) {
    const std::string old = R"j({"id":"CM16-0000123","item":1,"rationale":"(not compressed)"})j";
    EXPECT_FALSE(imrdex::is_compressed_document_data(old));
    EXPECT_EQ(imrdex::decode_document_data(old), old);
    EXPECT_EQ(imrdex::decode_document_data(""), "");
    EXPECT_EQ(imrdex::decode_document_data("("), "(");  // the magic's first byte alone
}

TEST(DocumentData, DamagedFrameIsAnInputError) {
    std::string stored = imrdex::encode_document_data(std::string(2000, 'a') + "rationale");
    stored.resize(stored.size() - 3);
    EXPECT_THROW((void)imrdex::decode_document_data(stored), imrdex::InputError);
    std::string flipped = imrdex::encode_document_data("{\"id\":\"x\"}");
    flipped.back() = static_cast<char>(flipped.back() ^ 0x55);
    flipped[6] = static_cast<char>(flipped[6] ^ 0x55);
    EXPECT_ANY_THROW((void)imrdex::decode_document_data(flipped));
}

}  // namespace
