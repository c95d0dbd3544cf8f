// Test helper: an imr-serve process on a free loopback port and an HTTP client for it
// (test_serve, test_serve_soak).
#pragma once

#include <httplib.h>
#include <simdjson.h>

#include <cctype>
#include <stdexcept>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "test_util.hpp"

namespace imrdex::testing {

// Percent-encodes a query parameter value (every byte but unreserved ones).
inline std::string enc(std::string_view s) {
    static const char* hex = "0123456789ABCDEF";
    std::string out;
    for (const unsigned char c : s) {
        if (std::isalnum(c) != 0 || c == '-' || c == '_' || c == '.' || c == '~') {
            out += static_cast<char>(c);
        } else {
            out += '%';
            out += hex[c >> 4];
            out += hex[c & 15];
        }
    }
    return out;
}

using Query = std::vector<std::pair<std::string, std::string>>;

inline std::string url(const std::string& path, const Query& params) {
    std::string out = path;
    char sep = '?';
    for (const auto& [k, v] : params) {
        out += sep + enc(k) + "=" + enc(v);
        sep = '&';
    }
    return out;
}

// One imr-serve process on a free loopback port, stopped (SIGTERM, then waited for) at the end.
class ServeProcess {
public:
    ServeProcess(const fs::path& db, const fs::path& log,
                 const std::vector<std::string>& extra = {}) {
        int out[2];
        if (::pipe(out) != 0) throw std::runtime_error("pipe");
        std::vector<std::string> args{IMRDEX_SERVE_BIN, "--db", db.string(), "--port", "0",
                                      "--threads",      "8"};
        args.insert(args.end(), extra.begin(), extra.end());
        std::vector<char*> argv;
        for (auto& a : args) argv.push_back(a.data());
        argv.push_back(nullptr);
        const pid_t parent = ::getpid();
        pid_ = ::fork();
        if (pid_ == 0) {
            ::prctl(PR_SET_PDEATHSIG, SIGKILL);
            if (::getppid() != parent) ::_exit(126);
            ::dup2(out[1], STDOUT_FILENO);
            const int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
            if (fd >= 0) ::dup2(fd, STDERR_FILENO);
            ::close(out[0]);
            ::execv(argv[0], argv.data());
            ::_exit(127);
        }
        ::close(out[1]);
        // The first line says where it listens: "imr-serve: listening on http://127.0.0.1:P/".
        std::string line;
        char c = 0;
        while (::read(out[0], &c, 1) == 1 && c != '\n') line += c;
        ::close(out[0]);
        const std::size_t at = line.find("http://");
        if (at == std::string::npos) throw std::runtime_error("imr-serve did not start: " + line);
        const std::size_t colon = line.find(':', at + 7);
        host_ = line.substr(at + 7, colon - at - 7);
        port_ = std::stoi(line.substr(colon + 1));
    }
    ~ServeProcess() {
        if (pid_ > 0) {
            ::kill(pid_, SIGTERM);
            int status = 0;
            ::waitpid(pid_, &status, 0);
        }
    }
    ServeProcess(const ServeProcess&) = delete;
    ServeProcess& operator=(const ServeProcess&) = delete;

    [[nodiscard]] int port() const { return port_; }
    [[nodiscard]] const std::string& host() const { return host_; }
    [[nodiscard]] httplib::Client client() const {
        httplib::Client c(host_, port_);
        c.set_read_timeout(60, 0);
        return c;
    }
    [[nodiscard]] pid_t pid() const { return pid_; }

private:
    pid_t pid_ = -1;
    std::string host_;
    int port_ = 0;
};

struct Got {
    int status = 0;
    std::string body;
    std::string content_type;
};

inline Got get(const ServeProcess& s, const std::string& target) {
    auto c = s.client();
    auto r = c.Get(target);
    if (!r) return {-1, "no answer: " + httplib::to_string(r.error()), ""};
    return {r->status, r->body, r->get_header_value("Content-Type")};
}

inline bool is_json_object(const std::string& body) {
    simdjson::dom::parser p;
    simdjson::dom::element e;
    return p.parse(body).get(e) == simdjson::SUCCESS && e.is_object();
}

}  // namespace imrdex::testing
