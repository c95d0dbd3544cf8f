// The catch ladder and the counting progress line every imrdex program uses.
#include "imrdex/cli/program.hpp"

#include <xapian.h>

#include <chrono>
#include <cstdio>
#include <exception>
#include <memory>

#include "imrdex/core/errors.hpp"

namespace imrdex::cli {
namespace {

int fail(const ErrorStyle& style, int code, const std::string& message) {
    std::fprintf(stderr, "%.*s: %s\n", static_cast<int>(style.prefix.size()), style.prefix.data(),
                 message.c_str());
    if (style.explain) style.explain(message);
    return code;
}

}  // namespace

std::optional<int> parse_command_line(CLI::App& app, int argc, char** argv) {
    try {
        app.parse(argc, argv);
    } catch (const CLI::ParseError& e) {
        // app.exit prints the help or the error message with its hint; only its code is CLI11's.
        return app.exit(e) == 0 ? kExitOk : kExitUsage;
    }
    return std::nullopt;
}

std::string exit_codes_help(std::string_view rows) {
    return "\nEXIT CODES\n" + std::string(rows);
}

int run_guarded(const ErrorStyle& style, const std::function<int()>& body) {
    try {
        return body();
    } catch (const QueryError& e) {
        return fail(style, kExitUsage, e.what());
    } catch (const Xapian::DatabaseOpeningError& e) {
        if (style.database.empty()) return fail(style, style.exit_code, e.get_description());
        return fail(style, style.exit_code,
                    "cannot open database '" + style.database + "': " + e.get_description());
    } catch (const Xapian::Error& e) {
        return fail(style, style.exit_code, e.get_description());
    } catch (const std::exception& e) {
        return fail(style, style.exit_code, e.what());
    }
}

std::function<void(std::uint64_t, std::uint64_t)> count_progress(std::string label) {
    using Clock = std::chrono::steady_clock;
    auto last = std::make_shared<Clock::time_point>(Clock::now());
    return [label = std::move(label), last](std::uint64_t done, std::uint64_t total) {
        const auto now = Clock::now();
        if (done < total && now - *last < std::chrono::milliseconds(250)) return;
        *last = now;
        std::fprintf(stderr, "\r%s: %llu / %llu letters (%.0f%%)", label.c_str(),
                     static_cast<unsigned long long>(done), static_cast<unsigned long long>(total),
                     100.0 * static_cast<double>(done) / static_cast<double>(total));
        if (done == total) std::fputc('\n', stderr);
    };
}

}  // namespace imrdex::cli
