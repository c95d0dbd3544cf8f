// Unit tests of the drug vocabulary, the request classifier, unknown-drug-word detection and the
// reviewer-specialty vocabulary.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "imrdex/core/errors.hpp"
#include "imrdex/extract/category.hpp"
#include "imrdex/extract/drugs.hpp"
#include "imrdex/extract/specialties.hpp"
#include "letter_print.hpp"
#include "test_util.hpp"

namespace imrdex::embedded {
extern const std::string_view drugs_tsv;
extern const std::string_view categories_tsv;
extern const std::string_view specialties_tsv;
}

namespace imrdex {
namespace {

const DrugVocabulary& vocab() {
    return DrugVocabulary::builtin();
}

struct Found {
    std::string name;
    std::string drug;
    std::string drug_class;
    std::string text;  // the matched span of the request
};

std::optional<Found> find(std::string_view request, const DrugVocabulary& v = vocab()) {
    const auto m = v.match(request);
    if (!m) return std::nullopt;
    return Found{m->entry->name, m->entry->drug, m->entry->drug_class,
                 std::string(request.substr(m->offset, m->length))};
}

TEST(DrugVocabulary, BuiltinLoadsWithAtLeast300NormalizedNames) {
    const auto& entries = vocab().entries();
    ASSERT_GE(entries.size(), 300u);
    std::set<std::string> names;
    for (const DrugEntry& e : entries) {
        SCOPED_TRACE(e.name);
        EXPECT_TRUE(names.insert(e.name).second) << "duplicate";
        EXPECT_FALSE(e.name.empty());
        EXPECT_FALSE(e.drug.empty());
        EXPECT_FALSE(e.drug_class.empty());
        for (const std::string* s : {&e.name, &e.drug, &e.drug_class}) {
            EXPECT_TRUE(
                std::none_of(s->begin(), s->end(), [](char c) { return c >= 'A' && c <= 'Z'; }))
                << *s << " is not lower-case";
        }
        std::vector<std::string> parts;
        std::size_t start = 0;
        while (true) {
            const std::size_t slash = e.drug.find('/', start);
            parts.push_back(e.drug.substr(start, slash - start));
            if (slash == std::string::npos) break;
            start = slash + 1;
        }
        EXPECT_TRUE(std::is_sorted(parts.begin(), parts.end())) << e.drug << " is not sorted";
        EXPECT_EQ(std::set<std::string>(parts.begin(), parts.end()).size(), parts.size()) << e.drug;
    }
    // Every name finds itself (nothing in the vocabulary is unreachable).
    for (const DrugEntry& e : entries) {
        const auto f = find(e.name);
        ASSERT_TRUE(f) << e.name;
        EXPECT_EQ(f->name, e.name);
    }
}

// parse() normalizes, so the data file itself is checked: it is read and edited by people.
TEST(DrugVocabulary, EmbeddedDataIsWrittenInCanonicalForm) {
    std::string_view rest = embedded::drugs_tsv;
    std::size_t line_no = 0;
    std::size_t data_lines = 0;
    while (!rest.empty()) {
        const std::size_t eol = std::min(rest.find('\n'), rest.size());
        const std::string line(rest.substr(0, eol));
        rest.remove_prefix(std::min(eol + 1, rest.size()));
        ++line_no;
        if (line.empty() || line.front() == '#') continue;
        ++data_lines;
        SCOPED_TRACE("drugs.tsv:" + std::to_string(line_no) + ": " + line);
        std::vector<std::string> cols;
        std::size_t start = 0;
        for (std::size_t tab; (tab = line.find('\t', start)) != std::string::npos;
             start = tab + 1) {
            cols.push_back(line.substr(start, tab - start));
        }
        cols.push_back(line.substr(start));
        ASSERT_EQ(cols.size(), 4u);
        for (const std::string& c : cols) {
            EXPECT_TRUE(std::none_of(c.begin(), c.end(), [](char ch) {
                return (ch >= 'A' && ch <= 'Z') || ch == '\r' ||
                       static_cast<unsigned char>(ch) > 127;
            }));
            EXPECT_FALSE(c.empty());
            EXPECT_TRUE(c.front() != ' ' && c.back() != ' ');
        }
        std::vector<std::string> parts;
        std::size_t from = 0;
        for (std::size_t slash; (slash = cols[1].find('/', from)) != std::string::npos;
             from = slash + 1) {
            parts.push_back(cols[1].substr(from, slash - from));
        }
        parts.push_back(cols[1].substr(from));
        EXPECT_TRUE(std::is_sorted(parts.begin(), parts.end()));
        EXPECT_TRUE(cols[3] == "brand" || cols[3] == "generic");
    }
    EXPECT_EQ(data_lines, vocab().entries().size());
}

TEST(DrugVocabulary, MatchesRealisticRequests) {
    struct Case {
        const char* request;
        const char* drug;
        const char* drug_class;
        const char* text;
    };
    const Case cases[] = {
        {"Norco 10/325mg #60", "acetaminophen/hydrocodone", "opioid", "Norco"},
        {"NORCO 10/325MG #60", "acetaminophen/hydrocodone", "opioid", "NORCO"},
        {"Norco10/325 #120", "acetaminophen/hydrocodone", "opioid", "Norco"},
        {"Ultram (tramadol) 50mg #90", "tramadol", "opioid", "Ultram"},
        {"Orphenadrine Citrate ER 100mg tabs #30", "orphenadrine", "muscle relaxant",
         "Orphenadrine"},
        {"Lidocaine 5% patch #30", "lidocaine", "topical analgesic", "Lidocaine"},
        {"Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16", "cyclobenzaprine",
         "muscle relaxant", "Cyclobenzaprine"},
        {"Prosom 2mg # 30", "estazolam", "benzodiazepine", "Prosom"},
        {"Lidoderm patch 5% #30", "lidocaine", "topical analgesic", "Lidoderm patch"},
        {"Lidoderm-patch #30", "lidocaine", "topical analgesic", "Lidoderm-patch"},
        {"Fexmid 7.5mg #60", "cyclobenzaprine", "muscle relaxant", "Fexmid"},
        {"Hydrocodone/APAP 10/325mg #90", "acetaminophen/hydrocodone", "opioid",
         "Hydrocodone/APAP"},
        {"Hydrocodone / APAP 10/325", "acetaminophen/hydrocodone", "opioid", "Hydrocodone / APAP"},
        {"Tylenol #3 #60", "acetaminophen/codeine", "opioid", "Tylenol #3"},
        {"Tylenol with Codeine #4", "acetaminophen/codeine", "opioid", "Tylenol with Codeine"},
        {"MS Contin 30mg #60", "morphine", "opioid", "MS Contin"},
        {"MSContin 15mg", "morphine", "opioid", "MSContin"},
        {"Terocin patch #30", "lidocaine/menthol", "topical analgesic", "Terocin patch"},
        {"Terocin lotion 120ml", "capsaicin/lidocaine/menthol/methyl salicylate",
         "topical analgesic", "Terocin"},
        {"Fentanyl patch 25mcg/hr #10", "fentanyl", "opioid", "Fentanyl patch"},
        {"Xanax 1mg QTY: 60.00", "alprazolam", "benzodiazepine", "Xanax"},
        {"Soma 350mg QTY: 120.00", "carisoprodol", "muscle relaxant", "Soma"},
        {"Deprizine (unknown quantity)", "ranitidine", "compounded oral suspension", "Deprizine"},
        {"Ketoprofen 20% in cream base 240g", "ketoprofen", "nsaid", "Ketoprofen"},
        {"Venlafaxine HCL ER 37.5mg #90", "venlafaxine", "antidepressant", "Venlafaxine"},
        {"Celecoxib 200mg #90", "celecoxib", "nsaid", "Celecoxib"},
        {"Theramine #120", "theramine", "medical food", "Theramine"},
        {"Vicoprofen 7.5/200mg", "hydrocodone/ibuprofen", "opioid", "Vicoprofen"},
        {"Fioricet #30", "acetaminophen/butalbital/caffeine", "barbiturate combination",
         "Fioricet"},
        {"Hydrocodone and acetaminophen 10/325 #90", "acetaminophen/hydrocodone", "opioid",
         "Hydrocodone and acetaminophen"},
        {"Vitamin D3 2000 IU #30", "cholecalciferol", "vitamin", "Vitamin D3"},
        {"B-12 injections x 4", "cyanocobalamin", "vitamin", "B-12"},
        {"Terocin patches #20", "lidocaine/menthol", "topical analgesic", "Terocin patches"},
        {"Lidoderm patches 5%", "lidocaine", "topical analgesic", "Lidoderm patches"},
        {"Vitamin D 2.5mg #90", "vitamin d", "vitamin", "Vitamin D"},
        {"Vitamin D2 50,000 units", "ergocalciferol", "vitamin", "Vitamin D2"},
        // "#30" after "Tylenol" is a quantity, not Tylenol #3.
        {"Tylenol #30", "acetaminophen", "analgesic", "Tylenol"},
        // Leftmost wins, even when a longer name comes later.
        {"Retrospective request for Zanaflex and Norco", "tizanidine", "muscle relaxant",
         "Zanaflex"},
    };
    for (const Case& c : cases) {
        SCOPED_TRACE(c.request);
        const auto f = find(c.request);
        ASSERT_TRUE(f);
        EXPECT_EQ(f->drug, c.drug);
        EXPECT_EQ(f->drug_class, c.drug_class);
        EXPECT_EQ(f->text, c.text);
    }
}

TEST(DrugVocabulary, DoesNotMatchInsideWords) {
    for (const char* request :
         {"Somatosensory evoked potentials", "Physical therapy for the somatic complaints",
          "Norcotics anonymous", "Apaptive equipment", "Baclofenate", "Ultramarine",
          "MRI of the lumbar spine", "Prosomething 2mg", "xSoma 350mg", "Tylenols"}) {
        EXPECT_FALSE(vocab().match(request))
            << request << " matched " << vocab().match(request)->entry->name;
    }
    // A bare multi-word prefix does not match the multi-word name: "MS" alone is not MS Contin.
    const auto f = find("MS Continuation of care");
    EXPECT_FALSE(f && f->name == "ms contin");
}

TEST(DrugVocabulary, ParseRejectsMalformedLinesWithTheirLineNumber) {
    const auto error_of = [](std::string_view tsv) -> std::string {
        try {
            (void)DrugVocabulary::parse(tsv, "test.tsv");
        } catch (const ConfigError& e) {
            return e.what();
        }
        return "";
    };
    const std::string header = "# comment\n\n";
    EXPECT_NE(error_of(header + "norco\tacetaminophen/hydrocodone\topioid\n").find("test.tsv:3"),
              std::string::npos);
    EXPECT_NE(error_of(header + "norco\tacetaminophen/hydrocodone\topioid\tbrand\textra\n")
                  .find("test.tsv:3"),
              std::string::npos);
    EXPECT_NE(error_of(header + "norco\t\topioid\tbrand\n").find("test.tsv:3"), std::string::npos);
    EXPECT_NE(error_of(header + "norco\tacetaminophen//hydrocodone\topioid\tbrand\n").find(":3"),
              std::string::npos);
    const std::string bad_kind = error_of(header + "norco\thydrocodone\topioid\tproprietary\n");
    EXPECT_NE(bad_kind.find("test.tsv:3"), std::string::npos);
    EXPECT_NE(bad_kind.find("kind"), std::string::npos);
    const std::string dup = error_of(
        "norco\tacetaminophen/hydrocodone\topioid\tbrand\nsoma\tcarisoprodol\tmuscle "
        "relaxant\tbrand\n"
        "Norco\tacetaminophen/hydrocodone\topioid\tbrand\n");
    EXPECT_NE(dup.find("test.tsv:3"), std::string::npos) << dup;
    EXPECT_NE(dup.find("duplicate"), std::string::npos) << dup;
    // Separator-only differences are duplicates too: they match the same requests.
    EXPECT_NE(error_of("lidoderm patch\tlidocaine\tx\tbrand\nlidoderm-patch\tlidocaine\tx\tbrand\n")
                  .find("test.tsv:2"),
              std::string::npos);
    EXPECT_NE(error_of("# only comments\n").find("no drug entries"), std::string::npos);
    EXPECT_NE(error_of("---\tx\ty\tgeneric\n").find("test.tsv:1"), std::string::npos);
}

TEST(DrugVocabulary, ParseNormalizesAndFromFileReadsAFile) {
    const auto v = DrugVocabulary::parse(
        "Zorblax XR\tZorb / Alpha\tTest Class\tbrand\r\nfoo\tfoo\tthing\tgeneric", "t");
    ASSERT_EQ(v.entries().size(), 2u);
    EXPECT_EQ(v.entries()[0].name, "zorblax xr");
    EXPECT_EQ(v.entries()[0].drug, "alpha/zorb");
    EXPECT_EQ(v.entries()[0].drug_class, "test class");
    EXPECT_TRUE(v.entries()[0].brand);
    EXPECT_FALSE(v.entries()[1].brand);
    const auto f = find("ZORBLAX-XR 10mg", v);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->name, "zorblax xr");

    namespace fs = std::filesystem;
    const testing::TempDir tmp("drugs");
    const fs::path& dir = tmp.path();
    const fs::path good = dir / "good.tsv";
    const fs::path bad = dir / "bad.tsv";
    std::ofstream(good) << "# test\nzorblax\tzorblaxin\ttest\tbrand\n";
    std::ofstream(bad) << "# test\nzorblax\tzorblaxin\ttest\n";
    const auto from_file = DrugVocabulary::from_file(good.string());
    EXPECT_EQ(from_file.entries().size(), 1u);
    try {
        (void)DrugVocabulary::from_file(bad.string());
        ADD_FAILURE() << "no ConfigError";
    } catch (const ConfigError& e) {
        EXPECT_NE(std::string(e.what()).find(bad.string() + ":2"), std::string::npos) << e.what();
    }
    EXPECT_THROW((void)DrugVocabulary::from_file((dir / "missing.tsv").string()), IoError);
}

TEST(Category, ClassifiesRequestsOfEveryCategory) {
    struct Case {
        const char* request;
        Category category;
    };
    const Case cases[] = {
        // imaging, electrodiagnostics included
        {"MRI of the right shoulder without contrast", Category::imaging},
        {"Open MRI of the lumbosacral spine", Category::imaging},
        {"MR Arthrogram of the left shoulder", Category::imaging},
        {"X-rays of the cervical spine, 3 views", Category::imaging},
        {"CT scan of the lumbar spine", Category::imaging},
        {"Ultrasound of the right wrist", Category::imaging},
        {"Bone scan", Category::imaging},
        {"NCS/EMG RUE", Category::imaging},
        {"EMG bilateral upper extremities", Category::imaging},
        {"NCV of the bilateral lower extremities QTY: 2", Category::imaging},
        {"Right elbow MRI", Category::imaging},
        // physical therapy
        {"Physical therapy, 6 sessions, cervical spine", Category::physical_therapy},
        {"Additional physical therapy 2x a week for 4 weeks, lumbar spine",
         Category::physical_therapy},
        {"Occupational therapy for 8 sessions", Category::physical_therapy},
        {"Aquatic therapy x 12", Category::physical_therapy},
        {"Work hardening program, 10 sessions", Category::physical_therapy},
        {"PT 2x3 for the left knee", Category::physical_therapy},
        {"Physical therapy evaluation, thoracic spine", Category::physical_therapy},
        {"Post-operative physical therapy following rotator cuff repair",
         Category::physical_therapy},
        // chiropractic
        {"Chiropractic treatment 6 visits", Category::chiropractic},
        {"Spinal manipulation 2 times a week for 3 weeks", Category::chiropractic},
        // acupuncture
        {"Acupuncture 12 sessions", Category::acupuncture},
        {"Six sessions of acupuncture once a week", Category::acupuncture},
        // injection
        {"Right L5-S1 epidural steroid injection", Category::injection},
        {"Lumbar epidural steroid injection with pain management consult", Category::injection},
        {"Bilateral L4-5 medial branch blocks", Category::injection},
        {"Trigger point injections x 4", Category::injection},
        {"Platelet-rich plasma injection to the left elbow", Category::injection},
        {"Ultrasound-guided cortisone injection, right shoulder", Category::injection},
        {"Radiofrequency ablation at L3-L4", Category::injection},
        {"Synvisc-One injection for the right knee", Category::injection},
        {"Injection of neurolytic substance, lumbar spine", Category::injection},
        // surgery
        {"Right shoulder arthroscopy with subacromial decompression", Category::surgery},
        {"L4-S1 posterior lumbar fusion", Category::surgery},
        {"Left carpal tunnel release", Category::surgery},
        {"Total knee replacement", Category::surgery},
        {"Lumbar laminectomy and discectomy at L5-S1", Category::surgery},
        {"Neuroplasty, lumbar spine", Category::surgery},
        {"Assistant surgeon", Category::surgery},
        {"Inpatient stay x 2 days", Category::surgery},
        {"Acute inpatient rehabilitation with physical therapy, 7 days",
         Category::physical_therapy},
        {"Manipulation under anesthesia, left shoulder", Category::surgery},
        {"Right knee arthroscopy with post-operative knee brace", Category::surgery},
        // dme
        {"Hospital bed for an unspecified rental", Category::dme},
        {"TENS unit, 30 day trial", Category::dme},
        {"Bilateral hearing aids", Category::dme},
        {"Cold therapy unit rental for 7 days", Category::dme},
        {"H-wave device for home use", Category::dme},
        {"Lumbar back brace", Category::dme},
        {"Front-wheeled walker", Category::dme},
        {"Cervical pillow", Category::dme},
        {"Interferential unit and supplies", Category::dme},
        {"Post-surgical knee brace", Category::dme},
        // office visit
        {"Follow-up visit with the orthopedist", Category::office_visit},
        {"Consultation with a spine surgeon", Category::office_visit},
        {"Spine surgery evaluation for the lumbar spine", Category::office_visit},
        {"Referral to a neurologist", Category::office_visit},
        {"Medication management", Category::office_visit},
        {"Psychotropic medication sessions 1 x month x 6 months", Category::office_visit},
        {"Pain management consultation", Category::office_visit},
        {"Office visits x 4", Category::office_visit},
        // psychological services
        {"Comprehensive psychological testing", Category::psychological_services},
        {"Psychotherapy 6 sessions", Category::psychological_services},
        {"Cognitive behavioral therapy x 10", Category::psychological_services},
        {"Biofeedback 6 sessions", Category::psychological_services},
        {"Psychiatric evaluation", Category::psychological_services},
        {"Partial hospitalization program", Category::psychological_services},
        // laboratory
        {"Urine drug screen", Category::laboratory},
        {"Retrospective urine toxicology test DOS 3/1/16", Category::laboratory},
        {"Blood test: CBC and CMP", Category::laboratory},
        {"Genetic testing for opioid metabolism", Category::laboratory},
        // other
        {"Home health care 4 hours a day", Category::other},
        {"Transportation to and from medical appointments", Category::other},
        {"Functional restoration program", Category::other},
        {"Gym membership x 6 months", Category::other},
        {"Sleep study", Category::other},
        {"Functional capacity evaluation", Category::other},
        {"Functional capacity evaluation (FCE)", Category::other},
        {"Controlled ankle motion walking boot", Category::dme},
        {"Knee immobilizer QTY: 1", Category::dme},
        {"", Category::other},
    };
    for (const Case& c : cases) {
        EXPECT_EQ(classify_category(c.request, vocab().match(c.request).has_value()), c.category)
            << c.request;
    }
}

TEST(Category, PharmaceuticalByDrugOrPrescriptionForm) {
    for (const char* request : {"Norco 10/325mg #60", "Prosom 2mg # 30", "Lidocaine 5% patch #1",
                                "Deprizine (unknown quantity)", "Keflex 500mg #20 post surgery",
                                "Norco 5/325 for post-operative pain"}) {
        ASSERT_TRUE(vocab().match(request)) << request;
        EXPECT_EQ(classify_category(request, true), Category::pharmaceutical) << request;
    }
    // Not in the vocabulary, but written as a prescription.
    EXPECT_EQ(classify_category("Zorblaxin 20mg #30", false), Category::pharmaceutical);
    EXPECT_EQ(classify_category("Unknown topical compound cream", false), Category::pharmaceutical);
    EXPECT_EQ(classify_category("Zorblaxin 20 mg/ml solution", false), Category::pharmaceutical);
    // Procedures that name a drug keep their procedure category.
    EXPECT_EQ(classify_category("Toradol 60mg IM injection", true), Category::injection);
    // Without drug or form, a bare name is other.
    EXPECT_EQ(classify_category("Zorblaxin", false), Category::other);
}

TEST(UnknownDrugWords, ReportsPrescriptionWordsNotInTheVocabulary) {
    using V = std::vector<std::string>;
    EXPECT_EQ(unknown_drug_words("Zorblaxin 20mg #30", vocab()), V{"zorblaxin"});
    EXPECT_EQ(unknown_drug_words("Retrospective Zorblaxin ER 20mg tablets #30", vocab()),
              V{"zorblaxin"});
    EXPECT_EQ(unknown_drug_words("Flubbix Quux cream 5% 120g", vocab()), (V{"flubbix", "quux"}));
    EXPECT_EQ(unknown_drug_words("Zorblaxin HCL #60", vocab()), V{"zorblaxin"});
    EXPECT_EQ(unknown_drug_words("Retrospective request for Zorblaxin 20mg", vocab()),
              V{"zorblaxin"});
    // Only the words right before the strength: a sentence before them is not a name.
    EXPECT_EQ(
        unknown_drug_words("The patient, per the note, was to start zorblaxin 20mg #30", vocab()),
        V{"zorblaxin"});
    EXPECT_EQ(unknown_drug_words("Progress note said patient continue Flubbix Quux 5% #2", vocab()),
              (V{"flubbix", "quux"}));
    // Known drugs, non-prescriptions and procedures report nothing.
    EXPECT_TRUE(unknown_drug_words("Norco 10/325mg #60", vocab()).empty());
    EXPECT_TRUE(unknown_drug_words("Zorblaxin", vocab()).empty());
    EXPECT_TRUE(unknown_drug_words("MRI of the lumbar spine", vocab()).empty());
    EXPECT_TRUE(unknown_drug_words("Physical therapy #12", vocab()).empty());
    EXPECT_TRUE(unknown_drug_words("NCV bilateral lower extremities QTY: 2", vocab()).empty());
}

// Every item header of the real letters that reads like a prescription names a known drug.
TEST(DrugVocabulary, RecognizesEveryPrescriptionInTheRealLetters) {
    namespace fs = std::filesystem;
    IMRDEX_SKIP_WITHOUT_SHARED("real-letters/txt");
    const fs::path shared = imrdex::testing::shared_dir();
    const fs::path dir = shared / "real-letters" / "txt";
    std::vector<fs::path> files;
    for (const fs::path& d : {dir, shared / "seeds"}) {
        if (!fs::is_directory(d)) continue;
        for (const auto& entry : fs::directory_iterator(d)) files.push_back(entry.path());
    }
    std::size_t headers = 0;
    std::size_t drugs = 0;
    for (const fs::path& path : files) {
        std::ifstream in(path);
        std::string line;
        while (std::getline(in, line)) {
            while (!line.empty() && (line.back() == ' ' || line.back() == '\r')) line.pop_back();
            const std::size_t colon = line.rfind(':');
            if (colon == std::string::npos) continue;
            std::string_view decision = std::string_view(line).substr(colon + 1);
            while (!decision.empty() && decision.front() == ' ') decision.remove_prefix(1);
            if (decision != "Upheld" && decision != "Overturned") continue;
            ++headers;
            const std::string request = line.substr(0, colon);
            if (vocab().match(request)) ++drugs;
            EXPECT_EQ(unknown_drug_words(request, vocab()), std::vector<std::string>{})
                << path.filename() << ": " << request;
        }
    }
    EXPECT_GT(headers, 50u);
    EXPECT_GT(drugs, 10u);
}

TEST(DrugVocabulary, OddInputNeitherCrashesNorMatches) {
    const std::string nul_inside("Nor\0co 10mg", 12);
    const std::string high_bytes =
        "\xff\xfeNorco\xc3\xa9 #60";  // non-UTF-8 and UTF-8 around a name
    const std::string long_line(1 << 20, 'a');
    EXPECT_FALSE(vocab().match(""));
    EXPECT_FALSE(vocab().match(nul_inside));
    EXPECT_FALSE(vocab().match(long_line));
    EXPECT_FALSE(vocab().match("#### //// ---- 10/325"));
    const auto f = find(high_bytes);
    ASSERT_TRUE(f);
    EXPECT_EQ(f->name, "norco");
    EXPECT_EQ(classify_category(long_line, false), Category::other);
    EXPECT_EQ(classify_category("\xff\xfe MRI \x80", false), Category::imaging);
    EXPECT_TRUE(unknown_drug_words(long_line + " 10mg", vocab()).empty());
}

// The requests imr-bench's BM_DrugMatch times (the speed is measured there, not here): what each
// one matches, the same on every call.
TEST(DrugVocabulary, BenchmarkRequestsMatchTheirDrugsOnEveryCall) {
    struct Case {
        const char* request;
        const char* name;  // nullptr: no drug
        const char* text;
    };
    const Case cases[] = {
        {"MRI of the right shoulder without contrast", nullptr, nullptr},
        {"Norco 10/325mg #60", "norco", "Norco"},
        {"Physical therapy, 6 sessions, cervical and thoracic spine", nullptr, nullptr},
        {"Retrospective Cyclobenzaprine 5mg tab #30 DOS: 11/14/16", "cyclobenzaprine",
         "Cyclobenzaprine"},
        {"Right L5-S1 epidural steroid injection", nullptr, nullptr},
        {"Lidoderm patch 5% #30", "lidoderm patch", "Lidoderm patch"}};
    for (int round = 0; round < 3; ++round) {
        for (const Case& c : cases) {
            const auto f = find(c.request);
            if (c.name == nullptr) {
                EXPECT_FALSE(f) << c.request << " matched " << f->name;
                continue;
            }
            ASSERT_TRUE(f) << c.request;
            EXPECT_EQ(f->name, c.name);
            EXPECT_EQ(f->text, c.text);
        }
    }
}

// ---- category rules
// ------------------------------------------------------------------------------

std::string rules_error(std::string_view tsv) {
    try {
        (void)CategoryRules::parse(tsv, "rules.tsv");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(CategoryRules, ParseRejectsMalformedLinesWithTheirLineNumber) {
    const std::string head = "# comment\n\nmri\timaging\n";  // the bad line is line 4
    struct Case {
        const char* line;
        const char* says;
    };
    const Case cases[] = {
        {"mri", "2 tab-separated columns"},
        {"mri\timaging\textra", "2 tab-separated columns"},
        {"\timaging", "empty keyword"},
        {"ct scan\t", "empty group"},
        {"X-ray\timaging", "not lower-case ASCII"},
        {"x  ray\timaging", "single spaces"},
        {"caf\xC3\xA9\tother", "not lower-case ASCII"},
        {"tens\tgadget", "unknown group 'gadget' (one of: psychological services,"},
        {"mri\tsurgery", "duplicate keyword 'mri' (first defined on line 3)"},
    };
    for (const Case& c : cases) {
        const std::string error = rules_error(head + c.line + "\n");
        EXPECT_NE(error.find("rules.tsv:4: "), std::string::npos) << c.line << " -> " << error;
        EXPECT_NE(error.find(c.says), std::string::npos) << c.line << " -> " << error;
    }
    EXPECT_NE(rules_error("# nothing but comments\n\n").find("rules.tsv:2: no keywords"),
              std::string::npos);
    EXPECT_NE(rules_error("").find("no keywords"), std::string::npos);
}

TEST(CategoryRules, ParsedRulesDriveTheClassifier) {
    const CategoryRules rules = CategoryRules::parse(
        "# test rules\r\n"
        "zap ray\timaging\r\n"
        "  zorb  \t  physical therapy \n"
        "visit\toffice visit\n"
        "med check\tmedication management",
        "rules.tsv");
    EXPECT_EQ(rules.keywords(), 4u);
    EXPECT_EQ(rules.classify("Zap-ray of the knee", false), Category::imaging);
    EXPECT_EQ(rules.classify("zorb then zap ray", false),
              Category::physical_therapy);  // first wins
    EXPECT_EQ(rules.classify("zap rays", false), Category::other) << "whole words only";
    EXPECT_EQ(rules.classify("Follow-up visit", false), Category::office_visit);
    EXPECT_EQ(rules.classify("zap ray at the med check", false), Category::office_visit);
    // The word-shape rules are code: they hold whatever the data says.
    EXPECT_EQ(rules.classify("Psychotherapy", false), Category::psychological_services);
    EXPECT_EQ(rules.classify("Knee arthroscopy", false), Category::surgery);
    // The builtin rules know none of these made-up words.
    EXPECT_EQ(CategoryRules::builtin().classify("Zorb", false), Category::other);
    EXPECT_EQ(classify_category("Zap ray", false), Category::other);
}

// Every keyword line of the embedded categories.tsv is a keyword of the builtin rules.
TEST(CategoryRules, BuiltinHoldsEveryKeywordOfTheDataFile) {
    std::istringstream tsv{std::string(embedded::categories_tsv)};
    std::size_t lines = 0;
    for (std::string line; std::getline(tsv, line);) {
        lines += !line.empty() && line.front() != '#' ? 1 : 0;
    }
    EXPECT_GT(lines, 400u);
    EXPECT_EQ(CategoryRules::builtin().keywords(), lines);
}

// ---- reviewer specialties
// ----------------------------------------------------------------------------

std::string specialties_error(std::string_view tsv) {
    try {
        (void)SpecialtyVocabulary::parse(tsv, "spec.tsv");
    } catch (const ConfigError& e) {
        return e.what();
    }
    return "";
}

TEST(SpecialtyVocabulary, ParseRejectsMalformedLinesWithTheirLineNumber) {
    const std::string head = "# comment\n\nneurology\n";  // the bad line is line 4
    struct Case {
        const char* line;
        const char* says;
    };
    for (const Case& c :
         {Case{"psychiatry\tshrink\textra", "columns"}, Case{"Psychiatry", "lower-case"},
          Case{"family  practice", "single spaces"},
          Case{"psychiatry\tpsych||shrink", "empty name"},
          Case{"endocrinology, diabetes & metabolism", "','"},
          Case{"pain management\tpain medicine|neurology", "line 3"},
          Case{"\tpain medicine", "empty name"}, Case{"---", "no letters"}}) {
        const std::string error = specialties_error(head + c.line + "\n");
        EXPECT_NE(error.find("spec.tsv:4"), std::string::npos) << c.line << ": " << error;
        EXPECT_NE(error.find(c.says), std::string::npos) << c.line << ": " << error;
    }
    // '&' and "and", and punctuation, make no new name: a duplicate.
    const std::string dup =
        specialties_error("obstetrics & gynecology\nobstetrics and gynecology\n");
    EXPECT_NE(dup.find("spec.tsv:2"), std::string::npos) << dup;
    EXPECT_NE(specialties_error("# only comments\n").find("no specialty"), std::string::npos);
}

TEST(SpecialtyVocabulary, SynonymsCaseAmpersandsAndPunctuationFindTheCanonicalName) {
    const SpecialtyVocabulary v = SpecialtyVocabulary::parse(
        "chiropractic\tchiropractor|doctor of chiropractic\n"
        "physical medicine & rehabilitation\tphysiatry\n"
        "maternal-fetal medicine\n",
        "spec.tsv");
    EXPECT_EQ(v.names(),
              (std::vector<std::string>{"chiropractic", "physical medicine & rehabilitation",
                                        "maternal-fetal medicine"}));
    EXPECT_EQ(v.canonical("Chiropractor"), "chiropractic");
    EXPECT_EQ(v.canonical(" Doctor  of CHIROPRACTIC. "), "chiropractic");
    EXPECT_EQ(v.canonical("Physical Medicine and Rehabilitation"),
              "physical medicine & rehabilitation");
    EXPECT_EQ(v.canonical("Physical-Medicine  &  Rehabilitation."),
              "physical medicine & rehabilitation");
    EXPECT_EQ(v.canonical("physical medicine/rehabilitation"), "") << "'/' is no \"and\"";
    EXPECT_EQ(v.canonical("Physiatry"), "physical medicine & rehabilitation");
    EXPECT_EQ(v.canonical("Maternal Fetal Medicine"), "maternal-fetal medicine");
    EXPECT_EQ(v.canonical("chiropractics"), "");
    EXPECT_EQ(v.canonical("physical medicine"), "");
    EXPECT_EQ(v.canonical(""), "");
    EXPECT_FALSE(v.known("&"));
    EXPECT_EQ(specialty_key("  PM&R / Pain-Management "), "pm and r pain management");
}

// The compiled-in data: every canonical name is its own canonical name (what the index holds
// is what a lookup gives back), and the synonyms the letters use reach the names they mean.
TEST(SpecialtyVocabulary, BuiltinNamesAreTheirOwnCanonicalForm) {
    const SpecialtyVocabulary& v = SpecialtyVocabulary::builtin();
    EXPECT_GE(v.names().size(), 100u);
    std::size_t lines = 0;
    std::istringstream in{std::string(embedded::specialties_tsv)};
    for (std::string line; std::getline(in, line);) {
        lines += !line.empty() && line[0] != '#' ? 1 : 0;
    }
    EXPECT_EQ(v.names().size(), lines);
    for (const std::string& name : v.names()) EXPECT_EQ(v.canonical(name), name);
    const std::pair<const char*, const char*> synonyms[] = {
        {"Chiropractor", "chiropractic"},
        {"Physical Medicine and Rehabilitation", "physical medicine & rehabilitation"},
        {"Family Medicine", "family practice"},
        {"Pain Medicine", "pain management"},
        {"Orthopaedic Surgery", "orthopedic surgery"},
        {"Surgery of the Hand", "hand surgery"},
        {"Hospice and Palliative Medicine", "hospice & palliative medicine"},
        {"Public Health and General Preventive Medicine",
         "public health & general preventive medicine"},
        {"Neurosurgery", "neurological surgery"},
        {"Psychologist", "psychology"},
        {"Podiatrist", "podiatry"},
        {"Licensed Acupuncturist", "acupuncture"},
    };
    for (const auto& [written, name] : synonyms) EXPECT_EQ(v.canonical(written), name) << written;
}

}  // namespace
}  // namespace imrdex
