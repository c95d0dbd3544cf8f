// Full exports (every matching item streamed as CSV or JSON Lines) and whole letters read back
// from the index's document data (imrdex/search/export.hpp).
#include "imrdex/search/export.hpp"

#include <algorithm>
#include <array>
#include <cstdint>
#include <string>

#include <simdjson.h>

#include "imrdex/core/doc_data.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/index/schema_version.hpp"
#include "imrdex/search/letter_query.hpp"
#include "imrdex/search/search.hpp"

namespace imrdex {

namespace {

struct Row {
    const Letter& letter;
    const Item& item;
    int number;
};

enum class Kind { text, list, integer, guideline };

// One export field: how to read it off an item and its letter, following `kind`.
struct Field {
    std::string_view name;
    Kind kind;
    const std::string& (*text)(const Row&) = nullptr;
    const std::vector<std::string>& (*list)(const Row&) = nullptr;
    int (*integer)(const Row&) = nullptr;  // negative: unknown (null)
    const Guideline& (*guideline)(const Row&) = nullptr;
};

using Text = const std::string&;
using List = const std::vector<std::string>&;
using Cite = const Guideline&;

// Column order: who and where, the item, its citations, then the letter's fields, the long
// texts last so a spreadsheet's first columns stay readable.
const auto kFields = std::to_array<Field>({
    {"id", Kind::text, [](const Row& r) -> Text { return r.letter.id; }},
    {"item", Kind::integer, nullptr, nullptr, [](const Row& r) { return r.number; }},
    {"source", Kind::text, [](const Row& r) -> Text { return r.letter.source; }},
    {"request", Kind::text, [](const Row& r) -> Text { return r.item.request; }},
    {"original_request", Kind::text, [](const Row& r) -> Text { return r.item.original_request; }},
    {"decision", Kind::text, nullptr},  // an enum: written from the item, see cell_text
    {"category", Kind::text, nullptr},
    {"drug", Kind::text, [](const Row& r) -> Text { return r.item.drug; }},
    {"drug_class", Kind::text, [](const Row& r) -> Text { return r.item.drug_class; }},
    {"strength", Kind::text, [](const Row& r) -> Text { return r.item.strength; }},
    {"quantity", Kind::text, [](const Row& r) -> Text { return r.item.quantity; }},
    {"ca_guideline", Kind::guideline, nullptr, nullptr, nullptr,
     [](const Row& r) -> Cite { return r.item.ca_guideline; }},
    {"maximus_guideline", Kind::guideline, nullptr, nullptr, nullptr,
     [](const Row& r) -> Cite { return r.item.maximus_guideline; }},
    {"date_assigned", Kind::text, [](const Row& r) -> Text { return r.letter.date_assigned; }},
    {"decision_date", Kind::text, [](const Row& r) -> Text { return r.letter.decision_date; }},
    {"injury_date", Kind::text, [](const Row& r) -> Text { return r.letter.injury_date; }},
    {"ur_denial_date", Kind::text, [](const Row& r) -> Text { return r.letter.ur_denial_date; }},
    {"received_date", Kind::text, [](const Row& r) -> Text { return r.letter.received_date; }},
    {"priority", Kind::text, [](const Row& r) -> Text { return r.letter.priority; }},
    {"age", Kind::integer, nullptr, nullptr, [](const Row& r) { return r.letter.age; }},
    {"sex", Kind::text, [](const Row& r) -> Text { return r.letter.sex; }},
    {"states", Kind::list, nullptr, [](const Row& r) -> List { return r.letter.states; }},
    {"specialties", Kind::list, nullptr, [](const Row& r) -> List { return r.letter.specialties; }},
    {"rationale", Kind::text, [](const Row& r) -> Text { return r.item.rationale; }},
    {"summary", Kind::text, [](const Row& r) -> Text { return r.letter.summary; }},
});

constexpr std::string_view kNotByDefault = "summary";

const Field& find_field(std::string_view name) {
    for (const Field& f : kFields)
        if (f.name == name) return f;
    throw QueryError("unknown export field '" + std::string(name) + "'");
}

// A text field's value; decision and category are enums of the item.
std::string_view cell_text(const Field& f, const Row& r) {
    if (f.name == "decision") return to_string(r.item.decision);
    if (f.name == "category") return to_string(r.item.category);
    return f.text(r);
}

std::string joined(const std::vector<std::string>& list) {
    std::string out;
    for (const std::string& v : list) {
        if (!out.empty()) out += '|';
        out += v;
    }
    return out;
}

// ---- Reading document data back -----------------------------------------------------------

std::string_view text_of(simdjson::dom::object& o, std::string_view key) {
    std::string_view s;
    if (o[key].get_string().get(s) == simdjson::SUCCESS) return s;
    return {};
}

std::vector<std::string> list_of(simdjson::dom::object& o, std::string_view key) {
    std::vector<std::string> out;
    simdjson::dom::array a;
    if (o[key].get_array().get(a) != simdjson::SUCCESS) return out;
    for (auto v : a) {
        std::string_view s;
        if (v.get_string().get(s) == simdjson::SUCCESS) out.emplace_back(s);
    }
    return out;
}

Guideline guideline_of(simdjson::dom::object& o, std::string_view key) {
    Guideline g;
    simdjson::dom::object inner;
    if (o[key].get_object().get(inner) != simdjson::SUCCESS) return g;
    g.text = text_of(inner, "text");
    g.sources = list_of(inner, "sources");
    return g;
}

Decision decision_of(std::string_view s) {
    if (s == "upheld") return Decision::upheld;
    if (s == "overturned") return Decision::overturned;
    return Decision::unknown;
}

// One document's data as its letter's fields (into `letter`, summary only when the data has
// it) and its item; returns the 1-based item number (0 when the data has none). Throws
// IoError when the data is not a JSON object: the index is not imr-index's.
int read_data(simdjson::dom::parser& parser, const std::string& data, Letter& letter, Item& item) {
    simdjson::dom::object o;
    if (parser.parse(data).get_object().get(o) != simdjson::SUCCESS)
        throw IoError("a document's data is not a JSON object (not written by imr-index)");
    letter.id = text_of(o, "id");
    letter.source = text_of(o, "source");
    letter.date_assigned = text_of(o, "date_assigned");
    letter.decision_date = text_of(o, "decision_date");
    letter.injury_date = text_of(o, "injury_date");
    letter.ur_denial_date = text_of(o, "ur_denial_date");
    letter.received_date = text_of(o, "received_date");
    letter.priority = text_of(o, "priority");
    letter.states = list_of(o, "states");
    letter.specialties = list_of(o, "specialties");
    std::int64_t n = -1;
    letter.age = o["age"].get_int64().get(n) == simdjson::SUCCESS ? static_cast<int>(n) : -1;
    letter.sex = text_of(o, "sex");
    std::string_view summary;
    if (o["summary"].get_string().get(summary) == simdjson::SUCCESS) letter.summary = summary;
    item.request = text_of(o, "request");
    item.original_request = text_of(o, "original_request");
    item.decision = decision_of(text_of(o, "decision"));
    item.category = parse_category(text_of(o, "category")).value_or(Category::other);
    item.drug = text_of(o, "drug");
    item.drug_class = text_of(o, "drug_class");
    item.strength = text_of(o, "strength");
    item.quantity = text_of(o, "quantity");
    item.ca_guideline = guideline_of(o, "ca_guideline");
    item.maximus_guideline = guideline_of(o, "maximus_guideline");
    item.rationale = text_of(o, "rationale");
    std::int64_t number = 0;
    return o["item"].get_int64().get(number) == simdjson::SUCCESS ? static_cast<int>(number) : 0;
}

// The summary of letter `id`, from its first item's document ("Q" + id + "/1").
std::string summary_of(const Xapian::Database& db, simdjson::dom::parser& parser,
                       const std::string& id) {
    const std::string unique = std::string(schema::kUnique) + id + "/1";
    const auto p = db.postlist_begin(unique);
    if (p == db.postlist_end(unique)) return {};
    Letter letter;
    Item item;
    read_data(parser, decode_document_data(db.get_document(*p).get_data()), letter, item);
    return letter.summary;
}

// Holds the export's output until it is worth a write: one row per sink call would cost a
// write per row on an unbuffered sink.
constexpr std::size_t kFlushBytes = 1 << 16;

// Turns each matching document into a row; the Xapian match calls it for every match (as a
// MatchSpy, locally), or the remote path feeds it page by page.
class RowWriter {
public:
    RowWriter(const Xapian::Database& db, const ExportOptions& options, const ExportSink& sink)
        : db_(db),
          options_(options),
          sink_(sink),
          fields_(options.fields.empty() ? default_export_fields() : options.fields),
          summary_(std::find(fields_.begin(), fields_.end(), kNotByDefault) != fields_.end()) {
        if (options_.format == ExportFormat::csv) out_ = export_csv_header(fields_);
    }

    void add(const Xapian::Document& doc) {
        if (skipped_ < options_.offset) {
            ++skipped_;
            return;
        }
        const int number = read_data(parser_, decode_document_data(doc.get_data()), letter_, item_);
        if (summary_ && number != 1) {
            // A later item: the summary is on the first item's document.
            if (letter_.id != summary_id_) {
                summary_id_ = letter_.id;
                summary_text_ = summary_of(db_, summary_parser_, letter_.id);
            }
            letter_.summary = summary_text_;
        }
        out_ += export_row(letter_, item_, number, fields_, options_.format);
        letter_.summary.clear();
        ++rows_;
        if (out_.size() >= kFlushBytes) flush();
    }

    void flush() {
        if (!out_.empty()) sink_(out_);
        out_.clear();
    }

    [[nodiscard]] Xapian::doccount rows() const { return rows_; }

private:
    const Xapian::Database& db_;
    const ExportOptions& options_;
    const ExportSink& sink_;
    std::vector<std::string> fields_;
    bool summary_;
    simdjson::dom::parser parser_;
    simdjson::dom::parser summary_parser_;
    Letter letter_;
    Item item_;
    std::string summary_id_, summary_text_;
    std::string out_;
    Xapian::doccount skipped_ = 0;
    Xapian::doccount rows_ = 0;
};

class ExportSpy : public Xapian::MatchSpy {
public:
    explicit ExportSpy(RowWriter& writer) : writer_(writer) {}
    void operator()(const Xapian::Document& doc, double /*wt*/) override { writer_.add(doc); }

private:
    RowWriter& writer_;
};

// Matches read per page when a remote shard cannot run ExportSpy: small enough that a page's
// MSet stays a few megabytes.
constexpr Xapian::doccount kPage = 2000;

}  // namespace

const std::vector<std::string_view>& export_field_names() {
    static const std::vector<std::string_view> names = [] {
        std::vector<std::string_view> out;
        for (const Field& f : kFields) out.push_back(f.name);
        return out;
    }();
    return names;
}

std::vector<std::string> default_export_fields() {
    std::vector<std::string> out;
    for (const Field& f : kFields)
        if (f.name != kNotByDefault) out.emplace_back(f.name);
    return out;
}

std::vector<std::string> parse_export_fields(std::string_view list) {
    std::vector<std::string> out = split_name_list(list);
    const auto& names = export_field_names();
    for (const std::string& name : out)
        if (std::find(names.begin(), names.end(), name) == names.end()) {
            std::string known;
            for (auto n : names) known += (known.empty() ? "" : ",") + std::string(n);
            throw QueryError("unknown field '" + name + "' (known: " + known + ")");
        }
    return out.empty() ? default_export_fields() : out;
}

std::string export_csv_header(const std::vector<std::string>& fields) {
    std::string out;
    for (const std::string& name : fields) {
        if (!out.empty()) out += ',';
        out += name;
        if (find_field(name).kind == Kind::guideline) out += "," + name + "_sources";
    }
    return out + "\r\n";
}

std::string export_row(const Letter& letter, const Item& item, int item_number,
                       const std::vector<std::string>& fields, ExportFormat format) {
    const Row r{letter, item, item_number};
    std::string out;
    if (format == ExportFormat::jsonl) {
        JsonWriter w(out);
        w.begin_object();
        for (const std::string& name : fields) {
            const Field& f = find_field(name);
            w.key(f.name);
            switch (f.kind) {
                case Kind::text:
                    w.value(cell_text(f, r));
                    break;
                case Kind::list:
                    w.value(f.list(r));
                    break;
                case Kind::integer:
                    if (const int n = f.integer(r); n >= 0)
                        w.value(n);
                    else
                        w.null();
                    break;
                case Kind::guideline: {
                    const Guideline& g = f.guideline(r);
                    w.begin_object().field("text", g.text).field("sources", g.sources);
                    w.end_object();
                    break;
                }
            }
        }
        w.end_object();
        return out + "\n";
    }
    bool first = true;
    for (const std::string& name : fields) {
        const Field& f = find_field(name);
        if (!first) out += ',';
        first = false;
        switch (f.kind) {
            case Kind::text:
                out += csv_field(cell_text(f, r));
                break;
            case Kind::list:
                out += csv_field(joined(f.list(r)));
                break;
            case Kind::integer:
                if (const int n = f.integer(r); n >= 0) out += std::to_string(n);
                break;
            case Kind::guideline: {
                const Guideline& g = f.guideline(r);
                out += csv_field(g.text) + "," + csv_field(joined(g.sources));
                break;
            }
        }
    }
    return out + "\r\n";
}

std::string format_letter_json(const Letter& letter) {
    // The extraction record's own writer, so the two records cannot drift apart.
    return to_json(letter, /*warnings=*/false) + "\n";
}

std::string format_letter_text(const Letter& l) {
    std::string out = l.id + "  (" + l.source + ")\n";
    auto line = [&](std::string_view label, const std::string& value) {
        if (!value.empty()) out += "  " + std::string(label) + ": " + value + "\n";
    };
    line("decided", l.decision_date);
    line("assigned", l.date_assigned);
    line("injured", l.injury_date);
    line("UR denial", l.ur_denial_date);
    line("received", l.received_date);
    line("priority", l.priority);
    line("age", l.age >= 0 ? std::to_string(l.age) : std::string());
    line("sex", l.sex);
    line("reviewer states", joined(l.states));
    line("reviewer specialties", joined(l.specialties));
    line("summary", l.summary);
    for (std::size_t n = 0; n < l.items.size(); ++n) {
        const Item& i = l.items[n];
        out += "\nitem " + std::to_string(n + 1) + ": " + std::string(to_string(i.decision)) +
               "  " + std::string(to_string(i.category)) + "\n";
        line("request", i.request);
        line("original request", i.original_request);
        line("drug", i.drug);
        line("class", i.drug_class);
        line("strength", i.strength);
        line("quantity", i.quantity);
        for (const auto& [label, g] : {std::pair{"claims administrator guideline", &i.ca_guideline},
                                       std::pair{"MAXIMUS guideline", &i.maximus_guideline}}) {
            if (g->text.empty() && g->sources.empty()) continue;
            out += "  " + std::string(label) + ": " + g->text;
            if (!g->sources.empty()) out += " [" + joined(g->sources) + "]";
            out += "\n";
        }
        line("rationale", i.rationale);
    }
    return out;
}

Xapian::doccount Searcher::export_items(const ExportOptions& options, const ExportSink& sink) {
    std::vector<QueryBuilder::Filter> filters;
    const Xapian::Query parsed = builder_.parse(options.query, filters);
    try {
        refresh();
    } catch (const Xapian::NetworkError&) {
        // A remote shard gone: the match reports it.
    }
    if (!options.allow_empty) check_filters(filters);
    const bool word_pairs = db_.get_metadata(std::string(schema::kWordPairsKey)) == "1";
    const Xapian::Query narrowed = word_pairs ? narrow_phrases(parsed) : parsed;
    const Xapian::doccount all = std::max<Xapian::doccount>(db_.get_doccount(), 1);

    // Locally, a MatchSpy sees every match as the matcher reaches it and writes its row there:
    // the MSet stays empty, so memory does not grow with the matches. Relevance has no meaning
    // for a full export, so BoolWeight spares computing it.
    if (!remote_) {
        Xapian::Enquire enquire(db_);
        enquire.set_query(
            lift_letter_conditions(narrowed, db_, LetterLift::items_of_matching_letters));
        enquire.set_weighting_scheme(Xapian::BoolWeight());
        enquire.set_docid_order(Xapian::Enquire::ASCENDING);
        RowWriter writer(db_, options, sink);
        ExportSpy spy(writer);
        enquire.add_matchspy(&spy);
        try {
            (void)enquire.get_mset(0, 0, all);
            writer.flush();
            return writer.rows();
        } catch (const Xapian::UnimplementedError&) {
            // A remote shard cannot run ExportSpy or the local letter lift; Xapian refuses
            // before matching, so nothing was written yet (checked: nothing to undo).
            if (writer.rows() != 0) throw;
            remote_ = true;
        }
    }
    // Remote shards: page through the matches in docid order, kPage at a time.
    Xapian::Enquire enquire(db_);
    enquire.set_query(lift_letter_conditions(narrowed, db_, LetterLift::letter_id_terms));
    enquire.set_weighting_scheme(Xapian::BoolWeight());
    enquire.set_docid_order(Xapian::Enquire::ASCENDING);
    RowWriter writer(db_, options, sink);
    for (Xapian::doccount first = 0;; first += kPage) {
        const Xapian::MSet page = enquire.get_mset(first, kPage);
        for (auto it = page.begin(); it != page.end(); ++it) writer.add(it.get_document());
        if (page.size() < kPage) break;
    }
    writer.flush();
    return writer.rows();
}

Letter Searcher::letter(std::string_view id) {
    try {
        refresh();
    } catch (const Xapian::NetworkError&) {
    }
    const schema::Facet& facet = *schema::find_facet("id");
    const std::vector<std::string> terms = filter_terms(facet, id);
    Letter out;
    std::vector<std::pair<int, Item>> items;
    simdjson::dom::parser parser;
    for (const std::string& term : terms) {
        for (auto p = db_.postlist_begin(term); p != db_.postlist_end(term); ++p) {
            Letter letter;
            Item item;
            const int number = read_data(
                parser, decode_document_data(db_.get_document(*p).get_data()), letter, item);
            // The letter's fields are on every item; the summary only on the first.
            if (items.empty() || number == 1) {
                std::string summary = std::move(out.summary);
                out = std::move(letter);
                if (out.summary.empty()) out.summary = std::move(summary);
            }
            items.emplace_back(number, std::move(item));
        }
        if (!items.empty()) break;  // the id as typed was found: its upper-case form is another
    }
    if (items.empty()) {
        const std::string none = "no letter has the id '" + std::string(id) + "'";
        try {
            check_filters({QueryBuilder::Filter{&facet, std::string(id), terms, {}}});
        } catch (const QueryError& e) {
            // Keep its "did you mean" (the nearest ids held); --allow-empty means nothing here.
            std::string message = e.what();
            const std::size_t hint = message.find("; did you mean");
            const std::size_t tail = message.rfind(" (--allow-empty");
            if (hint == std::string::npos) throw QueryError(none);
            throw QueryError(none + message.substr(hint, tail == std::string::npos
                                                             ? std::string::npos
                                                             : tail - hint));
        }
        throw QueryError(none);  // the id is held but has no item (cannot happen)
    }
    std::stable_sort(items.begin(), items.end(),
                     [](const auto& a, const auto& b) { return a.first < b.first; });
    for (auto& [number, item] : items) out.items.push_back(std::move(item));
    return out;
}

}  // namespace imrdex
