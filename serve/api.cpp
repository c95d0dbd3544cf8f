// imr-serve's JSON API: parameters checked and mapped onto the search library, the same
// formatters as imr-search, typed library errors mapped onto HTTP statuses.
#include "imrdex/serve/api.hpp"

#include <algorithm>
#include <atomic>
#include <charconv>
#include <condition_variable>
#include <limits>
#include <mutex>
#include <optional>
#include <thread>

#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/core/schema.hpp"
#include "imrdex/search/export.hpp"
#include "imrdex/search/facet_columns.hpp"
#include "imrdex/search/pivot.hpp"
#include "imrdex/search/search.hpp"
#include "imrdex/search/significant.hpp"

namespace imrdex::serve {

Response error_response(int status, std::string_view message) {
    Response r;
    r.status = status;
    JsonWriter(r.body).begin_object().field("error", message).end_object();
    r.body += '\n';
    return r;
}

namespace {

// A Searcher (one Xapian::Database, not thread-safe) per concurrent request: borrowed from the
// pool for one request and given back, created when none is free. A pool rather than one per
// thread: HTTP worker threads are the library's, and each Searcher costs an open database.
class SearcherPool {
public:
    SearcherPool(std::string path, std::chrono::milliseconds match_time)
        : path_(std::move(path)), match_time_(match_time) {}

    class Lease {
    public:
        Lease(SearcherPool& pool, std::unique_ptr<Searcher> s) : pool_(pool), s_(std::move(s)) {}
        ~Lease() {
            if (s_) pool_.give_back(std::move(s_));
        }
        Lease(const Lease&) = delete;
        Lease& operator=(const Lease&) = delete;
        Searcher* operator->() { return s_.get(); }
        Searcher& operator*() { return *s_; }

    private:
        SearcherPool& pool_;
        std::unique_ptr<Searcher> s_;
    };

    Lease acquire() {
        std::unique_ptr<Searcher> s;
        std::shared_ptr<const FacetColumns> columns;
        {
            const std::lock_guard<std::mutex> lock(mutex_);
            if (!free_.empty()) {
                s = std::move(free_.back());
                free_.pop_back();
            }
            columns = columns_;
        }
        if (!s) {
            s = std::make_unique<Searcher>(path_);  // IoError when the database is gone
            s->set_match_time(match_time_);
        }
        s->set_facet_columns(std::move(columns));
        return {*this, std::move(s)};
    }

    void set_columns(std::shared_ptr<const FacetColumns> columns) {
        const std::lock_guard<std::mutex> lock(mutex_);
        columns_ = std::move(columns);
    }
    std::shared_ptr<const FacetColumns> columns() {
        const std::lock_guard<std::mutex> lock(mutex_);
        return columns_;
    }

private:
    void give_back(std::unique_ptr<Searcher> s) {
        const std::lock_guard<std::mutex> lock(mutex_);
        free_.push_back(std::move(s));
    }

    std::string path_;
    std::chrono::milliseconds match_time_;
    std::mutex mutex_;
    std::vector<std::unique_ptr<Searcher>> free_;
    std::shared_ptr<const FacetColumns> columns_;
};

// The header saying how an answer's counts were made, as /api/health names the two ways.
constexpr const char* kCountedBy = "X-Imrdex-Facet-Counts";
std::string counted_by(const Searcher& s) {
    return s.used_columns() ? "memory columns" : "xapian match spies";
}

// A parameter's single value; 400 when repeated.
std::optional<std::string> single(const Params& params, const std::string& name) {
    const auto [first, last] = params.equal_range(name);
    if (first == last) return std::nullopt;
    if (std::next(first) != last) throw QueryError("parameter '" + name + "' is given twice");
    return first->second;
}

std::vector<std::string> all_of(const Params& params, const std::string& name) {
    std::vector<std::string> out;
    const auto [first, last] = params.equal_range(name);
    for (auto it = first; it != last; ++it) out.push_back(it->second);
    return out;
}

Xapian::doccount number(const Params& params, const std::string& name, Xapian::doccount fallback,
                        Xapian::doccount max) {
    const std::optional<std::string> v = single(params, name);
    if (!v || v->empty()) return fallback;
    unsigned long long n = 0;
    const auto [end, ec] = std::from_chars(v->data(), v->data() + v->size(), n);
    if (ec != std::errc() || end != v->data() + v->size())
        throw QueryError("parameter '" + name + "' must be a whole number, not '" + *v + "'");
    if (n > max)
        throw QueryError("parameter '" + name + "' is " + *v + ", over its limit of " +
                         std::to_string(max));
    return static_cast<Xapian::doccount>(n);
}

bool flag(const Params& params, const std::string& name) {
    const std::optional<std::string> v = single(params, name);
    if (!v || v->empty() || *v == "0" || *v == "false") return false;
    if (*v == "1" || *v == "true") return true;
    throw QueryError("parameter '" + name + "' must be 1 or 0, not '" + *v + "'");
}

// A filter split into its dimension and value: the dimension is the longest prefix before a
// colon that names a facet or a bucket (`decided:year:2016` is decided:year = 2016).
struct FilterPart {
    Dimension dim;
    std::string value;
};

FilterPart split_filter(const std::string& filter) {
    const std::size_t first = filter.find(':');
    if (first == std::string::npos)
        throw QueryError("filter '" + filter + "' is not FACET:VALUE (e.g. decision:upheld)");
    const std::size_t second = filter.find(':', first + 1);
    FilterPart out;
    if (second != std::string::npos && schema::find_facet(filter.substr(0, first)) == nullptr) {
        out.dim = parse_dimension(filter.substr(0, second));  // a bucket, else QueryError
        out.value = filter.substr(second + 1);
    } else {
        const std::string name = filter.substr(0, first);
        if (schema::find_facet(name) == nullptr)
            throw QueryError("filter '" + filter + "': unknown facet '" + name +
                             "' (known: " + dimension_names() + ")");
        out.dim = parse_dimension(name);
        out.value = filter.substr(first + 1);
    }
    if (out.value.empty()) throw QueryError("filter '" + filter + "' has no value");
    if (out.value == kNoValue)
        throw QueryError("filter '" + filter + "': the " + std::string(kNoValue) +
                         " bucket cannot be selected");
    if (out.value.find('"') != std::string::npos)
        throw QueryError("filter '" + filter + "': a value cannot hold a double quote");
    return out;
}

bool digits(std::string_view s, std::size_t n) {
    return s.size() == n &&
           std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

// The query text of one filter: `class:"opioid"`, or the range of a bucket label.
std::string filter_text(const FilterPart& f) {
    const std::string& v = f.value;
    if (!f.dim.bucket()) return std::string(f.dim.facet->name) + ":\"" + v + "\"";
    const std::string field(f.dim.range->name);
    auto bad = [&](std::string_view what) {
        return QueryError("filter '" + f.dim.name + ":" + v + "': " + std::string(what));
    };
    switch (f.dim.unit) {
        case Dimension::Unit::year:
            if (!digits(v, 4)) throw bad("a year bucket is YYYY");
            return field + ":" + v;
        case Dimension::Unit::quarter: {
            if (v.size() != 7 || !digits(v.substr(0, 4), 4) || v.substr(4, 2) != "-Q" ||
                v[6] < '1' || v[6] > '4')
                throw bad(
                    "a quarter bucket is YYYY-Q1 to YYYY-Q4 (a date without its month "
                    "cannot be selected)");
            const int q = v[6] - '0';
            auto month = [&](int m) {
                return v.substr(0, 4) + "-" + (m < 10 ? "0" : "") + std::to_string(m);
            };
            return field + ":" + month(3 * q - 2) + ".." + month(3 * q);
        }
        case Dimension::Unit::month:
            if (v.size() != 7 || !digits(v.substr(0, 4), 4) || v[4] != '-' ||
                !digits(v.substr(5), 2))
                throw bad(
                    "a month bucket is YYYY-MM (a date without its month cannot be "
                    "selected)");
            return field + ":" + v;
        case Dimension::Unit::band: {
            const std::size_t dash = v.find('-');
            if (dash == std::string::npos || dash == 0 || dash > 3 ||
                !digits(v.substr(0, dash), dash) || v.size() - dash - 1 == 0 ||
                v.size() - dash - 1 > 3 || !digits(v.substr(dash + 1), v.size() - dash - 1))
                throw bad("an age band is FROM-TO, e.g. 40-44");
            return field + ":" + v.substr(0, dash) + ".." + v.substr(dash + 1);
        }
        default:
            throw bad("not a bucket");
    }
}

// q ready to be bracketed beside filters: an unclosed quote is closed (as the parser would at
// the end of q), unbalanced brackets are an error (they would swallow the filters).
std::string bracketable(std::string_view q) {
    std::string out(q);
    int depth = 0;
    bool quoted = false;
    for (const char c : q) {
        if (c == '"') quoted = !quoted;
        if (quoted) continue;
        if (c == '(') ++depth;
        if (c == ')' && --depth < 0) break;
    }
    if (depth != 0)
        throw QueryError("q has unbalanced brackets, which cannot be combined with filters");
    if (quoted) out += '"';
    return out;
}

std::string trimmed(std::string_view s) {
    const std::size_t a = s.find_first_not_of(" \t\r\n");
    if (a == std::string_view::npos) return {};
    const std::size_t b = s.find_last_not_of(" \t\r\n");
    return std::string(s.substr(a, b - a + 1));
}

}  // namespace

std::string compose_query(std::string_view q, const std::vector<std::string>& filters,
                          std::string_view skip) {
    // Filters by dimension, dimensions in the order first given.
    std::vector<std::pair<std::string, std::vector<std::string>>> groups;
    for (const std::string& filter : filters) {
        const FilterPart f = split_filter(filter);
        std::string text = filter_text(f);
        if (f.dim.name == skip) continue;
        auto g = std::find_if(groups.begin(), groups.end(),
                              [&](const auto& x) { return x.first == f.dim.name; });
        if (g == groups.end()) {
            groups.emplace_back(f.dim.name, std::vector<std::string>{});
            g = std::prev(groups.end());
        }
        if (std::find(g->second.begin(), g->second.end(), text) == g->second.end())
            g->second.push_back(std::move(text));
    }
    const std::string typed = trimmed(q);
    if (filters.empty()) return typed.empty() ? "*" : std::string(q);
    std::string out;
    if (!typed.empty() && typed != "*") out = "(" + bracketable(typed) + ")";
    for (const auto& [name, texts] : groups) {
        std::string part;
        for (const std::string& t : texts) part += (part.empty() ? "" : " OR ") + t;
        out += (out.empty() ? "(" : " AND (") + part + ")";
    }
    return out.empty() ? "*" : out;
}

struct Api::Impl {
    explicit Impl(ApiOptions o)
        : options(std::move(o)), pool(options.db_path, options.limits.match_time) {}
    ~Impl() {
        {
            const std::lock_guard<std::mutex> lock(follow_mutex);
            stopping = true;
        }
        follow_wake.notify_all();
        if (follower.joinable()) follower.join();
    }

    ApiOptions options;
    SearcherPool pool;
    std::mutex follow_mutex;
    std::condition_variable follow_wake;
    bool stopping = false;
    std::thread follower;

    // Builds columns for the database's current revision, reusing unchanged shards'.
    void refresh_columns(Searcher& s) {
        auto previous = pool.columns();
        auto next = s.build_facet_columns(previous);
        if (next != previous) pool.set_columns(std::move(next));
    }

    // Follows the indexer: after each commit (a new revision) the columns are rebuilt, shard by
    // shard where they changed; meanwhile searches count with Xapian's spies (exact either way:
    // a Searcher uses columns only of its own shards' revisions).
    void follow() {
        std::unique_ptr<Searcher> s;
        std::string seen;
        std::unique_lock<std::mutex> lock(follow_mutex);
        while (!stopping) {
            lock.unlock();
            try {
                if (!s) s = std::make_unique<Searcher>(options.db_path);
                const std::string now = s->info().revision;
                if (now != seen) {
                    refresh_columns(*s);
                    seen = now;
                }
            } catch (const std::exception&) {
                s.reset();  // reopen next time (a compaction swapped a shard, ...)
            } catch (const Xapian::Error&) {
                s.reset();
            }
            lock.lock();
            follow_wake.wait_for(lock, std::chrono::milliseconds(200), [&] { return stopping; });
        }
    }

    Response health();
    Response search(const Params& p);
    Response pivot(const Params& p);
    Response significant(const Params& p);
    Response letter(std::string_view id);
    Response export_csv(const Params& p);

    std::string query_of(const Params& p, std::vector<std::string>& filters) {
        const std::string q = single(p, "q").value_or("");
        if (q.size() > options.limits.max_query_bytes)
            throw QueryError("parameter 'q' is " + std::to_string(q.size()) +
                             " bytes, over its limit of " +
                             std::to_string(options.limits.max_query_bytes));
        filters = all_of(p, "filter");
        if (filters.size() > options.limits.max_filters)
            throw QueryError("too many filter parameters (" + std::to_string(filters.size()) +
                             ", limit " + std::to_string(options.limits.max_filters) + ")");
        for (const auto& f : filters)
            if (f.size() > options.limits.max_query_bytes)
                throw QueryError("a filter parameter is over the limit of " +
                                 std::to_string(options.limits.max_query_bytes) + " bytes");
        return q;
    }
};

Response Api::Impl::health() {
    const DatabaseInfo info = pool.acquire()->info();
    const auto columns = pool.columns();
    Response r;
    JsonWriter w(r.body);
    w.begin_object().field("status", "ok").field("documents", std::uint64_t{info.documents});
    w.key("letters");
    if (info.letters)
        w.value(std::uint64_t{*info.letters});
    else
        w.null();
    w.field("shards", std::uint64_t{info.shards}).field("remote", info.remote);
    const bool in_memory = columns != nullptr;
    w.field("facet_counts", in_memory ? "memory columns" : "xapian match spies");
    w.field("revision", info.revision);
    w.key("schema_version");
    if (info.schema_version.empty())
        w.null();
    else
        w.value(info.schema_version);
    if (in_memory) {
        const std::size_t bytes = columns->bytes();
        const Xapian::doccount items = columns->documents();
        w.key("columns").begin_object();
        w.field("bytes", std::uint64_t{bytes}).field("items", std::uint64_t{items});
        w.field("bytes_per_item",
                items == 0 ? 0.0 : static_cast<double>(bytes) / static_cast<double>(items));
        w.end_object();
    }
    w.end_object();
    r.body += '\n';
    return r;
}

Response Api::Impl::search(const Params& p) {
    std::vector<std::string> filters;
    const std::string q = query_of(p, filters);
    SearchOptions o;
    o.query = compose_query(q, filters);
    const std::string facets = single(p, "facets").value_or("");
    o.facets = parse_facet_list(facets);
    if (o.facets.size() > options.limits.max_facets)
        throw QueryError("too many facets (" + std::to_string(o.facets.size()) + ", limit " +
                         std::to_string(options.limits.max_facets) + ")");
    o.limit = number(p, "limit", 10, options.limits.max_limit);
    o.offset = number(p, "offset", 0, options.limits.max_window);
    if (o.offset + o.limit > options.limits.max_window)
        throw QueryError("offset + limit is over its limit of " +
                         std::to_string(options.limits.max_window));
    o.by_letter = flag(p, "by_letter");
    const std::string sort = single(p, "sort").value_or("relevance");
    if (sort == "relevance")
        o.sort = SortOrder::relevance;
    else if (sort == "decided")
        o.sort = SortOrder::decided;
    else if (sort == "injured")
        o.sort = SortOrder::injured;
    else
        throw QueryError("parameter 'sort' must be relevance, decided or injured, not '" + sort +
                         "'");
    auto searcher = pool.acquire();
    // As imr-search: a limit beyond the documents held is the documents held.
    o.limit = std::min(o.limit, searcher->doc_count());
    SearchResult result = searcher->search(o);
    // Multi-select: each facet that has filters is counted over the query without them, so its
    // other values show how many items each would add.
    for (FacetCount& fc : result.facets) {
        const bool filtered = std::any_of(filters.begin(), filters.end(), [&](const auto& f) {
            return split_filter(f).dim.name == fc.name;
        });
        if (!filtered) continue;
        SearchOptions side;
        side.query = compose_query(q, filters, fc.name);
        side.facets = {fc.name};
        side.limit = 0;
        side.snippet_chars = 0;
        SearchResult other = searcher->search(side);
        fc = std::move(other.facets.front());
    }
    Response r;
    r.body = format_result(result, OutputFormat::json, false);
    r.headers.emplace_back(kCountedBy, counted_by(*searcher));
    return r;
}

Response Api::Impl::pivot(const Params& p) {
    std::vector<std::string> filters;
    const std::string q = query_of(p, filters);
    PivotOptions o;
    o.query = compose_query(q, filters);
    o.rows = single(p, "rows").value_or("");
    if (o.rows.empty()) throw QueryError("parameter 'rows' is required (e.g. rows=decided:year)");
    o.cols = single(p, "cols").value_or("");
    const std::string sort = single(p, "sort").value_or("");
    if (sort.empty())
        o.sort = PivotSort::automatic;
    else if (sort == "count")
        o.sort = PivotSort::count;
    else if (sort == "rate")
        o.sort = PivotSort::rate;
    else if (sort == "name")
        o.sort = PivotSort::name;
    else
        throw QueryError("parameter 'sort' must be count, rate or name, not '" + sort + "'");
    o.min_count = number(p, "min_count", 0, std::numeric_limits<Xapian::doccount>::max());
    auto searcher = pool.acquire();
    Response r;
    r.body = format_pivot(searcher->pivot(o), OutputFormat::json);
    r.headers.emplace_back(kCountedBy, counted_by(*searcher));
    return r;
}

Response Api::Impl::significant(const Params& p) {
    std::vector<std::string> filters;
    const std::string q = query_of(p, filters);
    SignificantOptions o;
    o.query = compose_query(q, filters);
    o.background = single(p, "background").value_or("");
    if (o.background.size() > options.limits.max_query_bytes)
        throw QueryError("parameter 'background' is over its limit of " +
                         std::to_string(options.limits.max_query_bytes) + " bytes");
    o.limit = number(p, "limit", 10, 100);
    auto searcher = pool.acquire();
    Response r;
    r.body = format_significant(searcher->significant(o), OutputFormat::json);
    return r;
}

Response Api::Impl::letter(std::string_view id) {
    if (id.empty() || id.size() > 200) return error_response(404, "no letter has that id");
    try {
        Response r;
        r.body = format_letter_json(pool.acquire()->letter(id));
        return r;
    } catch (const QueryError& e) {
        return error_response(404, e.what());  // the only query error here: an unknown id
    }
}

Response Api::Impl::export_csv(const Params& p) {
    std::vector<std::string> filters;
    const std::string q = query_of(p, filters);
    auto o = std::make_shared<ExportOptions>();
    o->query = compose_query(q, filters);
    o->fields = parse_export_fields(single(p, "fields").value_or(""));
    o->format = ExportFormat::csv;
    // Errors in the query are found before the 200 status is sent.
    pool.acquire()->validate(o->query, false);
    Response r;
    r.content_type = "text/csv; charset=utf-8";
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"imrdex-export.csv\"");
    r.stream = [this, o](const StreamSink& sink) {
        struct ClientGone {};
        auto searcher = pool.acquire();
        try {
            (void)searcher->export_items(*o, [&](std::string_view rows) {
                if (!sink(rows)) throw ClientGone{};
            });
        } catch (const ClientGone&) {
            // The client closed the connection: stop matching, nothing more to send.
        }
    };
    return r;
}

Api::Api(ApiOptions options) : impl_(std::make_unique<Impl>(std::move(options))) {}

Api::~Api() = default;

void Api::start() {
    if (!impl_->options.facet_columns) return;
    {
        auto s = impl_->pool.acquire();
        impl_->refresh_columns(*s);
    }
    impl_->follower = std::thread([this] { impl_->follow(); });
}

Response Api::handle(std::string_view method, std::string_view path, const Params& params) {
    try {
        if (method != "GET" && method != "HEAD") {
            Response r = error_response(405, "only GET is served (read-only)");
            r.headers.emplace_back("Allow", "GET, HEAD");
            return r;
        }
        if (path == "/api/health") return impl_->health();
        if (path == "/api/search") return impl_->search(params);
        if (path == "/api/pivot") return impl_->pivot(params);
        if (path == "/api/significant") return impl_->significant(params);
        if (path == "/api/export.csv") return impl_->export_csv(params);
        constexpr std::string_view kLetter = "/api/letter/";
        if (path.substr(0, kLetter.size()) == kLetter)
            return impl_->letter(path.substr(kLetter.size()));
        return error_response(404, "no such endpoint: " + std::string(path.substr(0, 200)));
    } catch (const QueryError& e) {
        return error_response(400, e.what());
    } catch (const TimeoutError& e) {
        return error_response(503, e.what());
    } catch (const UnsupportedError& e) {
        // An archive database (no termlists) cannot compute significant terms.
        return error_response(501, e.what());
    } catch (const IoError& e) {
        return error_response(503, e.what());
    } catch (const Xapian::InvalidArgumentError& e) {
        return error_response(400, "query: " + e.get_description());
    } catch (const Xapian::DatabaseError& e) {
        return error_response(503, "database: " + e.get_description());
    } catch (const Xapian::NetworkError& e) {
        return error_response(503, "shard server: " + e.get_description());
    } catch (const Xapian::Error& e) {
        return error_response(500, e.get_description());
    } catch (const std::exception& e) {
        return error_response(500, e.what());
    }
}

}  // namespace imrdex::serve
