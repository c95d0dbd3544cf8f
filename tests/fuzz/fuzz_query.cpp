// libFuzzer target: QueryBuilder::parse on any text either builds a query that runs, or throws
// QueryError; any other exception, crash or undefined behaviour is a bug.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include <xapian.h>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/search/search.hpp"

namespace {

// A one-letter in-memory index so the parsed query is also executed (wildcard expansion, value
// ranges and filters only fail at search time).
Xapian::Database& tiny_db() {
    static Xapian::WritableDatabase db = [] {
        Xapian::WritableDatabase w(std::string(), Xapian::DB_BACKEND_INMEMORY);
        Xapian::Document d;
        for (const char* t : {"XRopioid", "XRwean", "XQmri", "XSfemal", "XDupheld", "XTca",
                              "XGtramadol", "XCopioid", "XLCM16-0000001"}) {
            d.add_term(t);
        }
        d.add_posting("XRbenzodiazepin", 1);
        d.add_posting("XRtaper", 2);
        d.add_value(imrdex::schema::kSlotDecisionDate, Xapian::sortable_serialise(20161209));
        w.add_document(d);
        return w;
    }();
    return db;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static const imrdex::QueryBuilder builder;
    const std::string_view text(reinterpret_cast<const char*>(data), size);
    Xapian::Query query;
    try {
        query = builder.parse(text);
    } catch (const imrdex::QueryError& e) {
        if (std::string_view(e.what()).empty()) std::abort();  // the message must say something
        return 0;
    }
    if (query.empty()) std::abort();  // parse() promises a query or a QueryError
    (void)query.get_description();
    Xapian::Enquire enquire(tiny_db());
    enquire.set_query(query);
    (void)enquire.get_mset(0, 10);
    return 0;
}
