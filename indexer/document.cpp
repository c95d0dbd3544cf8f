// Builds the Xapian item documents of a letter (imrdex/schema.hpp): boolean facet terms, value
// slots, JSON data, and positional stemmed free text (imrdex/core/tokenizer.hpp).
#include "imrdex/index/document.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "imrdex/core/date.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/tokenizer.hpp"

namespace imrdex {
namespace {

// Xapian refuses terms longer than about 245 bytes; boolean values that long carry no use.
constexpr std::size_t kMaxTermBytes = 240;
// Gap between the request and the original request so a phrase cannot span them.
constexpr Xapian::termpos kFieldGap = 100;

std::string lower_ascii(std::string_view s) {
    std::string out(s);
    for (char& c : out) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
}

std::string joined_sorted(std::vector<std::string> values, bool lower_case, bool none_if_empty) {
    if (lower_case) {
        for (std::string& v : values) v = lower_ascii(v);
    }
    std::sort(values.begin(), values.end());
    values.erase(std::unique(values.begin(), values.end()), values.end());
    std::string out;
    for (const std::string& v : values) {
        if (!out.empty()) out.push_back('|');
        out += v;
    }
    if (out.empty() && none_if_empty) out = "none";
    return out;
}

}  // namespace

struct DocumentBuilder::Impl {
    text::Tokenizer tokenizer;
    text::StemCache stem;
    std::string term;
    std::string pair;       // pair prefix + previous stem + ' ': the next word completes it
    bool pair_open = false;  // `pair` holds a previous word of the current field
    bool word_pairs = false;

    void emit(Xapian::Document& doc, std::string_view word, std::string_view prefix,
              std::string_view pair_prefix, Xapian::termpos& pos) {
        const std::string& s = stem(word);
        if (s.empty()) return;
        term.assign(prefix);
        term += s;
        doc.add_posting(term, ++pos);
        // Pairs follow positions: a skipped word (too long) does not break one, as it does not
        // break a phrase either.
        if (pair_prefix.empty()) return;
        if (pair_open) {
            pair += s;
            doc.add_term(pair);
        }
        pair.assign(pair_prefix);
        pair_open = true;
        pair += s;
        pair += ' ';
    }

    // Posts the English stem of each word of `body` (text::Tokenizer: the words Xapian's
    // TermGenerator makes, so the QueryParser on the search side makes the same terms) under
    // `prefix` at consecutive positions (STEM_ALL: no unstemmed or Z-prefixed copies), and, if
    // enabled, the word pairs of the field (schema::pair_prefix).
    void index_text(Xapian::Document& doc, std::string_view body, std::string_view prefix,
                    Xapian::termpos& pos) {
        const std::string_view pair_prefix = word_pairs ? schema::pair_prefix(prefix) : "";
        pair_open = false;
        tokenizer.split(body,
                        [&](const text::Word& w) { emit(doc, w.term, prefix, pair_prefix, pos); });
    }

    static void boolean(Xapian::Document& doc, std::string_view prefix, std::string_view value) {
        if (value.empty() || prefix.size() + value.size() > kMaxTermBytes) return;
        std::string t(prefix);
        t += value;
        doc.add_boolean_term(t);
    }
};

DocumentBuilder::DocumentBuilder(bool word_pairs) : impl_(std::make_shared<Impl>()) {
    impl_->word_pairs = word_pairs;
}

std::vector<ItemDocument> DocumentBuilder::build(const Letter& letter) {
    namespace s = schema;
    Impl& d = *impl_;
    std::vector<ItemDocument> out;
    out.reserve(letter.items.size());

    // Letter-level pieces, shared by every item document.
    std::vector<std::string> states_lc;
    for (const std::string& st : letter.states) states_lc.push_back(lower_ascii(st));
    const std::string states_joined = joined_sorted(states_lc, false, false);
    const std::string specialties_joined = joined_sorted(letter.specialties, true, false);
    const std::string sex = lower_ascii(letter.sex);
    const std::string priority = lower_ascii(letter.priority);
    struct DateSlot {
        Xapian::valueno slot;
        const std::string* iso;
    };
    const DateSlot dates[] = {
        {s::kSlotDateAssigned, &letter.date_assigned}, {s::kSlotDecisionDate, &letter.decision_date},
        {s::kSlotInjuryDate, &letter.injury_date},     {s::kSlotUrDenialDate, &letter.ur_denial_date},
        {s::kSlotReceivedDate, &letter.received_date},
    };

    for (std::size_t n = 0; n < letter.items.size(); ++n) {
        const Item& item = letter.items[n];
        const bool first = n == 0;
        ItemDocument result;
        result.unique_term = std::string(s::kUnique) + letter.id + "/" + std::to_string(n + 1);
        Xapian::Document& doc = result.document;

        // Boolean filter terms.
        if (result.unique_term.size() <= kMaxTermBytes) doc.add_boolean_term(result.unique_term);
        Impl::boolean(doc, s::kLetterId, letter.id);
        const std::string decision(to_string(item.decision));
        Impl::boolean(doc, s::kDecision, decision);
        const std::string category = lower_ascii(to_string(item.category));
        const std::string drug = lower_ascii(item.drug);
        const std::string drug_class = lower_ascii(item.drug_class);
        Impl::boolean(doc, s::kCategory, category);
        Impl::boolean(doc, s::kDrug, drug);
        if (drug.find('/') != std::string::npos) {
            std::size_t start = 0;
            while (start <= drug.size()) {
                const std::size_t slash = std::min(drug.find('/', start), drug.size());
                Impl::boolean(doc, s::kDrug, std::string_view(drug).substr(start, slash - start));
                start = slash + 1;
            }
        }
        Impl::boolean(doc, s::kDrugClass, drug_class);
        for (const std::string& sp : letter.specialties) {
            Impl::boolean(doc, s::kSpecialty, lower_ascii(sp));
        }
        for (const std::string& st : states_lc) Impl::boolean(doc, s::kState, st);
        Impl::boolean(doc, s::kSex, sex);
        Impl::boolean(doc, s::kPriority, priority);
        const std::string maximus = joined_sorted(item.maximus_guideline.sources, true, true);
        const std::string ca = joined_sorted(item.ca_guideline.sources, true, true);
        for (const std::string& src : item.maximus_guideline.sources) {
            Impl::boolean(doc, s::kGuideline, lower_ascii(src));
        }
        if (item.maximus_guideline.sources.empty()) Impl::boolean(doc, s::kGuideline, "none");
        for (const std::string& src : item.ca_guideline.sources) {
            Impl::boolean(doc, s::kCaGuideline, lower_ascii(src));
        }
        if (item.ca_guideline.sources.empty()) Impl::boolean(doc, s::kCaGuideline, "none");
        if (first) Impl::boolean(doc, s::kFirstItem, "1");

        // Value slots for facet counts, sorting and ranges.
        doc.add_value(s::kSlotLetterId, letter.id);
        doc.add_value(s::kSlotDecision, decision);
        if (!category.empty()) doc.add_value(s::kSlotCategory, category);
        if (!drug.empty()) doc.add_value(s::kSlotDrug, drug);
        if (!drug_class.empty()) doc.add_value(s::kSlotDrugClass, drug_class);
        if (!specialties_joined.empty()) doc.add_value(s::kSlotSpecialties, specialties_joined);
        if (!states_joined.empty()) doc.add_value(s::kSlotStates, states_joined);
        if (!sex.empty()) doc.add_value(s::kSlotSex, sex);
        doc.add_value(s::kSlotGuideline, maximus);
        doc.add_value(s::kSlotCaGuideline, ca);
        if (letter.age >= 0) doc.add_value(s::kSlotAge, Xapian::sortable_serialise(letter.age));
        for (const DateSlot& ds : dates) {
            const double v = date_number(*ds.iso);
            if (v > 0) doc.add_value(ds.slot, Xapian::sortable_serialise(v));
        }
        doc.add_value(s::kSlotItemNumber, Xapian::sortable_serialise(static_cast<double>(n + 1)));
        if (!priority.empty()) doc.add_value(s::kSlotPriority, priority);
        std::string facets;
        for (const s::Facet& f : s::kFacets) facets += doc.get_value(f.slot) + s::kFacetEnd;
        doc.add_value(s::kSlotFacets, facets);

        // Positional free text; each field has its own prefix and so its own position space.
        Xapian::termpos pos = 0;
        d.index_text(doc, item.rationale, s::kRationale, pos);
        pos = 0;
        d.index_text(doc, item.request, s::kRequest, pos);
        if (!item.original_request.empty()) {
            pos += kFieldGap;
            d.index_text(doc, item.original_request, s::kRequest, pos);
        }
        if (first) {
            pos = 0;
            d.index_text(doc, letter.summary, s::kSummary, pos);
        }

        // What a hit shows.
        std::string data;
        data.reserve(512 + item.rationale.size() + (first ? letter.summary.size() : 0));
        JsonWriter w(data);
        w.begin_object();
        w.field("id", letter.id).field("item", static_cast<std::int64_t>(n + 1));
        w.field("request", item.request);
        if (!item.original_request.empty()) w.field("original_request", item.original_request);
        w.field("decision", decision).field("category", to_string(item.category));
        w.field("drug", item.drug).field("drug_class", item.drug_class);
        w.field("date_assigned", letter.date_assigned).field("decision_date", letter.decision_date);
        w.field("injury_date", letter.injury_date);
        w.key("age");
        if (letter.age >= 0) w.value(letter.age); else w.null();
        w.field("sex", letter.sex).field("states", letter.states);
        w.field("specialties", letter.specialties).field("source", letter.source);
        w.field("rationale", item.rationale);
        if (first) w.field("summary", letter.summary);
        w.end_object();
        doc.set_data(data);
        out.push_back(std::move(result));
    }
    return out;
}

}  // namespace imrdex
