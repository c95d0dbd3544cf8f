// A minimal streaming JSON writer: every program emits JSON Lines, and pulling in a DOM library
// just to print would cost more than it saves (simdjson, our reader, does not write).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace imrdex {

// Appends `s` to `out` as a JSON string literal, quotes included. Invalid UTF-8 bytes become
// U+FFFD so the output is always valid JSON whatever the letter contained.
void append_json_string(std::string& out, std::string_view s);

// Builds one JSON value by appending to a string. Keys and commas are tracked per nesting level,
// so callers write fields in order without bookkeeping.
class JsonWriter {
public:
    explicit JsonWriter(std::string& out) : out_(out) {}

    JsonWriter& begin_object();
    JsonWriter& end_object();
    JsonWriter& begin_array();
    JsonWriter& end_array();
    JsonWriter& key(std::string_view k);
    JsonWriter& value(std::string_view s);
    JsonWriter& value(const char* s) { return value(std::string_view(s)); }
    JsonWriter& value(const std::string& s) { return value(std::string_view(s)); }
    JsonWriter& value(std::int64_t n);
    JsonWriter& value(int n) { return value(static_cast<std::int64_t>(n)); }
    JsonWriter& value(std::uint64_t n);
    JsonWriter& value(double d);
    JsonWriter& value(bool b);
    JsonWriter& null();
    JsonWriter& value(const std::vector<std::string>& list);

    // key + value in one call.
    template <typename T>
    JsonWriter& field(std::string_view k, const T& v) {
        key(k);
        return value(v);
    }

private:
    void separate();
    std::string& out_;
    std::vector<bool> first_{true};  // per nesting level: nothing written yet
    bool after_key_ = false;
};

}  // namespace imrdex
