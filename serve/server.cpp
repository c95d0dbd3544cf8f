// imr-serve's HTTP side: routes of cpp-httplib onto the embedded assets and Api::handle, with
// safety headers, timeouts, and the export streamed by chunks in constant memory.
#include "imrdex/serve/server.hpp"

#include <httplib.h>

#include <atomic>
#include <chrono>
#include <thread>

#include "imrdex/core/errors.hpp"
#include "imrdex/serve/assets.hpp"

namespace imrdex::serve {

namespace {

void send(const Response& r, httplib::Response& res) {
    res.status = r.status;
    for (const auto& [name, value] : r.headers) res.set_header(name, value);
    if (!r.stream) {
        res.set_content(r.body, r.content_type.c_str());
        return;
    }
    // Chunked: the provider runs the whole export, each piece written to the socket as the
    // match produces it (the library's sink blocks while the client reads), so memory stays
    // one piece however many rows match.
    auto stream = r.stream;
    res.set_chunked_content_provider(
        r.content_type, [stream](std::size_t /*offset*/, httplib::DataSink& sink) {
            try {
                stream([&](std::string_view piece) {
                    return sink.is_writable() && sink.write(piece.data(), piece.size());
                });
            } catch (...) {
                // The status is sent: end the body early; the
                // missing final chunk tells the client.
                return false;
            }
            sink.done();
            return true;
        });
}

}  // namespace

void run_server(const ServerOptions& options,
                const std::function<void(const std::string& url)>& listening,
                const volatile int* stop) {
    Api api(options.api);
    api.start();

    httplib::Server server;
    const unsigned threads = options.threads == 0 ? 1 : options.threads;
    server.new_task_queue = [threads] { return new httplib::ThreadPool(threads); };
    server.set_read_timeout(options.io_timeout_seconds, 0);
    server.set_write_timeout(options.io_timeout_seconds, 0);
    server.set_payload_max_length(64 * 1024);  // GET only: no body worth reading
    // Answers are small writes (headers, then body): without TCP_NODELAY Nagle holds the second
    // until the client's delayed ACK, 40 ms on Linux, which measured as a 40 ms floor per request.
    server.set_tcp_nodelay(true);
    server.set_default_headers({{"Content-Security-Policy", kContentSecurityPolicy},
                                {"X-Content-Type-Options", "nosniff"},
                                {"Referrer-Policy", "no-referrer"},
                                {"Cache-Control", "no-store"}});

    auto api_route = [&api](const httplib::Request& req, httplib::Response& res) {
        send(api.handle(req.method, req.path, req.params), res);
    };
    server.Get(R"(/api/.*)", api_route);
    server.Get(R"(/[^/]*)", [&api](const httplib::Request& req, httplib::Response& res) {
        const auto asset = find_asset(req.path);
        if (!asset) {
            send(error_response(404, "not found"), res);
            return;
        }
        res.set_content(std::string(asset->body), std::string(asset->content_type).c_str());
    });
    // Everything else is refused as JSON: other methods (read-only service), other paths.
    auto refuse = [&api](const httplib::Request& req, httplib::Response& res) {
        send(api.handle(req.method, req.path, req.params), res);
    };
    server.Post(R"(.*)", refuse);
    server.Put(R"(.*)", refuse);
    server.Patch(R"(.*)", refuse);
    server.Delete(R"(.*)", refuse);
    server.Options(R"(.*)", refuse);
    server.set_error_handler([](const httplib::Request& req, httplib::Response& res) {
        if (!res.body.empty()) return;
        const std::string what = res.status == 404 ? "not found: " + req.path.substr(0, 200)
                                                   : "HTTP status " + std::to_string(res.status);
        const Response r = error_response(res.status, what);
        res.set_content(r.body, r.content_type.c_str());
    });
    server.set_exception_handler(
        [](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
            const Response r = error_response(500, "internal error");
            res.status = 500;
            res.set_content(r.body, r.content_type.c_str());
        });

    int port = options.port;
    if (port == 0) {
        port = server.bind_to_any_port(options.bind);
        if (port < 0) throw IoError("cannot bind " + options.bind + " to any port");
    } else if (!server.bind_to_port(options.bind, port)) {
        throw IoError("cannot listen on " + options.bind + ":" + std::to_string(port) +
                      " (in use, or not an address of this machine)");
    }
    const std::string host =
        options.bind.find(':') != std::string::npos ? "[" + options.bind + "]" : options.bind;
    listening("http://" + host + ":" + std::to_string(port) + "/");

    std::atomic<bool> done{false};
    std::thread watcher([&] {
        while (*stop == 0 && !done) std::this_thread::sleep_for(std::chrono::milliseconds(100));
        server.stop();
    });
    server.listen_after_bind();
    done = true;
    watcher.join();
}

}  // namespace imrdex::serve
