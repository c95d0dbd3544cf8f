// Serialises the extraction record (imrdex::Letter) as the JSON object of `--extract`.
#include "imrdex/core/json.hpp"
#include "imrdex/core/letter.hpp"

namespace imrdex {

std::string_view to_string(Decision d) noexcept {
    switch (d) {
        case Decision::upheld: return "upheld";
        case Decision::overturned: return "overturned";
        case Decision::unknown: break;
    }
    return "unknown";
}

namespace {

void write_guideline(JsonWriter& w, std::string_view key, const Guideline& g) {
    w.key(key).begin_object();
    w.field("text", g.text).field("sources", g.sources);
    w.end_object();
}

}  // namespace

std::string to_json(const Letter& letter) {
    std::string out;
    out.reserve(1024 + letter.summary.size() + letter.items.size() * 2048);
    JsonWriter w(out);
    w.begin_object();
    w.field("id", letter.id).field("source", letter.source);
    w.field("date_assigned", letter.date_assigned).field("decision_date", letter.decision_date);
    w.field("injury_date", letter.injury_date).field("ur_denial_date", letter.ur_denial_date);
    w.field("received_date", letter.received_date).field("priority", letter.priority);
    w.field("states", letter.states).field("specialties", letter.specialties);
    w.key("age");
    if (letter.age >= 0) w.value(letter.age); else w.null();
    w.field("sex", letter.sex);
    w.key("items").begin_array();
    for (const Item& item : letter.items) {
        w.begin_object();
        w.field("request", item.request);
        if (!item.original_request.empty()) w.field("original_request", item.original_request);
        w.field("decision", to_string(item.decision)).field("category", item.category);
        w.field("drug", item.drug).field("drug_class", item.drug_class);
        w.field("strength", item.strength).field("quantity", item.quantity);
        write_guideline(w, "ca_guideline", item.ca_guideline);
        write_guideline(w, "maximus_guideline", item.maximus_guideline);
        w.field("rationale", item.rationale);
        w.end_object();
    }
    w.end_array();
    w.key("warnings").begin_array();
    for (const Warning& warning : letter.warnings) {
        w.begin_object().field("code", warning.code).field("detail", warning.detail).end_object();
    }
    w.end_array();
    w.field("summary", letter.summary);
    w.end_object();
    return out;
}

}  // namespace imrdex
