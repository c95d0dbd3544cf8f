// The catch ladder and the counting progress line every imrdex program uses.
#include "imrdex/cli/program.hpp"

#include <xapian.h>

#include <execinfo.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <memory>

#include "imrdex/core/errors.hpp"

namespace imrdex::cli {
namespace {

// The program's name for the terminate handler: ErrorStyle::prefix of the last run_guarded.
std::string terminate_prefix = "imrdex";  // NOLINT(cert-err58-cpp): set before any thread runs

// Ends the program when an exception gets past the catch ladder: one thrown through a noexcept
// frame or out of a destructor while another unwinds. The default handler names only the type
// (a Xapian::Error is no std::exception, so not even its message); this one prints the message
// and the stack, which at this point still holds the frames of the throw (the unwinder calls
// terminate before it unwinds anything), so a rare failure says where it came from.
[[noreturn]] void report_terminate() noexcept {
    const auto say = [](const char* what, const std::string& detail) {
        std::fprintf(stderr, "%.*s: fatal: %s%s\n", static_cast<int>(terminate_prefix.size()),
                     terminate_prefix.data(), what, detail.c_str());
    };
    if (const std::exception_ptr e = std::current_exception()) {
        try {
            std::rethrow_exception(e);
        } catch (const Xapian::Error& x) {
            say("uncaught ", x.get_description());
        } catch (const std::exception& x) {
            say("uncaught exception: ", x.what());
        } catch (...) {
            say("uncaught exception of an unknown type", "");
        }
    } else {
        say("terminate called without an exception", "");
    }
    std::fputs("stack (addr2line -e PROGRAM resolves the +0x offsets):\n", stderr);
    std::fflush(stderr);
    void* frames[64];
    backtrace_symbols_fd(frames, backtrace(frames, 64), STDERR_FILENO);
    std::abort();
}

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
    terminate_prefix.assign(style.prefix);
    std::set_terminate(report_terminate);
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
