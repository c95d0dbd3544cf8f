// imr-peers: the tools imrdex is compared with, run on the same corpus and queries: a naive
// single-writer Xapian indexer, SQLite FTS5 (bare letters, and per item with facets), a
// phrase-latency probe for any Xapian database, and the same queries over HTTP to imr-serve.
#include <httplib.h>
#include <sqlite3.h>
#include <xapian.h>

#include <simdjson.h>
#include <CLI/CLI.hpp>
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <vector>

#include "imrdex/cli/program.hpp"
#include "imrdex/core/errors.hpp"
#include "imrdex/core/json.hpp"
#include "imrdex/extract/parser.hpp"
#include "imrdex/search/search.hpp"

namespace {

using Clock = std::chrono::steady_clock;

// Calls `fn(id, text)` for every `{"id":..., "text":...}` line of a JSON Lines file.
template <typename Fn>
std::size_t for_each_record(const std::string& path, Fn&& fn) {
    std::ifstream in(path, std::ios::binary);
    if (!in) throw imrdex::IoError("cannot open " + path);
    simdjson::ondemand::parser parser;
    std::string line;
    std::size_t n = 0;
    while (std::getline(in, line)) {
        if (line.empty()) continue;
        simdjson::padded_string padded(line);
        auto doc = parser.iterate(padded);
        std::string_view id;
        std::string_view text;
        if (doc["id"].get_string().get(id) || doc["text"].get_string().get(text)) {
            throw imrdex::InputError(path + ": bad record at line " + std::to_string(n + 1));
        }
        fn(id, text);
        ++n;
    }
    return n;
}

std::vector<std::string> read_lines(const std::string& path) {
    std::ifstream in(path);
    if (!in) throw imrdex::IoError("cannot open " + path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
        if (!line.empty()) lines.push_back(line);
    }
    return lines;
}

double seconds_since(Clock::time_point t0) {
    return std::chrono::duration<double>(Clock::now() - t0).count();
}

void print_index_result(std::string_view peer, std::size_t letters, std::size_t bytes, double s) {
    std::string out;
    imrdex::JsonWriter w(out);
    w.begin_object().field("peer", peer).field("letters", static_cast<std::uint64_t>(letters));
    w.field("bytes", static_cast<std::uint64_t>(bytes)).field("seconds", s);
    w.field("letters_per_s", static_cast<double>(letters) / s);
    w.field("mb_per_s", static_cast<double>(bytes) / 1e6 / s).end_object();
    std::cout << out << '\n';
}

// The baseline the indexer must beat: what a first attempt with Xapian looks like. One document
// per letter, TermGenerator with its default strategy (STEM_SOME) and the English stemmer, one
// add_document per letter, one writer.
void naive_index(const std::string& db_path, const std::string& jsonl) {
    const auto t0 = Clock::now();
    Xapian::WritableDatabase db(db_path, Xapian::DB_CREATE_OR_OVERWRITE);
    Xapian::TermGenerator tg;
    tg.set_stemmer(Xapian::Stem("english"));
    std::size_t bytes = 0;
    const std::size_t n = for_each_record(jsonl, [&](std::string_view id, std::string_view text) {
        Xapian::Document doc;
        tg.set_document(doc);
        tg.index_text(std::string(text));
        doc.set_data(std::string(id));
        db.add_document(doc);
        bytes += text.size();
    });
    db.commit();
    print_index_result("naive-xapian", n, bytes, seconds_since(t0));
}

class Sqlite {
public:
    explicit Sqlite(const std::string& path) {
        if (sqlite3_open(path.c_str(), &db_) != SQLITE_OK) fail("open " + path);
    }
    ~Sqlite() { sqlite3_close(db_); }
    Sqlite(const Sqlite&) = delete;
    Sqlite& operator=(const Sqlite&) = delete;
    void exec(const char* sql) {
        if (sqlite3_exec(db_, sql, nullptr, nullptr, nullptr) != SQLITE_OK) fail(sql);
    }
    sqlite3_stmt* prepare(const char* sql) {
        sqlite3_stmt* st = nullptr;
        if (sqlite3_prepare_v2(db_, sql, -1, &st, nullptr) != SQLITE_OK) fail(sql);
        return st;
    }
    [[noreturn]] void fail(const std::string& what) {
        throw imrdex::Error("sqlite: " + what + ": " + sqlite3_errmsg(db_));
    }

private:
    sqlite3* db_ = nullptr;
};

// SQLite FTS5 with the same letter texts, loaded the fast way (one transaction, no journal).
void fts5_index(const std::string& db_path, const std::string& jsonl) {
    std::remove(db_path.c_str());
    const auto t0 = Clock::now();
    Sqlite db(db_path);
    db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
    db.exec("CREATE VIRTUAL TABLE letters USING fts5(id UNINDEXED, text)");
    db.exec("BEGIN");
    sqlite3_stmt* ins = db.prepare("INSERT INTO letters(id, text) VALUES (?, ?)");
    std::size_t bytes = 0;
    const std::size_t n = for_each_record(jsonl, [&](std::string_view id, std::string_view text) {
        sqlite3_bind_text(ins, 1, id.data(), static_cast<int>(id.size()), SQLITE_TRANSIENT);
        sqlite3_bind_text(ins, 2, text.data(), static_cast<int>(text.size()), SQLITE_TRANSIENT);
        if (sqlite3_step(ins) != SQLITE_DONE) db.fail("insert");
        sqlite3_reset(ins);
        bytes += text.size();
    });
    sqlite3_finalize(ins);
    db.exec("COMMIT");
    print_index_result("sqlite-fts5", n, bytes, seconds_since(t0));
}

// Binds text (copied) to parameter `i`; an empty string binds NULL, as a missing value.
void bind_text(sqlite3_stmt* st, int i, std::string_view v) {
    if (v.empty()) {
        sqlite3_bind_null(st, i);
    } else {
        sqlite3_bind_text(st, i, v.data(), static_cast<int>(v.size()), SQLITE_TRANSIENT);
    }
}

void step_done(Sqlite& db, sqlite3_stmt* st) {
    if (sqlite3_step(st) != SQLITE_DONE) db.fail("insert");
    sqlite3_reset(st);
}

// The fair FTS5 peer: the model imrdex indexes, in SQLite. Each letter parsed by imrdex's own
// parser; one row per item with the item's facet columns and its letter's, the case summary once
// per letter in a full-text table joined by letter, multi-valued facets (specialty, state,
// guideline, caguideline) as rows of a value table, B-tree indexes on the filter columns, and
// the rationale and request in FTS5 with the Porter stemmer (imrdex stems too). Loaded the fast
// way (one transaction, no journal), indexes built after the rows.
void fts5_facets_index(const std::string& db_path, const std::string& jsonl) {
    std::remove(db_path.c_str());
    const auto t0 = Clock::now();
    Sqlite db(db_path);
    db.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF;");
    db.exec(
        "CREATE TABLE letters(lid INTEGER PRIMARY KEY, id TEXT, sex TEXT, age INTEGER, "
        "priority TEXT, year TEXT, decided TEXT, injured TEXT);"
        "CREATE TABLE items(iid INTEGER PRIMARY KEY, lid INTEGER, item INTEGER, decision TEXT, "
        "category TEXT, drug TEXT, class TEXT);"
        "CREATE TABLE letter_values(lid INTEGER, facet TEXT, value TEXT);"
        "CREATE TABLE item_values(iid INTEGER, facet TEXT, value TEXT);"
        "CREATE VIRTUAL TABLE items_fts USING fts5(rationale, request, "
        "tokenize='porter unicode61');"
        "CREATE VIRTUAL TABLE letters_fts USING fts5(summary, tokenize='porter unicode61');");
    db.exec("BEGIN");
    sqlite3_stmt* letter_row = db.prepare(
        "INSERT INTO letters(lid, id, sex, age, priority, year, decided, injured) "
        "VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt* item_row = db.prepare(
        "INSERT INTO items(iid, lid, item, decision, category, drug, class) "
        "VALUES (?, ?, ?, ?, ?, ?, ?)");
    sqlite3_stmt* letter_value = db.prepare("INSERT INTO letter_values VALUES (?, ?, ?)");
    sqlite3_stmt* item_value = db.prepare("INSERT INTO item_values VALUES (?, ?, ?)");
    sqlite3_stmt* item_text =
        db.prepare("INSERT INTO items_fts(rowid, rationale, request) VALUES (?, ?, ?)");
    sqlite3_stmt* summary = db.prepare("INSERT INTO letters_fts(rowid, summary) VALUES (?, ?)");
    const imrdex::LetterParser parser;
    std::size_t bytes = 0;
    std::int64_t lid = 0;
    std::int64_t iid = 0;
    const auto values = [&](sqlite3_stmt* st, std::int64_t row, std::string_view facet,
                            const std::vector<std::string>& vs) {
        for (const std::string& v : vs) {
            sqlite3_bind_int64(st, 1, row);
            bind_text(st, 2, facet);
            bind_text(st, 3, v);
            step_done(db, st);
        }
    };
    const auto sources = [](const imrdex::Guideline& g) {
        std::vector<std::string> out;
        for (const std::string& s : g.sources) {
            std::string v = s;
            std::transform(v.begin(), v.end(), v.begin(),
                           [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
            out.push_back(std::move(v));
        }
        if (out.empty()) out.emplace_back("none");
        return out;
    };
    const std::size_t n = for_each_record(jsonl, [&](std::string_view id, std::string_view text) {
        bytes += text.size();
        const imrdex::Letter letter = parser.parse(text, id, id);
        if (letter.items.empty()) return;
        ++lid;
        sqlite3_bind_int64(letter_row, 1, lid);
        bind_text(letter_row, 2, letter.id);
        bind_text(letter_row, 3, letter.sex);
        if (letter.age >= 0) {
            sqlite3_bind_int(letter_row, 4, letter.age);
        } else {
            sqlite3_bind_null(letter_row, 4);
        }
        bind_text(letter_row, 5, letter.priority);
        bind_text(letter_row, 6, letter.decision_date.substr(0, 4));
        bind_text(letter_row, 7, letter.decision_date);
        bind_text(letter_row, 8, letter.injury_date);
        step_done(db, letter_row);
        values(letter_value, lid, "specialty", letter.specialties);
        values(letter_value, lid, "state", letter.states);
        sqlite3_bind_int64(summary, 1, lid);
        bind_text(summary, 2, letter.summary);
        step_done(db, summary);
        for (std::size_t k = 0; k < letter.items.size(); ++k) {
            const imrdex::Item& item = letter.items[k];
            ++iid;
            sqlite3_bind_int64(item_row, 1, iid);
            sqlite3_bind_int64(item_row, 2, lid);
            sqlite3_bind_int64(item_row, 3, static_cast<std::int64_t>(k + 1));
            bind_text(item_row, 4, imrdex::to_string(item.decision));
            bind_text(item_row, 5, imrdex::to_string(item.category));
            bind_text(item_row, 6, item.drug);
            bind_text(item_row, 7, item.drug_class);
            step_done(db, item_row);
            values(item_value, iid, "guideline", sources(item.maximus_guideline));
            values(item_value, iid, "caguideline", sources(item.ca_guideline));
            sqlite3_bind_int64(item_text, 1, iid);
            bind_text(item_text, 2, item.rationale);
            bind_text(item_text, 3, item.request + ' ' + item.original_request);
            step_done(db, item_text);
        }
    });
    for (sqlite3_stmt* st : {letter_row, item_row, letter_value, item_value, item_text, summary}) {
        sqlite3_finalize(st);
    }
    db.exec(
        "CREATE INDEX items_lid ON items(lid); CREATE INDEX items_decision ON items(decision);"
        "CREATE INDEX items_category ON items(category); CREATE INDEX items_class ON items(class);"
        "CREATE INDEX items_drug ON items(drug); CREATE INDEX letters_sex ON letters(sex);"
        "CREATE INDEX letters_year ON letters(year);"
        "CREATE INDEX letter_values_facet ON letter_values(facet, value, lid);"
        "CREATE INDEX letter_values_lid ON letter_values(lid, facet);"
        "CREATE INDEX item_values_facet ON item_values(facet, value, iid);"
        "CREATE INDEX item_values_iid ON item_values(iid, facet);");
    db.exec("COMMIT");
    print_index_result("sqlite-fts5-facets", n, bytes, seconds_since(t0));
}

struct Latency {
    std::vector<double> ms;
    std::vector<std::uint64_t> hits;  // matches of each query
    std::uint64_t docs = 0;           // documents searched: what a class's share is of

    void add(double query_ms, std::uint64_t matches) {
        ms.push_back(query_ms);
        hits.push_back(matches);
    }
};

double percentile(std::vector<double> v, double p) {
    if (v.empty()) return 0;
    std::sort(v.begin(), v.end());
    const auto k = static_cast<std::size_t>(p * static_cast<double>(v.size() - 1) + 0.5);
    return v[std::min(k, v.size() - 1)];
}

// Query count, p50, p99 and total matches of the queries with `keep(i)`.
void write_class(imrdex::JsonWriter& w, const Latency& lat, const auto& keep) {
    std::vector<double> ms;
    std::uint64_t matches = 0;
    for (std::size_t i = 0; i < lat.ms.size(); ++i) {
        if (!keep(i)) continue;
        ms.push_back(lat.ms[i]);
        matches += lat.hits[i];
    }
    w.field("queries", static_cast<std::uint64_t>(ms.size()));
    w.field("p50_ms", percentile(ms, 0.50)).field("p99_ms", percentile(ms, 0.99));
    w.field("matches", matches);
}

// One JSON line: the whole set, then the classes by the share of the documents a query matches
// (under 1%, 1% to 10%, 10% and more), since cost follows the number of matches.
void print_latency(std::string_view peer, const Latency& lat) {
    std::string out;
    imrdex::JsonWriter w(out);
    w.begin_object().field("peer", peer).field("docs", lat.docs);
    write_class(w, lat, [](std::size_t) { return true; });
    const double docs = static_cast<double>(std::max<std::uint64_t>(lat.docs, 1));
    const auto share = [&](std::size_t i) { return static_cast<double>(lat.hits[i]) / docs; };
    w.key("classes").begin_object();
    w.key("under_1pct").begin_object();
    write_class(w, lat, [&](std::size_t i) { return share(i) < 0.01; });
    w.end_object().key("1_to_10pct").begin_object();
    write_class(w, lat, [&](std::size_t i) { return share(i) >= 0.01 && share(i) < 0.10; });
    w.end_object().key("10pct_up").begin_object();
    write_class(w, lat, [&](std::size_t i) { return share(i) >= 0.10; });
    w.end_object().end_object().end_object();
    std::cout << out << '\n';
}

// The first tab-separated field of a query line is the phrase; the rest (filters) is for imrdex.
std::string phrase_of(const std::string& line) {
    return line.substr(0, line.find('\t'));
}

// Phrase query with an exact count and the top 10, the same work FTS5 is asked to do.
void xapian_query(std::string_view peer, const std::string& db_path, const std::string& queries) {
    Xapian::Database db(db_path);
    Xapian::QueryParser qp;
    qp.set_stemmer(Xapian::Stem("english"));
    qp.set_database(db);
    Latency lat;
    lat.docs = db.get_doccount();
    for (const auto& line : read_lines(queries)) {
        const auto t0 = Clock::now();
        Xapian::Enquire enquire(db);
        enquire.set_query(
            qp.parse_query('"' + phrase_of(line) + '"', Xapian::QueryParser::FLAG_PHRASE));
        const Xapian::MSet mset = enquire.get_mset(0, 10, db.get_doccount());
        for (auto it = mset.begin(); it != mset.end(); ++it) (void)it.get_document().get_data();
        lat.add(seconds_since(t0) * 1e3, mset.get_matches_estimated());
    }
    print_latency(peer, lat);
}

void fts5_query(const std::string& db_path, const std::string& queries) {
    Sqlite db(db_path);
    sqlite3_stmt* count = db.prepare("SELECT count(*) FROM letters WHERE letters MATCH ?");
    sqlite3_stmt* top =
        db.prepare("SELECT id FROM letters WHERE letters MATCH ? ORDER BY rank LIMIT 10");
    Latency lat;
    sqlite3_stmt* rows = db.prepare("SELECT count(*) FROM letters");
    if (sqlite3_step(rows) == SQLITE_ROW) lat.docs = sqlite3_column_int64(rows, 0);
    sqlite3_finalize(rows);
    for (const auto& line : read_lines(queries)) {
        const std::string match = '"' + phrase_of(line) + '"';
        const auto t0 = Clock::now();
        std::uint64_t matches = 0;
        sqlite3_bind_text(count, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        if (sqlite3_step(count) == SQLITE_ROW) matches = sqlite3_column_int64(count, 0);
        sqlite3_reset(count);
        sqlite3_bind_text(top, 1, match.c_str(), -1, SQLITE_TRANSIENT);
        while (sqlite3_step(top) == SQLITE_ROW) (void)sqlite3_column_text(top, 0);
        sqlite3_reset(top);
        lat.add(seconds_since(t0) * 1e3, matches);
    }
    sqlite3_finalize(count);
    sqlite3_finalize(top);
    print_latency("sqlite-fts5", lat);
}

// The researcher's query on the fair FTS5 peer, the work imrdex-query --filters does: the
// line's phrase in the rationale with its two filters (decision, category), the exact count, the
// top 10 by rank, and exact counts of five facets (decision, class, category, specialty,
// guideline) over all matching items, by GROUP BY over the matches kept in a temporary table.
void fts5_facets_query(const std::string& db_path, const std::string& queries) {
    Sqlite db(db_path);
    db.exec("CREATE TEMP TABLE m(iid INTEGER PRIMARY KEY, lid INTEGER)");
    Latency lat;
    sqlite3_stmt* rows = db.prepare("SELECT count(*) FROM items");
    if (sqlite3_step(rows) == SQLITE_ROW) lat.docs = sqlite3_column_int64(rows, 0);
    sqlite3_finalize(rows);
    // CROSS JOIN keeps the full-text match first: left to itself, the planner walks the
    // category index and runs the MATCH once per row, hundreds of times slower.
    const char* kWhere =
        " FROM items_fts CROSS JOIN items i ON i.iid = items_fts.rowid"
        " WHERE items_fts MATCH ? AND i.decision = ? AND i.category = ?";
    sqlite3_stmt* clear = db.prepare("DELETE FROM m");
    sqlite3_stmt* fill =
        db.prepare((std::string("INSERT INTO m SELECT i.iid, i.lid") + kWhere).c_str());
    sqlite3_stmt* count = db.prepare("SELECT count(*) FROM m");
    sqlite3_stmt* top =
        db.prepare((std::string("SELECT i.iid") + kWhere + " ORDER BY rank LIMIT 10").c_str());
    const std::vector<sqlite3_stmt*> facets = {
        db.prepare("SELECT i.decision, count(*) FROM m JOIN items i USING (iid) GROUP BY 1"),
        db.prepare("SELECT i.class, count(*) FROM m JOIN items i USING (iid) GROUP BY 1"),
        db.prepare("SELECT i.category, count(*) FROM m JOIN items i USING (iid) GROUP BY 1"),
        db.prepare("SELECT v.value, count(*) FROM m JOIN letter_values v "
                   "ON v.lid = m.lid AND v.facet = 'specialty' GROUP BY 1"),
        db.prepare("SELECT v.value, count(*) FROM m JOIN item_values v "
                   "ON v.iid = m.iid AND v.facet = 'guideline' GROUP BY 1")};
    // decision:upheld category:"physical therapy" -> the two values.
    const auto filter_value = [](const std::string& filters, std::string_view field) {
        const auto at = filters.find(std::string(field) + ':');
        if (at == std::string::npos) return std::string();
        std::size_t from = at + field.size() + 1;
        if (from < filters.size() && filters[from] == '"') {
            const auto end = filters.find('"', from + 1);
            return filters.substr(from + 1, end - from - 1);
        }
        return filters.substr(from, filters.find(' ', from) - from);
    };
    for (const auto& line : read_lines(queries)) {
        const auto tab = line.find('\t');
        const std::string filters = tab == std::string::npos ? "" : line.substr(tab + 1);
        const std::string match = "rationale : \"" + phrase_of(line) + '"';
        const std::string decision = filter_value(filters, "decision");
        const std::string category = filter_value(filters, "category");
        const auto t0 = Clock::now();
        step_done(db, clear);
        for (sqlite3_stmt* st : {fill, top}) {
            bind_text(st, 1, match);
            bind_text(st, 2, decision);
            bind_text(st, 3, category);
        }
        step_done(db, fill);
        std::uint64_t matches = 0;
        if (sqlite3_step(count) == SQLITE_ROW) matches = sqlite3_column_int64(count, 0);
        sqlite3_reset(count);
        while (sqlite3_step(top) == SQLITE_ROW) (void)sqlite3_column_int64(top, 0);
        sqlite3_reset(top);
        for (sqlite3_stmt* st : facets) {
            while (sqlite3_step(st) == SQLITE_ROW) (void)sqlite3_column_int64(st, 1);
            sqlite3_reset(st);
        }
        lat.add(seconds_since(t0) * 1e3, matches);
    }
    for (sqlite3_stmt* st : {clear, fill, count, top}) sqlite3_finalize(st);
    for (sqlite3_stmt* st : facets) sqlite3_finalize(st);
    print_latency("sqlite-fts5-facets", lat);
}

// imrdex through its own search library. `with_filters`: the phrase plus the line's two filters
// and `facets` (the researcher's query); otherwise the bare phrase, as the peers run it.
void imrdex_query(const std::string& db_path, const std::string& queries, bool with_filters,
                  const std::vector<std::string>& facets) {
    imrdex::Searcher searcher(db_path);
    Latency lat;
    lat.docs = searcher.doc_count();
    for (const auto& line : read_lines(queries)) {
        imrdex::SearchOptions opts;
        const std::string phrase = phrase_of(line);
        opts.query = "rationale:\"" + phrase + '"';
        if (with_filters) {
            const auto tab = line.find('\t');
            if (tab != std::string::npos) opts.query += ' ' + line.substr(tab + 1);
            opts.facets = facets;
        }
        const auto t0 = Clock::now();
        const imrdex::SearchResult result = searcher.search(opts);
        lat.add(seconds_since(t0) * 1e3, result.total);
    }
    print_latency(with_filters ? "imrdex-filters-facets" : "imrdex", lat);
}

// The same queries as imrdex_query, asked of a running imr-serve over HTTP (one client, one
// request at a time, keep-alive): what a page's user waits for, the HTTP round trip included.
void imrdex_http(const std::string& base, const std::string& queries, bool with_filters,
                 const std::string& facets) {
    const std::string prefix = "http://";
    if (base.rfind(prefix, 0) != 0) throw imrdex::QueryError("--url must start with http://");
    const std::string hostport =
        base.substr(prefix.size(), base.find('/', prefix.size()) - prefix.size());
    const std::size_t colon = hostport.rfind(':');
    httplib::Client client(hostport.substr(0, colon),
                           colon == std::string::npos ? 80 : std::stoi(hostport.substr(colon + 1)));
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);
    client.set_read_timeout(600, 0);
    simdjson::dom::parser parser;
    Latency lat;
    {
        const auto health = client.Get("/api/health");
        if (!health || health->status != 200) throw imrdex::IoError("no imr-serve at " + base);
        simdjson::dom::element h;
        std::uint64_t docs = 0;
        if (parser.parse(health->body).get(h) == simdjson::SUCCESS &&
            h["documents"].get_uint64().get(docs) == simdjson::SUCCESS)
            lat.docs = docs;
    }
    for (const auto& line : read_lines(queries)) {
        std::string q = "rationale:\"" + phrase_of(line) + '"';
        httplib::Params params;
        if (with_filters) {
            const auto tab = line.find('\t');
            if (tab != std::string::npos) q += ' ' + line.substr(tab + 1);
            params.emplace("facets", facets);
        }
        params.emplace("q", q);
        const auto t0 = Clock::now();
        const auto r = client.Get("/api/search", params, httplib::Headers{});
        const double ms = seconds_since(t0) * 1e3;
        if (!r || r->status != 200)
            throw imrdex::IoError("query failed: " + q + (r ? ": " + r->body : std::string()));
        simdjson::dom::element e;
        std::uint64_t total = 0;
        if (parser.parse(r->body).get(e) != simdjson::SUCCESS ||
            e["total"].get_uint64().get(total) != simdjson::SUCCESS)
            throw imrdex::IoError("not an answer: " + r->body.substr(0, 200));
        lat.add(ms, total);
    }
    print_latency(with_filters ? "imr-serve-filters-facets" : "imr-serve", lat);
}

// Draws phrases (2 to 4 consecutive words) from the rationales of the corpus, each with two
// filters taken from the same item, so every query matches at least one item.
void draw_phrases(const std::string& jsonl, std::size_t n, std::uint64_t seed) {
    std::mt19937_64 rng(seed);
    imrdex::LetterParser parser;
    std::vector<std::string> picked;
    std::size_t seen = 0;
    for_each_record(jsonl, [&](std::string_view id, std::string_view text) {
        const imrdex::Letter letter = parser.parse(text, id, id);
        if (letter.items.empty()) return;
        const imrdex::Item& item = letter.items[rng() % letter.items.size()];
        // A phrase is a window of consecutive words that are plain (ASCII letters only, longer
        // than one), so Xapian and FTS5 both see it exactly as drawn. Other words stay in the
        // sequence, so a window never joins words that are not adjacent ("pain 7/10 range").
        // Apostrophes, '&', '_' and non-ASCII bytes join a word, as in Xapian ("patient's").
        const std::string r = item.rationale + " ";
        std::vector<std::string> words;
        std::vector<bool> plain;
        std::string cur;
        bool alpha = true;
        for (std::size_t i = 0; i < r.size(); ++i) {
            const auto c = static_cast<unsigned char>(r[i]);
            const bool joins = (c == '\'' || c == '&') && !cur.empty() && i + 1 < r.size() &&
                               std::isalnum(static_cast<unsigned char>(r[i + 1]));
            if (std::isalnum(c) || c == '_' || c >= 0x80 || joins) {
                cur += static_cast<char>(std::tolower(c));
                alpha = alpha && std::isalpha(c);
            } else if (!cur.empty()) {
                words.push_back(cur);
                plain.push_back(alpha && cur.size() > 1);
                cur.clear();
                alpha = true;
            }
        }
        const std::size_t len = 2 + rng() % 3;
        std::vector<std::size_t> starts;
        for (std::size_t at = 0, run = 0; at < words.size(); ++at) {
            run = plain[at] ? run + 1 : 0;
            if (run >= len) starts.push_back(at + 1 - len);
        }
        if (starts.empty()) return;
        const std::size_t at = starts[rng() % starts.size()];
        std::string phrase = words[at];
        for (std::size_t k = 1; k < len; ++k) phrase += ' ' + words[at + k];
        std::string filters = "decision:" + std::string(imrdex::to_string(item.decision));
        filters += " category:\"" + std::string(imrdex::to_string(item.category)) + '"';
        std::string line = phrase + '\t' + filters;
        // Reservoir sampling keeps the draw uniform over the whole corpus in one pass.
        ++seen;
        if (picked.size() < n) {
            picked.push_back(std::move(line));
        } else if (const auto j = rng() % seen; j < n) {
            picked[j] = std::move(line);
        }
    });
    for (const auto& line : picked) std::cout << line << '\n';
}

}  // namespace

int main(int argc, char** argv) {
    CLI::App app{"imr-peers: the comparison peers of `bench/compare` (naive Xapian, SQLite FTS5)"};
    app.require_subcommand(1);
    std::string db;
    std::string input;
    std::string queries;
    std::string peer = "xapian";
    std::size_t n = 200;
    std::uint64_t seed = 7;

    auto* naive = app.add_subcommand("naive-index", "Naive single-writer Xapian indexer");
    auto* fts = app.add_subcommand("fts5-index", "SQLite FTS5 indexer");
    auto* ftsf = app.add_subcommand("fts5-facets-index",
                                    "SQLite FTS5 per item, with facet columns and tables");
    for (auto* sub : {naive, fts, ftsf}) {
        sub->add_option("--db", db, "Database to create")->required();
        sub->add_option("input", input, "JSON Lines corpus")->required();
    }
    auto* xq = app.add_subcommand("xapian-query", "Phrase latency on a Xapian database");
    xq->add_option("--name", peer, "Peer name in the output");
    auto* fq = app.add_subcommand("fts5-query", "Phrase latency on an FTS5 database");
    auto* ffq =
        app.add_subcommand("fts5-facets-query",
                           "Phrase + 2 filters + 5 exact facet counts on fts5-facets-index's "
                           "database");
    auto* iq = app.add_subcommand("imrdex-query", "Phrase latency on an imrdex index");
    bool with_filters = false;
    iq->add_flag("--filters", with_filters, "add each line's two filters and exact facets");
    std::string facet_list = "decision,class,category,specialty,guideline";
    iq->add_option("--facets", facet_list,
                   "facets counted with --filters (comma-separated; "
                   "empty for none)")
        ->capture_default_str();
    auto* hq = app.add_subcommand(
        "imrdex-http", "Phrase latency of a running imr-serve (the queries of imrdex-query)");
    std::string base_url;
    hq->add_option("--url", base_url, "the server, e.g. http://127.0.0.1:8080")->required();
    hq->add_flag("--filters", with_filters, "add each line's two filters and exact facets");
    hq->add_option("--facets", facet_list, "facets counted with --filters")->capture_default_str();
    hq->add_option("queries", queries, "Query file: phrase[TAB filters] per line")->required();
    for (auto* sub : {xq, fq, ffq, iq}) {
        sub->add_option("--db", db, "Database")->required();
        sub->add_option("queries", queries, "Query file: phrase[TAB filters] per line")->required();
    }
    auto* ph = app.add_subcommand("phrases", "Draw phrases and filters from a corpus");
    ph->add_option("input", input, "JSON Lines corpus")->required();
    ph->add_option("-n", n, "Number of queries");
    ph->add_option("--seed", seed, "Random seed");
    app.footer(imrdex::cli::exit_codes_help("  0 done   2 usage error   3 fatal error\n"));
    if (auto code = imrdex::cli::parse_command_line(app, argc, argv)) return *code;

    return imrdex::cli::run_guarded({"imr-peers", imrdex::cli::kExitFatal, "", {}}, [&] {
        if (*naive) naive_index(db, input);
        if (*fts) fts5_index(db, input);
        if (*ftsf) fts5_facets_index(db, input);
        if (*xq) xapian_query(peer, db, queries);
        if (*fq) fts5_query(db, queries);
        if (*ffq) fts5_facets_query(db, queries);
        if (*iq) imrdex_query(db, queries, with_filters, imrdex::parse_facet_list(facet_list));
        if (*ph) draw_phrases(input, n, seed);
        if (*hq) imrdex_http(base_url, queries, with_filters, facet_list);
        return imrdex::cli::kExitOk;
    });
}
