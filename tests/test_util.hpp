// Helpers every test shares: a temporary directory, whole-file read/write, running a program
// through the shell, finding a program on PATH, xapian-tcpsrv servers owned by a test, and
// skipping when the shared letters are absent.
#pragma once

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <utility>
#include <vector>

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

// A loopback port nobody listens on right now (the kernel's pick for port 0); a server may still
// lose a race for it, which Servers::start notices and retries.
inline int free_loopback_port() {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    socklen_t len = sizeof a;
    int port = -1;
    if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0 &&
        ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
        port = ntohs(a.sin_port);
    }
    ::close(fd);
    return port;
}

// True when something accepts connections on the loopback `port`.
inline bool loopback_accepts(int port) {
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return false;
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = htons(static_cast<std::uint16_t>(port));
    const bool ok = ::connect(fd, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
    ::close(fd);
    return ok;
}

// xapian-tcpsrv processes owned by a test: each in its own process group (it answers SIGTERM
// with kill(0, SIGTERM), and forks a child per connection), stopped as a group by stop() or the
// destructor, and told to die with the test process (PR_SET_PDEATHSIG) should the test crash.
// A leaked server would also hold the test's output open.
class Servers {
public:
    // `binary`: the xapian-tcpsrv to run; `log_dir`: where each server's output goes.
    Servers(std::string binary, fs::path log_dir)
        : binary_(std::move(binary)), log_dir_(std::move(log_dir)) {}
    ~Servers() {
        for (std::size_t i = 0; i < pids_.size(); ++i) stop(i);
    }
    Servers(const Servers&) = delete;
    Servers& operator=(const Servers&) = delete;

    // Starts a server for `db` on 127.0.0.1; its port once it accepts connections, or -1 (with
    // the server's output in *why) when it would not run.
    int start(const fs::path& db, std::string* why) {
        const pid_t parent = ::getpid();
        for (int attempt = 0; attempt < 10; ++attempt) {
            const int port = free_loopback_port();
            if (port <= 0) continue;
            const std::string port_arg = std::to_string(port);
            const fs::path log = log_dir_ / ("tcpsrv-" + port_arg + ".log");
            // Everything the child needs is built before fork: a test process may have threads,
            // so the child must not allocate.
            const pid_t child = ::fork();
            if (child < 0) break;
            if (child == 0) {
                ::setpgid(0, 0);
                ::prctl(PR_SET_PDEATHSIG, SIGTERM);
                if (::getppid() != parent) ::_exit(126);
                const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
                if (fd >= 0) {
                    ::dup2(fd, STDOUT_FILENO);
                    ::dup2(fd, STDERR_FILENO);
                }
                ::execl(binary_.c_str(), binary_.c_str(), "--quiet", "--interface", "127.0.0.1",
                        "--port", port_arg.c_str(), db.c_str(), static_cast<char*>(nullptr));
                ::_exit(127);
            }
            ::setpgid(child, child);  // also here: no window where a kill(-pid) misses it
            for (int i = 0; i < 200; ++i) {
                int status = 0;
                if (::waitpid(child, &status, WNOHANG) == child) {
                    if (why != nullptr) *why = read_file(log);
                    break;
                }
                if (loopback_accepts(port)) {
                    pids_.push_back(child);
                    ports_.push_back(port);
                    return port;
                }
                std::this_thread::sleep_for(std::chrono::milliseconds(25));
            }
            kill_group(child);
        }
        return -1;
    }

    // Stops server `i` (in start order) and the connection children it forked.
    void stop(std::size_t i) {
        if (pids_[i] <= 0) return;
        kill_group(pids_[i]);
        pids_[i] = -1;
    }

    [[nodiscard]] int port(std::size_t i) const { return ports_[i]; }

private:
    static void kill_group(pid_t pid) {
        ::kill(-pid, SIGTERM);
        for (int i = 0; i < 100; ++i) {
            if (::waitpid(pid, nullptr, WNOHANG) != 0) {
                ::kill(-pid, SIGKILL);  // connection children that outlived it
                return;
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        ::kill(-pid, SIGKILL);
        ::waitpid(pid, nullptr, 0);
    }

    std::string binary_;
    fs::path log_dir_;
    std::vector<pid_t> pids_;
    std::vector<int> ports_;
};

// The shared data directory (letters that must not be copied into the repository).
inline fs::path shared_dir() { return fs::path(IMRDEX_SHARED_DIR); }

}  // namespace imrdex::testing

// Skips the current test when `sub` (a path below the shared data directory) is missing.
#define IMRDEX_SKIP_WITHOUT_SHARED(sub)                                                  \
    if (!std::filesystem::exists(imrdex::testing::shared_dir() / (sub)))                 \
    GTEST_SKIP() << "no " << (sub) << " in " << imrdex::testing::shared_dir()
