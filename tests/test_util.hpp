// Helpers every test shares: a temporary directory, whole-file read/write, running a program
// through the shell, finding a program on PATH and skipping when the shared letters are absent.
#pragma once

#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>

namespace imrdex::testing {

namespace fs = std::filesystem;

// A unique directory under the system temp directory, removed with its contents
// (kept and named on stderr when IMRDEX_KEEP_TMP is set, to look at after a failure).
class TempDir {
public:
    explicit TempDir(const std::string& tag) {
        // pid and random number keep parallel test processes apart, the counter keeps several
        // directories of one process apart even when random_device is deterministic.
        static std::atomic<unsigned> counter{0};
        std::random_device rd;
        path_ = fs::temp_directory_path() /
                ("imrdex-" + tag + "-" + std::to_string(::getpid()) + "-" + std::to_string(rd()) +
                 "-" + std::to_string(counter++));
        fs::create_directories(path_);
    }
    ~TempDir() {
        if (std::getenv("IMRDEX_KEEP_TMP") != nullptr) {
            std::fprintf(stderr, "kept %s\n", path_.c_str());
            return;
        }
        std::error_code ec;
        fs::remove_all(path_, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;
    [[nodiscard]] const fs::path& path() const { return path_; }

private:
    fs::path path_;
};

// Writes `data` to `p` (creating its directories); throws when it cannot.
inline void write_file(const fs::path& p, const std::string& data) {
    if (p.has_parent_path()) fs::create_directories(p.parent_path());
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << data;
    if (!out) throw std::runtime_error("cannot write " + p.string());
}

// The whole file as bytes; empty when it cannot be read.
inline std::string read_file(const fs::path& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream s;
    s << in.rdbuf();
    return s.str();
}

// `s` quoted for /bin/sh as one word.
inline std::string shell_quote(const std::string& s) {
    std::string out = "'";
    for (const char c : s) {
        if (c == '\'')
            out += "'\\''";
        else
            out += c;
    }
    return out + "'";
}

inline std::string q(const fs::path& p) { return shell_quote(p.string()); }

struct RunResult {
    int code = -1;  // exit code; -1 when it could not run or was killed
    std::string out;
    std::string err;
};

// Runs a shell command line, capturing stdout. With `err_file`, stderr goes there and is read
// back into `err`; otherwise it is left to the command line.
inline RunResult run_command(const std::string& command, const fs::path& err_file = {}) {
    const std::string cmd = err_file.empty() ? command : command + " 2>" + q(err_file);
    RunResult r;
    FILE* p = ::popen(cmd.c_str(), "r");
    if (p == nullptr) return r;
    char buf[65536];
    for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, p)) > 0;) r.out.append(buf, n);
    const int status = ::pclose(p);
    r.code = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (!err_file.empty()) r.err = read_file(err_file);
    return r;
}

// The full path of an executable `name` on PATH (then /usr/local/bin, /usr/bin, /bin); empty
// when there is none.
inline std::string find_program(const std::string& name) {
    const char* path = std::getenv("PATH");
    std::istringstream dirs(std::string(path != nullptr ? path : "") +
                            ":/usr/local/bin:/usr/bin:/bin");
    for (std::string dir; std::getline(dirs, dir, ':');) {
        if (dir.empty()) continue;
        const fs::path p = fs::path(dir) / name;
        if (::access(p.c_str(), X_OK) == 0) return p.string();
    }
    return {};
}

// The shared data directory (letters that must not be copied into the repository).
inline fs::path shared_dir() { return fs::path(IMRDEX_SHARED_DIR); }

}  // namespace imrdex::testing

// Skips the current test when `sub` (a path below the shared data directory) is missing.
#define IMRDEX_SKIP_WITHOUT_SHARED(sub)                                                  \
    if (!std::filesystem::exists(imrdex::testing::shared_dir() / (sub)))                 \
    GTEST_SKIP() << "no " << (sub) << " in " << imrdex::testing::shared_dir()
