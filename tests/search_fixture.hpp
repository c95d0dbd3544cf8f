// Test fixture for the search tests: deterministic synthetic letters, a temp directory, an index
// of them written from the schema tables without the indexer, and brute-force helpers (the facet
// oracle among them) that answer queries from the letters alone.
#pragma once

#include <algorithm>
#include <cctype>
#include <filesystem>
#include <fstream>
#include <map>
#include <random>
#include <set>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include <xapian.h>

#include "imrdex/core/date.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/core/letter.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/extract/facet_value.hpp"
#include "test_util.hpp"

namespace fixture {

using imrdex::testing::TempDir;

using imrdex::date_number;

inline std::string lower(std::string s) {
    for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

// The item documents of one letter, written from the schema tables with Xapian's own
// TermGenerator and the schema's normaliser, so the search tests do not depend on the indexer's
// DocumentBuilder.
inline void add_letter(Xapian::WritableDatabase& db, const imrdex::Letter& l) {
    namespace s = imrdex::schema;
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    tg.set_stemming_strategy(Xapian::TermGenerator::STEM_ALL);
    for (std::size_t n = 0; n < l.items.size(); ++n) {
        const imrdex::Item& it = l.items[n];
        Xapian::Document doc;
        tg.set_document(doc);
        for (const s::TextField& f : s::kTextFields) {
            if (f.first_item_only && n != 0) continue;
            const s::TextParts parts = f.text(l, it);
            tg.set_termpos(0);
            tg.index_text(std::string(parts.first), 1, std::string(f.prefix));
            tg.increase_termpos(s::kPartGap);
            tg.index_text(std::string(parts.second), 1, std::string(f.prefix));
        }
        if (n == 0) doc.add_boolean_term(std::string(s::kFirstItem) + "1");
        std::string unique = std::string(s::kUnique) + l.id + "/" + std::to_string(n + 1);
        doc.add_boolean_term(unique);
        auto term = [&](std::string_view prefix, const std::string& v) {
            if (!v.empty()) doc.add_boolean_term(std::string(prefix) + v);
        };
        for (const s::Facet& f : s::kFacets) {
            std::vector<std::string> values;
            if (f.multi_valued) {
                for (const auto& v : f.many(l, it)) values.push_back(s::normalise(f.norm, v));
                if (values.empty() && !f.none.empty()) values.emplace_back(f.none);
            } else {
                values.push_back(s::normalise(f.norm, f.one(l, it)));
            }
            std::sort(values.begin(), values.end());
            std::string joined;
            for (const auto& v : values) {
                term(f.prefix, v);
                joined += (joined.empty() ? "" : "|") + v;
                if (f.parts != 0) {
                    std::stringstream parts(v);
                    for (std::string part; std::getline(parts, part, f.parts);)
                        term(f.prefix, part);
                }
            }
            doc.add_value(f.slot, joined);
        }
        for (const s::RangeField& f : s::kRangeFields) {
            const double v = f.kind == s::RangeKind::number ? f.number(l) : date_number(f.date(l));
            if (f.kind == s::RangeKind::number ? v >= 0 : v > 0)
                doc.add_value(f.slot, Xapian::sortable_serialise(v));
        }
        doc.add_value(s::kSlotItemNumber, Xapian::sortable_serialise(static_cast<double>(n + 1)));

        std::string data;
        imrdex::JsonWriter w(data);
        w.begin_object().field("id", l.id).field("item", static_cast<int>(n + 1));
        w.field("request", it.request).field("original_request", it.original_request);
        w.field("decision", imrdex::to_string(it.decision)).field("category", imrdex::to_string(it.category));
        w.field("drug", it.drug).field("drug_class", it.drug_class);
        w.field("date_assigned", l.date_assigned);
        w.field("decision_date", l.decision_date).field("injury_date", l.injury_date);
        w.key("age");
        if (l.age >= 0)
            w.value(l.age);
        else
            w.null();
        w.field("sex", l.sex).field("states", l.states).field("specialties", l.specialties);
        w.field("source", l.source).field("rationale", it.rationale);
        if (n == 0) w.field("summary", l.summary);
        w.end_object();
        doc.set_data(data);
        db.replace_document(unique, doc);
    }
}

// A database of the current schema version holding `ls`.
inline void build_index(const std::filesystem::path& dir, const std::vector<imrdex::Letter>& ls) {
    Xapian::WritableDatabase db(dir.string(), Xapian::DB_CREATE_OR_OVERWRITE);
    db.set_metadata(std::string(imrdex::schema::kVersionKey), imrdex::schema::version_text());
    for (const auto& l : ls) add_letter(db, l);
    db.commit();
}

// ---- Synthetic letters -----------------------------------------------------------------------

struct DrugRow {
    const char* request;
    const char* drug;
    const char* cls;
};

inline const std::vector<DrugRow>& drug_rows() {
    static const std::vector<DrugRow> rows{
        {"Norco 10/325mg #90", "acetaminophen/hydrocodone", "opioid"},
        {"Oxycodone 10mg #60", "oxycodone", "opioid"},
        {"Xanax 0.5mg #30", "alprazolam", "benzodiazepine"},
        {"Clonazepam 1mg #60", "clonazepam", "benzodiazepine"},
        {"Ibuprofen 800mg #90", "ibuprofen", "nsaid"},
        {"Flexeril 10mg #30", "cyclobenzaprine", "muscle relaxant"},
    };
    return rows;
}

inline const std::vector<std::string>& sentences() {
    static const std::vector<std::string> s{
        "Long-term use of benzodiazepines is not recommended because efficacy is unproven.",
        "The guidelines support opioids for chronic pain when there is documented functional "
        "improvement.",
        "There is no documentation of the risks and benefits discussed with the patient.",
        "Physical therapy was completed without lasting relief of symptoms.",
        "An MRI of the lumbar spine is indicated when red flags are present.",
        "The patient's pain scores decreased from 8/10 to 4/10 with medication.",
        "Urine drug screens have been consistent with the prescribed medications.",
        "Muscle relaxants are recommended for short-term treatment of acute exacerbations.",
        "The request is not medically necessary at this time.",
        "Weaning was advised in the prior review and has not occurred.",
        "NSAIDs are recommended at the lowest dose for the shortest period.",
        "Official Disability Guidelines recommend imaging only after conservative care fails.",
    };
    return s;
}

// `n` letters with 1-4 items each, drawn from fixed vocabularies by a seeded generator so every
// run indexes the same texts and facet values (several specialties and states per letter).
inline std::vector<imrdex::Letter> make_letters(int n, unsigned seed = 7) {
    std::mt19937 rng(seed);
    auto pick = [&](int k) { return static_cast<int>(rng() % static_cast<unsigned>(k)); };
    const std::vector<std::string> specialties{"internal medicine", "pain management",
                                               "orthopedic surgery", "psychiatry",
                                               "physical medicine & rehabilitation"};
    const std::vector<std::string> states{"CA", "NY", "TX", "FL", "OR"};
    const std::vector<std::vector<std::string>> sources{
        {}, {"MTUS"}, {"MTUS", "ACOEM"}, {"ODG"}, {"MTUS", "ODG", "other"}};
    std::vector<imrdex::Letter> out;
    for (int i = 0; i < n; ++i) {
        imrdex::Letter l;
        char id[32];
        std::snprintf(id, sizeof id, "CM16-%07d", 1000 + i * 13);
        l.id = id;
        l.source = l.id + ".txt";
        char date[16];
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", 2016 + pick(2), 1 + pick(12),
                      1 + pick(28));
        l.decision_date = date;
        int year = 2000 + pick(16);
        // Reduced precision on some letters: year only or year-month, as the schema allows.
        int prec = pick(5);
        std::snprintf(date, sizeof date, "%04d-%02d-%02d", year, 1 + pick(12), 1 + pick(28));
        l.injury_date = prec == 0 ? std::string(date).substr(0, 4)
                        : prec == 1 ? std::string(date).substr(0, 7)
                                    : std::string(date);
        std::snprintf(date, sizeof date, "2016-%02d-%02d", 1 + pick(12), 1 + pick(28));
        l.date_assigned = date;
        l.priority = pick(6) == 0 ? "expedited" : "standard";
        l.age = pick(10) == 0 ? -1 : 20 + pick(50);
        l.sex = pick(2) ? "female" : "male";
        std::set<std::string> sp, st;
        int nsp = 1 + pick(3);
        for (int k = 0; k < nsp; ++k) sp.insert(specialties[pick(5)]);
        l.specialties.assign(sp.begin(), sp.end());
        int nst = 1 + pick(2);
        for (int k = 0; k < nst; ++k) st.insert(states[pick(5)]);
        l.states.assign(st.begin(), st.end());
        l.summary = "The patient is a " + std::to_string(l.age) + " year old " + l.sex +
                    " injured at work. " + sentences()[pick(12)];
        int items = 1 + pick(4);
        for (int k = 0; k < items; ++k) {
            imrdex::Item it;
            int kind = pick(8);
            if (kind < 6) {
                const DrugRow& d = drug_rows()[kind];
                it.request = d.request;
                it.drug = d.drug;
                it.drug_class = d.cls;
                it.category = imrdex::Category::pharmaceutical;
            } else if (kind == 6) {
                it.request = "MRI of the lumbar spine";
                it.category = imrdex::Category::imaging;
            } else {
                it.request = "Physical therapy 2x6 lumbar";
                it.category = imrdex::Category::physical_therapy;
            }
            it.decision = pick(3) == 0 ? imrdex::Decision::overturned : imrdex::Decision::upheld;
            it.maximus_guideline.sources = sources[pick(5)];
            it.ca_guideline.sources = sources[pick(5)];
            int ns = 2 + pick(3);
            for (int m = 0; m < ns; ++m)
                it.rationale += (it.rationale.empty() ? "" : " ") + sentences()[pick(12)];
            l.items.push_back(std::move(it));
        }
        out.push_back(std::move(l));
    }
    return out;
}

// ---- Brute force -----------------------------------------------------------------------------

// The indexer's words (Xapian TermGenerator rules, ASCII part), lower-cased: runs of letters,
// digits and '_', joined by one "'" or "&" between word characters and by one '.', ',' or ';'
// between digits ("don't", "3.5").
inline std::vector<std::string> raw_tokens(const std::string& text) {
    auto word = [](char c) {
        return std::isalnum(static_cast<unsigned char>(c)) || c == '_' ||
               static_cast<unsigned char>(c) >= 0x80;
    };
    auto digit = [](char c) { return std::isdigit(static_cast<unsigned char>(c)) != 0; };
    std::vector<std::string> out;
    std::string w;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        if (word(c)) {
            w += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
            continue;
        }
        bool joins = !w.empty() && i + 1 < text.size() && word(text[i + 1]) &&
                     (c == '\'' || c == '&' ||
                      ((c == '.' || c == ',' || c == ';') && digit(text[i - 1]) &&
                       digit(text[i + 1])));
        if (joins) {
            w += c;
            continue;
        }
        if (!w.empty()) out.push_back(w);
        w.clear();
    }
    if (!w.empty()) out.push_back(w);
    return out;
}

// The same words stemmed like the index (STEM_ALL).
inline std::vector<std::string> stem_tokens(const std::string& text) {
    static Xapian::Stem stem("english");
    std::vector<std::string> out = raw_tokens(text);
    for (std::string& w : out) w = stem(w);
    return out;
}

inline bool contains_phrase(const std::string& text, const std::vector<std::string>& phrase) {
    auto t = stem_tokens(text);
    return std::search(t.begin(), t.end(), phrase.begin(), phrase.end()) != t.end();
}

struct ItemRef {
    const imrdex::Letter* letter;
    std::size_t index;  // 0-based
    [[nodiscard]] const imrdex::Item& item() const { return letter->items[index]; }
    [[nodiscard]] std::string key() const {
        return letter->id + "#" + std::to_string(index + 1);
    }
};

template <typename Pred>
std::vector<ItemRef> items_where(const std::vector<imrdex::Letter>& ls, Pred pred) {
    std::vector<ItemRef> out;
    for (const auto& l : ls)
        for (std::size_t i = 0; i < l.items.size(); ++i)
            if (pred(ItemRef{&l, i})) out.push_back(ItemRef{&l, i});
    return out;
}

// The values an item document counts under facet `facet`, worked out by hand from the letter,
// independently of the schema table and its normaliser: the oracle of the facet tests.
inline std::set<std::string> facet_values(const imrdex::Letter& l, const imrdex::Item& it,
                                          const std::string& facet) {
    std::set<std::string> v;
    auto sources = [&](const imrdex::Guideline& g) {
        for (const auto& src : g.sources) v.insert(lower(src));
        if (g.sources.empty()) v.insert("none");
    };
    if (facet == "decision") {
        v.insert(std::string(imrdex::to_string(it.decision)));
    } else if (facet == "category") {
        v.insert(std::string(imrdex::to_string(it.category)));
    } else if (facet == "drug") {
        v.insert(lower(it.drug));
    } else if (facet == "class") {
        v.insert(lower(it.drug_class));
    } else if (facet == "specialty") {
        for (const auto& sp : l.specialties) v.insert(lower(sp));
    } else if (facet == "state") {
        for (const auto& st : l.states) v.insert(lower(st));
    } else if (facet == "sex") {
        v.insert(lower(l.sex));
    } else if (facet == "guideline") {
        sources(it.maximus_guideline);
    } else if (facet == "caguideline") {
        sources(it.ca_guideline);
    } else if (facet == "priority") {
        v.insert(lower(l.priority));
    } else if (facet == "id") {
        v.insert(l.id);
    } else if (facet == "year") {
        if (!l.decision_date.empty())
            v.insert(l.decision_date.substr(0, 4));
        else if (l.id.rfind("CM", 0) == 0 && l.id.size() > 4 && l.id[4] == '-')
            v.insert("20" + l.id.substr(2, 2));
    } else {
        throw std::invalid_argument("facet oracle: no rule for facet '" + facet + "'");
    }
    v.erase("");
    return v;
}

// Per-value counts of a facet over `items`, as the index should give them, with "(none)" for the
// items that have no value.
inline std::map<std::string, Xapian::doccount> facet_oracle(const std::vector<ItemRef>& items,
                                                            const std::string& facet) {
    std::map<std::string, Xapian::doccount> out;
    for (const auto& r : items) {
        const auto values = facet_values(*r.letter, r.item(), facet);
        for (const auto& v : values) ++out[v];
        if (values.empty()) ++out["(none)"];  // the bucket of items without a value
    }
    return out;
}

}  // namespace fixture
