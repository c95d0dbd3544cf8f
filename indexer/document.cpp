// Builds the Xapian item documents of a letter from the schema tables (imrdex/core/schema.hpp):
// facet terms and slots, ranges, JSON data, and positional stemmed free text
// (imrdex/core/tokenizer.hpp, the same words the query parser makes).
#include "imrdex/index/document.hpp"

#include <algorithm>
#include <cstdint>
#include <string>

#include "imrdex/core/date.hpp"
#include "imrdex/core/doc_data.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/core/tokenizer.hpp"
#include "imrdex/extract/facet_value.hpp"

namespace imrdex {
namespace {

// Xapian refuses terms longer than about 245 bytes; boolean values that long carry no use.
constexpr std::size_t kMaxTermBytes = 240;

void optional_field(JsonWriter& w, std::string_view key, const std::string& value) {
    if (!value.empty()) w.field(key, value);
}

// {"text", "sources"} as in the extraction record, when the item cites anything.
void optional_guideline(JsonWriter& w, std::string_view key, const Guideline& g) {
    if (g.text.empty() && g.sources.empty()) return;
    w.key(key).begin_object().field("text", g.text).field("sources", g.sources).end_object();
}

}  // namespace

struct DocumentBuilder::Impl {
    text::Tokenizer tokenizer;
    text::StemCache stem;
    std::string term;
    std::string pair;        // pair prefix + previous stem + ' ': the next word completes it
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
    std::string value;                // one facet value, normalised
    std::vector<std::string> values;  // a multi-valued facet's values, normalised
    std::string joined;               // their slot value

    for (std::size_t n = 0; n < letter.items.size(); ++n) {
        const Item& item = letter.items[n];
        const bool first = n == 0;
        ItemDocument result;
        result.unique_term = std::string(s::kUnique) + letter.id + "/" + std::to_string(n + 1);
        Xapian::Document& doc = result.document;
        if (result.unique_term.size() <= kMaxTermBytes) doc.add_boolean_term(result.unique_term);
        if (first) Impl::boolean(doc, s::kFirstItem, "1");

        // Facets: a boolean filter term per value, and the value slot.
        for (const s::Facet& f : s::kFacets) {
            const std::string* slot = &value;
            if (!f.multi_valued) {
                s::normalise(f.norm, f.one(letter, item), value);
                Impl::boolean(doc, f.prefix, value);
                if (f.parts != 0 && value.find(f.parts) != std::string::npos) {
                    std::size_t start = 0;
                    while (start <= value.size()) {
                        const std::size_t end = std::min(value.find(f.parts, start), value.size());
                        Impl::boolean(doc, f.prefix,
                                      std::string_view(value).substr(start, end - start));
                        start = end + 1;
                    }
                }
            } else {
                const std::vector<std::string>& raw = f.many(letter, item);
                values.resize(raw.size());
                std::size_t kept = 0;
                for (const std::string& r : raw) {
                    s::normalise(f.norm, r, values[kept]);
                    if (!values[kept].empty()) ++kept;
                }
                values.resize(kept);
                if (kept == 0 && !f.none.empty()) values.emplace_back(f.none);
                std::sort(values.begin(), values.end());
                values.erase(std::unique(values.begin(), values.end()), values.end());
                joined.clear();
                for (const std::string& v : values) {
                    Impl::boolean(doc, f.prefix, v);
                    if (!joined.empty()) joined += '|';
                    joined += v;
                }
                slot = &joined;
            }
            if (!slot->empty()) doc.add_value(f.slot, *slot);
        }

        // Ranges and sorting.
        for (const s::RangeField& f : s::kRangeFields) {
            const double v =
                f.kind == s::RangeKind::number ? f.number(letter) : date_number(f.date(letter));
            const bool known = f.kind == s::RangeKind::number ? v >= 0 : v > 0;
            if (known) doc.add_value(f.slot, Xapian::sortable_serialise(v));
        }
        doc.add_value(s::kSlotItemNumber, Xapian::sortable_serialise(static_cast<double>(n + 1)));

        // Positional free text.
        for (const s::TextField& f : s::kTextFields) {
            if (f.first_item_only && !first) continue;
            const s::TextParts parts = f.text(letter, item);
            Xapian::termpos pos = 0;
            d.index_text(doc, parts.first, f.prefix, pos);
            if (!parts.second.empty()) {
                pos += s::kPartGap;
                d.index_text(doc, parts.second, f.prefix, pos);
            }
        }

        // What a hit shows.
        std::string data;
        data.reserve(512 + item.rationale.size() + (first ? letter.summary.size() : 0));
        JsonWriter w(data);
        w.begin_object();
        w.field("id", letter.id).field("item", static_cast<std::int64_t>(n + 1));
        w.field("request", item.request);
        if (!item.original_request.empty()) w.field("original_request", item.original_request);
        w.field("decision", to_string(item.decision)).field("category", to_string(item.category));
        w.field("drug", item.drug).field("drug_class", item.drug_class);
        // The rest of the extraction record, so an export or `imr-search --show` can give it
        // back: written only when present (most items have no strength or guideline text),
        // which keeps the data small; a reader takes an absent key as empty.
        optional_field(w, "strength", item.strength);
        optional_field(w, "quantity", item.quantity);
        optional_guideline(w, "ca_guideline", item.ca_guideline);
        optional_guideline(w, "maximus_guideline", item.maximus_guideline);
        w.field("date_assigned", letter.date_assigned).field("decision_date", letter.decision_date);
        w.field("injury_date", letter.injury_date);
        optional_field(w, "ur_denial_date", letter.ur_denial_date);
        optional_field(w, "received_date", letter.received_date);
        optional_field(w, "priority", letter.priority);
        w.key("age");
        if (letter.age >= 0)
            w.value(letter.age);
        else
            w.null();
        w.field("sex", letter.sex).field("states", letter.states);
        w.field("specialties", letter.specialties).field("source", letter.source);
        w.field("rationale", item.rationale);
        if (first) w.field("summary", letter.summary);
        w.end_object();
        doc.set_data(data);  // compressed by DocumentDataEncoder, with the database's dictionary
        out.push_back(std::move(result));
    }
    return out;
}

DocumentDataEncoder::DocumentDataEncoder(std::size_t samples,
                                         std::unique_ptr<DocumentDictionary> existing)
    : wanted_(samples), done_(existing != nullptr || samples == 0), owned_(std::move(existing)) {
    published_.store(owned_.get(), std::memory_order_release);
}

DocumentDataEncoder::~DocumentDataEncoder() = default;

void DocumentDataEncoder::encode(std::vector<ItemDocument>& docs) {
    for (ItemDocument& d : docs) {
        if (const DocumentDictionary* dict = dictionary()) {
            d.document.set_data(encode_document_data(d.document.get_data(), dict));
            continue;
        }
        const std::lock_guard lock(mu_);
        if (done_) continue;  // gave up: plain JSON
        samples_.push_back(d.document.get_data());
        if (samples_.size() < wanted_) continue;
        // Enough to train on: this thread trains (the others keep their documents plain
        // meanwhile, behind the lock), then every later document is compressed.
        std::string bytes = DocumentDictionary::train(samples_);
        std::vector<std::string>().swap(samples_);
        done_ = true;
        if (bytes.empty()) continue;
        owned_ = std::make_unique<DocumentDictionary>(std::move(bytes));
        published_.store(owned_.get(), std::memory_order_release);
    }
}

}  // namespace imrdex
