// imr-serve's JSON API as a function of (method, path, parameters) -> response, testable
// without sockets; serve/server.cpp puts it behind cpp-httplib.
#pragma once

#include <chrono>
#include <cstddef>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <xapian.h>

namespace imrdex::serve {

// Bounds on what one request may ask; a request over one gets 400 naming it.
struct Limits {
    std::size_t max_query_bytes = 4000;    // q
    Xapian::doccount max_limit = 1000;     // limit
    Xapian::doccount max_window = 100000;  // offset + limit (deep pages cost a match each)
    std::size_t max_filters = 64;          // filter parameters
    std::size_t max_facets = 32;           // facets listed
    // Wall time of one match; a match over it is stopped (503). Zero: unbounded.
    std::chrono::milliseconds match_time{10000};
};

struct ApiOptions {
    std::string db_path;
    Limits limits;
    // Keep facet values in memory columns (search/facet_columns.hpp) when every shard is local.
    bool facet_columns = true;
};

// Query parameters as the HTTP layer decoded them (a name may repeat: filter).
using Params = std::multimap<std::string, std::string>;

// Receives a streamed body piece by piece; returns false when the client has gone, which stops
// the stream.
using StreamSink = std::function<bool(std::string_view)>;

struct Response {
    int status = 200;
    std::string content_type = "application/json";
    std::string body;
    std::vector<std::pair<std::string, std::string>> headers;
    // Set for a streamed body (export.csv): called once the status line is sent, writes the
    // whole body through the sink. Errors found before streaming are ordinary responses.
    std::function<void(const StreamSink&)> stream;
};

// `{"error": message}` with the status.
Response error_response(int status, std::string_view message);

// The API: GET /api/health, /api/search, /api/pivot, /api/letter/ID, /api/export.csv (see
// README "Search service"). Thread-safe: every call borrows a Searcher of its own from a pool
// (a Xapian::Database must not be used by two threads at once), so calls run in parallel.
class Api {
public:
    explicit Api(ApiOptions options);
    ~Api();
    Api(const Api&) = delete;
    Api& operator=(const Api&) = delete;

    // `path` decoded, without the query string. Never throws: every failure is a response.
    Response handle(std::string_view method, std::string_view path, const Params& params);

    // Builds the facet columns now (the server does it before it listens) and starts following
    // the database: columns are rebuilt in the background after a commit.
    void start();

private:
    struct Impl;
    std::unique_ptr<Impl> impl_;
};

// The query text an /api/search or /api/pivot request runs: q (the typed query; `*`, every
// item, when empty and no filter is given) AND, per facet, the OR of its filter values
// (`FACET:VALUE`, FACET a facet name or a bucket such as decided:year), facets in the order
// first given. `skip` leaves out the filters of that facet (for its own counts). Throws
// QueryError for a malformed filter.
std::string compose_query(std::string_view q, const std::vector<std::string>& filters,
                          std::string_view skip = {});

}  // namespace imrdex::serve
