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

std::string_view to_string(Category c) noexcept {
    switch (c) {
        case Category::pharmaceutical: return "pharmaceutical";
        case Category::physical_therapy: return "physical therapy";
        case Category::chiropractic: return "chiropractic";
        case Category::acupuncture: return "acupuncture";
        case Category::imaging: return "imaging";
        case Category::injection: return "injection";
        case Category::surgery: return "surgery";
        case Category::dme: return "dme";
        case Category::office_visit: return "office visit";
        case Category::psychological_services: return "psychological services";
        case Category::laboratory: return "laboratory";
        case Category::other: break;
    }
    return "other";
}

std::string_view to_string(WarningCode c) noexcept {
    switch (c) {
        case WarningCode::empty: return "empty";
        case WarningCode::invalid_utf8: return "invalid_utf8";
        case WarningCode::nul_bytes: return "nul_bytes";
        case WarningCode::cover_block_mismatch: return "cover_block_mismatch";
        case WarningCode::impossible_date: return "impossible_date";
        case WarningCode::no_cover_block: return "no_cover_block";
        case WarningCode::unknown_state: return "unknown_state";
        case WarningCode::unknown_specialty: return "unknown_specialty";
        case WarningCode::no_credentials: return "no_credentials";
        case WarningCode::no_states: return "no_states";
        case WarningCode::no_specialties: return "no_specialties";
        case WarningCode::no_summary: return "no_summary";
        case WarningCode::no_age: return "no_age";
        case WarningCode::no_sex: return "no_sex";
        case WarningCode::no_injury_date: return "no_injury_date";
        case WarningCode::no_issues_section: return "no_issues_section";
        case WarningCode::decision_unrecognised: return "decision_unrecognised";
        case WarningCode::partial_authorization_unparsed: return "partial_authorization_unparsed";
        case WarningCode::empty_request: return "empty_request";
        case WarningCode::truncated_item: return "truncated_item";
        case WarningCode::no_final_period: return "no_final_period";
        case WarningCode::no_items: return "no_items";
        case WarningCode::pdf_bad_page: return "pdf_bad_page";
        case WarningCode::pdf_empty_page: return "pdf_empty_page";
        case WarningCode::latin1: return "latin1";
    }
    return "unknown";  // not an enumerator: nothing the library writes
}

namespace {

// The lists of every value are in enumerator order, each value once: the reverse lookups below
// and the tests that walk them rely on it.
template <typename Enum, std::size_t N>
constexpr bool lists_every_value(const std::array<Enum, N>& all) {
    for (std::size_t i = 0; i < N; ++i) {
        if (static_cast<std::size_t>(all[i]) != i) return false;
    }
    return true;
}
static_assert(lists_every_value(kCategories));
static_assert(lists_every_value(kWarningCodes));

// Readers of extraction records are not a hot path: a walk over the names is enough.
template <typename Enum, std::size_t N>
std::optional<Enum> named(const std::array<Enum, N>& all, std::string_view name) noexcept {
    for (const Enum e : all) {
        if (to_string(e) == name) return e;
    }
    return std::nullopt;
}

}  // namespace

std::optional<Category> parse_category(std::string_view name) noexcept {
    return named(kCategories, name);
}

std::optional<WarningCode> parse_warning_code(std::string_view token) noexcept {
    return named(kWarningCodes, token);
}

namespace {

void write_guideline(JsonWriter& w, std::string_view key, const Guideline& g) {
    w.key(key).begin_object();
    w.field("text", g.text).field("sources", g.sources);
    w.end_object();
}

}  // namespace

std::string to_json(const Letter& letter, bool warnings) {
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
        w.field("decision", to_string(item.decision)).field("category", to_string(item.category));
        w.field("drug", item.drug).field("drug_class", item.drug_class);
        w.field("strength", item.strength).field("quantity", item.quantity);
        write_guideline(w, "ca_guideline", item.ca_guideline);
        write_guideline(w, "maximus_guideline", item.maximus_guideline);
        w.field("rationale", item.rationale);
        w.end_object();
    }
    w.end_array();
    if (warnings) {
        w.key("warnings").begin_array();
        for (const Warning& warning : letter.warnings) {
            w.begin_object().field("code", to_string(warning.code)).field("detail", warning.detail);
            w.end_object();
        }
        w.end_array();
    }
    w.field("summary", letter.summary);
    w.end_object();
    return out;
}

}  // namespace imrdex
